"""Pure numeric helpers for face analysis: head pose, iris gaze, blinks, nods, expression bursts.

Conventions (image coordinates, as seen in the recording, not mirrored):
yaw > 0 means the face or gaze turns towards the right edge of the frame, pitch > 0 means it
points down, roll > 0 means the head tilts counter-clockwise in the image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from interview_coach.domain.face import GazeReference, LookDirection
from interview_coach.tools.media.timeline import true_runs

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Face-mesh indices: eye corners (image-left eye: 33 outer, 133 inner; image-right eye: 362 inner,
# 263 outer), iris centres 468/473, and four face-oval extremes for a bounding box.
RIGHT_EYE_CORNERS = (33, 133)
LEFT_EYE_CORNERS = (362, 263)
IRIS_CENTRES = (468, 473)
FACE_OVAL_EXTREMES = (10, 152, 234, 454)
FACE_POINTS = (*RIGHT_EYE_CORNERS, *LEFT_EYE_CORNERS, *IRIS_CENTRES, *FACE_OVAL_EXTREMES)

# An iris shift of one eye width is far beyond the eye's range; ~0.2 widths is ~20-30 degrees.
EYE_YAW_DEG_PER_EYE_WIDTH = 100.0
# eyeLookDown - eyeLookUp blendshapes span about [-1, 1] for about +-30 degrees of eye pitch.
EYE_PITCH_DEG_PER_UNIT = 30.0


@dataclass(frozen=True)
class HeadPose:
    """Head rotation in degrees (see the module conventions)."""

    yaw: float
    pitch: float
    roll: float


def head_pose_from_matrix(matrix: NDArray[np.float64] | list[list[float]]) -> HeadPose:
    """Extract yaw, pitch and roll from mediapipe's 4x4 facial transformation matrix.

    The matrix maps the canonical face (x right, y up, z out of the nose) to camera space
    (OpenGL axes); its third column is the direction the nose points.
    """
    rotation = np.asarray(matrix, dtype=np.float64)[:3, :3]
    norms = np.linalg.norm(rotation, axis=0)
    rotation = rotation / np.where(norms > 0, norms, 1.0)
    forward_x, forward_y, forward_z = rotation[0, 2], rotation[1, 2], rotation[2, 2]
    yaw = math.degrees(math.atan2(forward_x, forward_z))
    pitch = math.degrees(math.atan2(-forward_y, math.hypot(forward_x, forward_z)))
    roll = math.degrees(math.atan2(rotation[1, 0], rotation[1, 1]))
    return HeadPose(yaw=yaw, pitch=pitch, roll=roll)


def iris_offset(points_px: dict[int, tuple[float, float]]) -> float:
    """Return the mean horizontal iris offset from the eye centre, in eye widths (> 0: image right).

    Args:
        points_px: face-mesh index -> (x, y) in pixels; needs the eye corners and iris centres.

    """
    offsets = []
    for (left_corner, right_corner), iris in zip((RIGHT_EYE_CORNERS, LEFT_EYE_CORNERS), IRIS_CENTRES, strict=True):
        a = np.asarray(points_px[left_corner])
        b = np.asarray(points_px[right_corner])
        axis = b - a
        width_sq = float(axis @ axis)
        if width_sq <= 1e-9:
            continue
        offsets.append(float((np.asarray(points_px[iris]) - (a + b) / 2.0) @ axis) / width_sq)
    return float(np.mean(offsets)) if offsets else 0.0


def gaze_angles(pose: HeadPose, iris_h: float, eye_down: float) -> tuple[float, float]:
    """Combine head pose and eye-in-head position into gaze yaw and pitch in degrees.

    Args:
        pose: head pose.
        iris_h: horizontal iris offset in eye widths (> 0: image right).
        eye_down: ``eyeLookDown - eyeLookUp`` blendshape difference in [-1, 1]; the iris's
            vertical landmark is confounded by the eyelids, the blendshapes are not.

    """
    yaw = pose.yaw + EYE_YAW_DEG_PER_EYE_WIDTH * iris_h
    pitch = pose.pitch + EYE_PITCH_DEG_PER_UNIT * eye_down
    return yaw, pitch


@dataclass(frozen=True)
class GazeBaseline:
    """The gaze direction taken as "looking at the camera" for one recording."""

    yaw: float
    pitch: float
    reference: GazeReference

    @property
    def calibrated(self) -> bool:
        """Whether the baseline came from the candidate's first seconds."""
        return self.reference == "first_seconds"


def _median_absolute_deviation(values: FloatArray) -> float:
    return float(np.median(np.abs(values - np.median(values))))


def gaze_baseline(
    times: FloatArray,
    yaw: FloatArray,
    pitch: FloatArray,
    usable: BoolArray,
    *,
    window_s: float = 5.0,
    min_samples: int = 5,
    max_abs_deg: float = 20.0,
    max_spread_deg: float = 6.0,
) -> GazeBaseline:
    """Choose the gaze direction that means "at the camera" for this candidate and camera.

    People look at the camera with their own head-pitch habit, so the first seconds with
    open eyes are used when the gaze there is steady (median absolute deviation at most
    ``max_spread_deg``) and plausible (within ``max_abs_deg`` of the camera axis). Otherwise
    the median gaze of the whole recording is used, and failing that the camera axis.

    Args:
        times: sample times in seconds.
        yaw: gaze yaw per sample in degrees.
        pitch: gaze pitch per sample in degrees.
        usable: samples with a visible face and open eyes.
        window_s: length of the calibration window after the first usable sample.
        min_samples: fewest samples a window needs.
        max_abs_deg: largest accepted offset from the camera axis.
        max_spread_deg: largest accepted spread inside the window.

    """
    indices = np.flatnonzero(usable)
    if indices.size < min_samples:
        return GazeBaseline(0.0, 0.0, "camera_axis")
    window = indices[times[indices] <= times[indices[0]] + window_s]
    if window.size >= min_samples:
        base_yaw, base_pitch = float(np.median(yaw[window])), float(np.median(pitch[window]))
        steady = (
            max(_median_absolute_deviation(yaw[window]), _median_absolute_deviation(pitch[window])) <= max_spread_deg
        )
        if steady and abs(base_yaw) <= max_abs_deg and abs(base_pitch) <= max_abs_deg:
            return GazeBaseline(base_yaw, base_pitch, "first_seconds")
    base_yaw, base_pitch = float(np.median(yaw[indices])), float(np.median(pitch[indices]))
    if abs(base_yaw) <= max_abs_deg and abs(base_pitch) <= max_abs_deg:
        return GazeBaseline(base_yaw, base_pitch, "recording_median")
    return GazeBaseline(0.0, 0.0, "camera_axis")


def look_direction(delta_yaw: float, delta_pitch: float) -> LookDirection:
    """Name the dominant direction of a gaze deviation (image coordinates)."""
    if abs(delta_yaw) >= abs(delta_pitch):
        return "right" if delta_yaw > 0 else "left"
    return "down" if delta_pitch > 0 else "up"


def count_blinks(
    values: FloatArray, present: BoolArray, *, close_threshold: float = 0.5, open_threshold: float = 0.35
) -> list[int]:
    """Return the sample indices where a blink starts, with hysteresis on the eyeBlink score.

    A blink starts when the score reaches ``close_threshold`` after the eyes were seen open
    (below ``open_threshold``); frames without a face reset the state so a face re-appearing
    with closed eyes is not counted.
    """
    onsets: list[int] = []
    eyes_open_seen = False
    closed = False
    for index, (value, visible) in enumerate(zip(values, present, strict=True)):
        if not visible:
            eyes_open_seen, closed = False, False
            continue
        if closed:
            if value < open_threshold:
                closed = False
                eyes_open_seen = True
        elif value >= close_threshold:
            if eyes_open_seen:
                onsets.append(index)
            closed = True
        elif value < open_threshold:
            eyes_open_seen = True
    return onsets


def rolling_median(values: FloatArray, window: int) -> FloatArray:
    """Centered running median with edge padding (``window`` is made odd)."""
    if values.size == 0:
        return values.copy()
    half = max(1, window // 2)
    padded = np.pad(values, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return np.asarray(np.median(windows, axis=1), dtype=np.float64)


@dataclass(frozen=True)
class Burst:
    """A short rise of one expression channel above its running baseline."""

    first: int
    last: int
    peak: float


def expression_bursts(
    values: FloatArray,
    *,
    period_s: float,
    min_rise: float = 0.25,
    max_duration_s: float = 0.5,
    baseline_window_s: float = 2.0,
) -> list[Burst]:
    """Find bursts shorter than ``max_duration_s`` where a channel rises ``min_rise`` above baseline.

    Args:
        values: one blendshape channel over consecutive face-visible samples.
        period_s: sampling period in seconds.
        min_rise: how far above the running median a sample must be to count as active.
        max_duration_s: longer activations are ordinary expressions, not micro-expressions.
        baseline_window_s: width of the running median used as baseline.

    """
    if values.size < 3:
        return []
    window = max(3, round(baseline_window_s / period_s))
    active = values - rolling_median(values, window) >= min_rise
    bursts = []
    for first, last in true_runs(active):
        if first == 0 or last == values.size - 1:
            continue  # truncated at the edges: the return to baseline was not seen
        if (last - first + 1) * period_s < max_duration_s - 1e-9:
            bursts.append(Burst(first=first, last=last, peak=float(values[first : last + 1].max())))
    return bursts


def turning_points(values: FloatArray, min_swing: float) -> list[tuple[int, Literal["peak", "trough"]]]:
    """Return alternating peaks and troughs separated by swings of at least ``min_swing``."""
    pivots: list[tuple[int, Literal["peak", "trough"]]] = []
    if values.size < 2:
        return pivots
    trend = 0
    low = high = candidate = 0
    for index in range(1, values.size):
        value = values[index]
        if trend == 0:
            high = index if value > values[high] else high
            low = index if value < values[low] else low
            if values[high] - values[low] >= min_swing:
                if high > low:
                    pivots.append((low, "trough"))
                    trend, candidate = 1, high
                else:
                    pivots.append((high, "peak"))
                    trend, candidate = -1, low
        elif trend == 1:
            if value > values[candidate]:
                candidate = index
            elif values[candidate] - value >= min_swing:
                pivots.append((candidate, "peak"))
                trend, candidate = -1, index
        elif value < values[candidate]:
            candidate = index
        elif value - values[candidate] >= min_swing:
            pivots.append((candidate, "trough"))
            trend, candidate = 1, index
    if trend != 0:
        pivots.append((candidate, "peak" if trend == 1 else "trough"))
    return pivots


def nod_ranges(
    times: FloatArray, pitch: FloatArray, *, min_swing_deg: float = 5.0, max_duration_s: float = 1.0
) -> list[tuple[int, int]]:
    """Find nods: the head pitches down then back up by ``min_swing_deg`` or more, quickly.

    Args:
        times: sample times of one continuous face-visible stretch.
        pitch: head pitch in degrees (> 0 is down), same length.
        min_swing_deg: smallest down and up movement that counts.
        max_duration_s: largest width of the movement at half its height; a slower one is a
            posture change, not a nod.

    Returns:
        ``(first, last)`` sample indices where the head is more than half-way down.

    """
    pivots = turning_points(pitch, min_swing_deg)
    nods = []
    for before, here, after in zip(pivots, pivots[1:], pivots[2:], strict=False):
        if here[1] != "peak" or before[1] != "trough" or after[1] != "trough":
            continue
        peak = pitch[here[0]]
        # The closing trough must itself be a real swing, not the unconfirmed last candidate.
        if peak - pitch[after[0]] < min_swing_deg:
            continue
        half = peak - 0.5 * min(peak - pitch[before[0]], peak - pitch[after[0]])
        first = here[0]
        while first > before[0] and pitch[first - 1] > half:
            first -= 1
        last = here[0]
        while last < after[0] and pitch[last + 1] > half:
            last += 1
        if times[last] - times[first] <= max_duration_s:
            nods.append((first, last))
    return nods


def angular_speed(times: FloatArray, angles: FloatArray, *, max_step_s: float) -> FloatArray:
    """Return degrees per second between consecutive samples closer than ``max_step_s``.

    Args:
        times: sample times, shape (n,).
        angles: angles in degrees, shape (n, k) (e.g. yaw, pitch, roll).
        max_step_s: larger time steps (the face was lost in between) are skipped.

    """
    if times.size < 2:
        return np.zeros(0, dtype=np.float64)
    steps = np.diff(times)
    moves = np.linalg.norm(np.diff(angles, axis=0), axis=1)
    usable = (steps > 0) & (steps <= max_step_s)
    return np.asarray(moves[usable] / steps[usable], dtype=np.float64)
