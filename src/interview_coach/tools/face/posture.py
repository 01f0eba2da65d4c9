"""Posture (leaning, slouching, raised shoulders) relative to the candidate's own first seconds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from interview_coach.domain.face import Leaning, PostureEvent, PostureKind
from interview_coach.tools.face.gesture_frames import (
    LEFT_EAR,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_EAR,
    RIGHT_SHOULDER,
    FloatArray,
    GestureFrame,
)
from interview_coach.tools.media.timeline import spans_from_mask

MIN_POSE_VISIBLE_RATIO = 0.30
MIN_POSE_FRAMES = 3
POSE_BODY_VISIBILITY = 0.5
POSTURE_MIN_S = 1.0
BASELINE_WINDOW_S = 5.0
LEAN_FORWARD_SCALE = 1.12
LEAN_BACK_SCALE = 0.89
LEAN_SIDEWAYS_DEG = 8.0
LEAN_SIDEWAYS_OFFSET = 0.15
SLOUCH_NECK_RATIO = 0.85
RAISED_SHOULDERS_RATIO = 0.85


@dataclass(frozen=True)
class _PostureSeries:
    times: FloatArray
    shoulder_width: FloatArray
    tilt_deg: FloatArray
    lateral: FloatArray
    neck: FloatArray
    ear_gap: FloatArray


def _posture_series(frames: Sequence[GestureFrame]) -> _PostureSeries:
    rows = []
    for frame in frames:
        pose = frame.pose
        # Without a face the pose model happily fits a body to cartoons and backgrounds.
        if pose is None or frame.face_box is None:
            continue
        needed = (NOSE, LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER)
        if any(pose.visibility[i] < POSE_BODY_VISIBILITY for i in needed):
            continue
        left, right = pose.points[LEFT_SHOULDER], pose.points[RIGHT_SHOULDER]
        width = float(np.linalg.norm(left - right))
        if width < 1.0:
            continue
        middle = (left + right) / 2.0
        nose = pose.points[NOSE]
        tilt = math.degrees(math.atan2(left[1] - right[1], left[0] - right[0]))
        if tilt > 90:
            tilt -= 180
        elif tilt < -90:
            tilt += 180
        ear_gap = ((left[1] - pose.points[LEFT_EAR][1]) + (right[1] - pose.points[RIGHT_EAR][1])) / 2.0 / width
        rows.append((frame.time, width, tilt, (nose[0] - middle[0]) / width, (middle[1] - nose[1]) / width, ear_gap))
    data = np.array(rows, dtype=np.float64).reshape(-1, 6)
    return _PostureSeries(*(data[:, i] for i in range(6)))


def posture(
    frames: Sequence[GestureFrame], duration_s: float, reasons: dict[str, str]
) -> tuple[Leaning | None, float | None, float | None, list[PostureEvent]]:
    """Measure leaning, slouching and raised shoulders against the posture of the first seconds.

    Returns:
        Leaning shares, the slouching ratio, the shoulder tension ratio and the posture
        events; ``None`` values (and no events) with a reason in ``reasons`` when the face,
        head and shoulders were seen together too rarely.

    """
    series = _posture_series(frames)
    checked = sum(1 for f in frames if f.pose_checked)
    ratio = series.times.size / checked if checked else 0.0
    if ratio < MIN_POSE_VISIBLE_RATIO or series.times.size < MIN_POSE_FRAMES:
        reason = f"face, head and shoulders were visible together in only {ratio:.0%} of frames (needs {MIN_POSE_VISIBLE_RATIO:.0%})"
        for name in ("leaning", "slouching_ratio", "shoulder_tension_ratio"):
            reasons[name] = reason
        return None, None, None, []
    early = series.times <= series.times[0] + BASELINE_WINDOW_S

    def base(values: FloatArray) -> float:
        return float(np.median(values[early]))

    scale = series.shoulder_width / base(series.shoulder_width)
    forward = scale > LEAN_FORWARD_SCALE
    backward = scale < LEAN_BACK_SCALE
    sideways = (np.abs(series.tilt_deg - base(series.tilt_deg)) > LEAN_SIDEWAYS_DEG) | (
        np.abs(series.lateral - base(series.lateral)) > LEAN_SIDEWAYS_OFFSET
    )
    slouching = series.neck < SLOUCH_NECK_RATIO * base(series.neck)
    raised = series.ear_gap < RAISED_SHOULDERS_RATIO * base(series.ear_gap)
    leaning = Leaning(
        forward_ratio=round(float(forward.mean()), 3),
        backward_ratio=round(float(backward.mean()), 3),
        sideways_ratio=round(float(sideways.mean()), 3),
        mean_shoulder_tilt_deg=round(float(series.tilt_deg.mean()), 1),
    )
    kinds: list[tuple[PostureKind, NDArray[np.bool_]]] = [
        ("leaning_forward", forward),
        ("leaning_back", backward),
        ("leaning_sideways", sideways),
        ("slouching", slouching),
        ("shoulders_raised", raised),
    ]
    events = [
        PostureEvent(start=start, end=end, kind=kind)
        for kind, mask in kinds
        for start, end in spans_from_mask(
            series.times, mask, end_time=duration_s, min_duration=POSTURE_MIN_S, max_gap=0.5
        )
    ]
    events.sort(key=lambda e: e.start)
    return leaning, round(float(slouching.mean()), 3), round(float(raised.mean()), 3), events
