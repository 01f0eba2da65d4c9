"""Per-frame hand and pose observations from the mediapipe hand and pose landmarkers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Box = tuple[float, float, float, float]

# Pose landmark indices (mediapipe BlazePose).
NOSE, LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER = 0, 7, 8, 11, 12
POSE_FACE_POINTS = tuple(range(11))
POSE_HAND_POINTS = (17, 18, 19, 20, 21, 22)


@dataclass(frozen=True)
class HandObservation:
    """One detected hand: 21 landmarks in pixels and mediapipe's handedness label."""

    label: str
    points: FloatArray


@dataclass(frozen=True)
class PoseObservation:
    """One detected body: 33 pose landmarks in pixels and their visibility scores."""

    points: FloatArray
    visibility: FloatArray


@dataclass(frozen=True)
class GestureFrame:
    """What the hand and pose landmarkers saw at one sampled time.

    ``pose_checked`` is false on frames where the (slower) pose model was not run.
    """

    time: float
    hands: tuple[HandObservation, ...]
    pose: PoseObservation | None
    face_box: Box | None
    pose_checked: bool = True


def hands_from_result(result: Any, width: int, height: int) -> tuple[HandObservation, ...]:
    """Convert a mediapipe ``HandLandmarkerResult`` into pixel-space observations."""
    hands = []
    for index, landmarks in enumerate(result.hand_landmarks or []):
        label = "Unknown"
        if result.handedness and index < len(result.handedness) and result.handedness[index]:
            label = str(result.handedness[index][0].category_name)
        points = np.array([(lm.x * width, lm.y * height) for lm in landmarks], dtype=np.float64)
        hands.append(HandObservation(label=label, points=points))
    return tuple(hands)


def pose_from_result(result: Any, width: int, height: int) -> PoseObservation | None:
    """Convert the first body of a mediapipe ``PoseLandmarkerResult`` into pixel space."""
    if not result.pose_landmarks:
        return None
    landmarks = result.pose_landmarks[0]
    points = np.array([(lm.x * width, lm.y * height) for lm in landmarks], dtype=np.float64)
    visibility = np.array([lm.visibility if lm.visibility is not None else 0.0 for lm in landmarks], dtype=np.float64)
    return PoseObservation(points=points, visibility=visibility)
