"""The audio of a recording that is still being written, read as it grows.

The room's camera recorder appends WebM pieces to one file while the candidate speaks. To
analyse the voice during the answer (as the microphone path does), each poll re-reads the file's
packets (demuxing is cheap) and decodes only the packets it has not decoded yet, with one decoder
and one resampler kept across polls: the samples are those one decode of the finished file
gives (which the batch analysis uses), and the cost stays linear in the answer's length.
Decoding the whole file again on every poll cost about 1 CPU-s per poll at 3 minutes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
        self._packets_done = 0
        self._decoder: Any = None
        self._resampler: Any = None
        self._broken = False

    @property
    def samples_taken(self) -> int:
        """Samples handed out so far."""
        return self._taken

    def poll(self) -> bytes:
        """Return PCM16 bytes of the audio decoded since the last call (may be empty).

        The last packet read is held back until a later poll or :meth:`final`, since it may be
        the partly written end of a piece.
        """
        size = self._path.stat().st_size if self._path.is_file() else 0
        if size == self._last_size:
            return b""
        self._last_size = size
        return self._pcm(self._decode(final=False))

    def final(self) -> bytes:
        """Return the remaining audio of the finished file, the resampler's tail included."""
        return self._pcm(self._decode(final=True))

    def _pcm(self, audio: NDArray[np.float32]) -> bytes:
        self._taken += audio.size
        return bytes(np.clip(np.round(audio * _PCM_SCALE), -_PCM_SCALE, _PCM_SCALE - 1).astype("<i2").tobytes())

    def _decode(self, *, final: bool) -> NDArray[np.float32]:
        import av

        if not self._path.is_file() or self._broken:
            return np.zeros(0, dtype=np.float32)
        packets: list[Any] = []
        try:
            with av.open("file:" + str(self._path.resolve()), mode="r") as container:
                if not container.streams.audio:
                    return np.zeros(0, dtype=np.float32)
                stream = container.streams.audio[0]
                if self._decoder is None:
                    self._decoder = av.CodecContext.create(stream.codec_context.name, "r")
                    self._decoder.extradata = stream.codec_context.extradata
                    self._decoder.sample_rate = stream.codec_context.sample_rate
                    self._decoder.layout = stream.codec_context.layout
                    self._resampler = av.AudioResampler(format="flt", layout="mono", rate=self._rate)
                for index, packet in enumerate(container.demux(stream)):
                    if index >= self._packets_done and packet.size:
                        packets.append(packet)
        except (av.FFmpegError, EOFError):
            # A piece still being written ends mid-cluster; what was read before it is sound.
            pass
        if self._decoder is None:
            return np.zeros(0, dtype=np.float32)
        if not final and packets:
            packets.pop()  # perhaps cut short: read again next time
        chunks: list[NDArray[np.float32]] = []
        try:
            for packet in packets:
                for frame in self._decoder.decode(packet):
                    chunks.extend(out.to_ndarray().reshape(-1) for out in self._resampler.resample(frame))
                self._packets_done += 1
            if final:
                for frame in self._decoder.decode(None):
                    chunks.extend(out.to_ndarray().reshape(-1) for out in self._resampler.resample(frame))
                chunks.extend(out.to_ndarray().reshape(-1) for out in self._resampler.resample(None))
        except av.FFmpegError:
            self._broken = True  # not audio this decoder understands: hand out what decoded so far
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        return np.clip(np.concatenate(chunks).astype(np.float32), -1.0, 1.0)
