"""Answer-quality rubric: turn what ``tools.text`` measured into calibrated, judged scores.

``assess_text`` takes a measured ``TextAnalysis`` and its question and fills in relevance,
key-point coverage, the component scores, the answer-quality score, ``quality_1_5`` and
machine-readable follow-up reasons. Injected text was removed by perception, and padding earns
no credit (see below), so neither raises a score here.

Answer-quality rubric (0-100, every component is a ``Signal`` whose ``effect`` is its points)
----------------------------------------------------------------------------------------------
Let R be the calibrated relevance (0-1), C the key-point credit (0-1, the mean over key
points of ``clip((match - credit_from) / credit_span)``), K the content credit, S the share of
structure parts found (STAR: situation, task, action, result for behavioral questions,
task/action/result for situational ones where the question sets the situation; definition,
example, trade-off for technical ones; a follow-up is judged only on the parts it asks for),
P the specificity (0-1), L the length adequacy (0-1) and G = clip(R / 0.6) the on-topic gate.

**Correctness is separate from delivery.** For a technical question with key points, the trained
grader (``assessment/correctness.py``, model versions in the registry) judges whether the answer
says what a good answer says; its correctness is reported as its own score
(``correctness_score``, with covered and missing points as evidence) and K = (C + correctness)/2.
Behavioral and situational key points describe one possible story, so those questions keep the
key-point column (a different strong story is not wrong).
Delivery (structure, specificity, length) is then weighted by K²: a wrong answer earns almost
nothing for being long, structured or full of numbers. Without a grader, delivery is weighted by
D = clip((C - 0.3) / 0.55)², so it counts fully from C = 0.85 and not at all below C = 0.3.

**Padding earns nothing.** Every component is measured on the sentences that address the
question (``tools/text/credit.py``, listed in ``uncredited`` otherwise): keyword lists, lorem
ipsum and other languages (``not_prose``), generic self-praise, skeletons made only of generic
words ("My task was important."), sentences far from the question and all its key points
(``off_question``) and restated questions add no key-point credit, structure, specificity,
length or relevance, and the trained grader reads only the credited sentences. Hedges, fillers
and repetitions still count over the whole answer, so padding can only lower a score.
``evals/padding.py`` measures it (attacks and padding in ten languages and nine encodings).

===========================  =====================  ===================  ====================
component                    graded (technical)     key points, no        no key points
                                                    grader (fallback)
===========================  =====================  ===================  ====================
relevance                    10 * R                 25 * R               40 * R
content credit               55 * K                 30 * C               -
structure                    15 * S * G * K²        20 * S * G * D       28 * S * G
specificity                  12 * P * G * K²        15 * P * G * D       22 * P * G
length vs. time budget        8 * L * G * K²        10 * L * G * D       10 * L * G
===========================  =====================  ===================  ====================

So a correct short answer (K = 0.9, S = P = L = 0) scores about 55 + 10 R, and a wrong long
one (K = 0.1, S = P = L = 1) at most 10 + 5.5 + 0.35 = 16.

Penalties (points, capped): hedges -1.5 each (max -8), fillers -1.5 each (max -10), doubled
words and repeated sentences -2 each (max -8; repeated phrases are reported, not penalised).
Too short: with fewer substantive words than ``min_words`` (the larger of ``MIN_WORDS`` and 10 %
of the budget's words) the total is multiplied by ``0.4 + 0.6 * share`` (continuous, so one extra
word never jumps the score), where ``share = min(words / min_words, (K / 0.85)²)`` (C without a
grader; no content term without key points) and ``words`` counts only the sentences that earn
key-point credit: length cannot lift the factor further than the content does
(``little_content`` when the answer is long enough but thin). An answer with no sentence that
addresses the question scores 0 (``nothing_on_question``). ``quality_1_5`` maps 0-19, 20-39, 40-59, 60-79,
80-100 to 1..5. An empty answer (no substantive words) scores 0, quality 1, ``too_short``.

Substantive words exclude fillers, hedges, bare discourse markers ("so,", "well,"), repeated
sentences and sentences that restate the question.

Specificity P, behavioral/situational: 0.30 * min(numbers/2, 1) + 0.40 * min(I-actions/3, 1)
+ 0.30 * min(named terms/2, 1). Technical: 0.50 * min(named terms/3, 1) + 0.25 * min(numbers/2, 1)
+ 0.25 * min(first-person actions, 1) (hands-on experience). Specificity below 35 makes the
answer ``vague``.

Length L: estimated speaking time of the substantive words at 140 words per minute over the
question's time budget: 0 below 10 % of the budget, rising linearly to 1 at 40 %, 1 up to
150 %, then falling to 0.5 at 300 % and beyond.

Relevance R: raw = 0.5 * cos(answer centroid, question) + 0.5 * mean of the top-3 sentence
cosines to the question (or to the key points' centroid when key points exist, whichever is
higher), mapped to 0-1 by the kind's ``Calibration`` (``clip((raw - floor) / (ceil - floor))``).
``off_topic`` (``is_off_topic``): for a main question R < 0.40, or, with key points, a mean
key-point match below 0.30 (behavioral/situational) or 0.40 (technical); for a follow-up
R < 0.25. These were chosen on the tune split of ``evals/data/offtopic_answers.jsonl`` (answers
to neighbouring questions of the same field); ``evals/structure.py`` reports the held-out
precision and recall. Sentences that only restate the question (cosine >= 0.92) are
ignored, so echoing the question earns nothing.

Key points: each key point's ``match`` is its best sentence cosine plus, for rubric-phrased
points ("quantifies the outcome with a number"), a bonus of up to 0.2 when that sentence has
the asked-for feature (a number, an owned action, a result, a reason, a lesson); see
``tools/star.rubric_cue_bonus``. A point is ``covered`` when ``match >= covered_at``.

Calibration (``CALIBRATION``): technical floor/ceil 0.15/0.60 and key points 0.40 + 0.40 span,
covered at 0.55 were set on data-science-interviews theory.md (own model answer vs answers to
other questions: raw relevance median 0.58 vs 0.13, 95th percentile of others 0.29).
Behavioral/situational stories sit lower on MiniLM (on-topic 0.30-0.40, another story 0.03-0.46,
unrelated text about 0), so their ranges are 0.10-0.38/0.40 with key points 0.25 + 0.35 span,
covered at 0.42; these were set on a handful of crafted stories and are the least certain numbers
here.

Follow-ups (``Question.follow_up_of`` set) are judged against their own ask: "How did it turn
out?" expects a result, not a whole STAR story (``text_components.follow_up_asks``), so the
structure share, ``star_missing`` and the technical ``missing`` parts cover only the asked parts.

Similarities are rounded to 3 decimals before any threshold so results are identical across
runs and batch compositions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interview_coach.assessment import text_components
from interview_coach.assessment.correctness import Correctness, grade_correctness
from interview_coach.assessment.rubric import answer_quality
from interview_coach.core.embedding import Embedder
from interview_coach.domain import (
    KeyPointCoverage,
    Question,
    QuestionKind,
    Score,
    TextAnalysis,
)
from interview_coach.tools.text.analysis import MAX_ANALYSED_CHARS, WORDS_PER_MINUTE, measure_text

__all__ = ["CALIBRATION", "Calibration", "assess_answer_text", "assess_text", "is_off_topic"]

MIN_WORDS = 12
KEY_POINT_RULE_MIN_WORDS = 30
OFF_TOPIC_BELOW = 0.40
FOLLOW_UP_OFF_TOPIC_BELOW = 0.25
KEY_POINTS_OFF_TOPIC_BELOW: dict[QuestionKind, float] = {
    QuestionKind.TECHNICAL: 0.40,
    QuestionKind.BEHAVIORAL: 0.30,
    QuestionKind.SITUATIONAL: 0.30,
}
VAGUE_BELOW = 35


@dataclass(frozen=True)
class Calibration:
    """Per-question-kind mapping from raw MiniLM cosines to 0-1 credits (see the module docstring)."""

    relevance_floor: float
    relevance_ceil: float
    key_point_credit_from: float
    key_point_credit_span: float
    key_point_covered_at: float

    def relevance(self, raw: float) -> float:
        """Map a raw relevance cosine to 0-1."""
        return text_components.clip((raw - self.relevance_floor) / (self.relevance_ceil - self.relevance_floor))

    def key_point_credit(self, similarity: float) -> float:
        """Map a key point's best cosine to 0-1 credit."""
        return text_components.clip((similarity - self.key_point_credit_from) / self.key_point_credit_span)


CALIBRATION: dict[QuestionKind, Calibration] = {
    QuestionKind.TECHNICAL: Calibration(0.15, 0.60, 0.40, 0.40, 0.55),
    QuestionKind.BEHAVIORAL: Calibration(0.10, 0.38, 0.25, 0.35, 0.42),
    QuestionKind.SITUATIONAL: Calibration(0.10, 0.40, 0.25, 0.35, 0.42),
}


# --- the public API ----------------------------------------------------------------------


def assess_text(analysis: TextAnalysis, question: Question, correctness: Correctness | None = None) -> TextAnalysis:
    """Score a measured answer by the module's rubric and fill in every judged field.

    Args:
        analysis: what ``tools.text.analysis.analyze_text`` measured for the answer.
        question: the same question, for its kind, key points and time budget.
        correctness: the trained grader's content correctness (``None``: the embedding credit alone).

    Returns:
        A copy of ``analysis`` with relevance, coverage, scores, verdicts and follow-up reasons.

    """
    calibration = CALIBRATION[question.kind]
    compared = analysis.closest_quote is not None
    relevance = text_components.r3(calibration.relevance(analysis.relevance_raw)) if compared else 0.0
    off_topic = compared and is_off_topic(relevance, analysis.key_points, question, analysis.substantive_word_count)
    coverage = [
        k.model_copy(update={"covered": k.match >= calibration.key_point_covered_at}) if compared else k
        for k in analysis.key_points
    ]
    asks = text_components.follow_up_asks(question)
    structure_share, structure_score = text_components.structure_score(
        analysis.star, analysis.technical_structure, asks
    )
    expected = text_components.expected_parts(analysis.star, analysis.technical_structure, asks)
    star_missing = [p for p in expected if analysis.star is not None and getattr(analysis.star, p) is None]
    technical = analysis.technical_structure
    if technical is not None:
        technical = technical.model_copy(update={"missing": [p for p in expected if getattr(technical, p) is None]})
    specificity, specificity_score = text_components.specificity_score(
        question.kind,
        analysis.numbers,
        analysis.first_person_action_findings,
        analysis.we_action_findings,
        analysis.named_terms,
    )
    substantive = analysis.substantive_word_count
    adequacy, ratio, length_note = text_components.length_adequacy(substantive, question.time_budget_s)
    min_words = max(MIN_WORDS, 0.10 * question.time_budget_s * WORDS_PER_MINUTE / 60)
    too_short = substantive < min_words
    quality = answer_quality(
        relevance=relevance,
        coverage=coverage,
        structure_share=structure_share,
        structure_score=structure_score,
        specificity=specificity,
        adequacy=adequacy,
        length_note=length_note,
        hedges=analysis.hedges,
        fillers=analysis.fillers_in_text,
        repetitions=analysis.repetitions,
        substantive_words=substantive,
        min_words=min_words,
        closest=analysis.closest_quote,
        calibration=calibration,
        correctness=correctness,
        uncredited=analysis.uncredited,
    )
    covered = [k for k in coverage if k.covered]
    missing = [k.point for k in coverage if not k.covered]
    return analysis.model_copy(
        update={
            "relevance": relevance,
            "relevance_score": text_components.relevance_score(
                relevance, analysis.relevance_raw, analysis.closest_quote, analysis.restated_question
            ),
            "off_topic": off_topic,
            "star_missing": star_missing,
            "technical_structure": technical,
            "key_points": coverage,
            "key_point_coverage": text_components.r3(len(covered) / len(coverage)) if coverage else 0.0,
            "missing_key_points": missing,
            "structure_score": structure_score,
            "specificity_score": specificity_score,
            "hedging_score": text_components.hedging_score(
                analysis.hedges, analysis.fillers_in_text, analysis.word_count, analysis.discourse_markers_in_text
            ),
            "length_ratio": ratio,
            "length_vs_budget": length_note,
            "too_short": too_short,
            "answer_quality": quality,
            "correctness_score": correctness.score if correctness else Score.not_measured("no trained grader used"),
            "correctness_verdict": correctness.verdict if correctness else None,
            "grader_version": correctness.grader_version if correctness else None,
            "grader_note": correctness.note if correctness else None,
            "quality_1_5": text_components.quality_1_5(quality.value or 0),
            "follow_up_reasons": _follow_up_reasons(
                too_short, off_topic, star_missing, missing, specificity_score, substantive
            ),
        }
    )


def is_off_topic(
    relevance: float, key_points: list[KeyPointCoverage], question: Question, substantive_words: int | None = None
) -> bool:
    """Judge whether an answer addresses another question (see the module docstring).

    A main question's answer is off topic when its calibrated relevance is below
    ``OFF_TOPIC_BELOW``, or when it has key points and their mean match stays below the kind's
    ``KEY_POINTS_OFF_TOPIC_BELOW``: an answer to a neighbouring question in the same field sits
    close to the question's words but covers none of its points. A follow-up's key points are the
    parent's missing points and its text is short ("How did it turn out?"), so a follow-up answer
    is off topic only below ``FOLLOW_UP_OFF_TOPIC_BELOW``. The key-point rule needs a full answer
    (``KEY_POINT_RULE_MIN_WORDS``): a one-line vague answer is short or vague, not about something else.
    """
    if question.follow_up_of is not None:
        return relevance < FOLLOW_UP_OFF_TOPIC_BELOW
    if relevance < OFF_TOPIC_BELOW:
        return True
    if not key_points or (substantive_words is not None and substantive_words < KEY_POINT_RULE_MIN_WORDS):
        return False
    mean_match = float(np.mean([k.match for k in key_points]))
    return mean_match < KEY_POINTS_OFF_TOPIC_BELOW[question.kind]


def _follow_up_reasons(
    too_short: bool,
    off_topic: bool,
    star_missing: list[str],
    missing_points: list[str],
    specificity: Score,
    substantive_words: int,
) -> list[str]:
    reasons: list[str] = []
    if too_short:
        reasons.append("too_short")
    if off_topic:
        reasons.append("off_topic")
    if substantive_words:
        reasons.extend(f"missing_star:{part}" for part in star_missing)
    if missing_points:
        reasons.append("missing_key_points")
    if substantive_words and (specificity.value or 0) < VAGUE_BELOW:
        reasons.append("vague")
    return reasons


def grades_correctness(question: Question) -> bool:
    """Tell whether the trained grader judges this question's content.

    Technical questions have a right answer, so correctness against their key points means
    something. Behavioral and situational key points describe one possible story; a different
    but strong story is not "incorrect", so those keep the key-point and structure rubric.
    """
    return question.kind == QuestionKind.TECHNICAL and bool(question.key_points)


def assess_answer_text(
    answer: str,
    question: Question,
    embedder: Embedder,
    *,
    max_chars: int = MAX_ANALYSED_CHARS,
    models_root: Path | None = None,
) -> TextAnalysis:
    """Measure an answer with ``tools.text`` and score it by the rubric, as the answer pipeline does.

    Args:
        answer: the candidate's answer (typed or transcribed); may be empty or huge.
        question: the question with its kind, key points and time budget.
        embedder: sentence embedder (unit vectors); called once with one batch.
        max_chars: only the first ``max_chars`` characters are analysed.
        models_root: the model registry (``settings.models_dir``); with it, the trained grader
            judges content correctness (the bundled grader when none was trained).

    """
    measured = measure_text(answer, question, embedder, max_chars=max_chars)
    correctness = None
    if models_root is not None and measured.analysis.substantive_word_count and grades_correctness(question):
        # The grader reads only the sentences that address the question: padding never reaches it.
        correctness = grade_correctness(measured.credited_text, question, embedder, models_root)
    return assess_text(measured.analysis, question, correctness)
