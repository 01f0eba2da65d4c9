"""Per-frame face observations and their conversion into aligned numpy series.

Everything here is deterministic numpy over already-extracted landmarks, so it is unit
testable without mediapipe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from interview_coach.tools.face.geometry import HeadPose, gaze_angles
from interview_coach.tools.media.timeline import true_runs

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IndexArray = NDArray[np.intp]

# Blendshape channels: each is the mean of the listed mediapipe blendshapes.
CHANNELS: dict[str, tuple[str, ...]] = {
    "smile": ("mouthSmileLeft", "mouthSmileRight"),
    "brow_down": ("browDownLeft", "browDownRight"),
    "brow_raise": ("browInnerUp",),
    "frown": ("mouthFrownLeft", "mouthFrownRight"),
    "mouth_press": ("mouthPressLeft", "mouthPressRight"),
    "sneer": ("noseSneerLeft", "noseSneerRight"),
    "jaw_open": ("jawOpen",),
    "blink": ("eyeBlinkLeft", "eyeBlinkRight"),
    "eye_down": ("eyeLookDownLeft", "eyeLookDownRight"),
    "eye_up": ("eyeLookUpLeft", "eyeLookUpRight"),
}
CHANNEL_INDEX = {name: i for i, name in enumerate(CHANNELS)}

# Timed events (absences, several faces, looking away) shorter than this are noise.
MIN_EVENT_S = 0.5
EVENT_MERGE_GAP_S = 0.3


@dataclass(frozen=True)
class FaceObservation:
    """The main (largest) face in one frame, reduced to the numbers the summary needs."""

    box: tuple[float, float, float, float]
    pose: HeadPose
    iris_h: float
    channels: FloatArray


@dataclass(frozen=True)
class FaceFrame:
    """What the face landmarker saw at one sampled time."""

    time: float
    face_count: int
    face: FaceObservation | None


@dataclass(frozen=True)
class FaceSeries:
    """Per-frame arrays; values of frames without a face are zeros and masked by ``present``."""

    times: FloatArray
    present: BoolArray
    multiple: BoolArray
    yaw: FloatArray
    pitch: FloatArray
    roll: FloatArray
    gaze_yaw: FloatArray
    gaze_pitch: FloatArray
    channels: FloatArray

    def channel(self, name: str) -> FloatArray:
        """Return one blendshape channel (see :data:`CHANNELS`) for every frame."""
        return np.asarray(self.channels[:, CHANNEL_INDEX[name]], dtype=np.float64)


def face_series(frames: Sequence[FaceFrame]) -> FaceSeries:
    """Line up the frames' head pose, gaze and blendshape channels as arrays."""
    count = len(frames)
    pose = np.zeros((count, 3))
    gaze = np.zeros((count, 2))
    channels = np.zeros((count, len(CHANNELS)))
    for index, frame in enumerate(frames):
        face = frame.face
        if face is None:
            continue
        pose[index] = (face.pose.yaw, face.pose.pitch, face.pose.roll)
        channels[index] = face.channels
        eye_down = face.channels[CHANNEL_INDEX["eye_down"]] - face.channels[CHANNEL_INDEX["eye_up"]]
        gaze[index] = gaze_angles(face.pose, face.iris_h, float(eye_down))
    return FaceSeries(
        times=np.array([f.time for f in frames], dtype=np.float64),
        present=np.array([f.face is not None for f in frames], dtype=bool),
        multiple=np.array([f.face_count >= 2 for f in frames], dtype=bool),
        yaw=pose[:, 0],
        pitch=pose[:, 1],
        roll=pose[:, 2],
        gaze_yaw=gaze[:, 0],
        gaze_pitch=gaze[:, 1],
        channels=channels,
    )


def visible_stretches(series: FaceSeries, period: float) -> list[IndexArray]:
    """Split face-visible samples into continuous stretches (no absence, no time gap)."""
    stretches = []
    for first, last in true_runs(series.present):
        indices = np.arange(first, last + 1)
        cuts = np.flatnonzero(np.diff(series.times[indices]) > 2.5 * period) + 1
        stretches.extend(np.split(indices, cuts))
    return [s for s in stretches if s.size]
