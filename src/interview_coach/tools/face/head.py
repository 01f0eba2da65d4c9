"""Head movement and nods from the per-frame head pose series."""

from __future__ import annotations

import numpy as np

from interview_coach.domain.face import HeadMotion, Nodding
from interview_coach.domain.intervals import TimeSpan
from interview_coach.tools.face.frames import FaceSeries, IndexArray
from interview_coach.tools.face.geometry import angular_speed, nod_ranges

MIN_NOD_FPS = 4.0


def head_motion(series: FaceSeries, stretches: list[IndexArray], period: float) -> HeadMotion | None:
    """Return the spread and mean angular speed of the head pose, or ``None`` under 3 visible frames."""
    if int(series.present.sum()) < 3:
        return None
    present = series.present
    speeds = [
        angular_speed(
            series.times[idx],
            np.column_stack([series.yaw[idx], series.pitch[idx], series.roll[idx]]),
            max_step_s=2.5 * period,
        )
        for idx in stretches
    ]
    all_speeds = np.concatenate(speeds) if speeds else np.zeros(0)
    return HeadMotion(
        yaw_std_deg=round(float(series.yaw[present].std()), 2),
        pitch_std_deg=round(float(series.pitch[present].std()), 2),
        roll_std_deg=round(float(series.roll[present].std()), 2),
        mean_speed_deg_s=round(float(all_speeds.mean()) if all_speeds.size else 0.0, 2),
    )


def nodding(
    series: FaceSeries, stretches: list[IndexArray], fps: float, duration: float, reasons: dict[str, str]
) -> Nodding | None:
    """Find nods inside each visible stretch; ``None`` (with a reason) when sampling is too slow."""
    if fps < MIN_NOD_FPS:
        reasons["nodding"] = f"sampling at {fps:g} fps is too slow to see nods (needs {MIN_NOD_FPS:g})"
        return None
    events = []
    for indices in stretches:
        for first, last in nod_ranges(series.times[indices], series.pitch[indices]):
            events.append(
                TimeSpan(
                    start=round(float(series.times[indices[first]]), 3),
                    end=round(float(series.times[indices[last]]), 3),
                )
            )
    per_min = len(events) / duration * 60.0 if duration > 0 else 0.0
    return Nodding(count=len(events), per_min=round(per_min, 2), events=events)
