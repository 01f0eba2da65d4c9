"""The same interview service on a Postgres checkpointer: a throwaway real PostgreSQL cluster (conftest.py)."""

from __future__ import annotations

import pytest

from interview_coach.deps import AppDeps
from interview_coach.domain import CandidateProfile, InterviewPlanRequest
from interview_coach.graphs.service import InterviewService

pytest.importorskip(
    "langgraph.checkpoint.postgres.aio",
    reason="langgraph-checkpoint-postgres is not installed (pip install 'interview-coach[postgres]')",
)
psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'interview-coach[postgres]')")

pytestmark = pytest.mark.slow

STRONG_TECHNICAL = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the whole table. "
    "It speeds up lookups, range queries and sorting on the indexed columns. "
    "For example, an index on the user email column makes login queries fast. "
    "The cost is slower writes, extra storage, and some maintenance."
)


def request_for(ids: list[str]) -> InterviewPlanRequest:
    return InterviewPlanRequest(
        profile=CandidateProfile(name="Pat", role="Backend Software Engineer", role_family="backend"),
        question_count=len(ids),
        question_ids=ids,
    )


async def backend_pid(service: InterviewService) -> int:
    """The server process id of a connection of the service's pool (differs per connection)."""
    async with service.graph.checkpointer.conn.connection() as conn:  # type: ignore[union-attr]
        return int(conn.info.backend_pid)


async def test_interview_on_postgres_resumes_from_a_new_connection(deps: AppDeps, postgres_dsn: str) -> None:
    deps.settings.checkpointer_dsn = postgres_dsn
    async with InterviewService.open(deps) as service:
        turn = await service.start("pat", request_for(["tech-db-001", "tech-api-003"]))
        session_id = turn.session_id
        assert turn.waiting_for == "answer" and turn.question and turn.question.id == "tech-db-001"
        turn = await service.send(session_id, "pat", STRONG_TECHNICAL)
        stopped_at = turn.question.id if turn.question else None
        assert turn.waiting_for == "answer" and stopped_at in {"tech-api-003", "tech-db-001~fu1"}
        first_pid = await backend_pid(service)

    async with InterviewService.open(deps) as reopened:
        assert await backend_pid(reopened) != first_pid
        turn = await reopened.resume(session_id, "pat")
        assert turn.waiting_for == "answer" and turn.question and turn.question.id == stopped_at
        assert [m.text for m in turn.messages if m.role == "candidate"] == [STRONG_TECHNICAL]
        turn = await reopened.send(session_id, "pat", "/end")
        assert turn.waiting_for == "coach" and turn.report is not None
        assert turn.report.questions[0].question.id == "tech-db-001"
        reply = await reopened.send(session_id, "pat", "why was question 1 rated that way?")
        coach = [m for m in reply.messages if m.role == "coach"]
        assert coach and coach[0].text.strip()
        second_pid = await backend_pid(reopened)

    async with InterviewService.open(deps) as third:
        assert await backend_pid(third) not in {first_pid, second_pid}
        turn = await third.resume(session_id, "pat")
        assert turn.waiting_for == "coach" and turn.phase == "coaching"
        assert turn.report is not None and turn.report.questions[0].question.id == "tech-db-001"
        assert turn.messages[-1].role == "coach" and turn.messages[-1].text == coach[-1].text


async def test_checkpoints_live_in_postgres_not_sqlite(deps: AppDeps, postgres_dsn: str) -> None:
    deps.settings.checkpointer_dsn = postgres_dsn
    async with InterviewService.open(deps) as service:
        turn = await service.start("quinn", request_for(["tech-db-001"]))
        turn = await service.send(turn.session_id, "quinn", STRONG_TECHNICAL)
        if turn.waiting_for == "answer":  # a follow-up
            turn = await service.send(turn.session_id, "quinn", "/end")
        assert turn.report is not None
        session_id = turn.session_id

        with psycopg.connect(postgres_dsn) as conn:
            count = conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = %s", (session_id,)).fetchone()
        assert count is not None and count[0] >= 3
        assert not (deps.settings.data_dir / "checkpoints.sqlite").exists()

        await service.delete_user_data("quinn")
        with psycopg.connect(postgres_dsn) as conn:
            left = conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = %s", (session_id,)).fetchone()
        assert left == (0,)
    assert not list(deps.settings.data_dir.glob("checkpoints.sqlite*"))
