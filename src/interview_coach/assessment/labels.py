"""Human labels and one-line meanings for every score a user sees (the one source of truth)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScoreLabel:
    """How a score is named and explained to people.

    Attributes:
        name: the human label.
        meaning: one line saying what the number means and which way is better.
    """

    name: str
    meaning: str


SCORE_LABELS: dict[str, ScoreLabel] = {
    "answer_quality": ScoreLabel("Answer quality", "how well the content answers the question; higher is better"),
    "fluency": ScoreLabel("Fluency", "pace, fillers and pauses of the spoken answer; higher is smoother"),
    "confidence": ScoreLabel("Confidence", "how confident voice and face came across; higher is more confident"),
    "stress": ScoreLabel("Stress", "visible signs of tension; lower is calmer"),
}
OVERALL_SCORES = tuple(SCORE_LABELS)


def score_label(name: str) -> str:
    """Return the human label of a score (``answer_quality`` → ``Answer quality``)."""
    label = SCORE_LABELS.get(name)
    return label.name if label else name.replace("_", " ").capitalize()


def score_meaning(name: str) -> str:
    """Return the one-line meaning of a score, empty for an unknown one."""
    label = SCORE_LABELS.get(name)
    return label.meaning if label else ""


SIGNAL_LABELS: dict[str, str] = {
    "speech_rate_wpm": "speaking pace",
    "fillers_per_min": "filler words per minute",
    "long_pauses": "long pauses",
    "repetitions": "repeated words",
    "paused_share": "share of time paused",
    "response_delay_s": "delay before the first word",
    "pitch_variation_st": "pitch variation",
    "volume_variation_db": "volume variation",
    "mean_word_probability": "speech recognition confidence",
    "gasps": "audible gasps",
    "similarity_to_question": "closeness to the question",
    "question_restated": "question restated",
    "we_actions": "actions described as 'we'",
    "hedges": "hedging phrases",
    "fillers_in_text": "filler words",
    "hedges_and_fillers_per_100_words": "hedges and fillers per 100 words",
    "empty_answer": "empty answer",
    "relevance": "relevance to the question",
    "key_point_coverage": "key points covered",
    "correctness": "correctness against a good answer",
    "structure": "structure",
    "specificity": "specific details",
    "length_vs_budget": "length for the time available",
    "too_short": "answer too short",
    "little_content": "little that answers the question",
    "nothing_on_question": "nothing that addresses the question",
    "floor_at_zero": "score floor",
    "eye_contact": "eye contact",
    "smile_ratio": "smiling",
}
_UNITS = {"_wpm": "", "_s": "", "_st": "", "_db": "", "_ratio": ""}


def signal_label(name: str) -> str:
    """Return the human label of a measured signal (``response_delay_s`` → ``delay before the first word``)."""
    if name in SIGNAL_LABELS:
        return SIGNAL_LABELS[name]
    base, _, label = name, "", None
    for prefix in ("voice_", "face_"):
        if base.startswith(prefix) and base[len(prefix) :] in SCORE_LABELS:
            label = f"{prefix[:-1]} {score_label(base[len(prefix) :]).lower()}"
    if label:
        return label
    for suffix in _UNITS:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base.replace("_", " ")


ANSWER_MODES = {"text": "typed answer", "audio": "spoken answer", "video": "video answer", "skipped": "skipped"}


def answer_mode_label(mode: str) -> str:
    """Return how an answer was given, in words (``audio`` → ``spoken answer``)."""
    return ANSWER_MODES.get(mode, mode)
