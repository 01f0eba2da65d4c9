"""The coach outside a session: it focuses on the user's most recent finished session."""

from __future__ import annotations

from collections.abc import Sequence

from interview_coach.agents.coach import coach_reply
from interview_coach.domain import CoachReply, SessionReport
from interview_coach.graphs.service import InterviewService
from interview_coach.memory.sessions import SessionNotFoundError

FINISHED = ("coaching", "ended")


async def latest_report(service: InterviewService, user_id: str) -> SessionReport | None:
    """Return the report of the user's most recent finished session, if any."""
    for session in service.list_sessions(user_id):
        if session.status not in FINISHED:
            continue
        try:
            report = await service.report(session.session_id, user_id)
        except SessionNotFoundError:
            continue
        if report is not None:
            return report
    return None


async def coach_outside_session(
    service: InterviewService, user_id: str, message: str, history: Sequence[str] = ()
) -> CoachReply:
    """Reply to a coach message sent outside any session, grounded in the latest report and memory.

    Args:
        service: the interview service (its session index and checkpoints hold the reports).
        user_id: the user.
        message: the message.
        history: the user's earlier messages in this chat, oldest first (for follow-ups).
    """
    report = await latest_report(service, user_id)
    return await coach_reply(
        service.deps, user_id=user_id, message=message, report=report, history=history, in_session=False
    )
