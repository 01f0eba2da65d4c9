"""REST media answers: the uploaded file's name chooses no path, the stored extension comes from the content.

Issue 12, finding 4, on the API side: each attack name is sent as the multipart file name of
a real recording (bytes put together by hand, so a NUL byte reaches the server as sent).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interview_coach.core.settings import Settings
from interview_coach.ui import files
from interview_coach.ui.server import create_app

pytestmark = pytest.mark.slow
BOB = {"Authorization": "Bearer token-bob"}
OTHER_USER_PATH = "3a71b56c-92c3-4b61-90ea-b29a3ae6a391/53c40d4a-737e-4e4c-94b5-e17cf3c37fae/answer.wav"
ATTACK_NAMES = [
    "../../x.wav",
    "../../../../../../tmp/x.wav",
    OTHER_USER_PATH,
    f"../../{files.user_key('alice')}/s/q1.wav",
    "a\x00b.wav",
    "answer.wav\x00.sh",
    "/etc/passwd.wav",
    "..\\..\\x.wav",
]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(  # type: ignore[call-arg]
        data_dir=tmp_path_factory.mktemp("api-names"), api_tokens={"token-bob": "bob"}, _env_file=None
    )


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, chat=False, warm_up=False)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to make a recording")
    out = tmp_path_factory.mktemp("rec") / "answer.webm"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "libopus", "-y", str(out)],
        check=True,
    )
    return out.read_bytes()


def multipart(name: str, data: bytes, mime: str) -> tuple[bytes, str]:
    boundary = "b0undary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\nContent-Type: {mime}\r\n\r\n'
    return head.encode("utf-8") + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("name", ATTACK_NAMES)
def test_an_attack_name_is_a_display_name_only(client: TestClient, settings: Settings, webm: bytes, name: str) -> None:
    turn = client.post("/api/sessions", json={"question_count": 1}, headers=BOB).json()
    session_id, question_id = turn["session_id"], turn["question"]["id"]
    before = {p for p in settings.data_dir.rglob("*") if p.is_file()}
    tmp_x_existed = Path("/tmp/x.wav").exists()

    body, content_type = multipart(name, webm, "audio/wav")
    response = client.post(
        f"/api/sessions/{session_id}/answers/media", content=body, headers={**BOB, "Content-Type": content_type}
    )

    assert response.status_code == 200, response.text
    created = {p for p in settings.data_dir.rglob("*") if p.is_file()} - before
    recordings = [p for p in created if p.parent.name == session_id]
    # A WebM recording sent as audio/wav under a .wav (or odd) name is stored as .webm, under the question's id.
    assert [p.relative_to(settings.data_dir) for p in recordings] == [
        Path("media", files.user_key("bob"), session_id, f"{question_id}.webm")
    ]
    assert not list((settings.data_dir / "uploads").glob("*")), "no temporary upload is left behind"
    strays = [
        p for p in created if p not in recordings and not p.name.endswith((".sqlite", "-wal", "-shm", "-journal"))
    ]
    assert not [p for p in strays if "x.wav" in p.name or p.name == "answer.wav"], strays
    assert Path("/tmp/x.wav").exists() == tmp_x_existed


def test_a_damaged_upload_is_named_by_the_users_file_not_a_server_temp_file(client: TestClient) -> None:
    turn = client.post("/api/sessions", json={"question_count": 1}, headers=BOB).json()
    body, content_type = multipart("my answer.wav", b"RIFF not really audio", "audio/wav")
    response = client.post(
        f"/api/sessions/{turn['session_id']}/answers/media", content=body, headers={**BOB, "Content-Type": content_type}
    )
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert message.startswith("my answer.wav") and "tmp" not in message, message
