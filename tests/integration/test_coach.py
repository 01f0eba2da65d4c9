"""The builtin coach: intents grounded in the report and in long-term memory."""

from __future__ import annotations

import pytest

from interview_coach.deps import AppDeps
from interview_coach.domain import CandidateProfile, InterviewPlanRequest
from interview_coach.graphs.service import InterviewService, Turn

pytestmark = pytest.mark.slow

STORY = (
    "In my second year at a logistics startup I owned the order export service. "
    "My task was to cut the nightly export time before Black Friday. "
    "I profiled the job, found an N+1 query, and rewrote it as one batched query with an index. "
    "As a result the export dropped from 40 minutes to 6 minutes, and I learned to profile before optimising."
)


async def finished_session(service: InterviewService, user: str, answer: str) -> Turn:
    request = InterviewPlanRequest(
        profile=CandidateProfile(role="Backend Software Engineer"), question_count=1, question_ids=["beh-ownership-001"]
    )
    turn = await service.start(user, request)
    turn = await service.send(turn.session_id, user, answer)
    while turn.waiting_for == "answer":
        turn = await service.send(turn.session_id, user, "/end")
    assert turn.waiting_for == "coach"
    return turn


def coach_text(turn: Turn) -> str:
    return "\n".join(m.text for m in turn.messages if m.role == "coach")


async def test_goal_is_remembered_and_plan_uses_measured_weak_spots(deps: AppDeps) -> None:
    async with InterviewService.open(deps) as service:
        turn = await finished_session(service, "cora", "I think I did some stuff, maybe.")
        reply = await service.send(turn.session_id, "cora", "My goal is to land a senior backend role by March.")
        assert "Noted your goal" in coach_text(reply)
        goals = deps.require_memory().list("cora", kinds=["goal"])
        assert [g.text for g in goals] == ["Goal: to land a senior backend role by March"]
        plan = coach_text(await service.send(turn.session_id, "cora", "Make me a practice plan for this week"))
        assert "practice plan" in plan and "Mon/Tue" in plan
        explain = coach_text(await service.send(turn.session_id, "cora", "Can you explain the STAR method?"))
        assert "Mon/Tue" not in explain  # "explain" must not read as "plan"


async def test_progress_needs_two_sessions_then_shows_the_trend(deps: AppDeps) -> None:
    async with InterviewService.open(deps) as service:
        first = await finished_session(service, "dan", "I think I did some stuff, maybe.")
        lonely = coach_text(await service.send(first.session_id, "dan", "show my progress"))
        assert "at least two sessions" in lonely
        second = await finished_session(service, "dan", STORY)
        trend = coach_text(await service.send(second.session_id, "dan", "show my progress"))
        assert "answer quality" in trend and "→" in trend and "better" in trend


async def test_strong_story_enters_the_story_bank_and_reanswer_compares(deps: AppDeps) -> None:
    async with InterviewService.open(deps) as service:
        turn = await finished_session(service, "eve", STORY)
        stories = deps.require_memory().list("eve", kinds=["star_story"])
        assert stories and "order export" in stories[0].text.lower()
        bank = coach_text(await service.send(turn.session_id, "eve", "which stories should I reuse?"))
        assert "order export" in bank.lower()
        prompt = coach_text(await service.send(turn.session_id, "eve", "I want to re-answer question 1"))
        assert "Re-answer Q1" in prompt
        compared = coach_text(await service.send(turn.session_id, "eve", "I did it."))
        assert compared.startswith("Re-answer of Q1: answer quality") and "→" in compared
