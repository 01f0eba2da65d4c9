# mypy: disable-error-code="no-untyped-call"
# (Chainlit ships py.typed but leaves user_session, Message.send and friends unannotated.)
"""Camera answers recorded in the room, with the face analysed while the candidate speaks.

Each waiting question gets a ``CameraRecorder`` element (``public/elements/CameraRecorder.jsx``).
It asks the browser for the camera and microphone, shows a small muted self-view and records
the answer with MediaRecorder (WebM, audio and video). While recording it sends, through
Chainlit's ``callAction`` (an HTTP call that Chainlit only accepts from the logged-in owner of
this chat's websocket session), two things: the recording in one-second pieces, written to a
private file as they come, and 320-px JPEG frames captured five times a second (sent in
batches, one call at a time, so a slow round trip does not lower the rate), which
:class:`~interview_coach.tools.face.live.LiveFaceAnalysis` landmarks in a background worker
with the same models as the batch path (loaded at server start, see ``deps.warm_up_steps``).
In a practice interview the look-away measured on those frames feeds the live hints
(``camera_hints.py``). The recording's sound is decoded as pieces arrive and streamed to the
microphone's voice analyser (``camera_voice.py``). On stop the recording is stored like an upload
and submitted with the face and voice already measured and the hints shown, so the pipeline
neither landmarks nor transcribes the video again.

A recording also stops by itself just before ``Settings.max_media_duration_s`` (a longer file would
be refused as a whole) and when a track ends because its device went away; the server then says
why (``recording_texts.py``) and analyses what was recorded.

Privacy: frames are analysed in memory on this server and never stored; the video file is kept
only with the profile switch "Keep my camera recordings for replay". Without it, once the
answer is analysed the video is replaced by its audio track (spoken answers keep their audio too).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import chainlit as cl
import numpy as np

from interview_coach.domain import AnswerInput, LiveNudge
from interview_coach.domain.answers import StreamedFace
from interview_coach.tools.face.analyzer import FaceAnalyzer
from interview_coach.tools.face.live import LiveFaceAnalysis, LiveFaceError, warm_up
from interview_coach.tools.media.decode import MediaError, decode_audio, pcm16_to_wav
from interview_coach.ui import files, registry
from interview_coach.ui.chainlit.answering import CLAIMS, refusal
from interview_coach.ui.chainlit.camera_frames import (
    MAX_CHUNK_BYTES,
    MAX_FRAMES_PER_CALL,
    CameraRecording,
    CameraRefusedError,
    feed_frames,
    frames_payload,
    payload_bytes,
)
from interview_coach.ui.chainlit.camera_hints import start_camera_hints
from interview_coach.ui.chainlit.camera_voice import start_camera_voice
from interview_coach.ui.chainlit.live_hints import hint_message, interview_mode
from interview_coach.ui.chainlit.mic_stream import LIVE_HINTS_OPTION, nudge_items, stop_live_hints
from interview_coach.ui.chainlit.recording_texts import CAMERA_TEXTS as TEXTS
from interview_coach.ui.chainlit.recording_texts import device_lost_text, limit_text
from interview_coach.ui.chainlit.session import SETTINGS, chat_state, say, user_id, waiting_question_id

logger = logging.getLogger(__name__)

ELEMENT = "CameraRecorder"
CAMERA_FPS = 5.0
FRAME_WIDTH = 320
CHUNK_MS = 1000
KEEP_SWITCH = "keep_camera_recordings"


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
        "texts": {**TEXTS, "limit": limit_text(SETTINGS.max_media_duration_s)},
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
    if "face" not in _opted_out():
        _warm_up_in_background(_include_gestures())


_warming: set[asyncio.Task[None]] = set()
_warmed: set[bool] = set()


def _warm_up_in_background(include_gestures: bool) -> None:
    """Load the landmarkers while the candidate reads the question (once per process and model set)."""
    analyzer = _face_analyzer()
    if analyzer is None or include_gestures in _warmed:
        return
    _warmed.add(include_gestures)

    async def run() -> None:
        try:
            await asyncio.to_thread(warm_up, analyzer, include_gestures=include_gestures)
        except Exception as exc:  # the first camera answer then loads them itself, a little late
            logger.warning("face landmarkers not warmed up: %s", exc)
            _warmed.discard(include_gestures)

    task = asyncio.create_task(run(), name="face-warm-up")
    _warming.add(task)  # the loop keeps only weak references to tasks
    task.add_done_callback(_warming.discard)


def _keep_video() -> bool:
    options = cl.user_session.get("options") or {}
    return bool(options.get(KEEP_SWITCH))


def _face_analyzer() -> FaceAnalyzer | None:
    try:
        analyzer = registry.get_service().deps.face_analyzer
    except (registry.ServiceNotReadyError, RuntimeError) as exc:
        logger.warning("no live face analysis: %s", exc)
        return None
    # Another analyser (tests, a remote one) has no live path: the saved video is analysed in batch.
    return analyzer if isinstance(analyzer, FaceAnalyzer) else None


def _opted_out() -> set[str]:
    request = chat_state().get("request")
    return set(request.opted_out_metrics) if request is not None else set()


def _include_gestures() -> bool:
    return "gesture" not in _opted_out()


def _start_live(include_gestures: bool) -> LiveFaceAnalysis | None:
    analyzer = _face_analyzer()
    if analyzer is None:
        return None
    return LiveFaceAnalysis(
        analyzer,
        fps=CAMERA_FPS,
        include_gestures=include_gestures,
        # Room for the frames a browser kept while its connection was down, sent in one call.
        max_queued=MAX_FRAMES_PER_CALL + round(2 * CAMERA_FPS),
        max_duration_s=SETTINGS.max_media_duration_s,
    )


def _open_recording(question_id: str) -> CameraRecording:
    live = None if "face" in _opted_out() else _start_live(include_gestures=_include_gestures())
    folder = files.private_dir(SETTINGS.data_dir / "uploads")
    handle = tempfile.NamedTemporaryFile(dir=folder, suffix=".webm", delete=False)  # noqa: SIM115  (closed on stop)
    Path(handle.name).chmod(files.PRIVATE_FILE_MODE)
    path = Path(handle.name)
    voice = start_camera_voice(chat_state(), path)
    return CameraRecording(question_id=question_id, path=path, handle=handle, live=live, voice=voice)


def _hold() -> tuple[str, str]:
    """Return the interview session and this window's websocket session (kept by Chainlit across reconnects)."""
    return str(chat_state()["session_id"]), cl.context.session.id


async def _discard(recording: CameraRecording | None) -> None:
    if recording is None:
        return
    CLAIMS.release(*_hold())
    await stop_live_hints(recording.hints)
    if recording.live is not None:
        recording.live.cancel()
    if recording.voice is not None:
        recording.voice.cancel()
    recording.handle.close()
    recording.path.unlink(missing_ok=True)


def _current(question_id: Any) -> CameraRecording:
    recording: CameraRecording | None = cl.user_session.get("camera")
    if recording is None or recording.question_id != question_id:
        raise CameraRefusedError("This recording is no longer active; start the camera again.")
    return recording


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
    await _discard(cl.user_session.get("camera"))  # a restarted recording replaces an unfinished one
    other = CLAIMS.claim(*_hold(), what="a camera answer", question_id=str(question_id))
    if other is not None:
        return _refused(refusal(other))
    recording = await asyncio.to_thread(_open_recording, str(question_id))
    if recording.live is not None:
        options: dict[str, Any] = cl.user_session.get("options") or {}
        mode = interview_mode(state.get("request"), options)
        enabled = bool(options.get(LIVE_HINTS_OPTION, True))
        recording.hints = start_camera_hints(
            recording.live, mode, enabled=enabled, show=_show_hint, voice=recording.voice
        )
    cl.user_session.set("camera", recording)
    return {"ok": True, "liveFace": recording.live is not None}


@cl.action_callback("camera_chunk")
async def camera_chunk(action: cl.Action) -> dict[str, Any]:
    """Append the next piece of the recording (pieces must arrive in order; a piece sent again is ignored).

    The browser sends a piece again when the connection failed before the answer came back, so
    a piece the server already has is acknowledged without being written twice.
    """
    try:
        recording = _current(action.payload.get("questionId"))
        piece = action.payload.get("index")
        if isinstance(piece, int) and 0 <= piece < recording.next_piece:
            return {"ok": True, "repeated": True}
        if piece != recording.next_piece:
            raise CameraRefusedError(f"Recording piece {piece} arrived out of order.")
        data = payload_bytes(action.payload, "data", MAX_CHUNK_BYTES)
        if recording.size + len(data) > SETTINGS.max_upload_mb * 1024 * 1024:
            raise CameraRefusedError(f"The recording is over the {SETTINGS.max_upload_mb} MB limit.")
    except CameraRefusedError as exc:
        return _refused(str(exc))
    # Counted before the write: a copy of this piece arriving during the write is then a repeat.
    recording.next_piece += 1
    recording.size += len(data)
    CLAIMS.touch(*_hold())
    await asyncio.to_thread(recording.append, data)
    return {"ok": True}


@cl.action_callback("camera_frames")
async def camera_frames(action: cl.Action) -> dict[str, Any]:
    """Queue the JPEG frames captured since the last call for the live face analysis; answer with the running numbers.

    The browser captures on its own clock and sends what it has whenever the previous call
    returned, so a slow round trip batches frames instead of lowering the frame rate.
    """
    try:
        recording = _current(action.payload.get("questionId"))
        if recording.live is None:
            return {"ok": True, "live": None}
        frames = frames_payload(action.payload)
    except CameraRefusedError as exc:
        return _refused(str(exc))
    CLAIMS.touch(*_hold())
    refused, stats = await asyncio.to_thread(feed_frames, recording.live, frames)
    recording.frame_errors += refused
    return {"ok": True, "live": stats.model_dump(), "refused": refused}


@cl.action_callback("camera_stop")
async def camera_stop(action: cl.Action) -> dict[str, Any]:
    """Close the recording and submit it as the answer (also after the device disappeared)."""
    question_id = action.payload.get("questionId")
    try:
        recording = _current(question_id)
    except CameraRefusedError as exc:
        if question_id is not None and cl.user_session.get("camera_stopped") == question_id:
            return {"ok": True, "repeated": True}  # the first stop's reply was lost on the way back
        return _refused(str(exc))
    cl.user_session.set("camera", None)
    cl.user_session.set("camera_stopped", question_id)
    recording.handle.close()
    state = chat_state()
    nudges = await stop_live_hints(recording.hints)
    if state["phase"] != "interview" or recording.question_id != waiting_question_id(state):
        await _discard(recording)
        return _refused("This question is no longer waiting for an answer; the recording was discarded.")
    notice = _stop_notice(action.payload)
    if notice:
        await say(notice)
    try:
        stored, kind = await asyncio.to_thread(
            files.store_answer_file, SETTINGS, user_id(), state["session_id"], recording.question_id, recording.path
        )
    except (MediaError, OSError, ValueError) as exc:
        await _discard(recording)
        await say(f"No camera answer recorded: {exc} The question is still open.")
        return _refused(str(exc))
    face = await _finish_live(recording.live)
    voice = None if recording.voice is None else await recording.voice.finish()
    keep = _keep_video()
    # The recording's own length when its sound was measured; the time since the start includes the upload.
    seconds = voice.duration_s if voice is not None else time.monotonic() - recording.started
    note = "" if keep else " — the video is deleted after analysis (the audio is kept)"
    from interview_coach.ui.chainlit.rendering import evidence_player  # rendering imports this module

    # The hints' timestamps play the video from there, so they are listed only with the video.
    replay = [evidence_player("camera", nudge_items(nudges))] if keep and nudges else []
    elements = [cl.Video(name="your answer", path=str(stored), display="inline"), *replay] if keep else []
    await cl.Message(
        author="You", type="user_message", content=f"🎥 Camera answer ({seconds:.0f} s){note}", elements=elements
    ).send()
    from interview_coach.ui.chainlit.handlers import submit  # handlers renders turns, which offer the camera

    if kind == "video":
        answer = AnswerInput(video_path=str(stored), face=face, voice=voice, nudges=nudges)
    else:
        answer = AnswerInput(audio_path=str(stored), voice=voice, nudges=nudges)
    try:
        await submit(state, answer)
    finally:
        CLAIMS.release(*_hold())
        if not keep and kind == "video":
            await asyncio.to_thread(keep_audio_only, stored)
    return {"ok": True, "message": notice}


def _stop_notice(payload: dict[str, Any]) -> str:
    """Say why the recording stopped when the candidate did not stop it (device lost, length limit)."""
    if payload.get("reason") == "device_lost":
        lost = payload.get("lost")
        return device_lost_text([str(kind) for kind in lost] if isinstance(lost, list) else [])
    return limit_text(SETTINGS.max_media_duration_s) if payload.get("reason") == "limit" else ""


async def _show_hint(nudge: LiveNudge) -> None:
    await cl.send_window_message(hint_message(nudge))


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
