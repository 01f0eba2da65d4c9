"""Face and gesture perception on video answers and stills with mediapipe Tasks landmarkers.

Frames are decoded by :mod:`interview_coach.tools.media.decode`, sampled at ``face_sample_fps`` and
analysed in memory only (never written to disk). Per frame the face landmarker gives
landmarks, 52 blendshapes and a head transform; the hand (half the face rate, at most 5 fps)
and pose (a quarter) landmarkers run on the same frames, each in its own worker thread
(:mod:`~interview_coach.tools.face.landmarkers`). The per-frame numbers are aggregated by
:func:`~interview_coach.tools.face.summary.summarize_face` and
:func:`~interview_coach.tools.face.gesture.summarize_gestures`. The results are measurements
only; :mod:`interview_coach.assessment.face_scores` judges them.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from interview_coach.core.settings import Settings
from interview_coach.domain.face import FaceAnalysis, GestureAnalysis, ImageFaceResult
from interview_coach.tools.face.frames import FaceFrame
from interview_coach.tools.face.gesture import summarize_gestures
from interview_coach.tools.face.gesture_frames import GestureFrame
from interview_coach.tools.face.image import find_faces
from interview_coach.tools.face.landmarkers import FrameJob, ModelPaths, RgbFrame, VideoLandmarkers
from interview_coach.tools.face.metrics import face_metrics
from interview_coach.tools.face.models import face_model_path, hand_model_path, pose_model_path
from interview_coach.tools.face.summary import summarize_face
from interview_coach.tools.media.decode import MediaError, iter_video_frames, probe_media

__all__ = ["FaceAnalyzer", "MediaError", "NoVideoStreamError", "face_metrics"]

MAX_SAMPLE_FPS = 30.0
# Hands and posture change more slowly than blinks: hands are analysed at half the face rate
# (at most 5 fps) and pose at a quarter, which saves most of their cost without missing hand
# events of 0.5 s (at the default 10 fps) or posture held for a couple of seconds.
MAX_HAND_FPS = 5.0
# Bounds the decoded frames kept in memory while the landmarkers catch up.
MAX_FRAMES_IN_FLIGHT = 4
# Idle landmarker sets kept open: with and without gestures, or two answers analysed at once.
MAX_IDLE_LANDMARKERS = 2


class NoVideoStreamError(MediaError):
    """The file has no video stream (e.g. an audio-only answer): skip face analysis."""


def _checked_frames(frames: Iterable[tuple[float, RgbFrame]]) -> Iterator[tuple[float, RgbFrame]]:
    for time_s, rgb in frames:
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 8 or rgb.shape[1] < 8:
            raise MediaError(f"A video frame has an unusable shape {rgb.shape}.")
        yield float(time_s), rgb


def _close_all(idle: list[VideoLandmarkers], lock: threading.Lock) -> None:
    with lock:
        closing = list(idle)
        idle.clear()
    for landmarkers in closing:
        landmarkers.close()


def _close_all_later(idle: list[VideoLandmarkers], lock: threading.Lock) -> None:
    """Close idle landmarkers on a thread of their own (the analyser's finalizer).

    A finalizer runs wherever garbage collection happens, e.g. inside
    ``ThreadPoolExecutor.submit`` while it holds the executor module's global lock; closing
    mediapipe there submits to an executor again and deadlocked the process (seen in CI).
    """
    if getattr(weakref.finalize, "_shutdown", False):  # interpreter exit: no garbage collection underway
        _close_all(idle, lock)
        return

    def close() -> None:
        try:
            _close_all(idle, lock)
        except Exception:
            return

    threading.Thread(target=close, name="close-landmarkers", daemon=True).start()


class FaceAnalyzer:
    """Analyse face and gestures in video answers and stills with packaged mediapipe models.

    Model files are resolved on first use. VIDEO-mode landmarkers are opened once and then
    lent to one analysis at a time (each set keeps its own increasing clock); concurrent
    analyses open more sets, and up to ``MAX_IDLE_LANDMARKERS`` idle sets are kept. Opening
    and closing them for every answer leaked native memory (see benchmarks/bench_memory.py).
    """

    def __init__(self, settings: Settings) -> None:
        """Remember the settings; no model is loaded yet."""
        self._settings = settings
        self._paths: dict[bool, ModelPaths] = {}
        self._lock = threading.Lock()
        self._idle: list[VideoLandmarkers] = []
        # Closed at interpreter exit at the latest: mediapipe's own finalizers fail once modules are torn down.
        weakref.finalize(self, _close_all_later, self._idle, self._lock)

    @contextmanager
    def _landmarkers(self, paths: ModelPaths) -> Iterator[VideoLandmarkers]:
        """Lend an idle set of landmarkers for ``paths`` (opening one if none is idle)."""
        with self._lock:
            found = next((lm for lm in self._idle if lm.paths == paths), None)
            if found is not None:
                self._idle.remove(found)
        landmarkers = found if found is not None else VideoLandmarkers(paths).open()
        landmarkers.start_video()
        try:
            yield landmarkers
        except MediaError:
            self._give_back(landmarkers)  # a damaged video leaves the landmarkers as good as before
            raise
        except BaseException:
            landmarkers.close()
            raise
        else:
            self._give_back(landmarkers)

    def _give_back(self, landmarkers: VideoLandmarkers) -> None:
        with self._lock:
            self._idle.insert(0, landmarkers)
            surplus = self._idle[MAX_IDLE_LANDMARKERS:]
            del self._idle[MAX_IDLE_LANDMARKERS:]
        for extra in surplus:
            extra.close()

    def close(self) -> None:
        """Close the idle landmarkers (the analyser opens new ones if it is used again)."""
        _close_all(self._idle, self._lock)

    def _model_paths(self, include_gestures: bool) -> ModelPaths:
        with self._lock:
            if include_gestures not in self._paths:
                face = face_model_path(self._settings)
                hand = hand_model_path(self._settings) if include_gestures else None
                pose = pose_model_path(self._settings) if include_gestures else None
                self._paths[include_gestures] = ModelPaths(face=face, hand=hand, pose=pose)
            return self._paths[include_gestures]

    def sampling_fps(self, requested: float | None, source_fps: float | None) -> float:
        """Choose the analysis rate: the request or ``face_sample_fps``, at most the source rate."""
        fps = float(requested if requested is not None else self._settings.face_sample_fps)
        if not 0 < fps <= MAX_SAMPLE_FPS:
            raise ValueError(f"sample_fps must be in (0, {MAX_SAMPLE_FPS:g}], got {fps}")
        if source_fps is not None and source_fps > 0:
            fps = min(fps, float(source_fps))
        return fps

    def analyze(
        self, path: Path, *, sample_fps: float | None = None, include_gestures: bool = True
    ) -> tuple[FaceAnalysis, GestureAnalysis | None]:
        """Analyse the face (and hands and posture) in a video file.

        Args:
            path: a local video file.
            sample_fps: frames analysed per second; defaults to ``face_sample_fps``.
            include_gestures: also run the hand and pose landmarkers.

        Returns:
            The face analysis and, with ``include_gestures``, the gesture analysis. A video
            without a usable face gives scores that are "not measured" with the reason.

        Raises:
            NoVideoStreamError: the file has no video stream (audio-only answer).
            MediaError: the file cannot be used (missing, empty, damaged, over the limits).
            VisionModelMissingError: a model file is missing; the message names the setting.

        """
        info = probe_media(path, self._settings)
        if not info.has_video:
            raise NoVideoStreamError(f"{path.name} has no video stream, so face analysis was skipped.")
        fps = self.sampling_fps(sample_fps, info.fps)
        frames = iter_video_frames(path, self._settings, fps)
        return self.analyze_frames(frames, fps=fps, duration_s=info.duration_s, include_gestures=include_gestures)

    def analyze_frames(
        self,
        frames: Iterable[tuple[float, RgbFrame]],
        *,
        fps: float,
        duration_s: float | None = None,
        include_gestures: bool = True,
        on_frame: Callable[[FaceFrame], None] | None = None,
    ) -> tuple[FaceAnalysis, GestureAnalysis | None]:
        """Analyse already-decoded ``(timestamp_s, rgb)`` frames sampled at about ``fps``.

        Decoding errors after the first frames keep the part analysed so far and add a note;
        frames mediapipe refuses are skipped with a note. ``on_frame`` sees each frame's face
        result as soon as it is ready, in time order (live statistics while a camera records).

        Raises:
            MediaError: a frame has an unusable shape, or no frame could be decoded and analysed.
            VisionModelMissingError: a model file is missing; the message names the setting.

        """
        paths = self._model_paths(include_gestures)
        hand_every = max(2, round(fps / MAX_HAND_FPS))
        pose_every = 2 * hand_every
        face_frames: list[FaceFrame] = []
        gesture_frames: list[GestureFrame] = []
        notes: list[str] = []
        failures: list[str] = []
        stopped_early = False
        in_flight: deque[FrameJob] = deque()

        def collect(job: FrameJob) -> None:
            try:
                face, gesture = job.result()
            except MediaError as exc:
                failures.append(str(exc))
                return
            face_frames.append(face)
            if gesture is not None:
                gesture_frames.append(gesture)

        with self._landmarkers(paths) as landmarkers:
            try:
                # Decoding in this thread overlaps with the landmarkers working on earlier frames.
                for index, (time_s, rgb) in enumerate(_checked_frames(frames)):
                    with_hands = include_gestures and index % hand_every == 0
                    with_pose = include_gestures and index % pose_every == 0
                    job = landmarkers.submit(time_s, rgb, with_hands=with_hands, with_pose=with_pose)
                    if on_frame is not None:
                        job.on_face(on_frame)
                    in_flight.append(job)
                    if len(in_flight) > MAX_FRAMES_IN_FLIGHT:
                        collect(in_flight.popleft())
            except MediaError as exc:
                if not in_flight and not face_frames:
                    raise
                notes.append(f"Only the first part of the video could be analysed: {exc}")
                stopped_early = True
            while in_flight:
                collect(in_flight.popleft())
        if failures:
            if not face_frames:
                raise MediaError(failures[0])
            notes.append(f"{len(failures)} frame(s) could not be analysed and were skipped: {failures[0]}")
        period = 1.0 / fps
        analysed_until = face_frames[-1].time + period if face_frames else 0.0
        # After a decoding error only the analysed part counts, or every rate would be diluted.
        duration = float(duration_s) if duration_s is not None and not stopped_early else analysed_until
        gesture: GestureAnalysis | None = None
        if include_gestures:
            gesture = summarize_gestures(gesture_frames, fps=fps / hand_every, duration_s=duration)
        face = summarize_face(face_frames, fps=fps, duration_s=duration, notes=notes)
        return face, gesture

    def analyze_image(self, rgb: RgbFrame, *, find_small_faces: bool = True) -> ImageFaceResult:
        """Find faces in one RGB image with blendshapes and head pose (for stills and evals).

        Args:
            rgb: the image, shape (height, width, 3), uint8.
            find_small_faces: also search four overlapping quarter tiles, because the face
                detector is built for faces near the camera and misses small ones in group
                photos; duplicates are merged.

        Raises:
            MediaError: the array is not an RGB image.
            VisionModelMissingError: the face model is missing; the message names the setting.

        """
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 8 or rgb.shape[1] < 8:
            raise MediaError(f"Expected an RGB image of shape (height, width, 3), got {rgb.shape}.")
        return find_faces(self._model_paths(False).face, rgb, find_small_faces=find_small_faces)
