"""Face and gesture perception on video answers with mediapipe Tasks landmarkers.

Frames are decoded by :mod:`interview_coach.tools.media.decode`, sampled at ``face_sample_fps`` and
analysed in memory only (never written to disk). Per frame the face landmarker gives
landmarks, 52 blendshapes and a head transform; the hand (half the face rate, at most 5 fps)
and pose (a quarter) landmarkers run on the same frames, each in its own worker thread. The per-frame numbers are aggregated by
:func:`~interview_coach.tools.face.summary.summarize_face` and
:func:`~interview_coach.tools.face.gesture.summarize_gestures`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from interview_coach.core.settings import Settings
from interview_coach.tools.face.geometry import (
    FACE_OVAL_EXTREMES,
    FACE_POINTS,
    gaze_angles,
    head_pose_from_matrix,
    iris_offset,
)
from interview_coach.tools.face.gesture import (
    GestureAnalysis,
    GestureFrame,
    HandObservation,
    PoseObservation,
    hands_from_result,
    pose_from_result,
    summarize_gestures,
)
from interview_coach.tools.face.models import (
    VisionModelMissingError,
    face_model_path,
    hand_model_path,
    pose_model_path,
)
from interview_coach.tools.face.summary import (
    CHANNELS,
    EYE_CONTACT_YAW_DEG,
    ExpressionWindow,
    FaceAnalysis,
    FaceFrame,
    FaceObservation,
    HeadMotion,
    LookAwayEvent,
    MicroExpressionEvent,
    Nodding,
    summarize_face,
)
from interview_coach.tools.media.decode import MediaError, iter_video_frames, probe_media

__all__ = [
    "ExpressionWindow",
    "FaceAnalysis",
    "FaceAnalyzer",
    "GestureAnalysis",
    "HeadMotion",
    "ImageFace",
    "ImageFaceResult",
    "LookAwayEvent",
    "MediaError",
    "MicroExpressionEvent",
    "NoVideoStreamError",
    "Nodding",
    "face_metrics",
]

VIDEO_MAX_FACES = 2
IMAGE_MAX_FACES = 10
MIN_TILED_IMAGE_SIDE = 256
# A still has no first seconds to calibrate on, and people look into a camera with their own
# head-pitch habit (the astronaut photo: head bowed ~15 degrees): allow more pitch than yaw.
IMAGE_EYE_CONTACT_PITCH_DEG = 20.0
SAME_FACE_OVERLAP = 0.5
MAX_SAMPLE_FPS = 30.0
# Hands and posture change more slowly than blinks: hands are analysed at half the face rate
# (at most 5 fps) and pose at a quarter, which saves most of their cost without missing hand
# events of 0.5 s (at the default 10 fps) or posture held for a couple of seconds.
MAX_HAND_FPS = 5.0
# Bounds the decoded frames kept in memory while the landmarkers catch up.
MAX_FRAMES_IN_FLIGHT = 4

RgbFrame = NDArray[np.uint8]


class NoVideoStreamError(MediaError):
    """The file has no video stream (e.g. an audio-only answer): skip face analysis."""


class ImageFace(BaseModel):
    """One face found in a still image."""

    model_config = ConfigDict(frozen=True)

    box: tuple[float, float, float, float] = Field(description="x0, y0, x1, y1 as fractions of width and height.")
    yaw: float
    pitch: float
    roll: float
    gaze_yaw: float
    gaze_pitch: float
    looking_at_camera: bool = Field(
        description="Gaze within 15 degrees (yaw) and 20 degrees (pitch) of the camera axis (uncalibrated)."
    )
    blendshapes: dict[str, float]


class ImageFaceResult(BaseModel):
    """Faces in a still image, largest first."""

    model_config = ConfigDict(frozen=True)

    width: int
    height: int
    face_count: int
    faces: list[ImageFace]


@dataclass(frozen=True)
class _ModelPaths:
    face: Path
    hand: Path | None
    pose: Path | None


def _mp_image(rgb: RgbFrame) -> Any:
    import mediapipe as mp

    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb, dtype=np.uint8))


def _face_options(model: Path, *, video: bool, max_faces: int) -> Any:
    from mediapipe.tasks import python as mpt
    from mediapipe.tasks.python import vision

    mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
    return vision.FaceLandmarkerOptions(
        base_options=mpt.BaseOptions(model_asset_path=str(model)),
        running_mode=mode,
        num_faces=max_faces,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )


def _open(factory: Any, options: Any, setting: str, model: Path) -> Any:
    try:
        return factory.create_from_options(options)
    except (RuntimeError, ValueError) as exc:
        raise VisionModelMissingError(
            f"mediapipe could not load {model} ({exc}); set INTERVIEW_COACH_{setting.upper()} to a valid .task model."
        ) from exc


def _blendshape_scores(categories: Any) -> dict[str, float]:
    return {str(c.category_name): float(c.score) for c in categories}


def _channels(scores: dict[str, float]) -> NDArray[np.float64]:
    return np.array([np.mean([scores.get(n, 0.0) for n in names]) for names in CHANNELS.values()], dtype=np.float64)


def _face_points(landmarks: Any, width: int, height: int) -> dict[int, tuple[float, float]]:
    return {i: (landmarks[i].x * width, landmarks[i].y * height) for i in FACE_POINTS}


def _box(points: dict[int, tuple[float, float]]) -> tuple[float, float, float, float]:
    top, chin, side_a, side_b = (points[i] for i in FACE_OVAL_EXTREMES)
    xs = (side_a[0], side_b[0], top[0], chin[0])
    ys = (top[1], chin[1], side_a[1], side_b[1])
    return (min(xs), min(ys), max(xs), max(ys))


def _area(box: tuple[float, float, float, float]) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _face_frame(time_s: float, result: Any, width: int, height: int) -> FaceFrame:
    """Reduce a ``FaceLandmarkerResult`` to the largest face's numbers."""
    faces = result.face_landmarks or []
    if not faces:
        return FaceFrame(time=time_s, face_count=0, face=None)
    points = [_face_points(lm, width, height) for lm in faces]
    main = max(range(len(faces)), key=lambda i: _area(_box(points[i])))
    observation = FaceObservation(
        box=_box(points[main]),
        pose=head_pose_from_matrix(result.facial_transformation_matrixes[main]),
        iris_h=iris_offset(points[main]),
        channels=_channels(_blendshape_scores(result.face_blendshapes[main])),
    )
    return FaceFrame(time=time_s, face_count=len(faces), face=observation)


class _FrameJob:
    """The landmarker calls for one frame, queued on the landmarkers' worker threads."""

    def __init__(
        self,
        time_s: float,
        face: Future[FaceFrame],
        hands: Future[tuple[HandObservation, ...]] | None,
        pose: Future[PoseObservation | None] | None,
    ) -> None:
        self._time = time_s
        self._face = face
        self._hands = hands
        self._pose = pose

    def result(self) -> tuple[FaceFrame, GestureFrame | None]:
        """Wait for the landmarkers and combine their outputs.

        Raises:
            MediaError: mediapipe refused the frame.

        """
        try:
            face = self._face.result()
            hands = self._hands.result() if self._hands is not None else ()
            pose = self._pose.result() if self._pose is not None else None
        except (RuntimeError, ValueError) as exc:
            raise MediaError(f"The video frame at {self._time:.2f} s could not be analysed ({exc}).") from exc
        if self._hands is None and self._pose is None:
            return face, None
        box = face.face.box if face.face is not None else None
        return face, GestureFrame(
            time=self._time, hands=hands, pose=pose, face_box=box, pose_checked=self._pose is not None
        )


class _VideoLandmarkers:
    """Face, hand and pose landmarkers in VIDEO mode, each fed in order by its own worker thread.

    One thread per landmarker keeps its timestamps increasing and never calls it twice at
    once, while different landmarkers (and the decoder in the caller's thread) overlap.
    """

    def __init__(self, paths: _ModelPaths) -> None:
        self._paths = paths
        self._stack = ExitStack()
        self._face: Any = None
        self._hands: Any = None
        self._pose: Any = None
        self._workers: dict[str, ThreadPoolExecutor] = {}
        self._last_ms = -1

    def __enter__(self) -> _VideoLandmarkers:
        from mediapipe.tasks import python as mpt
        from mediapipe.tasks.python import vision

        try:
            options = _face_options(self._paths.face, video=True, max_faces=VIDEO_MAX_FACES)
            self._face = self._stack.enter_context(
                _open(vision.FaceLandmarker, options, "face_model_path", self._paths.face)
            )
            if self._paths.hand is not None:
                hand_options = vision.HandLandmarkerOptions(
                    base_options=mpt.BaseOptions(model_asset_path=str(self._paths.hand)),
                    running_mode=vision.RunningMode.VIDEO,
                    num_hands=2,
                )
                self._hands = self._stack.enter_context(
                    _open(vision.HandLandmarker, hand_options, "hand_model_path", self._paths.hand)
                )
            if self._paths.pose is not None:
                pose_options = vision.PoseLandmarkerOptions(
                    base_options=mpt.BaseOptions(model_asset_path=str(self._paths.pose)),
                    running_mode=vision.RunningMode.VIDEO,
                    num_poses=1,
                )
                self._pose = self._stack.enter_context(
                    _open(vision.PoseLandmarker, pose_options, "pose_model_path", self._paths.pose)
                )
            # Registered last so they shut down (finishing queued calls) before the models close.
            for name in ("face", "hands", "pose"):
                worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-landmarker")
                self._workers[name] = self._stack.enter_context(worker)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stack.close()

    def submit(self, time_s: float, rgb: RgbFrame, *, with_hands: bool, with_pose: bool) -> _FrameJob:
        """Queue the landmarkers on one frame (frames must be submitted in time order)."""
        assert self._workers, "use as a context manager"
        # VIDEO mode needs strictly increasing integer milliseconds per landmarker.
        stamp = max(round(time_s * 1000.0), self._last_ms + 1)
        self._last_ms = stamp
        image = _mp_image(rgb)
        height, width = rgb.shape[:2]
        face_model, hand_model, pose_model = self._face, self._hands, self._pose

        def face() -> FaceFrame:
            return _face_frame(time_s, face_model.detect_for_video(image, stamp), width, height)

        def hands() -> tuple[HandObservation, ...]:
            return hands_from_result(hand_model.detect_for_video(image, stamp), width, height)

        def pose() -> PoseObservation | None:
            return pose_from_result(pose_model.detect_for_video(image, stamp), width, height)

        return _FrameJob(
            time_s,
            self._workers["face"].submit(face),
            self._workers["hands"].submit(hands) if with_hands and hand_model is not None else None,
            self._workers["pose"].submit(pose) if with_pose and pose_model is not None else None,
        )


def _checked_frames(frames: Iterable[tuple[float, RgbFrame]]) -> Iterator[tuple[float, RgbFrame]]:
    for time_s, rgb in frames:
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 8 or rgb.shape[1] < 8:
            raise MediaError(f"A video frame has an unusable shape {rgb.shape}.")
        yield float(time_s), rgb


class FaceAnalyzer:
    """Analyse face and gestures in video answers and stills with packaged mediapipe models.

    Model files are resolved on first use; landmarkers are opened per call, because VIDEO
    mode needs increasing timestamps per instance, so one analyser serves many threads.
    """

    def __init__(self, settings: Settings) -> None:
        """Remember the settings; no model is loaded yet."""
        self._settings = settings
        self._paths: dict[bool, _ModelPaths] = {}
        self._lock = threading.Lock()

    def _model_paths(self, include_gestures: bool) -> _ModelPaths:
        with self._lock:
            if include_gestures not in self._paths:
                face = face_model_path(self._settings)
                hand = hand_model_path(self._settings) if include_gestures else None
                pose = pose_model_path(self._settings) if include_gestures else None
                self._paths[include_gestures] = _ModelPaths(face=face, hand=hand, pose=pose)
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
    ) -> tuple[FaceAnalysis, GestureAnalysis | None]:
        """Analyse already-decoded ``(timestamp_s, rgb)`` frames sampled at about ``fps``.

        Decoding errors after the first frames keep the part analysed so far and add a note;
        frames mediapipe refuses are skipped with a note.

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
        in_flight: deque[_FrameJob] = deque()

        def collect(job: _FrameJob) -> None:
            try:
                face, gesture = job.result()
            except MediaError as exc:
                failures.append(str(exc))
                return
            face_frames.append(face)
            if gesture is not None:
                gesture_frames.append(gesture)

        with _VideoLandmarkers(paths) as landmarkers:
            try:
                # Decoding in this thread overlaps with the landmarkers working on earlier frames.
                for index, (time_s, rgb) in enumerate(_checked_frames(frames)):
                    with_hands = include_gestures and index % hand_every == 0
                    with_pose = include_gestures and index % pose_every == 0
                    in_flight.append(landmarkers.submit(time_s, rgb, with_hands=with_hands, with_pose=with_pose))
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
        face = summarize_face(face_frames, fps=fps, duration_s=duration, gesture=gesture, notes=notes)
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
        from mediapipe.tasks.python import vision

        height, width = rgb.shape[:2]
        regions = [(0, 0, width, height)]
        if find_small_faces and min(width, height) >= MIN_TILED_IMAGE_SIDE:
            regions += _quarter_tiles(width, height)
        model = self._model_paths(False).face
        options = _face_options(model, video=False, max_faces=IMAGE_MAX_FACES)
        faces: list[ImageFace] = []
        with _open(vision.FaceLandmarker, options, "face_model_path", model) as landmarker:
            for region in regions:
                x0, y0, x1, y1 = region
                result = landmarker.detect(_mp_image(rgb[y0:y1, x0:x1]))
                for index in range(len(result.face_landmarks or [])):
                    face = _image_face(result, index, region, (width, height))
                    if not any(_overlap(face.box, kept.box) > SAME_FACE_OVERLAP for kept in faces):
                        faces.append(face)
        faces.sort(key=lambda f: -_area(f.box))
        return ImageFaceResult(width=width, height=height, face_count=len(faces), faces=faces)


def _quarter_tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Four tiles of 65 % of each side, overlapping so a small face is whole in at least one."""
    tile_w, tile_h = round(width * 0.65), round(height * 0.65)
    return [(x, y, x + tile_w, y + tile_h) for x in (0, width - tile_w) for y in (0, height - tile_h)]


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over the smaller box, so a partial face found in a tile matches the whole one."""
    inter = _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
    smaller = min(_area(a), _area(b))
    return inter / smaller if smaller > 0 else 0.0


def _image_face(result: Any, index: int, region: tuple[int, int, int, int], size: tuple[int, int]) -> ImageFace:
    x_offset, y_offset, x_end, y_end = region
    width, height = size
    points = _face_points(result.face_landmarks[index], x_end - x_offset, y_end - y_offset)
    pose = head_pose_from_matrix(result.facial_transformation_matrixes[index])
    scores = _blendshape_scores(result.face_blendshapes[index])
    eye_down = float(
        np.mean([scores.get(n, 0.0) for n in CHANNELS["eye_down"]])
        - np.mean([scores.get(n, 0.0) for n in CHANNELS["eye_up"]])
    )
    gaze_yaw, gaze_pitch = gaze_angles(pose, iris_offset(points), eye_down)
    x0, y0, x1, y1 = _box(points)
    return ImageFace(
        box=(
            round((x0 + x_offset) / width, 4),
            round((y0 + y_offset) / height, 4),
            round((x1 + x_offset) / width, 4),
            round((y1 + y_offset) / height, 4),
        ),
        yaw=round(pose.yaw, 2),
        pitch=round(pose.pitch, 2),
        roll=round(pose.roll, 2),
        gaze_yaw=round(gaze_yaw, 2),
        gaze_pitch=round(gaze_pitch, 2),
        looking_at_camera=abs(gaze_yaw) <= EYE_CONTACT_YAW_DEG and abs(gaze_pitch) <= IMAGE_EYE_CONTACT_PITCH_DEG,
        blendshapes={k: round(v, 4) for k, v in scores.items()},
    )


def face_metrics(face: FaceAnalysis, gesture: GestureAnalysis | None) -> dict[str, float]:
    """Flatten the measured face and gesture numbers for memory and progress charts.

    Values that were not measured are left out rather than guessed.
    """
    minutes = face.duration_s / 60.0 if face.duration_s > 0 else None
    values: dict[str, float | int | None] = {
        "face_present_ratio": face.face_present_ratio,
        "multiple_faces_ratio": face.multiple_faces_ratio,
        "eye_contact_ratio": face.eye_contact_ratio,
        "looking_away_count": len(face.looking_away_events) if face.eye_contact_ratio is not None else None,
        "blink_rate_per_min": face.blink_rate_per_min,
        "smile_ratio": face.smile_ratio,
        "frown_ratio": face.frown_ratio,
        "brow_tension": face.brow_tension,
        "micro_expressions_per_min": (
            len(face.micro_expression_events) / minutes
            if minutes and face.frames_analyzed and "micro_expression_events" not in face.not_measured
            else None
        ),
        "head_motion_deg_s": face.head_motion.mean_speed_deg_s if face.head_motion else None,
        "nods_per_min": face.nodding.per_min if face.nodding else None,
        "visual_confidence_score": face.visual_confidence_score.value,
        "visual_stress_score": face.visual_stress_score.value,
    }
    if gesture is not None:
        values |= {
            "hand_to_face_count": len(gesture.hand_to_face_events) if gesture.hand_to_face_events is not None else None,
            "fidgeting_score": gesture.fidgeting_score,
            "gesture_rate_per_min": gesture.gesture_rate_per_min,
            "slouching_ratio": gesture.slouching_ratio,
            "shoulder_tension_ratio": gesture.shoulder_tension_ratio,
        }
    return {name: round(float(value), 4) for name, value in values.items() if value is not None}
