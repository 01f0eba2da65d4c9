"""Deterministic measures of a written or transcribed answer against its question.

``analyze_text`` measures relevance and key-point similarity with sentence embeddings (one
batched ``encode`` call), STAR or technical structure (lexical cues plus a prototype vote on
the same sentence vectors, see ``tools/text/structure.py``), specificity cues, hedges, fillers,
repetitions, substantive length and prompt-injection attempts. Injected text is removed
before anything is measured (see ``tools/text/injection.py``) and reported in
``injection_flags``. Calibration and scoring live in ``assessment.text_scores``.

Only sentences that address the question earn content credit (``tools/text/credit.py``): a
sentence is left out of key points, structure, specificity, substantive length and the top
relevance cosines when it is not English prose (keyword lists, lorem ipsum, other languages),
generic self-praise, a skeleton of generic words ("My task was important."), shorter than three
words, or farther than ``OFF_QUESTION_BELOW[kind]`` from the question and from every key point. Such sentences are listed in ``uncredited``; hedges, fillers and repetitions
are still counted over the whole answer, so padding can lower a score but not raise it.

Relevance raw value: 0.5 * cos(centroid of the credited sentences, question) + 0.5 * mean of the
top-3 credited sentence cosines to the question (or to the key points' centroid when key points
exist, whichever is higher); with no credited sentence, every sentence counts (so an answer to
another question is still judged off topic, and earns nothing). Sentences that only restate the
question (cosine >= 0.92, or nothing but the question's words) are ignored, so echoing the
question earns nothing.

Key points: each point's best credited sentence maximises its cosine plus, for rubric-phrased
points ("quantifies the outcome with a number"), a bonus of up to 0.2 when that sentence has the
asked-for feature (see ``tools/text/star.rubric_cue_bonus``).

Substantive words exclude fillers, hedges, bare discourse markers ("so,", "well,"), repeated
sentences, sentences that restate the question and uncredited sentences.

Similarities are rounded to 3 decimals so results are identical across runs and batch
compositions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.embedding import Embedder
from interview_coach.domain import KeyPointCoverage, LexicalFinding, Question, QuestionKind, TextAnalysis
from interview_coach.domain.targets import TYPICAL_WPM
from interview_coach.tools.text.credit import UNCREDITED_REASONS, restates, uncredited_reason
from interview_coach.tools.text.injection import neutralise
from interview_coach.tools.text.lexical import (
    Sentence,
    count_substantive_words,
    count_words,
    find_discourse_markers,
    find_fillers,
    find_first_person_actions,
    find_hedges,
    find_named_terms,
    find_numbers,
    find_repetitions,
    normalise_for_comparison,
    split_sentences,
)
from interview_coach.tools.text.star import detect_star, detect_technical_structure, rubric_cue_bonus
from interview_coach.tools.text.structure import sentence_similarities

__all__ = [
    "MAX_ANALYSED_CHARS",
    "OFF_QUESTION_BELOW",
    "WORDS_PER_MINUTE",
    "MeasuredText",
    "analyze_text",
    "measure_text",
]

WORDS_PER_MINUTE = TYPICAL_WPM
MAX_ANALYSED_CHARS = 20_000
MAX_EMBEDDED_UNITS = 48
MIN_UNIT_WORDS = 3
QUESTION_ECHO_AT = 0.92
OFF_QUESTION_BELOW: dict[QuestionKind, float] = {
    QuestionKind.TECHNICAL: 0.20,
    QuestionKind.BEHAVIORAL: 0.12,
    QuestionKind.SITUATIONAL: 0.18,
}
"""A sentence whose best cosine to the question and its key points is below this earns nothing.

Set below the lowest on-topic sentence of the tune answers in ``evals/data/offtopic_answers.jsonl``
and the padding suite's strong answers (technical 0.26, behavioral 0.15, situational 0.34): the
rule must never drop a real answer's sentence; the lexical rules and the rubric's content gate
catch padding that sits closer than this.
"""


def _r3(value: float) -> float:
    return round(float(value), 3)


@dataclass(frozen=True)
class _Unit:
    text: str
    members: tuple[str, ...]


def _embedding_units(sentences: list[Sentence]) -> list[_Unit]:
    """Deduplicate sentences and merge neighbours so at most ``MAX_EMBEDDED_UNITS`` are embedded."""
    unique: list[str] = []
    seen: set[str] = set()
    for sentence in sentences:
        key = normalise_for_comparison(sentence.text)
        if len(key.split()) >= MIN_UNIT_WORDS and key not in seen:
            seen.add(key)
            unique.append(sentence.text)
    if len(unique) <= MAX_EMBEDDED_UNITS:
        return [_Unit(text, (text,)) for text in unique]
    group = -(-len(unique) // MAX_EMBEDDED_UNITS)
    return [_Unit(" ".join(unique[i : i + group]), tuple(unique[i : i + group])) for i in range(0, len(unique), group)]


class _Similarities:
    """Cosine similarities of answer units to the question and the key points (rounded)."""

    def __init__(self, question: Question, units: list[_Unit], embedder: Embedder) -> None:
        texts = [question.text, *question.key_points, *(u.text for u in units)]
        vectors: NDArray[np.float32] = embedder.encode(texts) if units else embedder.encode(texts[:1])
        dim = vectors.shape[1]
        self.question_vec = vectors[0]
        self.key_point_vecs = vectors[1 : 1 + len(question.key_points)]
        unit_vecs = vectors[1 + len(question.key_points) :] if units else np.zeros((0, dim), np.float32)
        to_question = np.round(unit_vecs @ self.question_vec, 3) if units else np.zeros(0)
        address = to_question
        if len(self.key_point_vecs) and units:
            address = np.maximum(to_question, np.round(unit_vecs @ self.key_point_vecs.T, 3).max(axis=1))
        self.echo = [
            bool(s >= QUESTION_ECHO_AT) or restates(u.text, question.text)
            for s, u in zip(to_question, units, strict=True)
        ]
        self.vector_of: dict[str, NDArray[np.float32]] = {
            member: vec for unit, vec in zip(units, unit_vecs, strict=True) for member in unit.members
        }
        floor = OFF_QUESTION_BELOW[question.kind]
        self.reason: dict[str, str] = {}
        for unit, near in zip(units, address, strict=True):
            reason = uncredited_reason(unit.text) or ("off_question" if near < floor else None)
            for member in unit.members:
                if reason:
                    self.reason[member] = reason
        keep = [i for i, echo in enumerate(self.echo) if not echo]
        credited = [i for i in keep if units[i].text not in self.reason and units[i].members[0] not in self.reason]
        self.units = [units[i].text for i in keep]
        self.unit_vecs = unit_vecs[keep] if keep else np.zeros((0, dim), np.float32)
        self.credited = [units[i].text for i in credited]
        self.credited_vecs = unit_vecs[credited] if credited else np.zeros((0, dim), np.float32)
        self.credited_to_question = to_question[credited] if credited else np.zeros(0)
        self.to_question = to_question[keep] if keep else np.zeros(0)
        self.echoed = [m for i, echo in enumerate(self.echo) if echo for m in units[i].members]

    def raw_relevance(self) -> tuple[float, str | None]:
        if not self.units:
            return 0.0, None
        # Only credited sentences count (all of them when none is credited, for the off-topic verdict).
        top_vecs = self.credited_vecs if len(self.credited) else self.unit_vecs
        centroid = top_vecs.mean(axis=0)
        centroid = centroid / (np.linalg.norm(centroid) or 1.0)
        targets = [self.question_vec]
        if len(self.key_point_vecs):
            kp_centroid = self.key_point_vecs.mean(axis=0)
            targets.append(kp_centroid / (np.linalg.norm(kp_centroid) or 1.0))
        best = 0.0
        for target in targets:
            top = np.sort(top_vecs @ target)[::-1][:3]
            best = max(best, 0.5 * float(centroid @ target) + 0.5 * float(top.mean()))
        if len(self.credited):
            quote = self.credited[int(np.argmax(self.credited_to_question))]
        else:
            quote = self.units[int(np.argmax(self.to_question))]
        return _r3(best), quote

    def key_point_matches(self, key_points: list[str]) -> list[KeyPointCoverage]:
        coverage: list[KeyPointCoverage] = []
        for index, point in enumerate(key_points):
            if not self.credited:
                coverage.append(KeyPointCoverage(point=point, similarity=0.0))
                continue
            sims = np.round(self.credited_vecs @ self.key_point_vecs[index], 3)
            bonuses = np.array([rubric_cue_bonus(point, unit) for unit in self.credited])
            best = int(np.argmax(sims + bonuses))
            coverage.append(
                KeyPointCoverage(
                    point=point, similarity=_r3(sims[best]), rubric_bonus=_r3(bonuses[best]), quote=self.credited[best]
                )
            )
        return coverage


@dataclass(frozen=True)
class MeasuredText:
    """What ``measure_text`` returns: the analysis and the credited text the grader should read."""

    analysis: TextAnalysis
    credited_text: str
    """The sentences that address the question, in answer order (injections already removed)."""


def _credited(findings: list[LexicalFinding], credited: set[str]) -> list[LexicalFinding]:
    return [f for f in findings if f.quote in credited]


def measure_text(
    answer: str, question: Question, embedder: Embedder, *, max_chars: int = MAX_ANALYSED_CHARS
) -> MeasuredText:
    """Measure an answer and keep the text of its credited sentences (see ``analyze_text``)."""
    neutralised = neutralise(answer)
    text = neutralised.text
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars]
    sentences = split_sentences(text)
    word_count = count_words(text)
    sims = _Similarities(question, _embedding_units(sentences), embedder)
    raw, closest = sims.raw_relevance()
    echoed = set(sims.echoed)
    # Short sentences (under three words) are not embedded; on their own they address nothing.
    credited_sentences = [
        s.text for s in sentences if s.text not in sims.reason and s.text not in echoed and s.text in sims.vector_of
    ]
    credited = set(credited_sentences)
    mine, ours = find_first_person_actions(text, sentences)
    star, technical = None, None
    # Sentences were embedded for relevance already; the structure vote reuses those vectors.
    vectors = [sims.vector_of.get(s) for s in credited_sentences]
    if question.kind == QuestionKind.TECHNICAL:
        technical = detect_technical_structure(
            credited_sentences, similarities=sentence_similarities("technical", vectors, embedder)
        )
    else:
        star = detect_star(
            credited_sentences,
            hypothetical=question.kind == QuestionKind.SITUATIONAL,
            similarities=sentence_similarities("star", vectors, embedder),
        )
    uncredited = [
        LexicalFinding(kind=reason, text=UNCREDITED_REASONS[reason], quote=sentence)
        for sentence, reason in dict.fromkeys((s.text, sims.reason[s.text]) for s in sentences if s.text in sims.reason)
    ]
    # Repeated sentences and restated questions add no substance, so they do not count toward length.
    unique_text = " ".join(dict.fromkeys(credited_sentences))
    analysis = TextAnalysis(
        question_id=question.id,
        question_kind=question.kind,
        word_count=word_count,
        sentence_count=len(sentences),
        truncated=truncated,
        relevance_raw=raw,
        closest_quote=closest,
        restated_question=sims.echoed,
        key_points=sims.key_point_matches(question.key_points),
        star=star,
        star_missing=star.missing if star else [],
        technical_structure=technical,
        numbers=_credited(find_numbers(text, sentences), credited),
        first_person_actions=len(_credited(mine, credited)),
        we_actions=len(_credited(ours, credited)),
        first_person_action_findings=_credited(mine, credited),
        we_action_findings=_credited(ours, credited),
        named_terms=_credited(find_named_terms(text, sentences), credited),
        hedges=find_hedges(text, sentences),
        fillers_in_text=find_fillers(text, sentences),
        discourse_markers_in_text=find_discourse_markers(text, sentences),
        repetitions=find_repetitions(text, sentences),
        uncredited=uncredited,
        addresses_question=bool(sims.credited),
        substantive_word_count=count_substantive_words(unique_text),
        estimated_speaking_s=round(word_count * 60 / WORDS_PER_MINUTE, 1),
        injection_flags=neutralised.flags,
    )
    return MeasuredText(analysis=analysis, credited_text=" ".join(credited_sentences))


def analyze_text(
    answer: str, question: Question, embedder: Embedder, *, max_chars: int = MAX_ANALYSED_CHARS
) -> TextAnalysis:
    """Measure an answer against its question (``assessment.text_scores.assess_text`` scores it).

    Args:
        answer: the candidate's answer (typed or transcribed); may be empty or huge.
        question: the question with its kind and key points.
        embedder: sentence embedder (unit vectors); called once with one batch.
        max_chars: only the first ``max_chars`` characters are analysed (``truncated`` says so);
            injection detection still covers the whole text.

    Returns:
        A frozen ``TextAnalysis`` with the measured fields; nothing is raised for empty or odd input.

    """
    return measure_text(answer, question, embedder, max_chars=max_chars).analysis
