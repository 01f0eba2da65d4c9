"""Aggregate per-frame face observations into a :class:`~interview_coach.domain.face.FaceAnalysis`.

Only observable behaviour is measured (gaze, blinks, facial muscle activity, head movement);
nothing judges appearance. The visual scores are judged later by
:mod:`interview_coach.assessment.face_scores`.
"""

from __future__ import annotations

from collections.abc import Sequence

from interview_coach.domain.face import FaceAnalysis
from interview_coach.tools.face.expressions import (
    blink_rate,
    expression_ratios,
    expression_timeline,
    micro_expressions,
)
from interview_coach.tools.face.frames import (
    EVENT_MERGE_GAP_S,
    MIN_EVENT_S,
    FaceFrame,
    face_series,
    visible_stretches,
)
from interview_coach.tools.face.gaze import eye_contact
from interview_coach.tools.face.head import head_motion, nodding
from interview_coach.tools.media.timeline import spans_from_mask, to_spans

MIN_FACE_PRESENT_RATIO = 0.5


def summarize_face(
    frames: Sequence[FaceFrame], *, fps: float, duration_s: float, notes: Sequence[str] = ()
) -> FaceAnalysis:
    """Aggregate per-frame face observations into a :class:`FaceAnalysis` (without scores).

    Args:
        frames: observations in time order, sampled at about ``fps``.
        fps: sampling rate of ``frames``.
        duration_s: length of the recording.
        notes: caveats to pass on (e.g. decoding stopped early).

    """
    reasons: dict[str, str] = {}
    period = 1.0 / fps if fps > 0 else 1.0
    series = face_series(frames)
    count = len(frames)
    present_count = int(series.present.sum())
    present_ratio = present_count / count if count else 0.0
    stretches = visible_stretches(series, period)
    absent_ranges = spans_from_mask(
        series.times, ~series.present, end_time=duration_s, min_duration=MIN_EVENT_S, max_gap=EVENT_MERGE_GAP_S
    )
    multiple_ranges = spans_from_mask(
        series.times, series.multiple, end_time=duration_s, min_duration=MIN_EVENT_S, max_gap=EVENT_MERGE_GAP_S
    )
    contact, baseline, looking_away = eye_contact(series, duration_s)
    smile, frown, brow = expression_ratios(series)
    visible = present_count > 0
    blinks = blink_rate(series, fps, period, reasons) if visible else None
    motion = head_motion(series, stretches, period) if visible else None
    nods = nodding(series, stretches, fps, duration_s, reasons) if visible else None
    micro = micro_expressions(series, stretches, fps, period, reasons) if visible else []
    face_reason = _face_reason(count, present_ratio)
    optional = {
        "eye_contact_ratio": contact,
        "blink_rate_per_min": blinks,
        "smile_ratio": smile,
        "frown_ratio": frown,
        "brow_tension": brow,
        "head_motion": motion,
        "nodding": nods,
    }
    for name, value in optional.items():
        if value is None and name not in reasons:
            reasons[name] = face_reason or "the face was visible in too few frames"
    return FaceAnalysis(
        frames_analyzed=count,
        fps_analyzed=round(fps, 3),
        duration_s=round(duration_s, 3),
        face_present_ratio=round(present_ratio, 3),
        face_absent_s=round((1.0 - present_ratio) * duration_s, 2) if count else 0.0,
        multiple_faces_ratio=round(float(series.multiple.mean()) if count else 0.0, 3),
        absences=to_spans(absent_ranges),
        multiple_faces_events=to_spans(multiple_ranges),
        eye_contact_ratio=contact,
        gaze_calibrated=baseline.calibrated,
        gaze_reference=baseline.reference,
        looking_away_events=looking_away,
        blink_rate_per_min=blinks,
        smile_ratio=smile,
        frown_ratio=frown,
        brow_tension=brow,
        expression_timeline=expression_timeline(series, duration_s),
        micro_expression_events=micro,
        head_motion=motion,
        nodding=nods,
        not_measured_reason=face_reason,
        not_measured=reasons,
        notes=list(notes),
    )


def _face_reason(count: int, present_ratio: float) -> str | None:
    if count == 0:
        return "no video frames could be decoded"
    if present_ratio < MIN_FACE_PRESENT_RATIO:
        return f"the face was visible in only {present_ratio:.0%} of the analysed frames (needs {MIN_FACE_PRESENT_RATIO:.0%})"
    return None
