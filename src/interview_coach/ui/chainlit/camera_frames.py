"""The pieces and frames of a room camera answer as they arrive: payload checks, decoding, queuing.

Every value comes from the browser through Chainlit's ``callAction`` and is checked here
before anything is decoded: sizes first, then base64, then the JPEG header
(:func:`~interview_coach.tools.face.live.decode_jpeg`). Imports nothing from Chainlit.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from interview_coach.tools.face.live import MAX_JPEG_BYTES, LiveFaceAnalysis, LiveFaceStats, decode_jpeg
from interview_coach.tools.media.decode import MediaError

if TYPE_CHECKING:
    from interview_coach.ui.chainlit.camera_voice import CameraVoice
    from interview_coach.ui.chainlit.live_hints import LiveHints

__all__ = [
    "MAX_CHUNK_BYTES",
    "MAX_FRAMES_PER_CALL",
    "CameraRecording",
    "CameraRefusedError",
    "feed_frames",
    "frames_payload",
    "payload_bytes",
]

MAX_CHUNK_BYTES = 8 * 1024 * 1024
MAX_FRAMES_PER_CALL = 50  # ten seconds of frames: a browser that fell behind catches up in one call


class CameraRefusedError(Exception):
    """A camera call cannot be used now; the message is shown in the recorder."""


def payload_bytes(payload: dict[str, Any], key: str, limit: int) -> bytes:
    """Return the base64 field ``key`` of a call's payload, decoded; refuse it over ``limit`` bytes."""
    text = payload.get(key)
    if not isinstance(text, str) or not text or len(text) > limit * 4 // 3 + 4:
        raise CameraRefusedError(f"The {key} is missing or too large.")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CameraRefusedError(f"The {key} is not valid base64.") from exc


def frames_payload(payload: dict[str, Any]) -> list[tuple[float, bytes]]:
    """Return the ``(seconds, jpeg)`` frames of a ``camera_frames`` call, checked but not decoded."""
    items = payload.get("frames")
    if not isinstance(items, list) or not 0 < len(items) <= MAX_FRAMES_PER_CALL:
        raise CameraRefusedError(f"A call carries 1 to {MAX_FRAMES_PER_CALL} frames.")
    frames = []
    for item in items:
        seconds = item.get("t") if isinstance(item, dict) else None
        if not isinstance(seconds, int | float) or not np.isfinite(seconds) or seconds < 0:
            raise CameraRefusedError("A frame needs its time in seconds.")
        frames.append((float(seconds), payload_bytes(item, "jpeg", MAX_JPEG_BYTES)))
    return frames


def feed_frames(live: LiveFaceAnalysis, frames: list[tuple[float, bytes]]) -> tuple[int, LiveFaceStats]:
    """Decode and queue the frames; return how many were refused and the running numbers."""
    refused = 0
    for seconds, data in frames:
        try:
            live.feed(seconds, decode_jpeg(data))
        except MediaError:
            refused += 1  # one bad frame loses a fifth of a second, not the answer
    return refused, live.live()


@dataclass
class CameraRecording:
    """One camera answer being recorded in this chat."""

    question_id: str
    path: Path
    handle: IO[bytes]
    live: LiveFaceAnalysis | None
    hints: LiveHints | None = None
    started: float = field(default_factory=time.monotonic)
    next_piece: int = 0
    size: int = 0
    frame_errors: int = 0
    voice: CameraVoice | None = None

    def append(self, data: bytes) -> None:
        """Write the next piece and stream the sound it adds (call off the event loop)."""
        self.handle.write(data)
        self.handle.flush()
        if self.voice is not None:
            self.voice.after_piece()
