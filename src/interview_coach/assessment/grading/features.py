"""Features of agreement between an answer and a reference, for the short-answer grader.

Every feature is oriented so that *higher means more agreement with the reference*, which lets
the model constrain all weights to be non-negative (a monotone model). Irrelevant text cannot
add credit: coverage features take the best-matching answer sentence per reference unit (new
unrelated sentences do not match better), precision/support features fall when unrelated text is
added, and length only counts answer words that are supported by the reference, capped at the
reference's own length.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from interview_coach.assessment.grading.lexical import LEXICAL_NAMES, lexical_features
from interview_coach.assessment.grading.text import (
    content_stems,
    content_word_spans,
    negation_count,
    token_f1,
    unit_spans,
    units,
    words,
)
from interview_coach.core.embedding import TokenEncoder, TokenStates

TOKEN_NAMES: tuple[str, ...] = (
    "word_recall",  # mean over reference content words of the best answer-word cosine (BERTScore recall)
    "word_novel_recall",  # the same over reference words that are not in the question
    "word_novel_top",  # mean of the better-matched half of those words
    "word_novel_soft",  # share of those words whose best match is >= SOFT_WORD_MATCH
    "word_precision",  # mean over answer content words of the best reference-or-question word cosine
)
SOFT_WORD_MATCH = 0.6
FEATURE_NAMES: tuple[str, ...] = (
    "cos_whole",  # cosine(answer, reference)
    "cos_gain",  # cosine(answer, reference) - cosine(question, reference)
    "cov_mean",  # mean over reference units of the best answer-unit cosine
    "cov_soft",  # mean over reference units of a soft "is covered" (sigmoid around 0.55)
    "cov_min",  # worst-covered reference unit
    "cov_gain",  # cov_mean minus how much the question alone covers the reference
    "sup_mean",  # word-weighted mean over answer units of the best reference cosine
    "sup_share",  # share of answer words in units supported by the reference (cosine >= 0.35)
    "term_recall",  # recall of reference content terms (stems cut to 5 letters)
    "novel_recall",  # recall of reference content terms that are not in the question
    "term_precision",  # share of answer content terms found in the reference or question
    "term_f1",  # F1 of content-term sets
    "unit_term_cov",  # mean over reference units of the share of the unit's terms in the answer
    "token_f1",  # baseline token F1 on raw lower-cased words
    "neg_agree",  # 1 - share of aligned unit pairs whose negation differs
    "len_adequacy",  # supported answer content words / reference content words, capped at 1
    "cov_top_half",  # mean coverage of the better-covered half of the reference units
    "cov_salient",  # coverage weighted by each reference unit's cosine to the whole reference
    "novel_hits",  # reference terms not in the question found in the answer, k / (k + 4)
    *LEXICAL_NAMES,  # order-aware and character-level term overlap (see lexical.py)
    *TOKEN_NAMES,
)
COVERED_THRESHOLD = 0.55
"""Cosine from which a reference unit counts as covered (used for the missing/covered lists)."""
SUPPORT_THRESHOLD = 0.35
PREFIX = 5


@dataclass(frozen=True)
class GradingInput:
    """One answer to grade against reference units (sentences or key points)."""

    question: str
    answer: str
    reference_units: tuple[str, ...]


@dataclass(frozen=True)
class Alignment:
    """How the answer lines up with the reference: features plus per-unit coverage."""

    features: NDArray[np.float64]
    reference_units: tuple[str, ...]
    unit_coverage: tuple[float, ...]
    unit_terms: tuple[float, ...] = ()


def reference_units(reference: str | None, key_points: Sequence[str] | None = None) -> tuple[str, ...]:
    """Units to grade against: the reference's sentences, else the key points, else nothing.

    Args:
        reference: the reference answer, possibly several sentences or a bullet list.
        key_points: expected key points, used when there is no reference text.

    Returns:
        Tuple of unit strings (empty when neither source has words).
    """
    if reference and words(reference):
        return tuple(units(reference))
    return tuple(p.strip() for p in (key_points or []) if words(p))


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def unit_is_covered(coverage: float, terms: float, threshold: float = COVERED_THRESHOLD) -> bool:
    """Whether a reference unit counts as covered: close in meaning or half its terms present."""
    return coverage >= threshold or terms >= 0.5


def _prefixes(text: str) -> set[str]:
    """Content stems cut to 5 characters: a forgiving match for spelling and derivation variants."""
    return {t[:PREFIX] for t in content_stems(text)}


def _term_features(question: str, answer: str, ref_units: list[str]) -> tuple[float, float, float, float, float, float]:
    reference = " ".join(ref_units)
    ref, ans, quest = _prefixes(reference), _prefixes(answer), _prefixes(question)
    if not ref or not ans:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    hits = ans & ref
    recall = len(hits) / len(ref)
    novel = ref - quest
    novel_recall = len(ans & novel) / len(novel) if novel else recall
    precision = len(ans & (ref | quest)) / len(ans)
    set_precision = len(hits) / len(ans)
    f1 = 2 * recall * set_precision / (recall + set_precision) if hits else 0.0
    per_unit = [u for u in (_prefixes(unit) for unit in ref_units) if u]
    unit_cov = float(np.mean([len(u & ans) / len(u) for u in per_unit])) if per_unit else recall
    novel_hits = len(ans & novel)
    return recall, novel_recall, precision, f1, unit_cov, novel_hits / (novel_hits + 4)


@dataclass(frozen=True)
class _TextView:
    """One text as the grader sees it: unit vectors, whole vector and content-word vectors."""

    units: list[str]
    unit_vectors: NDArray[np.float64]
    whole: NDArray[np.float64]
    terms: list[str]
    word_vectors: NDArray[np.float64]


def _view(text: str, spans: list[tuple[int, int]], states: TokenStates) -> _TextView:
    """Pool one pass of token states into unit, whole-text and word vectors."""
    whole = states.vector().astype(np.float64)
    pooled = states.pool_many(spans)
    unit_vectors = [whole if v is None else v.astype(np.float64) for v in pooled]
    word_spans = content_word_spans(text)
    word_rows = zip((t for t, _, _ in word_spans), states.pool_many([(a, b) for _, a, b in word_spans]), strict=True)
    kept = [(term, v.astype(np.float64)) for term, v in word_rows if v is not None]
    return _TextView(
        units=[text[a:b] for a, b in spans],
        unit_vectors=np.stack(unit_vectors) if unit_vectors else np.zeros((0, len(whole))),
        whole=whole,
        terms=[t for t, _ in kept],
        word_vectors=np.stack([v for _, v in kept]) if kept else np.zeros((0, len(whole))),
    )


def _token_features(question: _TextView, answer: _TextView, reference: _TextView) -> list[float]:
    """Word-level agreement (BERTScore-like) on contextual MiniLM word vectors."""
    if not len(answer.word_vectors) or not len(reference.word_vectors):
        return [0.0] * len(TOKEN_NAMES)
    best = (reference.word_vectors @ answer.word_vectors.T).max(axis=1)
    asked = set(question.terms)
    novel = np.array([t not in asked for t in reference.terms])
    novel_best = best[novel] if novel.any() else best
    top = np.sort(novel_best)[::-1][: max(1, len(novel_best) // 2)]
    context = np.vstack([reference.word_vectors, question.word_vectors])
    precision = float((answer.word_vectors @ context.T).max(axis=1).mean())
    return [
        float(best.mean()),
        float(novel_best.mean()),
        float(top.mean()),
        float((novel_best >= SOFT_WORD_MATCH).mean()),
        precision,
    ]


def _align(
    item: GradingInput, question: _TextView, answer: _TextView, reference: _TextView, lexical: bool
) -> Alignment:
    ref_units = list(item.reference_units)
    reference_text = " ".join(ref_units)
    answer_units = answer.units
    if not answer_units or not ref_units:
        coverage = tuple(0.0 for _ in ref_units)
        empty = np.zeros(len(FEATURE_NAMES))
        empty[FEATURE_NAMES.index("neg_agree")] = 1.0  # nothing said, nothing contradicted
        return Alignment(empty, item.reference_units, coverage, coverage)
    a_whole, r_whole, q_vec = answer.whole, reference.whole, question.whole
    a_mat = np.vstack([answer.unit_vectors, a_whole])
    r_mat = np.vstack([reference.unit_vectors, r_whole])
    sims = r_mat[:-1] @ a_mat.T  # reference units x (answer units + whole answer)
    cover = sims.max(axis=1)
    best = sims[:, :-1].argmax(axis=1)
    support = (a_mat[:-1] @ r_mat.T).max(axis=1)
    weights = np.array([max(1, len(words(u))) for u in answer_units], dtype=np.float64)
    cos_whole = float(a_whole @ r_whole)
    q_cover = (r_mat[:-1] @ q_vec).clip(min=0.0)
    recall, novel_recall, precision, f1, unit_cov, novel_hits = _term_features(item.question, item.answer, ref_units)
    salience = (r_mat[:-1] @ r_whole).clip(min=0.05)
    top = np.sort(cover)[::-1][: (len(cover) + 1) // 2]
    mismatches = sum(
        1
        for i, j in enumerate(best)
        if cover[i] >= 0.5 and (negation_count(ref_units[i]) > 0) != (negation_count(answer_units[j]) > 0)
    )
    supported_words = sum(
        len(content_stems(u)) for u, s in zip(answer_units, support, strict=True) if s >= SUPPORT_THRESHOLD
    )
    ref_words = max(1, len(content_stems(reference_text)))
    values = [
        cos_whole,
        cos_whole - float(q_vec @ r_whole),
        float(cover.mean()),
        float(_sigmoid((cover - COVERED_THRESHOLD) / 0.07).mean()),
        float(cover.min()),
        float(cover.mean() - q_cover.mean()),
        float((support * weights).sum() / weights.sum()),
        float(weights[support >= SUPPORT_THRESHOLD].sum() / weights.sum()),
        recall,
        novel_recall,
        precision,
        f1,
        unit_cov,
        token_f1(item.answer, reference_text),
        1.0 - mismatches / len(ref_units),
        min(1.0, supported_words / ref_words),
        float(top.mean()),
        float((cover * salience).sum() / salience.sum()),
        novel_hits,
        *(lexical_features(item.answer, reference_text) if lexical else [0.0] * len(LEXICAL_NAMES)),
        *_token_features(question, answer, reference),
    ]
    answer_terms = _prefixes(item.answer)
    unit_terms = tuple(len(u & answer_terms) / len(u) if u else 0.0 for u in (_prefixes(x) for x in ref_units))
    return Alignment(
        np.array(values, dtype=np.float64), item.reference_units, tuple(float(c) for c in cover), unit_terms
    )


def _reference_view(
    parts: Sequence[str], vectors: dict[str, NDArray[np.float32]], states: dict[str, TokenStates]
) -> _TextView:
    """Build a reference (or question) view from its units read one by one (fixed texts, memoised)."""
    terms: list[str] = []
    word_vectors: list[NDArray[np.float64]] = []
    for part in parts:
        spans = content_word_spans(part)
        for (term, _, _), pooled in zip(spans, states[part].pool_many([(a, b) for _, a, b in spans]), strict=True):
            if pooled is not None:
                terms.append(term)
                word_vectors.append(pooled.astype(np.float64))
    whole = vectors[" ".join(parts)].astype(np.float64)
    return _TextView(
        units=list(parts),
        unit_vectors=np.stack([vectors[p].astype(np.float64) for p in parts]),
        whole=whole,
        terms=terms,
        word_vectors=np.stack(word_vectors) if word_vectors else np.zeros((0, len(whole))),
    )


_VIEWS: weakref.WeakKeyDictionary[TokenEncoder, dict[tuple[str, ...], _TextView]] = weakref.WeakKeyDictionary()
"""Question and reference views per encoder: they repeat across the answers graded against them."""
_MAX_VIEWS = 2048


def align_many(items: Sequence[GradingInput], encoder: TokenEncoder, *, lexical: bool = True) -> list[Alignment]:
    """Compute features for many inputs; each answer costs one MiniLM pass.

    The answer is read once: its sentence units and content words are vectors pooled from that
    pass (a unit read in its context). References and questions repeat across the answers
    graded against them (and are memoised), so each of their units is embedded on its own.

    Args:
        items: answers with their question and reference units (answers already truncated).
        encoder: gives sentence vectors and contextual token vectors (see :class:`TokenEncoder`).
        lexical: whether to compute the :data:`LEXICAL_NAMES` features (0 when not; a model
            that does not use them skips their cost).

    Returns:
        One :class:`Alignment` per item, in order.
    """
    fixed = [GradingInput(i.question or " ", i.answer, i.reference_units) for i in items]
    graded = [item for item in fixed if words(item.answer) and item.reference_units]
    views = _VIEWS.setdefault(encoder, {})
    if len(views) > _MAX_VIEWS:
        views.clear()
    keys = list(dict.fromkeys(k for item in graded for k in ((item.question,), item.reference_units)))
    missing = [k for k in keys if k not in views]
    answers = list(dict.fromkeys(item.answer for item in graded))
    parts = list(dict.fromkeys(p for key in missing for p in key))
    sentences = list(dict.fromkeys([*parts, *(" ".join(key) for key in missing)]))
    vectors = dict(zip(sentences, encoder.encode(sentences), strict=True)) if sentences else {}
    states = dict(zip(answers + parts, encoder.encode_tokens(answers + parts), strict=True)) if graded else {}
    views.update((key, _reference_view(key, vectors, states)) for key in missing)
    empty = _TextView([], np.zeros((0, 1)), np.zeros(1), [], np.zeros((0, 1)))
    alignments: list[Alignment] = []
    for item in fixed:
        if not words(item.answer) or not item.reference_units:
            alignments.append(_align(item, empty, empty, empty, lexical))
            continue
        answer = _view(item.answer, unit_spans(item.answer), states[item.answer])
        alignments.append(_align(item, views[(item.question,)], answer, views[item.reference_units], lexical))
    return alignments


def align(item: GradingInput, encoder: TokenEncoder) -> Alignment:
    """Features for one input (see :func:`align_many`)."""
    return align_many([item], encoder)[0]
