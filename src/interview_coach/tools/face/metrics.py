"""Flat per-answer face and gesture numbers for memory records and progress charts."""

from __future__ import annotations

from interview_coach.domain.face import FaceAnalysis, GestureAnalysis


def face_metrics(face: FaceAnalysis, gesture: GestureAnalysis | None) -> dict[str, float]:
    """Flatten the measured face and gesture numbers for memory and progress charts.

    Values that were not measured are left out rather than guessed.
    """
    minutes = face.duration_s / 60.0 if face.duration_s > 0 else None
    values: dict[str, float | int | None] = {
        "face_present_ratio": face.face_present_ratio,
        "face_absent_s": face.face_absent_s if face.frames_analyzed else None,
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
