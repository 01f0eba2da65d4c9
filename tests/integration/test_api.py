"""REST API through TestClient: a full typed interview, isolation between users, upload limits."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interview_coach.core.settings import Settings
from interview_coach.ui.server import create_app

ALICE = {"Authorization": "Bearer token-alice"}
BOB = {"Authorization": "Bearer token-bob"}
STRONG_ANSWER = (
    "In my last role I owned the billing service. Our nightly job double-charged 300 customers after a retry change. "
    "My task was to stop the damage and restore trust. I rolled back within 40 minutes, wrote the refund script, "
    "and added idempotency keys to every charge call. As a result all refunds were done within 24 hours and we had "
    "zero duplicate charges the following year. I learned to verify assumptions about external systems with tests."
)


@pytest.fixture(scope="module")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(  # type: ignore[call-arg]
        data_dir=tmp_path_factory.mktemp("api-data"),
        api_tokens={"token-alice": "alice", "token-bob": "bob"},
        max_upload_mb=1,
        _env_file=None,
    )


@pytest.fixture(scope="module")
def client(api_settings: Settings) -> Iterator[TestClient]:
    app = create_app(api_settings, chat=False, warm_up=False)
    with TestClient(app) as test_client:
        yield test_client


def start(client: TestClient, headers: dict[str, str], **options: object) -> dict:
    body = {"role": "Backend Software Engineer", "question_count": 2, "kinds": ["behavioral"], **options}
    response = client.post("/api/sessions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def alice_session(client: TestClient) -> str:
    """A session of alice's that has reached the coach phase."""
    turn = start(client, ALICE)
    session_id = turn["session_id"]
    for _ in range(8):
        if turn["waiting_for"] != "answer":
            break
        response = client.post(f"/api/sessions/{session_id}/answers", json={"text": STRONG_ANSWER}, headers=ALICE)
        assert response.status_code == 200, response.text
        turn = response.json()
    assert turn["waiting_for"] == "coach" and turn["report_ready"]
    return session_id


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    schema = client.get("/openapi.json").json()
    assert "/api/sessions/{session_id}/answers/media" in schema["paths"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_requests_without_a_valid_token_are_refused(client: TestClient) -> None:
    assert client.get("/api/sessions").status_code == 401
    assert client.get("/api/sessions", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_typed_interview_end_to_end(client: TestClient, alice_session: str) -> None:
    question = client.get(f"/api/sessions/{alice_session}/question", headers=ALICE).json()
    assert question["waiting_for"] == "coach" and question["question"] is None
    feedback = client.get(f"/api/sessions/{alice_session}/feedback", headers=ALICE).json()
    assert feedback and all("answer_quality" in item["scores"] for item in feedback)
    assert feedback[0]["scores"]["answer_quality"]["value"] is not None

    report = client.get(f"/api/sessions/{alice_session}/report", headers=ALICE)
    assert report.status_code == 200 and report.json()["session_id"] == alice_session
    markdown = client.get(f"/api/sessions/{alice_session}/report?format=markdown", headers=ALICE)
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# Interview report") and "## Transcripts and evidence" in markdown.text
    html = client.get(f"/api/sessions/{alice_session}/report?format=html", headers=ALICE)
    assert html.headers["content-type"].startswith("text/html")
    assert "<svg" in html.text and "http://" not in html.text.replace("http://www.w3.org", "")

    coach = client.post(
        f"/api/sessions/{alice_session}/coach", json={"text": "Why was question 1 rated low?"}, headers=ALICE
    )
    assert coach.status_code == 200
    assert any(m["role"] == "coach" and m["text"] for m in coach.json()["messages"])

    rating = client.post(
        f"/api/sessions/{alice_session}/ratings",
        json={"target": "report", "target_ref": alice_session, "rating": -1, "comment": "too harsh"},
        headers=ALICE,
    )
    assert rating.status_code == 201 and rating.json()["user_id"] == "alice"

    listed = client.get("/api/sessions", headers=ALICE).json()
    assert [s["session_id"] for s in listed] == [alice_session]
    progress = client.get("/api/me/progress", headers=ALICE).json()
    assert [p["session_id"] for p in progress["sessions"]] == [alice_session]
    assert "answer_quality" in progress["sessions"][0]["metrics"]


def test_answers_and_coach_messages_go_to_the_right_phase(client: TestClient, alice_session: str) -> None:
    response = client.post(f"/api/sessions/{alice_session}/answers", json={"text": "late answer"}, headers=ALICE)
    assert response.status_code == 409
    fresh = start(client, BOB, question_count=1)
    response = client.post(f"/api/sessions/{fresh['session_id']}/coach", json={"text": "hi"}, headers=BOB)
    assert response.status_code == 409
    report = client.get(f"/api/sessions/{fresh['session_id']}/report", headers=BOB)
    assert report.status_code == 409


def test_commands_work_over_the_api(client: TestClient) -> None:
    turn = start(client, BOB, question_count=2)
    session_id = turn["session_id"]
    repeated = client.post(f"/api/sessions/{session_id}/answers", json={"text": "/repeat"}, headers=BOB).json()
    assert repeated["question"]["id"] == turn["question"]["id"]
    ended = client.post(f"/api/sessions/{session_id}/answers", json={"text": "/end"}, headers=BOB).json()
    assert ended["waiting_for"] == "coach" and ended["report_ready"]


def test_follow_up_keeps_the_main_question_number(client: TestClient) -> None:
    turn = start(client, BOB, question_count=2)
    session_id = turn["session_id"]
    asked = next(m for m in turn["messages"] if m["kind"] == "question")
    assert asked["question"]["progress"] == "Q1/2" and turn["question"]["ref"]["label"] == "Q1"
    weak = client.post(f"/api/sessions/{session_id}/answers", json={"text": "I don't know."}, headers=BOB).json()
    feedback = next(m for m in weak["messages"] if m["kind"] == "feedback")
    assert feedback["question"]["label"] == "Q1" and feedback["text"].startswith("Feedback on Q1")
    assert feedback["evaluation"]["scores"]["answer_quality"]["value"] is not None
    follow_up = next(m for m in weak["messages"] if m["kind"] == "question")
    assert follow_up["question"]["number"] == 1 and follow_up["question"]["follow_up"] == 1
    assert follow_up["question"]["progress"] == "Q1/2 · follow-up"
    assert weak["question"]["ref"]["label"] == "Q1 · follow-up" and weak["question"]["follow_up_of"]
    ended = client.post(f"/api/sessions/{session_id}/answers", json={"text": "/end"}, headers=BOB).json()
    assert ended["report_ready"]
    assert any(m["kind"] == "report" for m in ended["messages"])
    labels = [item["ref"]["label"] for item in client.get(f"/api/sessions/{session_id}/feedback", headers=BOB).json()]
    assert labels[0] == "Q1"
    markdown = client.get(f"/api/sessions/{session_id}/report?format=markdown", headers=BOB).text
    assert "### Q1: " in markdown and "Q2: " not in markdown.split("## Transcripts")[0]


def test_general_coach_chat(client: TestClient, alice_session: str) -> None:
    reply = client.post("/api/coach", json={"text": "How am I progressing?"}, headers=ALICE)
    assert reply.status_code == 200 and reply.json()["text"]


ISOLATION_ROUTES = [
    ("GET", "/api/sessions/{id}", None),
    ("GET", "/api/sessions/{id}/question", None),
    ("POST", "/api/sessions/{id}/answers", {"text": "stolen answer"}),
    ("GET", "/api/sessions/{id}/feedback", None),
    ("POST", "/api/sessions/{id}/ratings", {"target": "report", "target_ref": "x", "rating": 1}),
    ("GET", "/api/sessions/{id}/report", None),
    ("GET", "/api/sessions/{id}/report?format=html", None),
    ("POST", "/api/sessions/{id}/coach", {"text": "tell me about alice"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ISOLATION_ROUTES, ids=[f"{m} {p}" for m, p, _ in ISOLATION_ROUTES])
def test_other_users_sessions_are_not_found(
    client: TestClient, alice_session: str, method: str, path: str, body: dict | None
) -> None:
    url = path.format(id=alice_session)
    assert client.request(method, url, json=body, headers=BOB).status_code == 404
    unknown = path.format(id="doesnotexist1")
    assert client.request(method, unknown, json=body, headers=ALICE).status_code == 404


MATRIX_ROUTES = [
    *ISOLATION_ROUTES,
    ("POST", "/api/sessions/{id}/answers/media", None),
    ("GET", "/api/sessions/{id}/report?format=markdown", None),
]
# Credentials that are not Alice's: each must get 401 (no valid token) or 404 (a valid other user).
FOREIGN_CREDENTIALS = {
    "none": ({}, 401),
    "empty bearer": ({"Authorization": "Bearer "}, 401),
    "wrong token": ({"Authorization": "Bearer token-mallory"}, 401),
    "token with a suffix": ({"Authorization": "Bearer token-alice2"}, 401),
    "token prefix": ({"Authorization": "Bearer token-ali"}, 401),
    "basic scheme": ({"Authorization": "Basic dG9rZW4tYWxpY2U6"}, 401),
    "raw token": ({"Authorization": "token-alice"}, 401),
    "user header": ({"X-Forwarded-User": "alice"}, 401),
    "query token": ({}, 401),
    "bob": (BOB, 404),
    "bob plus a user header": ({**BOB, "X-Forwarded-User": "alice"}, 404),
}


def test_route_by_credential_matrix_gives_nothing_of_alices(client: TestClient, alice_session: str) -> None:
    outcomes: dict[str, int] = {}
    for method, path, body in MATRIX_ROUTES:
        url = path.format(id=alice_session)
        for name, (headers, expected) in FOREIGN_CREDENTIALS.items():
            target = url + ("&" if "?" in url else "?") + "token=token-alice" if name == "query token" else url
            kwargs: dict[str, Any] = {"headers": headers}
            if path.endswith("/media"):
                kwargs["files"] = {"file": ("answer.wav", io.BytesIO(b"RIFF0000WAVE"), "audio/wav")}
            elif body is not None:
                kwargs["json"] = body
            status_code = client.request(method, target, **kwargs).status_code
            assert status_code == expected, (method, path, name, status_code)
            outcomes[f"{status_code}"] = outcomes.get(f"{status_code}", 0) + 1
    assert sum(outcomes.values()) == len(MATRIX_ROUTES) * len(FOREIGN_CREDENTIALS)
    # Alice's session is untouched by all of that: still at its first answer's turn.
    assert client.get(f"/api/sessions/{alice_session}", headers=ALICE).status_code == 200


def test_media_upload_of_another_users_session_is_not_found(client: TestClient, alice_session: str) -> None:
    files = {"file": ("answer.wav", io.BytesIO(b"RIFF0000WAVE"), "audio/wav")}
    response = client.post(f"/api/sessions/{alice_session}/answers/media", files=files, headers=BOB)
    assert response.status_code == 404


def test_listings_never_show_other_users_data(client: TestClient, alice_session: str) -> None:
    assert alice_session not in {s["session_id"] for s in client.get("/api/sessions", headers=BOB).json()}
    bob_progress = client.get("/api/me/progress", headers=BOB).json()
    assert all(p["session_id"] != alice_session for p in bob_progress["sessions"])


def test_oversized_bodies_are_refused_before_reading(client: TestClient, alice_session: str) -> None:
    headers = {**ALICE, "Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(5 * 1024 * 1024)}
    response = client.post(f"/api/sessions/{alice_session}/answers/media", content=b"--x--", headers=headers)
    assert response.status_code == 413
    big_json = b'{"text": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = client.post(
        f"/api/sessions/{alice_session}/answers",
        content=big_json,
        headers={**ALICE, "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_chunked_bodies_are_cut_at_the_limit(client: TestClient, alice_session: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n'
        for _ in range(3):
            yield b"0" * (1024 * 1024)

    headers = {**ALICE, "Content-Type": "multipart/form-data; boundary=x"}
    response = client.post(f"/api/sessions/{alice_session}/answers/media", content=chunks(), headers=headers)
    assert response.status_code == 413


def test_wrong_types_are_refused(client: TestClient) -> None:
    session_id = start(client, BOB, question_count=1)["session_id"]
    response = client.post(
        f"/api/sessions/{session_id}/answers", content=b"text", headers={**BOB, "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    response = client.post(f"/api/sessions/{session_id}/answers/media", json={"text": "x"}, headers=BOB)
    assert response.status_code == 415
    files = {"file": ("notes.txt", io.BytesIO(b"hello"), "text/plain")}
    response = client.post(f"/api/sessions/{session_id}/answers/media", files=files, headers=BOB)
    assert response.status_code == 415
    files = {"file": ("answer.wav", io.BytesIO(b"not really audio"), "audio/wav")}
    response = client.post(f"/api/sessions/{session_id}/answers/media", files=files, headers=BOB)
    assert response.status_code == 422 and "not a supported audio" in response.json()["detail"][0]["msg"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_spoken_answer_upload_is_transcribed(client: TestClient, tmp_path: Path, api_settings: Settings) -> None:
    wav = tmp_path / "answer.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-us",
            "-s",
            "150",
            "-w",
            str(wav),
            "Um, I would tell the team early and agree on a new plan.",
        ],
        check=True,
    )
    session_id = start(client, BOB, question_count=1)["session_id"]
    with wav.open("rb") as handle:
        response = client.post(
            f"/api/sessions/{session_id}/answers/media",
            files={"file": ("answer.wav", handle, "audio/wav")},
            headers=BOB,
        )
    assert response.status_code == 200, response.text
    transcript = [m for m in response.json()["messages"] if m["kind"] == "transcript"]
    assert transcript and "team" in transcript[0]["text"].lower()
    stored = list((api_settings.data_dir / "media").rglob("*.wav"))
    assert stored, "the answer recording is kept for playback"


def test_delete_my_data_removes_everything(client: TestClient, api_settings: Settings) -> None:
    alice = {"Authorization": "Bearer token-alice"}
    session_id = start(client, alice, question_count=1)["session_id"]
    deleted = client.delete("/api/me", headers=alice)
    assert deleted.status_code == 200
    counts = deleted.json()["deleted"]
    assert counts["sessions"] >= 1 and "files" in counts and "memories" in counts
    assert client.get("/api/sessions", headers=alice).json() == []
    assert client.get(f"/api/sessions/{session_id}", headers=alice).status_code == 404
    assert client.get("/api/me/progress", headers=alice).json()["sessions"] == []
