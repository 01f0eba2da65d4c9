"""Human labels and one-line meanings for every score, signal and evidence a user sees (the one source of truth).

Scores, the signals that move them, the kinds of evidence behind them and the metrics compared
across sessions are keyed by internal names (``speech_rate_wpm``, ``length_vs_budget``). Every
surface (feedback cards, the report, exports, the CLI, the coach) names them through this
module, so no internal key reaches people. ``tests/integration/test_words_for_people.py`` checks
that every key the scoring code can emit has an entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from interview_coach.domain.reports import SessionReport
from interview_coach.domain.text import STAR_PARTS, TECHNICAL_PARTS
from interview_coach.domain.voice import LONG_PAUSE_MIN_S


@dataclass(frozen=True)
class ScoreLabel:
    """How a score or signal is named and explained to people.

    Attributes:
        name: the human label.
        meaning: one line saying what the number means and which way is better.
        direction: for a 0-100 score, the short phrase saying which way is good ("lower is calmer").
    """

    name: str
    meaning: str
    direction: str = ""


SCORE_LABELS: dict[str, ScoreLabel] = {
    "answer_quality": ScoreLabel(
        "Answer quality", "how well the content answers the question; higher is better", "higher is better"
    ),
    "fluency": ScoreLabel(
        "Fluency", "pace, fillers and pauses of the spoken answer; higher is smoother", "higher is smoother"
    ),
    "confidence": ScoreLabel(
        "Confidence",
        "how confident voice and face came across; higher is more confident",
        "higher is more confident",
    ),
    "stress": ScoreLabel("Stress", "visible signs of tension; lower is calmer", "lower is calmer"),
}
OVERALL_SCORES = tuple(SCORE_LABELS)

PART_LABELS: dict[str, str] = {
    "situation": "situation",
    "task": "task",
    "action": "action",
    "result": "result",
    "definition": "definition",
    "example": "example",
    "trade_off": "trade-off",
}
"""The parts of a structured answer (STAR for stories; definition, example, trade-off for technical answers)."""


def _signal(name: str, meaning: str) -> ScoreLabel:
    return ScoreLabel(name, meaning)


_VOICE_SIGNALS: dict[str, ScoreLabel] = {
    "speech_rate_wpm": _signal(
        "speaking pace", "words per minute; best inside the comfortable band, neither rushed nor slow"
    ),
    "fillers_per_min": _signal(
        "filler words per minute", "um, uh and similar sounds per minute; fewer sounds smoother"
    ),
    "long_pauses": _signal(
        "long pauses", f"silences of {LONG_PAUSE_MIN_S:.0f} s or more inside the answer; fewer sounds smoother"
    ),
    "repetitions": _signal("repeated words", "words said twice in a row (“I I”); fewer sounds smoother"),
    "paused_share": _signal("share of time paused", "how much of the answer was silence; less sounds smoother"),
    "response_delay_s": _signal(
        "delay before the first word", "seconds from the end of the question to your first word; shorter sounds readier"
    ),
    "pitch_variation_st": _signal(
        "pitch variation", "how much your voice rises and falls, in semitones; more variation sounds livelier"
    ),
    "volume_variation_db": _signal(
        "volume variation", "how much your loudness changes, in decibels; some variation holds attention"
    ),
    "mean_word_probability": _signal(
        "speech clarity", "how sure speech recognition was of each word; higher means clearer speech"
    ),
    "gasps": _signal("audible gasps", "sharp breaths between phrases; fewer sound calmer"),
}
_TEXT_SIGNALS: dict[str, ScoreLabel] = {
    "relevance": _signal(
        "relevance to the question", "how closely the answer addresses the question; higher is better"
    ),
    "similarity_to_question": _signal(
        "closeness to the question", "how close the answer's wording is to the question, before calibration"
    ),
    "question_restated": _signal("question restated", "sentences that only repeat the question; they earn nothing"),
    "key_point_coverage": _signal(
        "key points covered", "how much of what a good answer covers this one covered; higher is better"
    ),
    "correctness": _signal(
        "correctness against a good answer", "how much of what a good answer says this one says; higher is better"
    ),
    "structure": _signal(
        "structure",
        "whether the expected parts are there (situation, task, action, result; or definition, example, trade-off)",
    ),
    "follow_up_asks_no_structure": _signal(
        "no structure asked for", "this follow-up asked for one detail, so structure is not judged"
    ),
    "specificity": _signal("specific details", "numbers, named tools and your own actions; more is better"),
    "numbers": _signal("numbers", "figures that make the answer concrete"),
    "first_person_actions": _signal("your own actions", "things you say you did yourself (“I built…”)"),
    "named_terms": _signal("named tools and terms", "specific technologies, methods or names"),
    "we_actions": _signal("actions described as “we”", "things the team did; say what you did yourself"),
    "length_vs_budget": _signal(
        "length for the time available", "whether the answer used its time well; too short or far too long loses points"
    ),
    "hedges": _signal("hedging phrases", "phrases such as “I think” or “kind of”; fewer sound surer"),
    "fillers_in_text": _signal("filler words", "um, uh and similar words in the answer; fewer read better"),
    "discourse_markers_in_text": _signal(
        "discourse markers", "mid-sentence “like”, “you know”, “basically”; not scored, fewer read crisper"
    ),
    "hedges_and_fillers_per_100_words": _signal(
        "hedges and fillers per 100 words", "how often hedges and fillers appear; fewer is better"
    ),
    "too_short": _signal("answer too short", "a short answer keeps only part of its points"),
    "little_content": _signal(
        "little that answers the question", "only a few sentences earned credit, so the answer keeps part of its points"
    ),
    "nothing_on_question": _signal(
        "nothing that addresses the question", "no sentence was about the question, so nothing earned credit"
    ),
    "empty_answer": _signal("empty answer", "there were no words to judge"),
    "floor_at_zero": _signal("score floor", "penalties cannot take a score below 0"),
}
_FACE_SIGNALS: dict[str, ScoreLabel] = {
    "eye_contact_ratio": _signal(
        "eye contact", "share of the time you looked towards the camera while your face was visible; more is better"
    ),
    "eye_contact": _signal("eye contact", "share of the time you looked towards the camera; more is better"),
    "looking_away_per_min": _signal(
        "looking away", "times per minute you looked away from the camera; fewer is steadier"
    ),
    "face_present_ratio": _signal("face visible", "share of the recording with your face in view; more is better"),
    "smile_ratio": _signal("smiling", "share of the time you smiled; smiling reads as confident and calm"),
    "head_motion_deg_s": _signal(
        "head movement", "how fast your head moved on average; calmer movement reads as steadier"
    ),
    "nods_per_min": _signal("nodding", "nods per minute; some nodding reads as engaged"),
    "hand_to_face_per_min": _signal("hand at face", "touches of the face per minute; fewer read as calmer"),
    "fidgeting_score": _signal("fidgeting", "small restless hand movements; less reads as calmer"),
    "slouching_ratio": _signal("slouching", "share of the time you slouched; sitting up reads as more confident"),
    "blink_rate_per_min": _signal("blink rate", "blinks per minute; a high rate is often a sign of stress"),
    "frown_ratio": _signal(
        "frowning", "share of the time your brows were lowered or you frowned; less reads as calmer"
    ),
    "micro_expressions_per_min": _signal(
        "brief tense expressions", "very short expressions of tension per minute; fewer read as calmer"
    ),
    "shoulder_tension_ratio": _signal(
        "raised shoulders", "share of the time your shoulders were raised; less reads as calmer"
    ),
}
_COMBINED_SIGNALS: dict[str, ScoreLabel] = {
    "voice_confidence": _signal("confidence from the voice", "the voice part of the confidence score"),
    "face_confidence": _signal("confidence from the face", "the camera part of the confidence score"),
    "face_stress": _signal("stress from the face", "the camera part of the stress score; lower is calmer"),
}
_STRUCTURE_SIGNALS: dict[str, ScoreLabel] = {
    f"has_{part}": _signal(f"{PART_LABELS[part]} present", f"whether the answer has a clear {PART_LABELS[part]}")
    for part in dict.fromkeys((*STAR_PARTS, *TECHNICAL_PARTS))
}
_SESSION_METRICS: dict[str, ScoreLabel] = {
    "wpm": _signal("speaking pace", "words per minute"),
    "long_pause_count": _signal("long pauses", f"silences of {LONG_PAUSE_MIN_S:.0f} s or more"),
    "questions_answered": _signal("questions answered", "questions answered in the session"),
}

SIGNAL_LABELS: dict[str, ScoreLabel] = {
    **_VOICE_SIGNALS,
    **_TEXT_SIGNALS,
    **_FACE_SIGNALS,
    **_COMBINED_SIGNALS,
    **_STRUCTURE_SIGNALS,
    **_SESSION_METRICS,
}
"""Every signal a score can carry, and every metric compared across sessions, by its internal key."""

EVIDENCE_LABELS: dict[str, str] = {
    "quote": "quote",
    "key_point": "key point",
    "key_point_covered": "key point covered",
    "key_point_missing": "key point not covered",
    "graded_answers": "graded answers",
    "length": "length",
    "hedge": "hedge",
    "hedges": "hedge",
    "filler": "filler",
    "discourse_marker": "discourse marker",
    "fillers_in_text": "filler",
    "discourse_markers_in_text": "discourse marker",
    "repetition": "repeated words",
    "repetitions": "repeated words",
    "doubled_word": "repeated word",
    "repeated_sentence": "repeated sentence",
    "repeated_phrase": "repeated phrase",
    "uncredited": "not counted",
    "number": "number",
    "numbers": "number",
    "i_action": "your action",
    "first_person_actions": "your action",
    "we_action": "team action",
    "named_term": "named term",
    "named_terms": "named term",
    "injection": "instructions to the scorer",
    "hidden_unicode": "hidden characters",
    "encoded_payload": "encoded text",
    "pace": "pace",
    "pause": "pause",
    "pauses": "silence",
    "long_pause": "long pause",
    "response_delay": "first word",
    "intonation": "pitch",
    "volume": "loudness",
    "clarity": "clarity",
    "gasp": "gasp",
    "looking_away": "looking away",
    "absence": "face out of view",
    "hand_to_face": "hand at face",
    "gesture": "gesture",
    "posture": "posture",
    "micro_expression": "brief expression",
    "nod": "nod",
}
"""The kinds of evidence shown next to an answer ("0:42 long pause: 3.1 s")."""


def score_label(name: str) -> str:
    """Return the human label of a score (``answer_quality`` → ``Answer quality``)."""
    label = SCORE_LABELS.get(name)
    return label.name if label else _words(name).capitalize()


def score_meaning(name: str) -> str:
    """Return the one-line meaning of a score, empty for an unknown one."""
    label = SCORE_LABELS.get(name)
    return label.meaning if label else ""


def score_direction(name: str) -> str:
    """Return which way a score is good ("lower is calmer"), empty for an unknown one."""
    label = SCORE_LABELS.get(name)
    return label.direction if label else ""


def score_phrase(name: str, value: int | None) -> str:
    """Name a measured score with its direction: ``Stress 15/100 (lower is calmer)``."""
    text = f"{score_label(name)} {value}/100" if value is not None else f"{score_label(name)} not measured"
    direction = score_direction(name)
    return f"{text} ({direction})" if direction and value is not None else text


def signal_label(name: str) -> str:
    """Return the human label of a measured signal (``response_delay_s`` → ``delay before the first word``)."""
    label = SIGNAL_LABELS.get(name)
    return label.name if label else _words(name)


def signal_meaning(name: str) -> str:
    """Return the one-line meaning of a signal, empty for an unknown one."""
    label = SIGNAL_LABELS.get(name)
    return label.meaning if label else ""


def glossary(report: SessionReport) -> list[tuple[str, str]]:
    """List what each score and each measurement in a report means, in the order they first appear."""
    meanings = {SCORE_LABELS[n].name: SCORE_LABELS[n].meaning for n in report.overall_scores if n in SCORE_LABELS}
    for question in report.questions:
        for score in question.scores.values():
            for signal in score.signals:
                label = SIGNAL_LABELS.get(signal.name)
                if label is not None:
                    meanings.setdefault(label.name, label.meaning)
    return list(meanings.items())


def evidence_label(kind: str) -> str:
    """Return the human label of a kind of evidence (``looking_away`` → ``looking away``)."""
    return EVIDENCE_LABELS.get(kind) or _words(kind)


def part_label(part: str) -> str:
    """Return the human name of a structure part (``trade_off`` → ``trade-off``)."""
    return PART_LABELS.get(part) or _words(part)


def is_labelled(name: str) -> bool:
    """Tell whether a score or signal key has its own human label (no fallback)."""
    return name in SCORE_LABELS or name in SIGNAL_LABELS


def _words(key: str) -> str:
    # Last resort for a key added without a label: never show an underscore or a unit suffix.
    for suffix in ("_wpm", "_s", "_st", "_db", "_ratio", "_per_min", "_score"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key.replace("_", " ")


def counted(count: float, noun: str, plural: str | None = None) -> str:
    """Put a count before a noun, singular for one: ``1 answer``, ``2 answers``, ``1 repeated word``."""
    number = f"{count:g}" if isinstance(count, float) else str(count)
    return f"{number} {noun if count == 1 else plural or noun + 's'}"


ANSWER_MODES = {"text": "typed answer", "audio": "spoken answer", "video": "video answer", "skipped": "skipped"}


def answer_mode_label(mode: str) -> str:
    """Return how an answer was given, in words (``audio`` → ``spoken answer``)."""
    return ANSWER_MODES.get(mode, mode)
