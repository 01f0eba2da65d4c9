"""A camera answer's voice, analysed while it is recorded.

The room appends the recorder's one-second WebM pieces to a file; after each piece the new
sound is decoded (:class:`~interview_coach.tools.media.growing_audio.GrowingRecordingAudio`)
and queued to the same streaming analyser as the microphone's, so on "stop" only the last
segment remains, as for a spoken answer. Any failure leaves the voice to the batch analysis
of the stored recording, so nothing is lost. Only :func:`start_camera_voice` needs the running app.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

from interview_coach.domain import VoiceAnalysis
from interview_coach.tools.media.growing_audio import GrowingRecordingAudio
from interview_coach.tools.voice.streaming import BackgroundVoiceAnalysis, LiveVoiceStats

logger = logging.getLogger(__name__)
SAMPLE_RATE = 16000


class CameraVoice:
    """Follow a growing camera recording and stream its sound to the voice analyser."""

    def __init__(self, path: Path, stream: BackgroundVoiceAnalysis) -> None:
        """Follow ``path``; ``stream`` must expect 16-kHz PCM16 chunks."""
        self._audio = GrowingRecordingAudio(path, SAMPLE_RATE)
        self._stream = stream
        self._lock = threading.Lock()
        self._failed = False

    @property
    def live(self) -> LiveVoiceStats:
        """The running voice measures (for live hints)."""
        return self._stream.live

    def after_piece(self) -> None:
        """Queue the sound the last written piece added (call off the event loop)."""
        with self._lock:
            if self._failed:
                return
            try:
                pcm = self._audio.poll()
            except Exception as exc:  # the stored recording is analysed in batch instead
                logger.warning("camera sound not streamed: %s", exc)
                self._failed = True
                self._stream.cancel()
                return
            if pcm:
                self._stream.feed(pcm)

    async def finish(self) -> VoiceAnalysis | None:
        """Queue the rest of the finished recording's sound and return the streamed analysis, or ``None``."""

        def rest() -> bool:
            with self._lock:
                if self._failed:
                    return False
                self._stream.feed(self._audio.final())
                return True

        try:
            usable = await asyncio.to_thread(rest)
        except Exception as exc:
            logger.warning("camera sound not streamed: %s", exc)
            usable = False
        if not usable:
            self._stream.cancel()
            return None
        try:
            return await asyncio.to_thread(self._stream.finish)
        except Exception as exc:  # the stored recording is analysed in batch instead
            logger.warning("streamed camera voice not used: %s", exc)
            return None

    def cancel(self) -> None:
        """Stop analysing (the recording was discarded)."""
        self._stream.cancel()


def start_camera_voice(state: dict[str, Any], path: Path) -> CameraVoice | None:
    """Start streaming the recording's voice, or ``None`` when voice is not measured."""
    from interview_coach.ui.chainlit.mic_stream import start_voice_stream  # reads the app's settings

    stream = start_voice_stream(state, sample_rate=SAMPLE_RATE)
    return None if stream is None else CameraVoice(path, stream)
