# mypy: disable-error-code="no-untyped-call"
# (Chainlit ships py.typed but leaves user_session, Element.send and friends unannotated.)
"""Speak the interviewer's questions in the room, after their text is already on screen.

The question's text is sent first (captions always show); the speech is synthesised off the
event loop in a background thread and attached to the message as an auto-playing audio element.
Once an interview is planned, its upcoming questions are synthesised ahead (while the candidate
answers the current one), so a planned question's audio is attached as soon as its text is shown;
follow-ups and LLM-worded questions are synthesised on demand.
The audio is not stored with the thread: a reopened chat shows the question without replaying it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import Future

import chainlit as cl

from interview_coach.tools.speech import SynthesisError, SynthesizedSpeech, get_synthesizer
from interview_coach.tools.speech.prefetch import SpeechCache
from interview_coach.ui.chainlit.session import SETTINGS

logger = logging.getLogger(__name__)
SPEAK_OPTION = "speak_questions"
AUDIO_NAME = "Spoken question"
# Keeps the background tasks alive until they finish (asyncio holds only weak references).
_pending: set[asyncio.Task[None]] = set()
# Questions spoken ahead, shared by every chat of this process (same text and voice, same audio).
SPEECH = SpeechCache()
# How many upcoming planned questions are prepared at each turn: the next one is what matters,
# the one after covers a quickly skipped question.
PREPARE_AHEAD = 2


def speaking_enabled() -> bool:
    """Return whether this chat is the web room and its settings ask for spoken questions (on by default)."""
    if SETTINGS.tts_engine == "off" or cl.context.session.client_type != "webapp":
        # Slack and Teams would post every question as an audio file.
        return False
    options = cl.user_session.get("options") or {}
    return bool(options.get(SPEAK_OPTION, True))


def warm_up() -> None:
    """Load the voice in the background so that the first question is not spoken late."""
    if SETTINGS.tts_engine == "off":
        return
    _track(asyncio.create_task(_load()))


async def _load() -> None:
    synthesizer = await asyncio.to_thread(get_synthesizer, SETTINGS)
    if synthesizer is not None and synthesizer.engine == "piper":
        await asyncio.to_thread(synthesizer.load)


def speak(message: cl.Message, text: str) -> None:
    """Attach the spoken ``text`` to the already sent ``message`` without waiting for it."""
    if speaking_enabled():
        # Queued now, so that it is synthesised before any upcoming question prepared after it.
        _track(asyncio.create_task(_attach_speech(message.id, SPEECH.speech(SETTINGS, text))))


def prepare(upcoming: Sequence[str]) -> None:
    """Synthesise the next planned questions in the background, after the one being spoken."""
    if upcoming and speaking_enabled():
        SPEECH.prepare(SETTINGS, upcoming[:PREPARE_AHEAD])


async def _attach_speech(message_id: str, pending: Future[SynthesizedSpeech | None]) -> None:
    try:
        speech = await asyncio.wrap_future(pending)
    except (SynthesisError, OSError) as exc:
        # The question is already on screen; losing its voice must not stop the interview.
        logger.warning("The question was not spoken: %s", exc)
        return
    if speech is None:
        return
    audio = cl.Audio(name=AUDIO_NAME, content=speech.wav, mime="audio/wav", display="inline", auto_play=True)
    await audio.send(for_id=message_id, persist=False)


def _track(task: asyncio.Task[None]) -> None:
    _pending.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task[None]) -> None:
    _pending.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.warning("Speaking a question failed: %r", error)
