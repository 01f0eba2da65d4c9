"""Deterministic analysis of a written or transcribed answer, with a documented scoring rubric.

``analyze_text`` measures an answer against its question: relevance and key-point coverage
from sentence embeddings (one batched ``encode`` call), STAR or technical structure, specificity,
hedges, fillers, repetitions, length against the time budget, and prompt-injection attempts.
Injected text is removed before anything is measured (see ``tools/injection.py``): it is
reported in ``injection_flags`` and can never raise a score.

Answer-quality rubric (0-100, every component is a ``Signal`` whose ``effect`` is its points)
----------------------------------------------------------------------------------------------
Let R be the calibrated relevance (0-1), C the key-point credit (0-1, the mean over key
points of ``clip((match - credit_from) / credit_span)``), S the share of structure parts found
(STAR: situation, task, action, result for behavioral questions, task/action/result for
situational ones where the question sets the situation; definition, example, trade-off for
technical ones), P the specificity (0-1), L the length adequacy (0-1) and G = clip(R / 0.6) the
on-topic gate: structure, specificity and length only count as far as the answer is on topic.

==========================  ===================  ====================
component                   with key points       without key points
==========================  ===================  ====================
relevance                   25 * R                40 * R
key points                  30 * C                -
structure                   20 * S * G            28 * S * G
specificity                 15 * P * G            22 * P * G
length vs. time budget      10 * L * G            10 * L * G
==========================  ===================  ====================

Penalties (points, capped): hedges -1.5 each (max -8), fillers -1.5 each (max -10), doubled
words and repeated sentences -2 each (max -8; repeated phrases are reported, not penalised).
Too short: with fewer substantive words than ``min_words`` (the larger of ``MIN_WORDS`` and 10 %
of the budget's words) the total is multiplied by ``0.4 + 0.6 * words / min_words`` (continuous,
so one extra word never jumps the score). ``quality_1_5`` maps 0-19, 20-39, 40-59, 60-79,
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
``off_topic`` is R < 0.25. Sentences that only restate the question (cosine >= 0.92) are
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
here: a story answering a different behavioral question is usually not ``off_topic``.

Similarities are rounded to 3 decimals before any threshold so results are identical across
runs and batch compositions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from interview_coach.core.embedding import Embedder
from interview_coach.domain import Evidence, Question, QuestionKind, Score, Signal
from interview_coach.tools.text.injection import InjectionFlag, detect_injection, neutralise
from interview_coach.tools.text.lexical import (
    Finding,
    Sentence,
    count_substantive_words,
    count_words,
    find_fillers,
    find_first_person_actions,
    find_hedges,
    find_named_terms,
    find_numbers,
    find_repetitions,
    normalise_for_comparison,
    split_sentences,
)
from interview_coach.tools.text.star import (
    StarStructure,
    TechnicalStructure,
    detect_star,
    detect_technical_structure,
    rubric_cue_bonus,
)

__all__ = [
    "InjectionFlag",
    "KeyPointCoverage",
    "StarStructure",
    "TechnicalStructure",
    "TextAnalysis",
    "analyze_text",
    "detect_injection",
    "text_metrics",
]

WORDS_PER_MINUTE = 140
MAX_ANALYSED_CHARS = 20_000
MAX_EMBEDDED_UNITS = 48
MIN_WORDS = 12
OFF_TOPIC_BELOW = 0.25
QUESTION_ECHO_AT = 0.92
VAGUE_BELOW = 35
SHORT_FLOOR = 0.4
PENALISED_REPETITIONS = frozenset({"doubled_word", "repeated_sentence"})
_GATE_AT = 0.6


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
        return _clip((raw - self.relevance_floor) / (self.relevance_ceil - self.relevance_floor))

    def key_point_credit(self, similarity: float) -> float:
        """Map a key point's best cosine to 0-1 credit."""
        return _clip((similarity - self.key_point_credit_from) / self.key_point_credit_span)


CALIBRATION: dict[QuestionKind, Calibration] = {
    QuestionKind.TECHNICAL: Calibration(0.15, 0.60, 0.40, 0.40, 0.55),
    QuestionKind.BEHAVIORAL: Calibration(0.10, 0.38, 0.25, 0.35, 0.42),
    QuestionKind.SITUATIONAL: Calibration(0.10, 0.40, 0.25, 0.35, 0.42),
}


class KeyPointCoverage(BaseModel):
    """How well one expected key point is covered, with the sentence that covers it best."""

    model_config = ConfigDict(frozen=True)

    point: str
    covered: bool
    similarity: float
    """Cosine similarity between the key point and its best sentence."""
    rubric_bonus: float = 0.0
    """Extra credit when a rubric-style point ("quantifies the outcome") meets a matching sentence feature."""
    quote: str | None = None

    @property
    def match(self) -> float:
        """Similarity plus rubric bonus: what coverage and credit are computed from."""
        return self.similarity + self.rubric_bonus


class TextAnalysis(BaseModel):
    """Everything measured in one answer's text; scores carry their signals and quotes."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    question_kind: QuestionKind
    word_count: int
    sentence_count: int
    truncated: bool = False

    relevance: float
    relevance_raw: float = 0.0
    """Uncalibrated cosine score behind ``relevance`` (comparable across answers to one question)."""
    relevance_score: Score
    off_topic: bool

    key_points: list[KeyPointCoverage] = Field(default_factory=list)
    key_point_coverage: float = 0.0
    missing_key_points: list[str] = Field(default_factory=list)

    star: StarStructure | None = None
    star_missing: list[str] = Field(default_factory=list)
    technical_structure: TechnicalStructure | None = None
    structure_score: Score

    numbers: list[Finding] = Field(default_factory=list)
    first_person_actions: int = 0
    we_actions: int = 0
    named_terms: list[Finding] = Field(default_factory=list)
    specificity_score: Score

    hedges: list[Finding] = Field(default_factory=list)
    fillers_in_text: list[Finding] = Field(default_factory=list)
    repetitions: list[Finding] = Field(default_factory=list)
    hedging_score: Score

    estimated_speaking_s: float
    length_ratio: float | None = None
    length_vs_budget: str
    too_short: bool

    injection_flags: list[InjectionFlag] = Field(default_factory=list)

    answer_quality: Score
    quality_1_5: int = Field(ge=1, le=5)
    follow_up_reasons: list[str] = Field(default_factory=list)


# --- helpers -----------------------------------------------------------------------------


def _clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def _r3(value: float) -> float:
    return round(float(value), 3)


def _evidence(kind: str, findings: list[Finding], limit: int = 5) -> list[Evidence]:
    return [Evidence(kind=kind, detail=f.text, quote=f.quote) for f in findings[:limit]]


def _embedding_units(sentences: list[Sentence]) -> list[str]:
    """Deduplicate sentences and merge neighbours so at most ``MAX_EMBEDDED_UNITS`` are embedded."""
    unique: list[str] = []
    seen: set[str] = set()
    for sentence in sentences:
        key = normalise_for_comparison(sentence.text)
        if len(key.split()) >= 3 and key not in seen:
            seen.add(key)
            unique.append(sentence.text)
    if len(unique) <= MAX_EMBEDDED_UNITS:
        return unique
    group = -(-len(unique) // MAX_EMBEDDED_UNITS)
    return [" ".join(unique[i : i + group]) for i in range(0, len(unique), group)]


class _Similarities:
    """Cosine similarities of answer units to the question and the key points (rounded)."""

    def __init__(self, question: Question, units: list[str], embedder: Embedder) -> None:
        texts = [question.text, *question.key_points, *units]
        vectors: NDArray[np.float32] = embedder.encode(texts) if units else embedder.encode(texts[:1])
        self.question_vec = vectors[0]
        self.key_point_vecs = vectors[1 : 1 + len(question.key_points)]
        unit_vecs = vectors[1 + len(question.key_points) :] if units else np.zeros((0, vectors.shape[1]), np.float32)
        to_question = np.round(unit_vecs @ self.question_vec, 3) if units else np.zeros(0)
        self.echo = [bool(s >= QUESTION_ECHO_AT) for s in to_question]
        keep = [i for i, echo in enumerate(self.echo) if not echo]
        self.units = [units[i] for i in keep]
        self.unit_vecs = unit_vecs[keep] if keep else np.zeros((0, vectors.shape[1]), np.float32)
        self.to_question = to_question[keep] if keep else np.zeros(0)
        self.echoed = [units[i] for i, echo in enumerate(self.echo) if echo]

    def raw_relevance(self) -> tuple[float, str | None]:
        if not self.units:
            return 0.0, None
        centroid = self.unit_vecs.mean(axis=0)
        centroid = centroid / (np.linalg.norm(centroid) or 1.0)
        targets = [self.question_vec]
        if len(self.key_point_vecs):
            kp_centroid = self.key_point_vecs.mean(axis=0)
            targets.append(kp_centroid / (np.linalg.norm(kp_centroid) or 1.0))
        best = 0.0
        for target in targets:
            per_unit = self.unit_vecs @ target
            top = np.sort(per_unit)[::-1][:3]
            best = max(best, 0.5 * float(centroid @ target) + 0.5 * float(top.mean()))
        quote = self.units[int(np.argmax(self.to_question))]
        return _r3(best), quote

    def key_point_matches(self, key_points: list[str], covered_at: float) -> list[KeyPointCoverage]:
        coverage: list[KeyPointCoverage] = []
        for index, point in enumerate(key_points):
            if not self.units:
                coverage.append(KeyPointCoverage(point=point, covered=False, similarity=0.0))
                continue
            sims = np.round(self.unit_vecs @ self.key_point_vecs[index], 3)
            bonuses = np.array([rubric_cue_bonus(point, unit) for unit in self.units])
            best = int(np.argmax(sims + bonuses))
            similarity, bonus = _r3(sims[best]), _r3(bonuses[best])
            coverage.append(
                KeyPointCoverage(
                    point=point,
                    covered=similarity + bonus >= covered_at,
                    similarity=similarity,
                    rubric_bonus=bonus,
                    quote=self.units[best],
                )
            )
        return coverage


# --- component scores --------------------------------------------------------------------


def _relevance_score(relevance: float, raw: float, quote: str | None, echoed: list[str]) -> Score:
    signals = [
        Signal(
            name="similarity_to_question",
            value=raw,
            effect=0.0,
            evidence=[Evidence(kind="quote", detail="sentence closest to the question", quote=quote)] if quote else [],
        )
    ]
    if echoed:
        signals.append(
            Signal(
                name="question_restated",
                value=len(echoed),
                evidence=[Evidence(kind="quote", detail="restates the question; ignored", quote=q) for q in echoed[:3]],
            )
        )
    return Score(value=round(relevance * 100), signals=signals)


def _structure(
    kind: QuestionKind, texts: list[str]
) -> tuple[StarStructure | None, TechnicalStructure | None, float, Score]:
    if kind == QuestionKind.TECHNICAL:
        technical = detect_technical_structure(texts)
        found = {p: getattr(technical, p) for p in ("definition", "example", "trade_off")}
        share = sum(v is not None for v in found.values()) / 3
        star = None
    else:
        star = detect_star(texts, hypothetical=kind == QuestionKind.SITUATIONAL)
        found = {p: getattr(star, p) for p in star.expected_parts}
        share = sum(v is not None for v in found.values()) / len(found)
        technical = None
    signals = [
        Signal(
            name=f"has_{part}",
            value=quote is not None,
            evidence=[Evidence(kind="quote", detail=part, quote=quote)] if quote else [],
        )
        for part, quote in found.items()
    ]
    return star, technical, share, Score(value=round(share * 100), signals=signals)


def _specificity(
    kind: QuestionKind, numbers: list[Finding], mine: list[Finding], ours: list[Finding], named: list[Finding]
) -> tuple[float, Score]:
    if kind == QuestionKind.TECHNICAL:
        parts = {
            "named_terms": 0.50 * min(len(named) / 3, 1.0),
            "numbers": 0.25 * min(len(numbers) / 2, 1.0),
            "first_person_actions": 0.25 * min(len(mine), 1.0),
        }
    else:
        parts = {
            "numbers": 0.30 * min(len(numbers) / 2, 1.0),
            "first_person_actions": 0.40 * min(len(mine) / 3, 1.0),
            "named_terms": 0.30 * min(len(named) / 2, 1.0),
        }
    evidence = {"numbers": numbers, "first_person_actions": mine, "named_terms": named}
    signals = [
        Signal(
            name=name,
            value=len(evidence[name]),
            effect=round(points * 100, 1),
            evidence=_evidence(name, evidence[name]),
        )
        for name, points in parts.items()
    ]
    if ours:
        signals.append(Signal(name="we_actions", value=len(ours), effect=0.0, evidence=_evidence("we_action", ours)))
    value = sum(parts.values())
    return value, Score(value=round(value * 100), signals=signals)


def _hedging_score(hedges: list[Finding], fillers: list[Finding], word_count: int) -> Score:
    if word_count == 0:
        return Score.not_measured("no words to check for hedging")
    per_100 = 100 * (len(hedges) + len(fillers)) / word_count
    value = round(_clip(1 - per_100 / 10) * 100)
    return Score(
        value=value,
        signals=[
            Signal(name="hedges", value=len(hedges), evidence=_evidence("hedge", hedges)),
            Signal(name="fillers_in_text", value=len(fillers), evidence=_evidence("filler", fillers)),
            Signal(name="hedges_and_fillers_per_100_words", value=round(per_100, 2)),
        ],
    )


def _length_adequacy(substantive_words: int, budget_s: int) -> tuple[float, float | None, str]:
    speaking_s = substantive_words * 60 / WORDS_PER_MINUTE
    if budget_s <= 0:
        return 1.0, None, f"about {speaking_s:.0f} s of speech; no time budget"
    ratio = speaking_s / budget_s
    if ratio < 0.10:
        adequacy = 0.0
    elif ratio < 0.40:
        adequacy = (ratio - 0.10) / 0.30
    elif ratio <= 1.5:
        adequacy = 1.0
    else:
        adequacy = max(0.5, 1.0 - 0.5 * (ratio - 1.5) / 1.5)
    label = "too short" if ratio < 0.25 else "short" if ratio < 0.5 else "within budget" if ratio <= 1.3 else "long"
    if ratio > 2.0:
        label = "far over budget"
    note = (
        f"about {speaking_s:.0f} s of speech at {WORDS_PER_MINUTE} wpm for a {budget_s} s budget ({ratio:.0%}): {label}"
    )
    return adequacy, _r3(ratio), note


def _quality_1_5(value: int) -> int:
    return min(5, value // 20 + 1)


# --- the public API ----------------------------------------------------------------------


def analyze_text(
    answer: str, question: Question, embedder: Embedder, *, max_chars: int = MAX_ANALYSED_CHARS
) -> TextAnalysis:
    """Measure an answer against its question and score it by the module's rubric.

    Args:
        answer: the candidate's answer (typed or transcribed); may be empty or huge.
        question: the question with its kind, key points and time budget.
        embedder: sentence embedder (unit vectors); called once with one batch.
        max_chars: only the first ``max_chars`` characters are analysed (``truncated`` says so);
            injection detection still covers the whole text.

    Returns:
        A frozen ``TextAnalysis``; nothing is raised for empty or odd input.

    """
    neutralised = neutralise(answer)
    text = neutralised.text
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars]
    sentences = split_sentences(text)
    texts = [s.text for s in sentences]
    word_count = count_words(text)

    hedges = find_hedges(text, sentences)
    fillers = find_fillers(text, sentences)
    repetitions = find_repetitions(text, sentences)
    numbers = find_numbers(text, sentences)
    mine, ours = find_first_person_actions(text, sentences)
    named = find_named_terms(text, sentences)

    sims = _Similarities(question, _embedding_units(sentences), embedder)
    raw, closest = sims.raw_relevance()
    calibration = CALIBRATION[question.kind]
    relevance = _r3(calibration.relevance(raw)) if sims.units else 0.0
    off_topic = bool(sims.units) and relevance < OFF_TOPIC_BELOW
    coverage = sims.key_point_matches(question.key_points, calibration.key_point_covered_at)
    star, technical, structure_share, structure_score = _structure(
        question.kind, [t for t in texts if t not in sims.echoed]
    )
    specificity, specificity_score = _specificity(question.kind, numbers, mine, ours, named)

    # Repeated sentences and restated questions add no substance, so they do not count toward length.
    unique_text = " ".join(dict.fromkeys(s.text for s in sentences if s.text not in sims.echoed))
    substantive = count_substantive_words(unique_text)
    adequacy, ratio, length_note = _length_adequacy(substantive, question.time_budget_s)
    min_words = max(MIN_WORDS, 0.10 * question.time_budget_s * WORDS_PER_MINUTE / 60)
    too_short = substantive < min_words

    quality = _answer_quality(
        relevance=relevance,
        coverage=coverage,
        structure_share=structure_share,
        structure_score=structure_score,
        specificity=specificity,
        adequacy=adequacy,
        length_note=length_note,
        hedges=hedges,
        fillers=fillers,
        repetitions=repetitions,
        substantive_words=substantive,
        min_words=min_words,
        closest=closest,
        calibration=calibration,
    )
    covered = [k for k in coverage if k.covered]
    missing = [k.point for k in coverage if not k.covered]
    return TextAnalysis(
        question_id=question.id,
        question_kind=question.kind,
        word_count=word_count,
        sentence_count=len(sentences),
        truncated=truncated,
        relevance=relevance,
        relevance_raw=raw,
        relevance_score=_relevance_score(relevance, raw, closest, sims.echoed),
        off_topic=off_topic,
        key_points=coverage,
        key_point_coverage=_r3(len(covered) / len(coverage)) if coverage else 0.0,
        missing_key_points=missing,
        star=star,
        star_missing=star.missing if star else [],
        technical_structure=technical,
        structure_score=structure_score,
        numbers=numbers,
        first_person_actions=len(mine),
        we_actions=len(ours),
        named_terms=named,
        specificity_score=specificity_score,
        hedges=hedges,
        fillers_in_text=fillers,
        repetitions=repetitions,
        hedging_score=_hedging_score(hedges, fillers, word_count),
        estimated_speaking_s=round(word_count * 60 / WORDS_PER_MINUTE, 1),
        length_ratio=ratio,
        length_vs_budget=length_note,
        too_short=too_short,
        injection_flags=neutralised.flags,
        answer_quality=quality,
        quality_1_5=_quality_1_5(quality.value or 0),
        follow_up_reasons=_follow_up_reasons(too_short, off_topic, star, missing, specificity_score, substantive),
    )


def _answer_quality(
    *,
    relevance: float,
    coverage: list[KeyPointCoverage],
    structure_share: float,
    structure_score: Score,
    specificity: float,
    adequacy: float,
    length_note: str,
    hedges: list[Finding],
    fillers: list[Finding],
    repetitions: list[Finding],
    substantive_words: int,
    min_words: float,
    closest: str | None,
    calibration: Calibration,
) -> Score:
    if substantive_words == 0:
        return Score(value=0, signals=[Signal(name="empty_answer", value=0, effect=0.0)])
    gate = _clip(relevance / _GATE_AT)
    has_points = bool(coverage)
    weights = (25, 30, 20, 15, 10) if has_points else (40, 0, 28, 22, 10)
    credit = float(np.mean([calibration.key_point_credit(k.match) for k in coverage])) if has_points else 0.0
    quote = [Evidence(kind="quote", detail="closest sentence", quote=closest)] if closest else []
    signals = [Signal(name="relevance", value=relevance, effect=round(weights[0] * relevance, 2), evidence=quote)]
    if has_points:
        signals.append(
            Signal(
                name="key_point_coverage",
                value=_r3(credit),
                effect=round(weights[1] * credit, 2),
                evidence=[
                    Evidence(
                        kind="key_point", detail=("covered: " if k.covered else "missing: ") + k.point, quote=k.quote
                    )
                    for k in coverage
                ],
            )
        )
    signals += [
        Signal(
            name="structure",
            value=_r3(structure_share),
            effect=round(weights[2] * structure_share * gate, 2),
            evidence=[e for s in structure_score.signals for e in s.evidence],
        ),
        Signal(name="specificity", value=_r3(specificity), effect=round(weights[3] * specificity * gate, 2)),
        Signal(
            name="length_vs_budget",
            value=_r3(adequacy),
            effect=round(weights[4] * adequacy * gate, 2),
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
                    evidence=_evidence(name, findings),
                )
            )
    total = sum(s.effect for s in signals)
    if substantive_words < min_words and total > 0:
        factor = SHORT_FLOOR + (1 - SHORT_FLOOR) * substantive_words / min_words
        signals.append(Signal(name="too_short", value=substantive_words, effect=round(total * (factor - 1), 2)))
        total *= factor
    if total < 0:
        signals.append(Signal(name="floor_at_zero", value=0, effect=round(-total, 2)))
        total = 0.0
    return Score(value=round(_clip(total, 0.0, 100.0)), signals=signals)


def _follow_up_reasons(
    too_short: bool,
    off_topic: bool,
    star: StarStructure | None,
    missing_points: list[str],
    specificity: Score,
    substantive_words: int,
) -> list[str]:
    reasons: list[str] = []
    if too_short:
        reasons.append("too_short")
    if off_topic:
        reasons.append("off_topic")
    if star is not None and substantive_words:
        reasons.extend(f"missing_star:{part}" for part in star.missing)
    if missing_points:
        reasons.append("missing_key_points")
    if substantive_words and (specificity.value or 0) < VAGUE_BELOW:
        reasons.append("vague")
    return reasons


def text_metrics(analysis: TextAnalysis) -> dict[str, float]:
    """Flatten an analysis into numbers for memory records and progress charts."""
    words = max(analysis.word_count, 1)
    metrics: dict[str, float] = {
        "word_count": float(analysis.word_count),
        "relevance": analysis.relevance,
        "off_topic": float(analysis.off_topic),
        "key_point_coverage": analysis.key_point_coverage,
        "answer_quality": float(analysis.answer_quality.value or 0),
        "quality_1_5": float(analysis.quality_1_5),
        "structure": float(analysis.structure_score.value or 0),
        "specificity": float(analysis.specificity_score.value or 0),
        "numbers": float(len(analysis.numbers)),
        "first_person_actions": float(analysis.first_person_actions),
        "we_actions": float(analysis.we_actions),
        "named_terms": float(len(analysis.named_terms)),
        "hedges_per_100_words": round(100 * len(analysis.hedges) / words, 2),
        "fillers_per_100_words": round(100 * len(analysis.fillers_in_text) / words, 2),
        "repetitions": float(len(analysis.repetitions)),
        "estimated_speaking_s": analysis.estimated_speaking_s,
        "too_short": float(analysis.too_short),
        "injection_flags": float(len(analysis.injection_flags)),
    }
    if analysis.hedging_score.value is not None:
        metrics["hedging"] = float(analysis.hedging_score.value)
    if analysis.length_ratio is not None:
        metrics["length_ratio"] = analysis.length_ratio
    if analysis.star is not None:
        metrics["star_parts"] = float(4 - len(analysis.star_missing))
    if analysis.technical_structure is not None:
        metrics["technical_parts"] = float(3 - len(analysis.technical_structure.missing))
    return metrics
