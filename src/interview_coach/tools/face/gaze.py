"""Eye contact and looking-away events from the per-frame gaze series."""

from __future__ import annotations

import numpy as np

from interview_coach.domain.face import LookAwayEvent
from interview_coach.tools.face.frames import EVENT_MERGE_GAP_S, MIN_EVENT_S, FaceSeries
from interview_coach.tools.face.geometry import GazeBaseline, gaze_baseline, look_direction
from interview_coach.tools.media.timeline import spans_from_mask

EYE_CONTACT_YAW_DEG = 15.0
EYE_CONTACT_PITCH_DEG = 15.0
EYES_CLOSED_THRESHOLD = 0.5


def eye_contact(series: FaceSeries, duration: float) -> tuple[float | None, GazeBaseline, list[LookAwayEvent]]:
    """Return the eye-contact ratio, the gaze baseline it used and the looking-away events.

    The ratio is ``None`` when no frame shows a face with open eyes.
    """
    # Closed eyes look at nothing: they count neither as contact nor as looking away.
    open_eyes = series.present & (series.channel("blink") < EYES_CLOSED_THRESHOLD)
    baseline = gaze_baseline(series.times, series.gaze_yaw, series.gaze_pitch, open_eyes)
    delta_yaw = series.gaze_yaw - baseline.yaw
    delta_pitch = series.gaze_pitch - baseline.pitch
    contact = (np.abs(delta_yaw) <= EYE_CONTACT_YAW_DEG) & (np.abs(delta_pitch) <= EYE_CONTACT_PITCH_DEG)
    away = open_eyes & ~contact
    if not open_eyes.any():
        return None, baseline, []
    ratio = float((open_eyes & contact).sum() / open_eyes.sum())
    events = []
    for start, end in spans_from_mask(
        series.times, away, end_time=duration, min_duration=MIN_EVENT_S, max_gap=EVENT_MERGE_GAP_S
    ):
        inside = away & (series.times >= start) & (series.times <= end)
        direction = look_direction(float(np.median(delta_yaw[inside])), float(np.median(delta_pitch[inside])))
        events.append(LookAwayEvent(start=start, end=end, direction=direction))
    return round(ratio, 3), baseline, events
