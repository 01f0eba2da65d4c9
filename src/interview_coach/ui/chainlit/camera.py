# mypy: disable-error-code="no-untyped-call"
# (Chainlit ships py.typed but leaves user_session, Message.send and friends unannotated.)
"""Camera answers recorded in the room, with the face analysed while the candidate speaks.

Each waiting question gets a ``CameraRecorder`` element (``public/elements/CameraRecorder.jsx``).
It asks the browser for the camera and microphone, shows a small muted self-view and records
the answer with MediaRecorder (WebM, audio and video). While recording it sends, through
Chainlit's ``callAction`` (an HTTP call that Chainlit only accepts from the logged-in owner of
this chat's websocket session), two things: the recording in one-second pieces, written to a
private file as they come, and a 320-px JPEG frame five times a second, which
:class:`~interview_coach.tools.face.live.LiveFaceAnalysis` landmarks in a background worker
with the same models as the batch path. On stop the recording is stored like an upload and
submitted with the face already measured, so the pipeline does not landmark the video again.

Privacy: frames are analysed in memory on this server and never stored; the video file is kept
only with the profile switch "Keep my camera recordings for replay". Without it, once the
answer is analysed the video is replaced by its audio track (spoken answers keep their audio too).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import chainlit as cl
import numpy as np

from interview_coach.domain import AnswerInput
from interview_coach.domain.answers import StreamedFace
from interview_coach.tools.face.analyzer import FaceAnalyzer
from interview_coach.tools.face.live import LiveFaceAnalysis, LiveFaceError, LiveFaceStats, decode_jpeg
from interview_coach.tools.media.decode import MediaError, decode_audio, pcm16_to_wav
from interview_coach.ui import files, registry
from interview_coach.ui.chainlit.session import SETTINGS, chat_state, say, user_id, waiting_question_id

logger = logging.getLogger(__name__)

ELEMENT = "CameraRecorder"
CAMERA_FPS = 5.0
FRAME_WIDTH = 320
CHUNK_MS = 1000
MAX_CHUNK_BYTES = 8 * 1024 * 1024
KEEP_SWITCH = "keep_camera_recordings"
TEXTS = {
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
    "device_lost": "The camera or microphone stopped during your answer; what was recorded until then was sent.",
}


class CameraRefusedError(Exception):
    """A camera call cannot be used now; the message is shown in the recorder."""


@dataclass
class CameraRecording:
    """One camera answer being recorded in this chat."""

    question_id: str
    path: Path
    handle: IO[bytes]
    live: LiveFaceAnalysis | None
    started: float = field(default_factory=time.monotonic)
    next_piece: int = 0
    size: int = 0
    frame_errors: int = 0


def recorder_element() -> cl.CustomElement | None:
    """Return the recorder for the waiting question, or ``None`` (no question, or the camera is off)."""
    if not SETTINGS.room_camera:
        return None
    state = chat_state()
    request = state.get("request")
    if state["phase"] != "interview" or state.get("question") is None:
        return None
    if request is not None and request.camera_off:
        return None
    props = {
        "questionId": waiting_question_id(state),
        "fps": CAMERA_FPS,
        "frameWidth": FRAME_WIDTH,
        "chunkMs": CHUNK_MS,
        "maxSeconds": SETTINGS.max_media_duration_s,
        "texts": TEXTS,
    }
    return cl.CustomElement(name=ELEMENT, props=props, display="inline")


async def offer_camera(message_id: str) -> None:
    """Attach the camera recorder to the question message that waits for an answer."""
    element = recorder_element()
    if element is None:
        return
    previous: cl.CustomElement | None = cl.user_session.get("camera_element")
    if previous is not None:
        await previous.remove()  # an answered question's recorder must not be clicked again
    await element.send(for_id=message_id)
    cl.user_session.set("camera_element", element)


def _keep_video() -> bool:
    options = cl.user_session.get("options") or {}
    return bool(options.get(KEEP_SWITCH))


def _start_live(include_gestures: bool) -> LiveFaceAnalysis | None:
    try:
        analyzer = registry.get_service().deps.face_analyzer
    except (registry.ServiceNotReadyError, RuntimeError) as exc:
        logger.warning("no live face analysis: %s", exc)
        return None
    if not isinstance(analyzer, FaceAnalyzer):
        return None  # another analyser (tests, a remote one): the saved video is analysed in batch
    return LiveFaceAnalysis(
        analyzer, fps=CAMERA_FPS, include_gestures=include_gestures, max_duration_s=SETTINGS.max_media_duration_s
    )


def _open_recording(question_id: str) -> CameraRecording:
    request = chat_state().get("request")
    opted = set(request.opted_out_metrics) if request is not None else set()
    live = None if "face" in opted else _start_live(include_gestures="gesture" not in opted)
    folder = files.private_dir(SETTINGS.data_dir / "uploads")
    handle = tempfile.NamedTemporaryFile(dir=folder, suffix=".webm", delete=False)  # noqa: SIM115  (closed on stop)
    Path(handle.name).chmod(files.PRIVATE_FILE_MODE)
    return CameraRecording(question_id=question_id, path=Path(handle.name), handle=handle, live=live)


def _discard(recording: CameraRecording | None) -> None:
    if recording is None:
        return
    if recording.live is not None:
        recording.live.cancel()
    recording.handle.close()
    recording.path.unlink(missing_ok=True)


def _current(question_id: Any) -> CameraRecording:
    recording: CameraRecording | None = cl.user_session.get("camera")
    if recording is None or recording.question_id != question_id:
        raise CameraRefusedError("This recording is no longer active; start the camera again.")
    return recording


def _payload_bytes(payload: dict[str, Any], key: str, limit: int) -> bytes:
    text = payload.get(key)
    if not isinstance(text, str) or not text or len(text) > limit * 4 // 3 + 4:
        raise CameraRefusedError(f"The {key} is missing or too large.")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CameraRefusedError(f"The {key} is not valid base64.") from exc


def _refused(message: str) -> dict[str, Any]:
    return {"ok": False, "message": message}


@cl.action_callback("camera_start")
async def camera_start(action: cl.Action) -> dict[str, Any]:
    """Begin a camera answer for the waiting question (refused if the question moved on)."""
    if not SETTINGS.room_camera:
        return _refused("Camera answers are turned off on this server; upload a recording or use the microphone.")
    state = chat_state()
    question_id = action.payload.get("questionId")
    if state["phase"] != "interview" or question_id != waiting_question_id(state):
        return _refused("This question is no longer waiting for an answer.")
    _discard(cl.user_session.get("camera"))  # a restarted recording replaces an unfinished one
    recording = await asyncio.to_thread(_open_recording, str(question_id))
    cl.user_session.set("camera", recording)
    return {"ok": True, "liveFace": recording.live is not None}


@cl.action_callback("camera_chunk")
async def camera_chunk(action: cl.Action) -> dict[str, Any]:
    """Append the next piece of the recording (pieces must arrive in order)."""
    try:
        recording = _current(action.payload.get("questionId"))
        piece = action.payload.get("index")
        if piece != recording.next_piece:
            raise CameraRefusedError(f"Recording piece {piece} arrived out of order.")
        data = _payload_bytes(action.payload, "data", MAX_CHUNK_BYTES)
        if recording.size + len(data) > SETTINGS.max_upload_mb * 1024 * 1024:
            raise CameraRefusedError(f"The recording is over the {SETTINGS.max_upload_mb} MB limit.")
    except CameraRefusedError as exc:
        return _refused(str(exc))
    await asyncio.to_thread(recording.handle.write, data)
    recording.next_piece += 1
    recording.size += len(data)
    return {"ok": True}


@cl.action_callback("camera_frame")
async def camera_frame(action: cl.Action) -> dict[str, Any]:
    """Queue one JPEG frame for the live face analysis; answer with the running numbers."""
    try:
        recording = _current(action.payload.get("questionId"))
        seconds = action.payload.get("t")
        if recording.live is None:
            return {"ok": True, "live": None}
        if not isinstance(seconds, int | float) or not np.isfinite(seconds) or seconds < 0:
            raise CameraRefusedError("A frame needs its time in seconds.")
        data = _payload_bytes(action.payload, "jpeg", 512 * 1024)
    except CameraRefusedError as exc:
        return _refused(str(exc))
    live = recording.live
    try:
        rgb = await asyncio.to_thread(decode_jpeg, data)
        live.feed(float(seconds), rgb)
    except MediaError as exc:
        recording.frame_errors += 1  # one bad frame loses a fifth of a second, not the answer
        return _refused(str(exc))
    stats: LiveFaceStats = live.live()
    return {"ok": True, "live": stats.model_dump()}


@cl.action_callback("camera_stop")
async def camera_stop(action: cl.Action) -> dict[str, Any]:
    """Close the recording and submit it as the answer (also after the device disappeared)."""
    try:
        recording = _current(action.payload.get("questionId"))
    except CameraRefusedError as exc:
        return _refused(str(exc))
    cl.user_session.set("camera", None)
    recording.handle.close()
    state = chat_state()
    if state["phase"] != "interview" or recording.question_id != waiting_question_id(state):
        _discard(recording)
        return _refused("This question is no longer waiting for an answer; the recording was discarded.")
    if action.payload.get("reason") == "device_lost":
        await say(TEXTS["device_lost"])
    try:
        stored, kind = await asyncio.to_thread(
            files.store_answer_file, SETTINGS, user_id(), state["session_id"], recording.question_id, recording.path
        )
    except (MediaError, OSError, ValueError) as exc:
        _discard(recording)
        await say(f"No camera answer recorded: {exc} The question is still open.")
        return _refused(str(exc))
    face = await _finish_live(recording.live)
    keep = _keep_video()
    seconds = time.monotonic() - recording.started
    note = "" if keep else " — the video is deleted after analysis (the audio is kept)"
    elements = [cl.Video(name="your answer", path=str(stored), display="inline")] if keep else []
    await cl.Message(
        author="You", type="user_message", content=f"🎥 Camera answer ({seconds:.0f} s){note}", elements=elements
    ).send()
    from interview_coach.ui.chainlit.handlers import submit  # handlers renders turns, which offer the camera

    answer = AnswerInput(video_path=str(stored), face=face) if kind == "video" else AnswerInput(audio_path=str(stored))
    try:
        await submit(state, answer)
    finally:
        if not keep and kind == "video":
            await asyncio.to_thread(keep_audio_only, stored)
    return {"ok": True}


async def _finish_live(live: LiveFaceAnalysis | None) -> StreamedFace | None:
    """Wait (off the event loop) for the last frames; ``None`` lets the pipeline analyse the video."""
    if live is None:
        return None
    started = time.perf_counter()
    try:
        face, gesture = await asyncio.to_thread(live.finish, 60.0)
    except (MediaError, LiveFaceError) as exc:
        logger.warning("live face analysis not used: %s", exc)
        return None
    stats = live.live()
    logger.info(
        "live face analysis finished %.2f s after stop (%d frames, %d dropped)",
        time.perf_counter() - started,
        stats.frames_analysed,
        stats.frames_dropped,
    )
    return StreamedFace(face=face, gesture=gesture)


def keep_audio_only(video: Path) -> Path | None:
    """Replace a camera recording by a 16 kHz WAV of its audio; return the WAV, or ``None`` without audio.

    The video is deleted in every case: it was kept only for the analysis.
    """
    wav = video.with_suffix(".wav")
    try:
        samples = decode_audio(video, SETTINGS)
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        pcm16_to_wav(pcm, 16000, wav)
        wav.chmod(files.PRIVATE_FILE_MODE)
    except (MediaError, OSError) as exc:
        logger.info("camera answer %s kept no audio: %s", video.name, exc)
        wav.unlink(missing_ok=True)
        return None
    finally:
        video.unlink(missing_ok=True)
    return wav
