"""Deterministic findings: measured patterns (weaknesses and strengths) with their evidence.

Thresholds follow common interview-coaching guidance (e.g. 120-170 spoken words per minute
is comfortable to follow; more than about four fillers a minute is noticeable).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from interview_coach.domain import AnswerAnalysis, Evidence, QuestionKind
from interview_coach.tools.media.timeline import format_timestamp

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


class Finding(BaseModel):
    """One detected pattern in an answer, tied to a coaching-KB entry."""

    pattern_id: str
    metric: str
    polarity: Literal["weakness", "strength"]
    message: str
    value: float | None = None
    evidence: list[Evidence] = Field(default_factory=list)


def _num(data: dict[str, Any] | None, key: str) -> float | None:
    if not data:
        return None
    value = data.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _stamp(seconds: float | None) -> str:
    return "?" if seconds is None else format_timestamp(seconds)


def _events(items: Any, kind: str, label: str, limit: int = 5) -> list[Evidence]:
    evidence: list[Evidence] = []
    for item in list(items or [])[:limit]:
        if isinstance(item, dict):
            start, end = item.get("start", item.get("start_s")), item.get("end", item.get("end_s"))
            word = item.get("word") or item.get("direction") or ""
            detail = f"{label} {word} at {_stamp(start)}".replace("  ", " ")
            evidence.append(Evidence(kind=kind, detail=detail, start_s=start, end_s=end))
    return evidence


def voice_findings(voice: dict[str, Any] | None) -> list[Finding]:
    """Find pace, filler, pause and delay patterns in a voice analysis."""
    if not voice:
        return []
    found: list[Finding] = []
    wpm = _num(voice, "wpm")
    fillers_per_min = _num(voice, "fillers_per_min")
    long_pauses = _num(voice, "long_pause_count")
    delay = _num(voice, "response_delay_s")
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
                evidence=_events(voice.get("fillers"), "filler", "filler"),
            )
        )
    if long_pauses is not None and long_pauses >= 2:
        long_ones = [
            p for p in voice.get("pauses") or [] if isinstance(p, dict) and float(p.get("duration_s", 0)) >= 2.0
        ]
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
    if voice.get("monotone") is True:
        found.append(
            Finding(
                pattern_id="monotone",
                metric="pitch_variation_st",
                polarity="weakness",
                value=_num(voice, "pitch_variation_st"),
                message="Little pitch variation: the delivery sounded flat.",
            )
        )
    return found


def face_findings(face: dict[str, Any] | None, gesture: dict[str, Any] | None) -> list[Finding]:
    """Find eye-contact, blink and gesture patterns in face and gesture analyses."""
    found: list[Finding] = []
    eye = _num(face, "eye_contact_ratio")
    if eye is not None and eye < EYE_CONTACT_MIN:
        found.append(
            Finding(
                pattern_id="eye_contact_low",
                metric="eye_contact_ratio",
                polarity="weakness",
                value=eye,
                message=f"Eye contact {eye:.0%} of the time.",
                evidence=_events((face or {}).get("looking_away_events"), "looking_away", "looked away"),
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
    blink = _num(face, "blink_rate_per_min")
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
    touches = (gesture or {}).get("hand_to_face_events") or []
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
    fidget = _num(gesture, "fidgeting_score")
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


def text_findings(text: dict[str, Any] | None, kind: QuestionKind) -> list[Finding]:
    """Find content patterns: structure, key points, specificity, hedging, length, injection."""
    if not text:
        return []
    found: list[Finding] = []
    if text.get("injection_flags"):
        quotes = [
            Evidence(kind="injection", detail=str(f.get("kind", "")), quote=f.get("quote"))
            for f in text["injection_flags"][:3]
            if isinstance(f, dict)
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
    if text.get("off_topic"):
        found.append(
            Finding(
                pattern_id="off_topic",
                metric="relevance",
                polarity="weakness",
                value=_num(text, "relevance"),
                message="The answer did not address the question.",
            )
        )
    if text.get("too_short"):
        words = _num(text, "word_count")
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
        for part in text.get("star_missing") or []:
            found.append(
                Finding(
                    pattern_id=f"star_missing_{part}",
                    metric="star_missing",
                    polarity="weakness",
                    message=f"No clear {part} in the STAR structure.",
                )
            )
        if not text.get("star_missing") and not text.get("too_short"):
            found.append(
                Finding(
                    pattern_id="star_complete",
                    metric="star_missing",
                    polarity="strength",
                    message="Complete STAR structure (situation, task, action, result).",
                )
            )
    else:
        structure = text.get("technical_structure") or {}
        absent = [part.replace("_", "-") for part in structure.get("missing") or []]
        if absent and not text.get("too_short"):
            found.append(
                Finding(
                    pattern_id="weak_technical_structure",
                    metric="technical_structure",
                    polarity="weakness",
                    message=f"The explanation has no {' or '.join(absent)}.",
                )
            )
    missing = text.get("missing_key_points") or []
    coverage = _num(text, "key_point_coverage")
    if missing and not text.get("off_topic"):
        found.append(
            Finding(
                pattern_id="missing_key_points",
                metric="key_point_coverage",
                polarity="weakness",
                value=coverage,
                message="Not covered: " + "; ".join(missing[:3]) + ".",
            )
        )
    if coverage is not None and coverage >= 0.75:
        covered = [kp for kp in text.get("key_points") or [] if isinstance(kp, dict) and kp.get("covered")]
        evidence = [
            Evidence(kind="key_point", detail=str(kp.get("point")), quote=kp.get("quote")) for kp in covered[:4]
        ]
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
    hedges = text.get("hedges") or []
    if len(hedges) >= 2:
        quotes = [
            Evidence(kind="hedge", detail="hedge", quote=h.get("quote") if isinstance(h, dict) else str(h))
            for h in hedges[:3]
        ]
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
    specificity = (text.get("specificity_score") or {}).get("value")
    if isinstance(specificity, int | float):
        if specificity < 40 and not text.get("too_short"):
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
