"""Answer structure: STAR parts for behavioral/situational answers, definition/example/trade-off for technical ones.

Each sentence gets a strength per part from lexical cues (``structure_cues``) plus, when its
embedding is given, a vote from the nearest prototype sentences (``structure``); a part is
present when its best sentence reaches ``PART_THRESHOLD`` and that sentence is quoted as the
evidence. The cues cover told stories ("my task, as the on-call lead, was to", "I rewrote", "we
ended up cutting the bill by a third") and hypothetical ones ("my first priority would be", "I
would call", "this should reduce"), so situational questions are handled with the same rules.
This module also gives rubric-phrased key points their feature bonus.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from interview_coach.domain.text import STAR_PARTS, TECHNICAL_PARTS, StarStructure, TechnicalStructure
from interview_coach.tools.text.lexical import has_first_person_action
from interview_coach.tools.text.structure import PART_THRESHOLD, SentenceSimilarity, part_strength
from interview_coach.tools.text.structure_cues import STAR_CUES, cue_strength, lexical_strength

__all__ = [
    "PART_THRESHOLD",
    "cue_strength",
    "detect_star",
    "detect_technical_structure",
    "is_rubric_point",
    "rubric_cue_bonus",
]

_FLAGS = re.IGNORECASE


def _best_sentences(
    sentences: Sequence[str],
    parts: tuple[str, ...],
    prefer_late: set[str],
    similarities: Sequence[SentenceSimilarity | None] | None,
) -> dict[str, str | None]:
    sims = list(similarities) if similarities is not None else [None] * len(sentences)
    best: dict[str, str | None] = {}
    for part in parts:
        strengths = [part_strength(part, s, sim) for s, sim in zip(sentences, sims, strict=True)]
        order = range(len(sentences) - 1, -1, -1) if part in prefer_late else range(len(sentences))
        chosen = max(order, key=lambda i: strengths[i], default=None)
        best[part] = sentences[chosen] if chosen is not None and strengths[chosen] >= PART_THRESHOLD else None
    return best


def detect_star(
    sentences: Sequence[str],
    hypothetical: bool = False,
    *,
    similarities: Sequence[SentenceSimilarity | None] | None = None,
) -> StarStructure:
    """Find the situation, task, action and result sentences of a story-like answer.

    Args:
        sentences: the answer's sentences in order.
        hypothetical: the question poses a scenario ("what would you do if..."), so the
            situation part is optional.
        similarities: per sentence, its prototype cosines (``structure.sentence_similarities``);
            without them only the lexical cues decide.
    """
    parts = _best_sentences(sentences, STAR_PARTS, {"result"}, similarities)
    opening_is_context = (
        len(sentences) >= 3 and parts["action"] is not None and sentences[0] not in (parts["action"], parts["task"])
    )
    if parts["situation"] is None and opening_is_context and not hypothetical:
        # A story usually opens with its context even without a cue phrase ("Our API kept timing out.").
        opening = sentences[0]
        if lexical_strength("action", opening) < PART_THRESHOLD:
            parts["situation"] = opening
    return StarStructure(**parts, situation_optional=hypothetical)


def detect_technical_structure(
    sentences: Sequence[str], *, similarities: Sequence[SentenceSimilarity | None] | None = None
) -> TechnicalStructure:
    """Find the definition, example and trade-off sentences of a technical explanation."""
    parts = _best_sentences(sentences, TECHNICAL_PARTS, set(), similarities)
    missing = [part for part in TECHNICAL_PARTS if parts[part] is None]
    return TechnicalStructure(**parts, missing=missing)


# --- rubric-style key points -------------------------------------------------------------

RUBRIC_BONUS_CAP = 0.2
_RUBRIC_VERBS = frozenset(
    [
        "describes",
        "explains",
        "states",
        "mentions",
        "gives",
        "lists",
        "names",
        "quantifies",
        "reports",
        "says",
        "separates",
        "clarifies",
        "proposes",
        "brings",
        "communicates",
        "shows",
        "identifies",
        "compares",
        "defines",
        "notes",
        "outlines",
        "walks",
        "admits",
        "acknowledges",
        "asks",
        "offers",
        "uses",
        "includes",
        "discusses",
        "sets",
        "checks",
    ]
)
_NUMBER_IN_SENTENCE = re.compile(
    r"\d|\b(?:zero|half|twice|one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|thousand|million)\b",
    _FLAGS,
)
_REASON_IN_SENTENCE = re.compile(
    r"\b(?:because|since|so that|in order to|which meant|mattered|matters|the reason)\b", _FLAGS
)
_LEARNING_IN_SENTENCE = re.compile(
    r"\b(?:learn(?:ed|t)?|lesson|next time|since then|now I|differently|runbook|handed (?:it )?over|prevent)\b", _FLAGS
)
_RUBRIC_CUES: list[tuple[re.Pattern[str], str, float]] = [
    (
        re.compile(
            r"\b(?:numbers?|quantif\w*|measurable|metrics?|percent\w*|how (?:much|many)|data such as)\b", _FLAGS
        ),
        "number",
        0.15,
    ),
    (re.compile(r"\b(?:personally|their own|actions?|steps?)\b", _FLAGS), "first_person_action", 0.10),
    (re.compile(r"\b(?:outcome|results?|impact|improvement|effect)\b", _FLAGS), "result", 0.10),
    (re.compile(r"\b(?:why|reasons?|mattered)\b", _FLAGS), "reason", 0.10),
    (re.compile(r"\b(?:learn\w*|lessons?|differently|next time|coming back|afterwards)\b", _FLAGS), "learning", 0.15),
]


def is_rubric_point(point: str) -> bool:
    """Whether a key point is phrased as a rubric ("describes...", "quantifies...") rather than as content."""
    first = point.strip().split(" ", 1)[0].lower() if point.strip() else ""
    return first in _RUBRIC_VERBS


def _sentence_has(feature: str, sentence: str) -> bool:
    if feature == "number":
        return bool(_NUMBER_IN_SENTENCE.search(sentence))
    if feature == "first_person_action":
        return has_first_person_action(sentence)
    if feature == "result":
        return cue_strength(sentence, STAR_CUES["result"]) >= 0.7
    if feature == "reason":
        return bool(_REASON_IN_SENTENCE.search(sentence))
    return bool(_LEARNING_IN_SENTENCE.search(sentence))


def rubric_cue_bonus(point: str, sentence: str) -> float:
    """Extra match credit when a rubric-style key point asks for a feature the sentence has.

    Sentence embeddings match "states the outcome with a number" poorly against "failures
    dropped from eight a month to zero"; the rubric asks for a measurable outcome, so a sentence
    with a number and a result cue gets a bonus (capped at ``RUBRIC_BONUS_CAP``). Content-style
    key points get no bonus.
    """
    if not is_rubric_point(point):
        return 0.0
    bonus = sum(
        weight
        for pattern, feature, weight in _RUBRIC_CUES
        if pattern.search(point) and _sentence_has(feature, sentence)
    )
    return min(RUBRIC_BONUS_CAP, bonus)
