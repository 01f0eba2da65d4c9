"""The mediapipe face, hand and pose landmarkers, and the reduction of their results to frames.

mediapipe is imported lazily inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from interview_coach.tools.face.frames import CHANNELS, FaceFrame, FaceObservation
from interview_coach.tools.face.geometry import FACE_OVAL_EXTREMES, FACE_POINTS, head_pose_from_matrix, iris_offset
from interview_coach.tools.face.gesture_frames import (
    GestureFrame,
    HandObservation,
    PoseObservation,
    hands_from_result,
    pose_from_result,
)
from interview_coach.tools.face.models import VisionModelMissingError
from interview_coach.tools.media.decode import MediaError

VIDEO_MAX_FACES = 2

RgbFrame = NDArray[np.uint8]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class ModelPaths:
    """The model files one analysis uses; hand and pose are ``None`` without gestures."""

    face: Path
    hand: Path | None
    pose: Path | None


def mp_image(rgb: RgbFrame) -> Any:
    """Wrap an RGB array as a ``mediapipe.Image``."""
    import mediapipe as mp

    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb, dtype=np.uint8))


def face_options(model: Path, *, video: bool, max_faces: int) -> Any:
    """Build FaceLandmarker options with blendshapes and head transforms, in VIDEO or IMAGE mode."""
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


def open_landmarker(factory: Any, options: Any, setting: str, model: Path) -> Any:
    """Create a landmarker from ``options``.

    Raises:
        VisionModelMissingError: mediapipe cannot load the model; the message names ``setting``.

    """
    try:
        return factory.create_from_options(options)
    except (RuntimeError, ValueError) as exc:
        raise VisionModelMissingError(
            f"mediapipe could not load {model} ({exc}); set INTERVIEW_COACH_{setting.upper()} to a valid .task model."
        ) from exc


def blendshape_scores(categories: Any) -> dict[str, float]:
    """Map blendshape names to scores for one face."""
    return {str(c.category_name): float(c.score) for c in categories}


def _channels(scores: dict[str, float]) -> NDArray[np.float64]:
    return np.array([np.mean([scores.get(n, 0.0) for n in names]) for names in CHANNELS.values()], dtype=np.float64)


def face_points(landmarks: Any, width: int, height: int) -> dict[int, tuple[float, float]]:
    """Return the eye, iris and face-oval landmarks the analysis uses, in pixels."""
    return {i: (landmarks[i].x * width, landmarks[i].y * height) for i in FACE_POINTS}


def face_box(points: dict[int, tuple[float, float]]) -> Box:
    """Return the face's bounding box ``(x0, y0, x1, y1)`` from its four oval extremes."""
    top, chin, side_a, side_b = (points[i] for i in FACE_OVAL_EXTREMES)
    xs = (side_a[0], side_b[0], top[0], chin[0])
    ys = (top[1], chin[1], side_a[1], side_b[1])
    return (min(xs), min(ys), max(xs), max(ys))


def box_area(box: Box) -> float:
    """Return the area of a box (0 for an empty one)."""
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _face_frame(time_s: float, result: Any, width: int, height: int) -> FaceFrame:
    """Reduce a ``FaceLandmarkerResult`` to the largest face's numbers."""
    faces = result.face_landmarks or []
    if not faces:
        return FaceFrame(time=time_s, face_count=0, face=None)
    points = [face_points(lm, width, height) for lm in faces]
    main = max(range(len(faces)), key=lambda i: box_area(face_box(points[i])))
    observation = FaceObservation(
        box=face_box(points[main]),
        pose=head_pose_from_matrix(result.facial_transformation_matrixes[main]),
        iris_h=iris_offset(points[main]),
        channels=_channels(blendshape_scores(result.face_blendshapes[main])),
    )
    return FaceFrame(time=time_s, face_count=len(faces), face=observation)


class FrameJob:
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

    def on_face(self, callback: Callable[[FaceFrame], None]) -> None:
        """Call ``callback`` on the face worker's thread as soon as the face result is ready (not for a refused frame)."""

        def done(future: Future[FaceFrame]) -> None:
            if not future.cancelled() and future.exception() is None:
                callback(future.result())

        self._face.add_done_callback(done)

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


# Silence between two videos fed to the same landmarkers, in their millisecond clock.
VIDEO_GAP_MS = 10_000


class VideoLandmarkers:
    """Face, hand and pose landmarkers in VIDEO mode, each fed in order by its own worker thread.

    One thread per landmarker keeps its timestamps increasing and never calls it twice at
    once, while different landmarkers (and the decoder in the caller's thread) overlap.
    One instance analyses many videos in turn (:meth:`start_video`): mediapipe does not give
    back all the memory of a closed landmarker, so a process that opened new ones for every
    answer grew by tens of MB per video answer.
    """

    def __init__(self, paths: ModelPaths) -> None:
        self._paths = paths
        self._stack = ExitStack()
        self._face: Any = None
        self._hands: Any = None
        self._pose: Any = None
        self._workers: dict[str, ThreadPoolExecutor] = {}
        self._last_ms = -1
        self._offset_ms = 0
        self._reset_pending = False

    @property
    def paths(self) -> ModelPaths:
        """The model files this instance runs."""
        return self._paths

    def start_video(self) -> None:
        """Begin a new video: its timestamps continue after the previous video's, with a gap.

        VIDEO mode needs increasing timestamps over the instance's whole life, and the
        landmarkers track and smooth landmarks from frame to frame. So that nothing of the last
        video carries over (results must not depend on the answer analysed before), the first
        :meth:`submit` of the new video first shows every landmarker an empty frame: with
        nothing found, tracking and smoothing start afresh, as on a fresh instance.
        """
        self._offset_ms = self._last_ms + 1 + VIDEO_GAP_MS
        self._reset_pending = self._last_ms >= 0

    def _reset_tracking(self, shape: tuple[int, ...]) -> None:
        image = mp_image(np.zeros(shape, dtype=np.uint8))
        stamp = self._offset_ms - VIDEO_GAP_MS // 2
        for name, model in (("face", self._face), ("hands", self._hands), ("pose", self._pose)):
            if model is not None:
                self._workers[name].submit(model.detect_for_video, image, stamp)
        self._reset_pending = False

    def __enter__(self) -> VideoLandmarkers:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Finish queued calls and close the landmarkers."""
        self._stack.close()

    def open(self) -> VideoLandmarkers:
        """Load the models and start the worker threads.

        Raises:
            VisionModelMissingError: a model cannot be loaded; the message names the setting.

        """
        from mediapipe.tasks import python as mpt
        from mediapipe.tasks.python import vision

        try:
            options = face_options(self._paths.face, video=True, max_faces=VIDEO_MAX_FACES)
            self._face = self._stack.enter_context(
                open_landmarker(vision.FaceLandmarker, options, "face_model_path", self._paths.face)
            )
            if self._paths.hand is not None:
                hand_options = vision.HandLandmarkerOptions(
                    base_options=mpt.BaseOptions(model_asset_path=str(self._paths.hand)),
                    running_mode=vision.RunningMode.VIDEO,
                    num_hands=2,
                )
                self._hands = self._stack.enter_context(
                    open_landmarker(vision.HandLandmarker, hand_options, "hand_model_path", self._paths.hand)
                )
            if self._paths.pose is not None:
                pose_options = vision.PoseLandmarkerOptions(
                    base_options=mpt.BaseOptions(model_asset_path=str(self._paths.pose)),
                    running_mode=vision.RunningMode.VIDEO,
                    num_poses=1,
                )
                self._pose = self._stack.enter_context(
                    open_landmarker(vision.PoseLandmarker, pose_options, "pose_model_path", self._paths.pose)
                )
            # Registered last so they shut down (finishing queued calls) before the models close.
            for name in ("face", "hands", "pose"):
                worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-landmarker")
                self._workers[name] = self._stack.enter_context(worker)
        except BaseException:
            self._stack.close()
            raise
        return self

    def submit(self, time_s: float, rgb: RgbFrame, *, with_hands: bool, with_pose: bool) -> FrameJob:
        """Queue the landmarkers on one frame (frames must be submitted in time order)."""
        assert self._workers, "use as a context manager"
        if self._reset_pending:
            self._reset_tracking(rgb.shape)
        # VIDEO mode needs strictly increasing integer milliseconds per landmarker.
        stamp = max(self._offset_ms + round(time_s * 1000.0), self._last_ms + 1)
        self._last_ms = stamp
        image = mp_image(rgb)
        height, width = rgb.shape[:2]
        face_model, hand_model, pose_model = self._face, self._hands, self._pose

        def face() -> FaceFrame:
            return _face_frame(time_s, face_model.detect_for_video(image, stamp), width, height)

        def hands() -> tuple[HandObservation, ...]:
            return hands_from_result(hand_model.detect_for_video(image, stamp), width, height)

        def pose() -> PoseObservation | None:
            return pose_from_result(pose_model.detect_for_video(image, stamp), width, height)

        return FrameJob(
            time_s,
            self._workers["face"].submit(face),
            self._workers["hands"].submit(hands) if with_hands and hand_model is not None else None,
            self._workers["pose"].submit(pose) if with_pose and pose_model is not None else None,
        )
