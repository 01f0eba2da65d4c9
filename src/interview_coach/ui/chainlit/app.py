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
from pydantic import ValidationError

import interview_coach.ui.chainlit.auth
import interview_coach.ui.chainlit.camera
import interview_coach.ui.chainlit.handlers  # noqa: F401  (registers the message and audio callbacks)
from interview_coach.domain import InterviewMode, Seniority
from interview_coach.graphs.service import SessionFailedError
from interview_coach.memory.sessions import SessionNotFoundError
from interview_coach.ui import registry
from interview_coach.ui.chainlit import ratings, voice_out
from interview_coach.ui.chainlit.auth import tell_if_thread_was_not_found
from interview_coach.ui.chainlit.profile import RoomProfile, load_profile, save_profile
from interview_coach.ui.chainlit.rendering import restore_rating_buttons
from interview_coach.ui.chainlit.session import AUTHORS, HELP, SETTINGS, apply_turn, chat_state, user_id

ROLE_STARTERS = (
    "Backend Software Engineer",
    "Frontend Engineer",
    "Data Scientist",
    "Product Manager",
    "Engineering Manager",
)


def _settings_widgets(profile: RoomProfile) -> list[Any]:
    from chainlit.input_widget import Select, Slider, Switch, TextInput

    camera = (
        [
            Switch(
                id="keep_camera_recordings",
                label="Keep my camera recordings for replay",
                initial=profile.keep_camera_recordings,
                description="Off: a camera answer's video is deleted once analysed; its audio is kept.",
            )
        ]
        if SETTINGS.room_camera
        else []
    )
    return [
        TextInput(id="name", label="Your name", initial=profile.name),
        Select(
            id="mode",
            label="Mode",
            values=[m.value for m in InterviewMode],
            initial_value=profile.mode.value,
            description="practice: feedback after each answer; realistic: feedback at the end",
        ),
        Slider(id="question_count", label="Questions", initial=profile.question_count, min=1, max=10, step=1),
        Select(
            id="seniority",
            label="Seniority",
            values=[s.value for s in Seniority],
            initial_value=profile.seniority.value,
        ),
        Switch(id="behavioral", label="Behavioural questions", initial=profile.behavioral),
        Switch(id="technical", label="Technical questions", initial=profile.technical),
        Switch(id="situational", label="Situational questions", initial=profile.situational),
        Switch(id="speak_questions", label="Speak the questions", initial=profile.speak_questions),
        Switch(id="live_hints", label="Live hints during practice", initial=profile.live_hints),
        Switch(id="camera_off", label="Camera off (never analyse video frames)", initial=profile.camera_off),
        Switch(id="opt_out_voice", label="Opt out of voice metrics", initial=profile.opt_out_voice),
        Switch(id="opt_out_face", label="Opt out of face metrics (gaze, expressions)", initial=profile.opt_out_face),
        Switch(id="opt_out_gesture", label="Opt out of gesture metrics", initial=profile.opt_out_gesture),
        *camera,
    ]


async def _send_settings() -> None:
    """Show the settings panel filled with the user's saved profile."""
    profile = await asyncio.to_thread(load_profile, SETTINGS, user_id())
    cl.user_session.set("options", await cl.ChatSettings(_settings_widgets(profile)).send())


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
    voice_out.warm_up()
    await tell_if_thread_was_not_found()
    await _send_settings()
    if cl.context.session.client_type != "webapp":
        await cl.Message(author=AUTHORS["system"], content=HELP).send()


@cl.on_settings_update
async def update_settings(options: dict[str, Any]) -> None:
    """Keep the chosen options for the next interview, and as the user's profile for later chats."""
    cl.user_session.set("options", options)
    try:
        await asyncio.to_thread(save_profile, SETTINGS, user_id(), options)
    except ValidationError as exc:
        await cl.Message(author=AUTHORS["system"], content=f"Settings not saved: {exc.errors()[0]['msg']}").send()
        return
    if chat_state()["phase"] == "interview":
        await cl.Message(author=AUTHORS["system"], content="Saved; new settings apply to your next interview.").send()


@cl.on_chat_resume
async def resume_chat(thread: ThreadDict) -> None:
    """Reopen a past thread where its interview or coach chat stopped."""
    state = chat_state()
    await _send_settings()
    await restore_rating_buttons(thread)
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
    await ratings.handle_thumbs(feedback)


@cl.action_callback("rate")
async def rate(action: cl.Action) -> None:
    """Store Helpful / Not right from a feedback card or the report (Not right asks why and the score)."""
    await ratings.handle_rating(action)
