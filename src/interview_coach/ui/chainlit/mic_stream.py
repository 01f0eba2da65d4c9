"""The room's microphone: analyse the answer while it is spoken, off the event loop.

The audio callbacks in ``handlers.py`` queue every PCM16 chunk to a
:class:`~interview_coach.tools.voice.streaming.BackgroundVoiceAnalysis`; on stop the streamed
``VoiceAnalysis`` travels with the answer so the pipeline does not analyse the WAV again.
Any failure of the stream leaves the answer to the batch analysis of the saved WAV.

In a practice interview (and unless the candidate switched "Live hints during practice" off)
:func:`start_live_hints` polls the same stream for sparse nudges, shown by ``public/room.js``;
:func:`stop_live_hints` returns them so they travel with the answer into the replay.

An answer ends without the candidate's "stop" in two cases, and keeps what was recorded:
:func:`take_chunk` keeps the audio up to ``Settings.max_media_duration_s``, says so, and asks the
page to stop the microphone; ``public/room.js`` stops it by itself when the microphone's track
ends (unplugged, turned off) and tells the server (:func:`window_message`), which says so before
the answer (:func:`announce_device_loss`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import chainlit as cl

from interview_coach.assessment.nudges import NudgePolicy
from interview_coach.assessment.rendering import EvidenceItem, clock
from interview_coach.domain import InterviewPlanRequest, LiveNudge, VoiceAnalysis
from interview_coach.domain.live import NUDGE_LABEL
from interview_coach.tools.voice.streaming import BackgroundVoiceAnalysis, StreamingVoiceAnalyzer
from interview_coach.ui import registry
from interview_coach.ui.chainlit.live_hints import LiveHints, hint_message, interview_mode
from interview_coach.ui.chainlit.recording_texts import device_lost_text, limit_text
from interview_coach.ui.chainlit.session import SETTINGS, say

logger = logging.getLogger(__name__)
LIVE_HINTS_OPTION = "live_hints"
# Window messages shared with public/room.js: the server asks the page to stop the microphone;
# the page says the microphone's track ended during a recording.
STOP_MICROPHONE = "interview-coach-stop-microphone"
MICROPHONE_LOST = "interview-coach-microphone-lost"
_LOST = "microphone_lost"


def mic_rate() -> int:
    """Return the sample rate of the room's microphone chunks (Chainlit's audio setting)."""
    from chainlit.config import config

    return config.features.audio.sample_rate if config.features.audio else 24000


def start_voice_stream(state: dict[str, Any], sample_rate: int | None = None) -> BackgroundVoiceAnalysis | None:
    """Start analysing the answer's audio while the candidate speaks, or ``None`` if voice is not measured.

    ``sample_rate`` is that of the PCM16 chunks to come (default: the room microphone's).
    """
    request: InterviewPlanRequest | None = state.get("request")
    if request is not None and "voice" in request.opted_out_metrics:
        return None
    try:
        transcriber = registry.get_service().deps.transcriber
    except (registry.ServiceNotReadyError, RuntimeError) as exc:
        logger.warning("no streaming voice analysis: %s", exc)
        return None
    question = state.get("question")
    analyzer = StreamingVoiceAnalyzer(
        transcriber,
        sample_rate=sample_rate or mic_rate(),
        time_budget_s=question.time_budget_s if question is not None else None,
        max_duration_s=SETTINGS.max_media_duration_s,
    )
    return BackgroundVoiceAnalysis(analyzer)


async def finish_voice_stream(stream: BackgroundVoiceAnalysis | None) -> VoiceAnalysis | None:
    """Wait (off the event loop) for the streamed analysis; ``None`` lets the pipeline analyse the WAV."""
    if stream is None:
        return None
    started = time.perf_counter()
    try:
        voice = await asyncio.to_thread(stream.finish)
    except Exception as exc:  # the saved WAV is analysed in batch instead, so nothing is lost
        logger.warning("streaming voice analysis not used: %s", exc)
        return None
    logger.info("streamed voice analysis finished %.2f s after stop", time.perf_counter() - started)
    return voice


def start_live_hints(state: dict[str, Any], stream: BackgroundVoiceAnalysis | None) -> LiveHints | None:
    """Start live nudges for a practice answer whose voice is streamed, or return ``None``."""
    if stream is None:
        return None
    options: dict[str, Any] = cl.user_session.get("options") or {}  # type: ignore[no-untyped-call]
    mode = interview_mode(state.get("request"), options)
    if mode is None:
        return None
    policy = NudgePolicy(mode=mode, enabled=bool(options.get(LIVE_HINTS_OPTION, True)))
    if not policy.active:
        return None
    hints = LiveHints(stream, policy, _show_hint)
    hints.start()
    return hints


async def _show_hint(nudge: LiveNudge) -> None:
    await cl.send_window_message(hint_message(nudge))


async def stop_live_hints(hints: LiveHints | None) -> list[LiveNudge]:
    """Stop the answer's live nudges and return those shown (none without hints)."""
    return [] if hints is None else await hints.stop()


def nudge_items(nudges: list[LiveNudge]) -> list[EvidenceItem]:
    """Return the nudges as timestamped items of the answer's replay."""
    return [EvidenceItem(clock(n.at_s), n.at_s, NUDGE_LABEL, n.text) for n in nudges]


def hint_replay(nudges: list[LiveNudge]) -> list[Any]:
    """Return the element listing the answer's nudges; each timestamp plays the recording from there."""
    if not nudges:
        return []
    from interview_coach.ui.chainlit.rendering import evidence_player

    return [evidence_player("spoken", nudge_items(nudges))]


def max_pcm_bytes(sample_rate: int) -> int:
    """Return the PCM16 bytes of the longest answer the room keeps (``Settings.max_media_duration_s``)."""
    return int(SETTINGS.max_media_duration_s * sample_rate) * 2


async def take_chunk(buffer: bytearray, stream: BackgroundVoiceAnalysis | None, data: bytes) -> None:
    """Keep a microphone chunk up to the answer-length limit; at the limit, say so and stop the page's microphone.

    Audio past the limit is dropped: the answer up to the limit is then analysed like any
    other, where a longer recording would be refused as a whole.
    """
    limit = max_pcm_bytes(mic_rate())
    room = limit - len(buffer)
    if room <= 0:
        return
    kept = data[:room]
    buffer.extend(kept)
    if stream is not None:
        stream.feed(kept)
    if len(buffer) >= limit:
        await say(limit_text(SETTINGS.max_media_duration_s))
        await cl.send_window_message({"type": STOP_MICROPHONE})


async def announce_device_loss(buffer: bytearray) -> None:
    """Say that the microphone was lost if the page reported it during the recording in ``buffer``."""
    if cl.user_session.get(_LOST) is buffer:  # type: ignore[no-untyped-call]
        cl.user_session.set(_LOST, None)  # type: ignore[no-untyped-call]
        await say(device_lost_text(["audio"]))


@cl.on_window_message
async def window_message(message: Any) -> None:
    """Note a microphone lost mid-answer (reported by ``public/room.js``) for :func:`announce_device_loss`.

    The mark is the recording's own buffer, so a report that came too late for one answer never
    shows up on the next. Other window messages (the live hints Chainlit echoes back) are ignored.
    """
    if isinstance(message, dict) and message.get("type") == MICROPHONE_LOST:
        buffer = cl.user_session.get("audio")  # type: ignore[no-untyped-call]
        if buffer is not None:
            cl.user_session.set(_LOST, buffer)  # type: ignore[no-untyped-call]
