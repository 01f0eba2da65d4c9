"""What the room tells the candidate about an answer being recorded on camera or with the microphone.

One source for these texts: the camera recorder (``public/elements/CameraRecorder.jsx``) gets
:data:`CAMERA_TEXTS` as props, the chat messages of ``camera.py`` and ``mic_stream.py`` use the
same templates, and the answer-length limit is always worded from ``Settings.max_media_duration_s``.
Imports nothing from Chainlit.
"""

from __future__ import annotations

from collections.abc import Collection

__all__ = ["CAMERA_TEXTS", "DEVICES", "device_lost_text", "duration_words", "limit_text"]

DEVICES = {"audio": "microphone", "video": "camera"}
"""The device behind a media track, by the track's ``kind``."""

DEVICE_LOST = (
    "Your {device} stopped during the answer (disconnected, turned off or taken by another app), so the "
    "recording ended there. What was recorded until then is kept and analysed."
)
LIMIT = (
    "Your answer reached the limit of {limit} per answer, so the recording stopped there. Everything up to "
    "that point is kept and analysed."
)

CAMERA_TEXTS = {
    "start": "Answer on camera",
    "stop": "Stop and submit",
    "recording": "Recording — your answer is analysed while you speak.",
    "sending": "Sending your answer…",
    "sent": "Answer sent.",
    "self_view": "Your camera (self-view)",
    "denied": (
        "The camera or microphone permission was denied, so nothing was recorded. The question is still "
        "open: type your answer or use the microphone, or allow the camera in the browser and try again."
    ),
    "no_device": (
        "No camera or microphone was found, so nothing was recorded. The question is still open: type your "
        "answer or use the microphone."
    ),
    "failed": "The camera could not be started ({error}). The question is still open: type or use the microphone.",
    "device_lost": DEVICE_LOST.format(device="camera or microphone"),
    "reconnecting": (
        "The connection to the server was lost. Keep going: the recording goes on and is sent when the "
        "connection is back."
    ),
}
"""The camera recorder's texts; ``limit`` is added per element (it names the configured limit).

``device_lost`` is shown the moment a track ends; the server's notice then names the devices lost.
"""


def duration_words(seconds: float) -> str:
    """Word a limit in seconds for people: ``15 minutes``, ``90 seconds``, ``1 minute``."""
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    return f"{seconds:g} second{'' if seconds == 1 else 's'}"


def limit_text(max_seconds: float) -> str:
    """Return the notice for an answer stopped at the answer-length limit of ``max_seconds``."""
    return LIMIT.format(limit=duration_words(max_seconds))


def device_lost_text(kinds: Collection[str]) -> str:
    """Return the notice for an answer whose tracks of these ``kinds`` (``audio``, ``video``) ended mid-answer."""
    names = [DEVICES[kind] for kind in ("video", "audio") if kind in kinds]
    return DEVICE_LOST.format(device=" and ".join(names) or "camera or microphone")
