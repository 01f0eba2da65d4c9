"""The audio of a recording that is still being written, read as it grows.

The room's camera recorder appends WebM pieces to one file while the candidate speaks. To
analyse the voice during the answer (as the microphone path does), the file's audio is decoded
again on each poll and only the samples not returned before are handed out. Decoding Opus is
cheap next to speech recognition (a 60-s answer decodes in tens of milliseconds), and decoding
from the start keeps the samples identical to what one decode of the finished file gives,
which the batch analysis uses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = ["GrowingRecordingAudio"]

_PCM_SCALE = 32768.0


class GrowingRecordingAudio:
    """Hand out the new audio of a growing media file as PCM16 mono bytes.

    Not thread-safe: one owner polls. A partly written last piece is simply not decoded yet;
    its samples come with a later poll or with :meth:`final`.
    """

    def __init__(self, path: Path, sample_rate: int = 16000) -> None:
        """Follow ``path`` (it may not exist yet); samples come at ``sample_rate`` Hz."""
        self._path = path
        self._rate = sample_rate
        self._taken = 0
        self._last_size = -1

    @property
    def samples_taken(self) -> int:
        """Samples handed out so far."""
        return self._taken

    def poll(self) -> bytes:
        """Return PCM16 bytes of the audio decoded since the last call (may be empty).

        The resampler's last few milliseconds are held back until :meth:`final`, so a later
        poll never has to revise samples it already gave.
        """
        size = self._path.stat().st_size if self._path.is_file() else 0
        if size == self._last_size:
            return b""
        self._last_size = size
        return self._take(self._decode(flush=False))

    def final(self) -> bytes:
        """Return the remaining audio of the finished file, the resampler's tail included."""
        return self._take(self._decode(flush=True))

    def _take(self, audio: NDArray[np.float32]) -> bytes:
        if audio.size <= self._taken:
            return b""
        new = audio[self._taken :]
        self._taken = audio.size
        return bytes(np.clip(np.round(new * _PCM_SCALE), -_PCM_SCALE, _PCM_SCALE - 1).astype("<i2").tobytes())

    def _decode(self, *, flush: bool) -> NDArray[np.float32]:
        import av

        if not self._path.is_file():
            return np.zeros(0, dtype=np.float32)
        chunks: list[NDArray[np.float32]] = []
        resampler = av.AudioResampler(format="flt", layout="mono", rate=self._rate)
        try:
            with av.open("file:" + str(self._path.resolve()), mode="r") as container:
                if not container.streams.audio:
                    return np.zeros(0, dtype=np.float32)
                for frame in container.decode(container.streams.audio[0]):
                    chunks.extend(out.to_ndarray().reshape(-1).astype(np.float32) for out in resampler.resample(frame))
        except (av.FFmpegError, EOFError):
            # A piece still being written ends mid-cluster; what decoded before it is sound.
            pass
        if flush:
            chunks.extend(out.to_ndarray().reshape(-1).astype(np.float32) for out in resampler.resample(None))
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        return np.clip(np.concatenate(chunks), -1.0, 1.0)
