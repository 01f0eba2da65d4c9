# mypy: disable-error-code="no-untyped-call"
# (Chainlit ships py.typed but leaves user_session, Message.send and friends unannotated.)
"""The Chainlit room's entry file: chat lifecycle, settings, ratings (absolute imports only).

Loaded by path by ``chainlit.utils.mount_chainlit`` from :mod:`interview_coach.ui.chat_setup`,
in the same process and event loop as the FastAPI app, so it uses the one
``InterviewService`` that the FastAPI lifespan registered in :mod:`interview_coach.ui.registry`.
One Chainlit thread is one interview session (the thread id is the session id), followed by
coach chat. Importing ``auth`` and ``handlers`` registers their callbacks.
"""

from __future__ import annotations

import asyncio
from typing import Any

import chainlit as cl
from chainlit.types import ThreadDict

import interview_coach.ui.chainlit.auth
import interview_coach.ui.chainlit.handlers  # noqa: F401  (registers the message and audio callbacks)
from interview_coach.domain import InterviewMode, Seniority
from interview_coach.graphs.service import SessionFailedError
from interview_coach.memory.feedback import FeedbackCreate
from interview_coach.memory.sessions import SessionNotFoundError
from interview_coach.ui import registry
from interview_coach.ui.chainlit.session import AUTHORS, HELP, SETTINGS, apply_turn, chat_state, thread_id, user_id

ROLE_STARTERS = (
    "Backend Software Engineer",
    "Frontend Engineer",
    "Data Scientist",
    "Product Manager",
    "Engineering Manager",
)


def _settings_widgets() -> list[Any]:
    from chainlit.input_widget import Select, Slider, Switch, TextInput

    return [
        TextInput(id="name", label="Your name", initial="Candidate"),
        Select(
            id="mode",
            label="Mode",
            values=[m.value for m in InterviewMode],
            initial_value=InterviewMode.PRACTICE.value,
            description="practice: feedback after each answer; realistic: feedback at the end",
        ),
        Slider(id="question_count", label="Questions", initial=SETTINGS.default_question_count, min=1, max=10, step=1),
        Select(
            id="seniority", label="Seniority", values=[s.value for s in Seniority], initial_value=Seniority.MID.value
        ),
        Switch(id="behavioral", label="Behavioural questions", initial=True),
        Switch(id="technical", label="Technical questions", initial=True),
        Switch(id="situational", label="Situational questions", initial=True),
        Switch(id="camera_off", label="Camera off (never analyse video frames)", initial=False),
        Switch(id="opt_out_voice", label="Opt out of voice metrics", initial=False),
        Switch(id="opt_out_face", label="Opt out of face metrics (gaze, expressions)", initial=False),
        Switch(id="opt_out_gesture", label="Opt out of gesture metrics", initial=False),
    ]


@cl.set_starters
async def starters(user: cl.User | None = None, language: str | None = None) -> list[cl.Starter]:
    """Offer one-click interviews for common roles, and the coach."""
    items = [cl.Starter(label=role, message=f"Interview me for: {role}") for role in ROLE_STARTERS]
    items.append(cl.Starter(label="Ask my coach", message="How am I progressing across my sessions?"))
    return items


@cl.on_chat_start
async def start_chat() -> None:
    """Show the interview settings; outside the web page, explain how to start."""
    chat_state()
    cl.user_session.set("options", await cl.ChatSettings(_settings_widgets()).send())
    if cl.context.session.client_type != "webapp":
        await cl.Message(author=AUTHORS["system"], content=HELP).send()


@cl.on_settings_update
async def update_settings(options: dict[str, Any]) -> None:
    """Keep the chosen options for the next interview."""
    cl.user_session.set("options", options)
    if chat_state()["phase"] == "interview":
        await cl.Message(author=AUTHORS["system"], content="Saved; new settings apply to your next interview.").send()


@cl.on_chat_resume
async def resume_chat(thread: ThreadDict) -> None:
    """Reopen a past thread where its interview or coach chat stopped."""
    state = chat_state()
    cl.user_session.set("options", await cl.ChatSettings(_settings_widgets()).send())
    try:
        turn = await registry.get_service().resume(str(thread["id"]), user_id())
    except SessionFailedError as exc:
        await cl.Message(content=f"{exc}").send()
        return
    except SessionNotFoundError:
        return
    state["session_id"] = turn.session_id
    apply_turn(state, turn)


@cl.on_feedback
async def store_feedback(feedback: Any) -> None:
    """Keep thumbs and comments on feedback, reports and coach replies for the learning loop."""
    targets: dict[str, tuple[str, str]] = cl.user_session.get("feedback_targets") or {}
    target, ref = targets.get(str(feedback.forId), ("coach_reply", str(feedback.forId)))
    item = FeedbackCreate(
        session_id=chat_state().get("session_id") or thread_id(),
        target=target,
        target_ref=ref,
        rating=1 if int(feedback.value) == 1 else -1,
        comment=(feedback.comment or "")[:4000],
        evidence={"message_id": str(feedback.forId), "thread_id": feedback.threadId},
    )
    await asyncio.to_thread(registry.get_service().feedback.add, user_id(), item)


@cl.action_callback("rate")
async def rate(action: cl.Action) -> None:
    """Store a thumbs up/down from a feedback card or the report for the learning loop."""
    payload = action.payload or {}
    item = FeedbackCreate(
        session_id=chat_state().get("session_id") or thread_id(),
        target=payload.get("target", "question_feedback"),
        target_ref=str(payload.get("ref", ""))[:200] or "unknown",
        rating=1 if payload.get("rating") == 1 else -1,
        comment="",
        evidence={"message_id": action.forId, "source": "chat_action"},
    )
    await asyncio.to_thread(registry.get_service().feedback.add, user_id(), item)
    await cl.context.emitter.send_toast("Thanks, noted for the coach's learning loop.", "success")
