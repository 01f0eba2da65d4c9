"""Deterministic visual confidence and stress scores from measured face and gesture signals.

Each score starts at a stated base and every measured signal moves it by a bounded, stated
amount; a signal that was not measured is left out rather than guessed. The scores describe
observable behaviour only and are not a diagnosis of how the candidate felt. The eye-contact
target is the one in :mod:`interview_coach.domain.targets` that the findings also state.
"""

from __future__ import annotations

from collections.abc import Sequence

from interview_coach.domain import Evidence, Score, Signal, TimeSpan
from interview_coach.domain.face import FaceAnalysis, GestureAnalysis
from interview_coach.domain.targets import EYE_CONTACT

CONFIDENCE_BASE = 50.0
STRESS_BASE = 25.0
EVIDENCE_LIMIT = 5


def assess_face(face: FaceAnalysis, gesture: GestureAnalysis | None) -> FaceAnalysis:
    """Return ``face`` with its visual confidence and stress scores filled in.

    A face that was not measured as a whole (``not_measured_reason``) gets two "not measured"
    scores carrying that reason instead of numbers.

    Args:
        face: the face analysis of one recording.
        gesture: the gesture analysis of the same recording, if hands and posture were analysed.

    """
    if face.not_measured_reason:
        missing = Score.not_measured(face.not_measured_reason)
        return face.model_copy(update={"visual_confidence_score": missing, "visual_stress_score": missing})
    return face.model_copy(
        update={
            "visual_confidence_score": visual_confidence_score(face, gesture),
            "visual_stress_score": visual_stress_score(face, gesture),
        }
    )


def _clip(value: float, low: float, high: float) -> float:
    return round(float(min(high, max(low, value))), 1)


def _per_min(count: int, duration: float) -> float:
    return count / duration * 60.0 if duration > 0 else 0.0


def _span_evidence(spans: Sequence[TimeSpan], kind: str, label: str) -> list[Evidence]:
    evidence = []
    for span in list(spans)[:EVIDENCE_LIMIT]:
        direction = getattr(span, "direction", None) or getattr(span, "expression", None)
        detail = f"{label} {direction}" if direction else label
        evidence.append(span.span_evidence(kind, f"{detail} {span.start:.1f}-{span.end:.1f} s"))
    return evidence


def _finish(base: float, signals: list[Signal]) -> Score:
    total = base + sum(s.effect for s in signals)
    return Score(value=round(min(100.0, max(0.0, total))), signals=signals)


def visual_confidence_score(face: FaceAnalysis, gesture: GestureAnalysis | None) -> Score:
    """Score visible confidence 0-100 from eye contact, presence, smiles, steadiness and gestures.

    Starts at 50; each measured signal moves it by a bounded, stated amount.
    """
    duration = face.duration_s
    signals: list[Signal] = []
    if face.eye_contact_ratio is not None:
        signals.append(
            Signal(
                name="eye_contact_ratio",
                value=face.eye_contact_ratio,
                effect=_clip((face.eye_contact_ratio - (EYE_CONTACT.low or 0.0)) * 60, -20, 20),
                evidence=_span_evidence(face.looking_away_events, "looking_away", "looked away"),
            )
        )
        away_rate = _per_min(len(face.looking_away_events), duration)
        signals.append(
            Signal(name="looking_away_per_min", value=round(away_rate, 2), effect=-_clip((away_rate - 2) * 2, 0, 10))
        )
    signals.append(
        Signal(
            name="face_present_ratio",
            value=face.face_present_ratio,
            effect=-_clip((1 - face.face_present_ratio) * 40, 0, 20),
            evidence=_span_evidence(face.absences, "absence", "face not visible"),
        )
    )
    if face.smile_ratio is not None:
        signals.append(Signal(name="smile_ratio", value=face.smile_ratio, effect=_clip(face.smile_ratio * 30, 0, 10)))
    if face.head_motion is not None:
        speed = face.head_motion.mean_speed_deg_s
        signals.append(Signal(name="head_motion_deg_s", value=speed, effect=-_clip((speed - 20) / 2, 0, 8)))
    if face.nodding is not None:
        signals.append(
            Signal(
                name="nods_per_min",
                value=face.nodding.per_min,
                effect=_clip(face.nodding.per_min, 0, 5),
                evidence=_span_evidence(face.nodding.events, "nod", "nod"),
            )
        )
    signals.extend(_gesture_confidence_signals(gesture, duration))
    return _finish(CONFIDENCE_BASE, signals)


def _gesture_confidence_signals(gesture: GestureAnalysis | None, duration: float) -> list[Signal]:
    if gesture is None:
        return []
    signals = []
    if gesture.hand_to_face_events is not None:
        rate = _per_min(len(gesture.hand_to_face_events), duration)
        signals.append(
            Signal(
                name="hand_to_face_per_min",
                value=round(rate, 2),
                effect=-_clip(rate * 3, 0, 10),
                evidence=_span_evidence(gesture.hand_to_face_events, "hand_to_face", "hand at face"),
            )
        )
    if gesture.fidgeting_score is not None:
        signals.append(
            Signal(
                name="fidgeting_score",
                value=gesture.fidgeting_score,
                effect=-_clip((gesture.fidgeting_score - 0.3) * 25, 0, 8),
            )
        )
    if gesture.slouching_ratio is not None:
        slouch_events = [e for e in gesture.posture_events if e.kind == "slouching"]
        signals.append(
            Signal(
                name="slouching_ratio",
                value=gesture.slouching_ratio,
                effect=-_clip(gesture.slouching_ratio * 10, 0, 8),
                evidence=_span_evidence(slouch_events, "posture", "slouching"),
            )
        )
    return signals


def visual_stress_score(face: FaceAnalysis, gesture: GestureAnalysis | None) -> Score:
    """Score visible stress 0-100 from blinks, brow tension, micro-expressions, gaze, motion and hands.

    Starts at 25; each measured signal moves it by a bounded, stated amount.
    """
    duration = face.duration_s
    signals: list[Signal] = []
    if face.blink_rate_per_min is not None:
        signals.append(
            Signal(
                name="blink_rate_per_min",
                value=face.blink_rate_per_min,
                effect=_clip((face.blink_rate_per_min - 20) * 0.8, 0, 20),
            )
        )
    if face.frown_ratio is not None:
        signals.append(Signal(name="frown_ratio", value=face.frown_ratio, effect=_clip(face.frown_ratio * 40, 0, 15)))
    if "micro_expression_events" not in face.not_measured:
        rate = _per_min(len(face.micro_expression_events), duration)
        signals.append(
            Signal(
                name="micro_expressions_per_min",
                value=round(rate, 2),
                effect=_clip(rate * 2, 0, 10),
                evidence=_span_evidence(face.micro_expression_events, "micro_expression", "brief"),
            )
        )
    if face.eye_contact_ratio is not None:
        rate = _per_min(len(face.looking_away_events), duration)
        signals.append(
            Signal(
                name="looking_away_per_min",
                value=round(rate, 2),
                effect=_clip((rate - 2) * 2, 0, 10),
                evidence=_span_evidence(face.looking_away_events, "looking_away", "looked away"),
            )
        )
    if face.head_motion is not None:
        speed = face.head_motion.mean_speed_deg_s
        signals.append(Signal(name="head_motion_deg_s", value=speed, effect=_clip((speed - 20) / 2, 0, 10)))
    if face.smile_ratio is not None:
        signals.append(Signal(name="smile_ratio", value=face.smile_ratio, effect=-_clip(face.smile_ratio * 20, 0, 10)))
    signals.extend(_gesture_stress_signals(gesture, duration))
    return _finish(STRESS_BASE, signals)


def _gesture_stress_signals(gesture: GestureAnalysis | None, duration: float) -> list[Signal]:
    if gesture is None:
        return []
    signals = []
    if gesture.hand_to_face_events is not None:
        rate = _per_min(len(gesture.hand_to_face_events), duration)
        signals.append(
            Signal(
                name="hand_to_face_per_min",
                value=round(rate, 2),
                effect=_clip(rate * 4, 0, 12),
                evidence=_span_evidence(gesture.hand_to_face_events, "hand_to_face", "hand at face"),
            )
        )
    if gesture.fidgeting_score is not None:
        signals.append(
            Signal(
                name="fidgeting_score", value=gesture.fidgeting_score, effect=_clip(gesture.fidgeting_score * 15, 0, 10)
            )
        )
    if gesture.shoulder_tension_ratio is not None:
        raised = [e for e in gesture.posture_events if e.kind == "shoulders_raised"]
        signals.append(
            Signal(
                name="shoulder_tension_ratio",
                value=gesture.shoulder_tension_ratio,
                effect=_clip(gesture.shoulder_tension_ratio * 15, 0, 10),
                evidence=_span_evidence(raised, "posture", "shoulders raised"),
            )
        )
    return signals
