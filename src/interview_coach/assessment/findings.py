"""Deterministic findings: measured patterns (weaknesses and strengths) with their evidence.

Every threshold and every target named in a message comes from
:mod:`interview_coach.domain.targets`, the same numbers the scores use, so a card never
names two different targets for one metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from interview_coach.assessment.voice_scores import judged_filler_rate
from interview_coach.domain import AnswerAnalysis, Evidence, Finding, QuestionKind
from interview_coach.domain.face import FaceAnalysis, GestureAnalysis
from interview_coach.domain.intervals import TimeSpan, format_timestamp
from interview_coach.domain.targets import (
    BLINK_RATE,
    DISCOURSE_MARKERS_PER_MIN,
    EYE_CONTACT,
    FACE_ABSENT_MAX_SHARE,
    FILLERS_PER_MIN,
    LONG_PAUSE_S,
    LONG_PAUSES,
    PACE,
    SLOW_START_S,
)
from interview_coach.domain.text import TextAnalysis
from interview_coach.domain.voice import VoiceAnalysis

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
    """Find pace, filler, discourse-marker, pause and delay patterns in a voice analysis."""
    if voice is None or voice.not_measured_reason:
        return []
    found = _pace_findings(voice.wpm)
    found += _filler_findings(voice)
    long_pauses = float(voice.long_pause_count)
    if long_pauses > (LONG_PAUSES.high or 0.0):
        long_ones = [p for p in voice.pauses if p.duration_s >= LONG_PAUSE_S]
        found.append(
            Finding(
                pattern_id="long_pauses",
                metric="long_pause_count",
                polarity="weakness",
                value=long_pauses,
                message=f"{long_pauses:.0f} pauses of {LONG_PAUSE_S:g} s or more.",
                evidence=_events(long_ones, "pause", "long pause"),
            )
        )
    delay = voice.response_delay_s
    if delay is not None and delay > SLOW_START_S:
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


def _pace_findings(wpm: float | None) -> list[Finding]:
    if wpm is None or wpm <= 0:
        return []
    aim = f"aim for {PACE.describe()}"
    polarity: Literal["weakness", "strength"] = "weakness"
    if wpm > (PACE.high or 0.0):
        pattern, message = "pace_too_fast", f"You spoke fast ({wpm:.0f} words per minute; {aim})."
    elif wpm < (PACE.low or 0.0):
        pattern, message = "pace_too_slow", f"Your pace was slow ({wpm:.0f} words per minute; {aim})."
    else:
        polarity, pattern = "strength", "pace_good"
        message = f"Comfortable pace ({wpm:.0f} words per minute; {aim})."
    return [Finding(pattern_id=pattern, metric="wpm", polarity=polarity, value=wpm, message=message)]


def _filler_findings(voice: VoiceAnalysis) -> list[Finding]:
    found: list[Finding] = []
    rate = judged_filler_rate(voice)
    if rate is not None and voice.fillers_per_min is not None and not FILLERS_PER_MIN.on_target(rate):
        said = ", ".join(dict.fromkeys(f'"{f.word}"' for f in voice.fillers))
        found.append(
            Finding(
                pattern_id="fillers_high",
                metric="fillers_per_min",
                polarity="weakness",
                value=voice.fillers_per_min,
                message=(
                    f"{voice.filler_count} fillers ({said}), {voice.fillers_per_min:.1f} per minute "
                    f"(aim for {FILLERS_PER_MIN.describe()})."
                ),
                evidence=_events(voice.fillers, "filler", "filler"),
            )
        )
    marker_rate = voice.discourse_markers_per_min
    if (
        marker_rate is not None
        and voice.discourse_marker_count >= 3
        and not DISCOURSE_MARKERS_PER_MIN.on_target(marker_rate)
    ):
        said = ", ".join(dict.fromkeys(f'"{m.word}"' for m in voice.discourse_markers))
        found.append(
            Finding(
                pattern_id="discourse_markers",
                metric="discourse_markers_per_min",
                polarity="weakness",
                value=marker_rate,
                message=(
                    f"Mid-sentence {said} {voice.discourse_marker_count} times ({marker_rate:.1f} per minute); "
                    "natural in conversation, but fewer make the answer crisper."
                ),
                evidence=_events(voice.discourse_markers, "discourse_marker", "said"),
            )
        )
    return found


def face_findings(face: FaceAnalysis | None, gesture: GestureAnalysis | None) -> list[Finding]:
    """Find eye-contact, face-presence, blink and gesture patterns in face and gesture analyses.

    Eye contact is measured over the frames where the face is visible, so the time the face
    was out of view is always reported beside it, and "steady eye contact" is never claimed
    while the face was out of view for a quarter of the answer or more.
    """
    found = _eye_contact_findings(face) if face is not None and not face.not_measured_reason else []
    blink = face.blink_rate_per_min if face is not None else None
    if blink is not None and not BLINK_RATE.on_target(blink):
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


def _eye_contact_findings(face: FaceAnalysis) -> list[Finding]:
    eye = face.eye_contact_ratio
    if eye is None:
        return []
    absent_share = 1.0 - face.face_present_ratio if face.frames_analyzed else 0.0
    absent_s = face.face_absent_s or absent_share * face.duration_s
    absent_note = (
        f"; your face was out of view for {absent_s:.1f} s ({absent_share:.0%} of the answer)"
        if absent_s >= 0.5
        else ""
    )
    measured = f"{EYE_CONTACT.number(eye)} of the time your face was visible"
    # The same wording as the visual-confidence evidence, so a card lists each absence once.
    absences = [a.span_evidence("absence", f"face not visible {a.start:.1f}-{a.end:.1f} s") for a in face.absences[:5]]
    if absent_share >= FACE_ABSENT_MAX_SHARE:
        message = f"Eye contact {measured}{absent_note}: stay in the frame so the interviewer can see you."
        return [_eye_finding("face_out_of_view", "weakness", eye, message, absences)]
    if not EYE_CONTACT.on_target(eye):
        away = _events(face.looking_away_events, "looking_away", "looked away")
        message = f"Eye contact {measured} (aim for {EYE_CONTACT.describe()}){absent_note}."
        return [_eye_finding("eye_contact_low", "weakness", eye, message, away + absences)]
    return [
        _eye_finding("eye_contact_good", "strength", eye, f"Steady eye contact ({measured}){absent_note}.", absences)
    ]


def _eye_finding(
    pattern: str, polarity: Literal["weakness", "strength"], eye: float, message: str, evidence: list[Evidence]
) -> Finding:
    return Finding(
        pattern_id=pattern,
        metric="eye_contact_ratio",
        polarity=polarity,
        value=eye,
        message=message,
        evidence=evidence,
    )


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
        + [f.model_copy(update={"source": "voice"}) for f in voice_findings(analysis.voice)]
        + [f.model_copy(update={"source": "face"}) for f in face_findings(analysis.face, analysis.gesture)]
    )
