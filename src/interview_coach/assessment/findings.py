"""Deterministic findings: measured patterns (weaknesses and strengths) with their evidence.

Thresholds follow common interview-coaching guidance (e.g. 120-170 spoken words per minute
is comfortable to follow; more than about four fillers a minute is noticeable).
"""

from __future__ import annotations

from collections.abc import Sequence

from interview_coach.domain import AnswerAnalysis, Evidence, Finding, QuestionKind
from interview_coach.domain.face import FaceAnalysis, GestureAnalysis
from interview_coach.domain.intervals import TimeSpan, format_timestamp
from interview_coach.domain.text import TextAnalysis
from interview_coach.domain.voice import LONG_PAUSE_MIN_S, VoiceAnalysis

PACE_RANGE_WPM = (115.0, 175.0)
FILLERS_PER_MIN_MAX = 4.0
RESPONSE_DELAY_MAX_S = 5.0
EYE_CONTACT_MIN = 0.6
BLINK_RATE_MAX = 35.0


STRENGTH_TITLES = {
    "pace_good": "Comfortable speaking pace",
    "eye_contact_good": "Steady eye contact",
    "star_complete": "Complete STAR structure",
    "key_points_covered": "Covered most of the expected key points",
    "specific": "Concrete specifics: numbers, tools and your own actions",
}


def _stamp(seconds: float | None) -> str:
    return "?" if seconds is None else format_timestamp(seconds)


def _events(items: Sequence[TimeSpan] | None, kind: str, label: str, limit: int = 5) -> list[Evidence]:
    evidence: list[Evidence] = []
    for item in list(items or [])[:limit]:
        word = getattr(item, "word", None) or getattr(item, "direction", None) or ""
        detail = f"{label} {word} at {_stamp(item.start)}".replace("  ", " ")
        evidence.append(Evidence(kind=kind, detail=detail, start_s=item.start, end_s=item.end))
    return evidence


def voice_findings(voice: VoiceAnalysis | None) -> list[Finding]:
    """Find pace, filler, pause and delay patterns in a voice analysis."""
    if voice is None or voice.not_measured_reason:
        return []
    found: list[Finding] = []
    wpm = voice.wpm
    fillers_per_min = voice.fillers_per_min
    long_pauses = float(voice.long_pause_count)
    delay = voice.response_delay_s
    if wpm is not None and wpm > PACE_RANGE_WPM[1]:
        found.append(
            Finding(
                pattern_id="pace_too_fast",
                metric="wpm",
                polarity="weakness",
                value=wpm,
                message=f"You spoke fast ({wpm:.0f} words/min; aim for 120-170).",
            )
        )
    elif wpm is not None and 0 < wpm < PACE_RANGE_WPM[0]:
        found.append(
            Finding(
                pattern_id="pace_too_slow",
                metric="wpm",
                polarity="weakness",
                value=wpm,
                message=f"Your pace was slow ({wpm:.0f} words/min; aim for 120-170).",
            )
        )
    elif wpm is not None:
        found.append(
            Finding(
                pattern_id="pace_good",
                metric="wpm",
                polarity="strength",
                value=wpm,
                message=f"Comfortable pace ({wpm:.0f} words/min).",
            )
        )
    if fillers_per_min is not None and fillers_per_min > FILLERS_PER_MIN_MAX:
        found.append(
            Finding(
                pattern_id="fillers_high",
                metric="fillers_per_min",
                polarity="weakness",
                value=fillers_per_min,
                message=f"{fillers_per_min:.1f} filler words per minute.",
                evidence=_events(voice.fillers, "filler", "filler"),
            )
        )
    if long_pauses >= 2:
        long_ones = [p for p in voice.pauses if p.duration_s >= LONG_PAUSE_MIN_S]
        found.append(
            Finding(
                pattern_id="long_pauses",
                metric="long_pause_count",
                polarity="weakness",
                value=long_pauses,
                message=f"{long_pauses:.0f} pauses of 2 s or more.",
                evidence=_events(long_ones, "pause", "long pause"),
            )
        )
    if delay is not None and delay > RESPONSE_DELAY_MAX_S:
        found.append(
            Finding(
                pattern_id="slow_start",
                metric="response_delay_s",
                polarity="weakness",
                value=delay,
                message=f"{delay:.1f} s of silence before your first word.",
            )
        )
    if voice.monotone is True:
        found.append(
            Finding(
                pattern_id="monotone",
                metric="pitch_variation_st",
                polarity="weakness",
                value=voice.pitch_variation_st,
                message="Little pitch variation: the delivery sounded flat.",
            )
        )
    return found


def face_findings(face: FaceAnalysis | None, gesture: GestureAnalysis | None) -> list[Finding]:
    """Find eye-contact, blink and gesture patterns in face and gesture analyses."""
    found: list[Finding] = []
    eye = face.eye_contact_ratio if face is not None else None
    if eye is not None and eye < EYE_CONTACT_MIN:
        found.append(
            Finding(
                pattern_id="eye_contact_low",
                metric="eye_contact_ratio",
                polarity="weakness",
                value=eye,
                message=f"Eye contact {eye:.0%} of the time.",
                evidence=_events(face.looking_away_events if face else None, "looking_away", "looked away"),
            )
        )
    elif eye is not None:
        found.append(
            Finding(
                pattern_id="eye_contact_good",
                metric="eye_contact_ratio",
                polarity="strength",
                value=eye,
                message=f"Steady eye contact ({eye:.0%}).",
            )
        )
    blink = face.blink_rate_per_min if face is not None else None
    if blink is not None and blink > BLINK_RATE_MAX:
        found.append(
            Finding(
                pattern_id="blink_rate_high",
                metric="blink_rate_per_min",
                polarity="weakness",
                value=blink,
                message=f"Blink rate {blink:.0f}/min, often a sign of stress.",
            )
        )
    touches = (gesture.hand_to_face_events if gesture is not None else None) or []
    if len(touches) >= 2:
        found.append(
            Finding(
                pattern_id="face_touching",
                metric="hand_to_face_count",
                polarity="weakness",
                value=float(len(touches)),
                message=f"Touched your face {len(touches)} times.",
                evidence=_events(touches, "gesture", "hand to face"),
            )
        )
    fidget = gesture.fidgeting_score if gesture is not None else None
    if fidget is not None and fidget > 0.5:
        found.append(
            Finding(
                pattern_id="fidgeting",
                metric="fidgeting_score",
                polarity="weakness",
                value=fidget,
                message="Noticeable fidgeting.",
            )
        )
    return found


def text_findings(text: TextAnalysis | None, kind: QuestionKind) -> list[Finding]:
    """Find content patterns: structure, key points, specificity, hedging, length, injection."""
    if text is None:
        return []
    found: list[Finding] = []
    if text.injection_flags:
        quotes = [
            Evidence(kind="injection", detail=f.kind.replace("_", " "), quote=f.quote) for f in text.injection_flags[:3]
        ]
        found.append(
            Finding(
                pattern_id="prompt_injection_flagged",
                metric="injection",
                polarity="weakness",
                message="The answer contains instructions aimed at the scorer; they were ignored.",
                evidence=quotes,
            )
        )
    if text.off_topic:
        found.append(
            Finding(
                pattern_id="off_topic",
                metric="relevance",
                polarity="weakness",
                value=text.relevance,
                message="The answer did not address the question.",
            )
        )
    if text.too_short:
        words = float(text.word_count)
        found.append(
            Finding(
                pattern_id="answer_too_short",
                metric="answer_length",
                polarity="weakness",
                value=words,
                message=f"Very short answer ({words or 0:.0f} words).",
            )
        )
    if kind in (QuestionKind.BEHAVIORAL, QuestionKind.SITUATIONAL):
        for part in text.star_missing:
            found.append(
                Finding(
                    pattern_id=f"star_missing_{part}",
                    metric="star_missing",
                    polarity="weakness",
                    message=f"No clear {part} in the STAR structure.",
                )
            )
        if not text.star_missing and not text.too_short:
            found.append(
                Finding(
                    pattern_id="star_complete",
                    metric="star_missing",
                    polarity="strength",
                    message="Complete STAR structure (situation, task, action, result).",
                )
            )
    else:
        structure = text.technical_structure
        absent = [part.replace("_", "-") for part in (structure.missing if structure else [])]
        if absent and not text.too_short:
            found.append(
                Finding(
                    pattern_id="weak_technical_structure",
                    metric="technical_structure",
                    polarity="weakness",
                    message=f"The explanation has no {' or '.join(absent)}.",
                )
            )
    missing = text.missing_key_points
    coverage = text.key_point_coverage
    if missing and not text.off_topic:
        found.append(
            Finding(
                pattern_id="missing_key_points",
                metric="key_point_coverage",
                polarity="weakness",
                value=coverage,
                message="Not covered: " + "; ".join(missing[:3]) + ".",
            )
        )
    if coverage >= 0.75:
        covered = [kp for kp in text.key_points if kp.covered]
        evidence = [Evidence(kind="key_point", detail=kp.point, quote=kp.quote) for kp in covered[:4]]
        found.append(
            Finding(
                pattern_id="key_points_covered",
                metric="key_point_coverage",
                polarity="strength",
                value=coverage,
                message=f"Covered {coverage:.0%} of the expected key points.",
                evidence=evidence,
            )
        )
    hedges = text.hedges
    if len(hedges) >= 2:
        quotes = [Evidence(kind="hedge", detail="hedge", quote=h.quote) for h in hedges[:3]]
        found.append(
            Finding(
                pattern_id="hedging",
                metric="hedges",
                polarity="weakness",
                value=float(len(hedges)),
                message=f"{len(hedges)} hedging phrases weaken the answer.",
                evidence=quotes,
            )
        )
    specificity = text.specificity_score.value
    if specificity is not None:
        if specificity < 40 and not text.too_short:
            found.append(
                Finding(
                    pattern_id="vague_answer",
                    metric="specificity",
                    polarity="weakness",
                    value=float(specificity),
                    message="Few specifics: no numbers, tools or concrete actions.",
                )
            )
        elif specificity >= 70:
            found.append(
                Finding(
                    pattern_id="specific",
                    metric="specificity",
                    polarity="strength",
                    value=float(specificity),
                    message="Concrete specifics (numbers, tools, your own actions).",
                )
            )
    return found


def find_patterns(analysis: AnswerAnalysis, kind: QuestionKind) -> list[Finding]:
    """All findings for one analysed answer."""
    return (
        text_findings(analysis.text, kind)
        + voice_findings(analysis.voice)
        + face_findings(analysis.face, analysis.gesture)
    )
