"""Silero voice activity on audio that arrives in pieces, equal to the batch measure.

:func:`~interview_coach.tools.voice.activity.speech_probabilities` runs the Silero model over
a whole recording in one call. Its LSTM state and the 64-sample context of each 32 ms window
only depend on the audio before the window, so carrying them from one call to the next gives
the same probabilities, frame for frame, while the candidate is still speaking.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from interview_coach.tools.voice.activity import FRAME_S, VAD_SAMPLE_RATE

__all__ = ["StreamingVad"]

WINDOW_SAMPLES = round(FRAME_S * VAD_SAMPLE_RATE)
_CONTEXT_SAMPLES = 64  # faster-whisper's context for 16 kHz Silero windows
_STATE_SHAPE = (1, 1, 128)
# The same hysteresis as ``activity.speech_regions``; used here only to decide where to cut.
SPEECH_THRESHOLD = 0.5
SILENCE_THRESHOLD = 0.35


class StreamingVad:
    """Speech probabilities and a running speech/silence state for 16 kHz audio pieces.

    Not thread-safe: one owner feeds it (the streaming analyser's worker thread).
    """

    def __init__(self) -> None:
        """Load the Silero model bundled with faster-whisper (once per process)."""
        from faster_whisper.vad import get_vad_model

        # The model's own ``__call__`` resets the LSTM state on every call; streaming must carry it.
        self._session = get_vad_model().session
        self._h = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(_CONTEXT_SAMPLES, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._probabilities: list[float] = []
        self._speech_start: int | None = None
        self._closed: list[tuple[float, float]] = []
        self._flushed = False

    @property
    def frames(self) -> int:
        """How many 32 ms frames have been scored."""
        return len(self._probabilities)

    @property
    def in_speech(self) -> bool:
        """Whether the last scored frame is inside speech."""
        return self._speech_start is not None

    @property
    def seconds(self) -> float:
        """The audio time scored so far."""
        return self.frames * FRAME_S

    @property
    def closed_regions(self) -> list[tuple[float, float]]:
        """Speech intervals (seconds) that have ended, before any minimum-length filtering (do not modify)."""
        return self._closed

    @property
    def open_speech_s(self) -> float | None:
        """When the speech going on now started, or ``None`` in silence."""
        return None if self._speech_start is None else self._speech_start * FRAME_S

    @property
    def first_speech_s(self) -> float | None:
        """When speech first started, or ``None`` before any."""
        return self._closed[0][0] if self._closed else self.open_speech_s

    def silence_s(self) -> float:
        """How long the audio has been silent since the last speech (0 while speaking)."""
        if self._speech_start is not None:
            return 0.0
        return self.seconds - (self._closed[-1][1] if self._closed else 0.0)

    def probabilities(self) -> NDArray[np.float32]:
        """Return every frame probability so far (the batch measure's array once flushed)."""
        return np.asarray(self._probabilities, dtype=np.float32)

    def push(self, samples: NDArray[np.float32]) -> None:
        """Score every complete 32 ms window of ``samples`` (16 kHz mono), keeping the remainder.

        Raises:
            RuntimeError: the stream was already flushed.

        """
        if self._flushed:
            raise RuntimeError("The voice activity stream is finished; start a new one.")
        pending = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        complete = pending.size - pending.size % WINDOW_SAMPLES
        self._pending = pending[complete:]
        if complete:
            self._score(pending[:complete].reshape(-1, WINDOW_SAMPLES))

    def flush(self) -> None:
        """Score the last partial window padded with zeros, as the batch measure pads the recording."""
        if self._flushed:
            return
        # The batch measure always pads (a whole zero window when the length is a multiple of
        # 512), so the final frame count matches it exactly.
        padded = np.pad(self._pending, (0, WINDOW_SAMPLES - self._pending.size % WINDOW_SAMPLES))
        if self._probabilities or self._pending.size:
            self._score(padded.reshape(-1, WINDOW_SAMPLES))
        self._pending = np.zeros(0, dtype=np.float32)
        self._flushed = True

    def _score(self, windows: NDArray[np.float32]) -> None:
        contexts = np.concatenate([self._context[None, :], windows[:-1, -_CONTEXT_SAMPLES:]], axis=0)
        batch = np.concatenate([contexts, windows], axis=1)
        output, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -_CONTEXT_SAMPLES:].copy()
        for probability in np.asarray(output, dtype=np.float32).reshape(-1).tolist():
            self._track(probability)

    def _track(self, probability: float) -> None:
        index = len(self._probabilities)
        self._probabilities.append(probability)
        if self._speech_start is None and probability >= SPEECH_THRESHOLD:
            self._speech_start = index
        elif self._speech_start is not None and probability < SILENCE_THRESHOLD:
            self._closed.append((self._speech_start * FRAME_S, index * FRAME_S))
            self._speech_start = None
