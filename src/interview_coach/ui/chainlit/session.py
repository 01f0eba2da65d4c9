# mypy: disable-error-code="no-untyped-call"
# (Chainlit ships py.typed but leaves user_session, Message.send and friends unannotated.)
"""Per-chat state of the Chainlit room: who is logged in, the interview phase, rating targets."""

from __future__ import annotations

from typing import Any

import chainlit as cl

from interview_coach.domain import Question
from interview_coach.graphs.service import Turn
from interview_coach.memory.feedback import FeedbackTarget
from interview_coach.ui import registry

SETTINGS = registry.get_settings()
AUTHORS = {
    "interviewer": "Interviewer",
    "feedback": "Feedback",
    "coach": "Coach",
    "system": "Interview Coach",
}
HELP = (
    "Start an interview with a starter button, or type `start <role>` (e.g. `start Data Scientist`). "
    "Paste a job description or upload your resume (PDF, DOCX, TXT) first to tailor the questions. "
    "Mode, length, camera and metric opt-outs are in the settings (⚙). Any other message goes to your coach."
)


def user_id() -> str:
    """Return the logged-in user's id (``local`` without login)."""
    user = cl.user_session.get("user")
    identifier = getattr(user, "identifier", None)
    return str(identifier) if identifier else "local"


def thread_id() -> str:
    """Return the chat thread id (also the interview session id)."""
    return str(cl.context.session.thread_id)


def chat_state() -> dict[str, Any]:
    """Return this chat's interview state (phase, session id, waiting question, pasted documents)."""
    state: dict[str, Any] | None = cl.user_session.get("interview")
    if state is None:
        state = {"phase": "setup", "session_id": None, "question": None, "resume_text": "", "job_description": ""}
        cl.user_session.set("interview", state)
    return state


def apply_turn(state: dict[str, Any], turn: Turn) -> None:
    """Remember what the session waits for after a turn."""
    state["question"] = turn.question
    state["phase"] = {"answer": "interview", "coach": "coaching"}.get(turn.waiting_for or "", "ended")


def waiting_question_id(state: dict[str, Any]) -> str:
    """Return the id of the question waiting for an answer (names the answer's recording)."""
    question: Question | None = state.get("question")
    return question.id if question is not None else "answer"


def remember_target(message_id: str, target: FeedbackTarget, ref: str) -> None:
    """Remember what a message is, so a thumbs on it is stored against the right target."""
    targets: dict[str, tuple[str, str]] = cl.user_session.get("feedback_targets") or {}
    targets[message_id] = (target, ref)
    cl.user_session.set("feedback_targets", targets)


async def say(text: str, author: str = AUTHORS["system"]) -> cl.Message:
    """Send a plain message."""
    message = cl.Message(author=author, content=text)
    await message.send()
    return message
