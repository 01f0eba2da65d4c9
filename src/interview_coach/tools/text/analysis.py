"""Deterministic measures of a written or transcribed answer against its question.

``analyze_text`` measures relevance and key-point similarity with sentence embeddings (one
batched ``encode`` call), STAR or technical structure (lexical cues plus a prototype vote on
the same sentence vectors, see ``tools/text/structure.py``), specificity cues, hedges, fillers,
repetitions, substantive length and prompt-injection attempts. Injected text is removed
before anything is measured (see ``tools/text/injection.py``): it is reported in
``injection_flags`` and can never raise a score. Calibration and scoring live in
``assessment.text_scores``.

Relevance raw value: 0.5 * cos(answer centroid, question) + 0.5 * mean of the top-3 sentence
cosines to the question (or to the key points' centroid when key points exist, whichever is
higher). Sentences that only restate the question (cosine >= 0.92) are ignored, so echoing the
question earns nothing.

Key points: each point's best sentence maximises its cosine plus, for rubric-phrased points
("quantifies the outcome with a number"), a bonus of up to 0.2 when that sentence has the
asked-for feature (see ``tools/text/star.rubric_cue_bonus``).

Substantive words exclude fillers, hedges, bare discourse markers ("so,", "well,"), repeated
sentences and sentences that restate the question.

Similarities are rounded to 3 decimals so results are identical across runs and batch
compositions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.embedding import Embedder
from interview_coach.domain import KeyPointCoverage, Question, QuestionKind, TextAnalysis
from interview_coach.tools.text.injection import neutralise
from interview_coach.tools.text.lexical import (
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
from interview_coach.tools.text.star import detect_star, detect_technical_structure, rubric_cue_bonus
from interview_coach.tools.text.structure import sentence_similarities

__all__ = ["MAX_ANALYSED_CHARS", "WORDS_PER_MINUTE", "analyze_text"]

WORDS_PER_MINUTE = 140
MAX_ANALYSED_CHARS = 20_000
MAX_EMBEDDED_UNITS = 48
QUESTION_ECHO_AT = 0.92


def _r3(value: float) -> float:
    return round(float(value), 3)


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
        self.vector_of: dict[str, NDArray[np.float32]] = dict(zip(units, unit_vecs, strict=True))
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

    def key_point_matches(self, key_points: list[str]) -> list[KeyPointCoverage]:
        coverage: list[KeyPointCoverage] = []
        for index, point in enumerate(key_points):
            if not self.units:
                coverage.append(KeyPointCoverage(point=point, similarity=0.0))
                continue
            sims = np.round(self.unit_vecs @ self.key_point_vecs[index], 3)
            bonuses = np.array([rubric_cue_bonus(point, unit) for unit in self.units])
            best = int(np.argmax(sims + bonuses))
            coverage.append(
                KeyPointCoverage(
                    point=point, similarity=_r3(sims[best]), rubric_bonus=_r3(bonuses[best]), quote=self.units[best]
                )
            )
        return coverage


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
    neutralised = neutralise(answer)
    text = neutralised.text
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars]
    sentences = split_sentences(text)
    word_count = count_words(text)
    mine, ours = find_first_person_actions(text, sentences)

    sims = _Similarities(question, _embedding_units(sentences), embedder)
    raw, closest = sims.raw_relevance()
    structured = [s.text for s in sentences if s.text not in sims.echoed]
    star, technical = None, None
    # Sentences were embedded for relevance already; the structure vote reuses those vectors.
    vectors = [sims.vector_of.get(s) for s in structured]
    if question.kind == QuestionKind.TECHNICAL:
        technical = detect_technical_structure(
            structured, similarities=sentence_similarities("technical", vectors, embedder)
        )
    else:
        star = detect_star(
            structured,
            hypothetical=question.kind == QuestionKind.SITUATIONAL,
            similarities=sentence_similarities("star", vectors, embedder),
        )
    # Repeated sentences and restated questions add no substance, so they do not count toward length.
    unique_text = " ".join(dict.fromkeys(s.text for s in sentences if s.text not in sims.echoed))
    return TextAnalysis(
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
        numbers=find_numbers(text, sentences),
        first_person_actions=len(mine),
        we_actions=len(ours),
        first_person_action_findings=mine,
        we_action_findings=ours,
        named_terms=find_named_terms(text, sentences),
        hedges=find_hedges(text, sentences),
        fillers_in_text=find_fillers(text, sentences),
        repetitions=find_repetitions(text, sentences),
        substantive_word_count=count_substantive_words(unique_text),
        estimated_speaking_s=round(word_count * 60 / WORDS_PER_MINUTE, 1),
        injection_flags=neutralised.flags,
    )
