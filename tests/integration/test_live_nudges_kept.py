"""Live nudges shown during an answer travel through the interview graph into the report."""

from __future__ import annotations

from datetime import UTC, datetime

from interview_coach.assessment.rendering import render_report_markdown
from interview_coach.deps import AppDeps
from interview_coach.domain import AnswerInput, CandidateProfile, InterviewPlanRequest, LiveNudge, SessionReport
from interview_coach.domain.live import NUDGE_TEXTS
from interview_coach.graphs.service import InterviewService
from interview_coach.graphs.state import results_of

ANSWER = (
    "An index is a sorted structure such as a B-tree; a query uses it to avoid a full table scan, "
    "and every write has to update it, so writes get slower."
)


async def test_the_nudges_of_an_answer_are_in_the_report_with_their_times(deps: AppDeps) -> None:
    nudges = [
        LiveNudge(kind="silence", at_s=9.0, text=NUDGE_TEXTS["silence"]),
        LiveNudge(kind="fast_pace", at_s=34.0, text=NUDGE_TEXTS["fast_pace"]),
    ]
    request = InterviewPlanRequest(
        profile=CandidateProfile(name="Sam", role="Backend Software Engineer", role_family="backend"),
        question_count=1,
        question_ids=["tech-db-001"],
    )
    async with InterviewService.open(deps) as service:
        turn = await service.start("u-nudges", request)
        turn = await service.send(turn.session_id, "u-nudges", AnswerInput(text=ANSWER, nudges=nudges))
        assert any(m.kind == "feedback" for m in turn.messages)
        state = await service.graph.aget_state(service._config(turn.session_id))
    # The report is built from these results once the interview ends (a follow-up may come first).
    results = results_of(state.values)
    analysis = results[0].analysis
    assert analysis is not None and analysis.nudges == nudges
    report = SessionReport(
        session_id=turn.session_id, user_id="u-nudges", profile=request.profile, created_at=datetime.now(UTC),
        questions=results,
    )  # fmt: skip
    markdown = render_report_markdown(report, appendix=True)
    assert "**0:09** live hint: Carry on, or stop when you're done" in markdown
    assert "**0:34** live hint: Slow down a little" in markdown
