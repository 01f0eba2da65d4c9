"""The answer-quality formula: content first, delivery weighted by content.

The table of weights and the meaning of every component are documented with the rest of the
rubric in :mod:`interview_coach.assessment.text_scores`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from interview_coach.assessment import text_components
from interview_coach.assessment.correctness import Correctness
from interview_coach.assessment.text_components import CLOSEST_SENTENCE
from interview_coach.domain import Evidence, Score, Signal
from interview_coach.domain.text import KeyPointCoverage, LexicalFinding
from interview_coach.tools.text.lexical import count_substantive_words

if TYPE_CHECKING:
    from interview_coach.assessment.text_scores import Calibration

GATE_AT = 0.6
"""Relevance at which delivery counts fully (the on-topic gate G = clip(R / GATE_AT))."""
SHORT_FLOOR = 0.4
PENALISED_REPETITIONS = frozenset({"doubled_word", "repeated_sentence"})
CORRECTNESS_WEIGHTS = (10.0, 55.0, 15.0, 12.0, 8.0)
"""relevance, content credit K, structure, specificity, length — delivery also times K squared."""
KEY_POINT_WEIGHTS = (25.0, 30.0, 20.0, 15.0, 10.0)
DELIVERY_FROM = 0.3
FULL_CREDIT_AT = 0.85
"""Key-point credit from which delivery counts fully (from ``DELIVERY_FROM`` up, without a grader),
and from which length alone can lift the short-answer factor to 1."""
FREE_WEIGHTS = (40.0, 0.0, 28.0, 22.0, 10.0)


def _content_words(coverage: list[KeyPointCoverage], calibration: Calibration, substantive_words: int) -> int:
    """Count the substantive words of the sentences that earn key-point credit (all words without key points)."""
    if not coverage:
        return substantive_words
    quotes = dict.fromkeys(k.quote for k in coverage if k.quote and calibration.key_point_credit(k.match) > 0)
    return min(substantive_words, count_substantive_words(" ".join(quotes)))


def answer_quality(
    *,
    relevance: float,
    coverage: list[KeyPointCoverage],
    structure_share: float,
    structure_score: Score,
    specificity: float,
    adequacy: float,
    length_note: str,
    hedges: list[LexicalFinding],
    fillers: list[LexicalFinding],
    repetitions: list[LexicalFinding],
    substantive_words: int,
    min_words: float,
    closest: str | None,
    calibration: Calibration,
    correctness: Correctness | None = None,
    uncredited: list[LexicalFinding] | None = None,
) -> Score:
    """Compute answer quality 0-100 from its components (the table in ``assessment/text_scores.py``).

    With a measured correctness, content is 55 points and delivery (structure, specificity,
    length) is weighted by the content credit, so delivery can never lift a wrong answer
    above a correct short one; padding adds no content credit, so it cannot raise the score.
    """
    if substantive_words == 0:
        if uncredited:
            evidence = text_components.finding_evidence("uncredited", uncredited)
            return Score(value=0, signals=[Signal(name="nothing_on_question", value=0, effect=0.0, evidence=evidence)])
        return Score(value=0, signals=[Signal(name="empty_answer", value=0, effect=0.0)])
    gate = text_components.clip(relevance / GATE_AT)
    has_points = bool(coverage)
    credit = float(np.mean([calibration.key_point_credit(k.match) for k in coverage])) if has_points else 0.0
    graded = correctness is not None and correctness.score.value is not None
    if graded and correctness is not None:
        # Two views of the same question, averaged: the trained grader and the calibrated key-point match.
        credit = 0.5 * credit + 0.5 * (correctness.score.value or 0) / 100
        weights: tuple[float, ...] = CORRECTNESS_WEIGHTS
        delivery = gate * credit**2
    elif has_points:
        weights = KEY_POINT_WEIGHTS
        delivery = gate * text_components.clip((credit - DELIVERY_FROM) / (FULL_CREDIT_AT - DELIVERY_FROM)) ** 2
    else:
        weights = FREE_WEIGHTS
        delivery = gate
    quote = [Evidence(kind="quote", detail=CLOSEST_SENTENCE, quote=closest)] if closest else []
    signals = [Signal(name="relevance", value=relevance, effect=round(weights[0] * relevance, 2), evidence=quote)]
    if has_points:
        signals.append(
            Signal(
                name="correctness" if graded else "key_point_coverage",
                value=text_components.r3(credit),
                effect=round(weights[1] * credit, 2),
                # A missing point's closest sentence does not cover it, so only a covered point quotes one.
                evidence=[
                    Evidence(
                        kind="key_point_covered" if k.covered else "key_point_missing",
                        detail=k.point,
                        quote=k.quote if k.covered else None,
                    )
                    for k in coverage
                ],
            )
        )
    signals += [
        Signal(
            name="structure",
            value=text_components.r3(structure_share),
            effect=round(weights[2] * structure_share * delivery, 2),
            evidence=[e for s in structure_score.signals for e in s.evidence],
        ),
        Signal(
            name="specificity",
            value=text_components.r3(specificity),
            effect=round(weights[3] * specificity * delivery, 2),
        ),
        Signal(
            name="length_vs_budget",
            value=text_components.r3(adequacy),
            effect=round(weights[4] * adequacy * delivery, 2),
            evidence=[Evidence(kind="length", detail=length_note)],
        ),
    ]
    penalties = [
        ("hedges", hedges, 1.5, 8.0),
        ("fillers_in_text", fillers, 1.5, 10.0),
        ("repetitions", [r for r in repetitions if r.kind in PENALISED_REPETITIONS], 2.0, 8.0),
    ]
    for name, findings, each, cap in penalties:
        if findings:
            signals.append(
                Signal(
                    name=name,
                    value=len(findings),
                    effect=-min(cap, each * len(findings)),
                    evidence=text_components.finding_evidence(name, findings),
                )
            )
    total = sum(s.effect for s in signals)
    # Only words of sentences that earn key-point credit lift the short-answer factor, so padding cannot.
    words = _content_words(coverage, calibration, substantive_words)
    # Length lifts the factor no further than the content credit does: padding adds words, not credit.
    share = min(words / min_words, (credit / FULL_CREDIT_AT) ** 2 if has_points else 1.0)
    if share < 1 and total > 0:
        factor = SHORT_FLOOR + (1 - SHORT_FLOOR) * share
        name = "too_short" if words < min_words else "little_content"
        signals.append(Signal(name=name, value=words, effect=round(total * (factor - 1), 2)))
        total *= factor
    if total < 0:
        signals.append(Signal(name="floor_at_zero", value=0, effect=round(-total, 2)))
        total = 0.0
    return Score(value=round(text_components.clip(total, 0.0, 100.0)), signals=signals)
