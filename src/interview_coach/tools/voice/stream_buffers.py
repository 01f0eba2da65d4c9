"""Buffers of the streaming voice analyser: a streaming resampler and a growing sample buffer."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from interview_coach.tools.voice.transcribe import SAMPLE_RATE

__all__ = ["GrowingAudio", "Resampler"]


class Resampler:
    """soxr's streaming resampler to 16 kHz; its output equals the one-shot ``soxr.resample``."""

    def __init__(self, rate: int) -> None:
        self._stream = None
        if rate != SAMPLE_RATE:
            import soxr

            self._stream = soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32")

    def push(self, samples: NDArray[np.float32], *, last: bool) -> NDArray[np.float32]:
        """Resample the next piece; ``last`` flushes the filter's delay line."""
        if self._stream is None:
            return samples
        return np.asarray(self._stream.resample_chunk(samples, last=last), dtype=np.float32)


class GrowingAudio:
    """A float32 buffer that grows by doubling, so appending chunks stays linear."""

    def __init__(self) -> None:
        self._data = np.zeros(SAMPLE_RATE * 30, dtype=np.float32)
        self.size = 0

    def extend(self, samples: NDArray[np.float32]) -> None:
        """Append samples, doubling the storage when it is full."""
        needed = self.size + samples.size
        if needed > self._data.size:
            grown = np.zeros(max(needed, self._data.size * 2), dtype=np.float32)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : needed] = samples
        self.size = needed

    def view(self) -> NDArray[np.float32]:
        """Return the samples so far (a view, not a copy)."""
        return self._data[: self.size]
