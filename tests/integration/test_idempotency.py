"""Turn idempotency through the REST API and the service: one answer is applied once.

Real graph, real text analysis, SQLite checkpoints. The API runs in ``TestClient``'s event
loop; ten threads post the same answer at once, so the requests really overlap there.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps
from interview_coach.domain import CandidateProfile, InterviewPlanRequest
from interview_coach.graphs.service import InterviewService, TurnConflictError
from interview_coach.ui.server import create_app

pytestmark = pytest.mark.slow

ALICE = {"Authorization": "Bearer token-alice"}
ANSWER = (
    "In my last role I owned the billing service. A retry change double-charged 300 customers overnight. "
    "I rolled back within 40 minutes, wrote the refund script and added idempotency keys to every charge call. "
    "As a result all refunds were done within a day and we had zero duplicate charges the following year."
)


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, api_tokens={"token-alice": "alice"}, _env_file=None)  # type: ignore[call-arg]


def _start(client: TestClient) -> dict[str, Any]:
    body = {"role": "Backend Software Engineer", "question_count": 2, "kinds": ["behavioral"]}
    response = client.post("/api/sessions", json=body, headers=ALICE)
    assert response.status_code == 201, response.text
    return response.json()


def _answers_in(client: TestClient, session_id: str) -> list[str]:
    turn = client.get(f"/api/sessions/{session_id}", headers=ALICE).json()
    return [m["text"] for m in turn["messages"] if m["role"] == "candidate"]


def _post_ten_at_once(
    client: TestClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(lambda _: client.post(url, json=body, headers=headers), range(10)))


def test_ten_concurrent_submissions_apply_one_answer(tmp_path: Path) -> None:
    with TestClient(create_app(_settings(tmp_path / "data"), chat=False, warm_up=False)) as client:
        turn = _start(client)
        session_id, first = turn["session_id"], turn["question"]
        url = f"/api/sessions/{session_id}/answers"

        # With the question id: one answer applied, nine refused with 409 naming the current question.
        responses = _post_ten_at_once(client, url, {"text": ANSWER, "question_id": first["id"]}, ALICE)
        codes = Counter(r.status_code for r in responses)
        assert codes == Counter({200: 1, 409: 9}), [r.text for r in responses]
        applied = next(r.json() for r in responses if r.status_code == 200)
        current = applied["question"]
        assert current is not None and current["id"] != first["id"]
        for refused in (r.json() for r in responses if r.status_code == 409):
            assert refused["question"]["id"] == current["id"]
            assert current["id"] in refused["detail"] and current["ref"]["label"] in refused["detail"]
            assert first["id"] in refused["detail"]
        assert _answers_in(client, session_id) == [ANSWER]

        # With an idempotency key (and no question id): one applied, nine get the same stored turn.
        keyed = {**ALICE, "Idempotency-Key": "second-answer"}
        responses = _post_ten_at_once(client, url, {"text": ANSWER}, keyed)
        assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
        bodies = [r.json() for r in responses]
        assert Counter(body["replayed"] for body in bodies) == Counter({False: 1, True: 9})
        original = next(body for body in bodies if not body["replayed"])
        assert all(body["messages"] == original["messages"] for body in bodies)
        assert _answers_in(client, session_id) == [ANSWER, ANSWER]


def test_a_replayed_key_returns_the_stored_turn_after_a_restart(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "data")
    with TestClient(create_app(settings, chat=False, warm_up=False)) as client:
        turn = _start(client)
        session_id, question = turn["session_id"], turn["question"]
        url = f"/api/sessions/{session_id}/answers"
        body = {"text": ANSWER, "question_id": question["id"], "idempotency_key": "k-1"}
        first = client.post(url, json=body, headers=ALICE)
        assert first.status_code == 200 and first.json()["replayed"] is False
        # The media route takes the same key and refuses to store an upload it would not apply.
        media = client.post(
            f"{url}/media",
            files={"file": ("a.wav", b"RIFF0000WAVE", "audio/wav")},
            data={"question_id": question["id"]},
            headers=ALICE,
        )
        assert media.status_code == 409 and media.json()["question"]["id"] == first.json()["question"]["id"]
        replay_media = client.post(
            f"{url}/media",
            files={"file": ("a.wav", b"RIFF0000WAVE", "audio/wav")},
            data={"idempotency_key": "k-1"},
            headers=ALICE,
        )
        assert replay_media.status_code == 200 and replay_media.json()["replayed"] is True
        assert not list(settings.data_dir.rglob("*.wav")), "a refused or replayed upload is not stored"

    with TestClient(create_app(settings, chat=False, warm_up=False)) as client:
        again = client.post(url, json=body, headers=ALICE)
        assert again.status_code == 200, again.text
        assert again.json()["replayed"] is True
        assert again.json()["messages"] == first.json()["messages"]
        assert _answers_in(client, session_id) == [ANSWER]
        # A key never seen is a new answer; the old question id is refused with 409.
        stale = client.post(url, json={"text": ANSWER, "question_id": question["id"]}, headers=ALICE)
        assert stale.status_code == 409


async def test_service_serialises_concurrent_sends_of_one_answer(deps: AppDeps) -> None:
    request = InterviewPlanRequest(
        profile=CandidateProfile(name="Sam", role="Backend Software Engineer", role_family="backend"),
        question_count=2,
        question_ids=["tech-db-001", "tech-api-003"],
    )
    async with InterviewService.open(deps) as service:
        turn = await service.start("u1", request)
        session_id = turn.session_id
        sends = [service.send(session_id, "u1", ANSWER, question_id="tech-db-001") for _ in range(10)]
        results = await asyncio.gather(*sends, return_exceptions=True)
        conflicts = [r for r in results if isinstance(r, TurnConflictError)]
        applied = [r for r in results if not isinstance(r, BaseException)]
        assert len(applied) == 1 and len(conflicts) == 9
        waiting = applied[0].question
        assert waiting is not None and waiting.id != "tech-db-001"
        assert all(c.question is not None and c.question.id == waiting.id for c in conflicts)
        assert all(waiting.id in str(c) and "tech-db-001" in str(c) for c in conflicts)
        state = await service.graph.aget_state(service._config(session_id))
        assert [r["question"]["id"] for r in state.values["results"]] == ["tech-db-001"]
        # A coach message while the interview runs is refused, naming the waiting question.
        with pytest.raises(TurnConflictError, match=re.escape(waiting.id)):
            await service.send(session_id, "u1", "how do I improve?", expect="coach")
