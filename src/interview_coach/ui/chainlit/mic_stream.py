"""The room's microphone: analyse the answer while it is spoken, off the event loop.

The audio callbacks in ``handlers.py`` queue every PCM16 chunk to a
:class:`~interview_coach.tools.voice.streaming.BackgroundVoiceAnalysis`; on stop the streamed
``VoiceAnalysis`` travels with the answer so the pipeline does not analyse the WAV again.
Any failure of the stream leaves the answer to the batch analysis of the saved WAV.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from interview_coach.domain import InterviewPlanRequest, VoiceAnalysis
from interview_coach.tools.voice.streaming import BackgroundVoiceAnalysis, StreamingVoiceAnalyzer
from interview_coach.ui import registry
from interview_coach.ui.chainlit.session import SETTINGS

logger = logging.getLogger(__name__)


def mic_rate() -> int:
    """Return the sample rate of the room's microphone chunks (Chainlit's audio setting)."""
    from chainlit.config import config

    return config.features.audio.sample_rate if config.features.audio else 24000


def start_voice_stream(state: dict[str, Any]) -> BackgroundVoiceAnalysis | None:
    """Start analysing the microphone while the candidate speaks, or ``None`` if voice is not measured."""
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
        sample_rate=mic_rate(),
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
