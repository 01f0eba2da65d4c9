"""Graded example answers per question: a grade for a known question also leans on its nearest graded answers.

When a question has human-graded answers (SAF training data, reviewer corrections), a new answer
to that question is compared with them: the similarity-weighted mean grade of its
:data:`NEIGHBOURS` most similar graded answers (TF-IDF cosine over content-word stems and pairs of adjacent stems) is blended
into the model's correctness. The blend weight grows with the number of graded answers,
``weight * n / (n + PRIOR)``, so one or two examples barely move a grade. Questions without
graded answers (every question the bank has never seen) are graded by the model alone.

The bank stores no text: each answer is kept as hashed stems (8 hex digits each), and each
question as a hash of its question and reference words.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interview_coach.assessment.grading.features import PREFIX
from interview_coach.assessment.grading.text import content_stems, words

EXEMPLARS_FILE = "exemplars.json"
EXEMPLARS_FORMAT = "interview-coach-exemplars/1"
NEIGHBOURS = 20
"""Graded answers an estimate averages (the most similar ones)."""
PRIOR = 20.0
"""Graded answers at which the blend reaches half its weight: few examples barely move a grade."""


def question_key(question: str, reference_units: Sequence[str]) -> str:
    """Identify a question by its words and its reference's words (case, spacing and punctuation ignored)."""
    text = " ".join(words(question or "")) + "\n" + " ".join(w for unit in reference_units for w in words(unit))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def hashed_terms(answer: str) -> list[str]:
    """Hash the answer's content stems (cut to 5 letters, as in the grader's term features)."""
    return [hashlib.blake2b(t[:PREFIX].encode("utf-8"), digest_size=4).hexdigest() for t in content_stems(answer)]


class Exemplar(BaseModel):
    """One graded answer: its hashed stems and its 0-1 grade."""

    model_config = ConfigDict(frozen=True)

    terms: list[str]
    score: float = Field(ge=0.0, le=1.0)


class ExemplarBank(BaseModel):
    """Graded answers by question key, with the blend settings chosen at training time."""

    model_config = ConfigDict(frozen=True)

    format: str = EXEMPLARS_FORMAT
    method: Literal["tfidf-stems-pairs"] = "tfidf-stems-pairs"
    """How answers are compared: smoothed TF-IDF over stems and adjacent stem pairs, cosine."""
    weight: float = Field(ge=0.0, le=1.0, description="blend weight as the number of examples grows")
    neighbours: int = NEIGHBOURS
    prior: float = PRIOR
    questions: dict[str, list[Exemplar]] = Field(default_factory=dict)

    def count(self, key: str) -> int:
        """Count the graded answers to the question ``key``."""
        return len(self.questions.get(key, ()))

    def share(self, key: str) -> float:
        """Weight of the exemplar estimate in the blend for question ``key``."""
        n = self.count(key)
        return self.weight * n / (n + self.prior) if n else 0.0


@dataclass(frozen=True)
class Estimate:
    """What the graded answers to a question say about a new answer."""

    score: float
    examples: int
    share: float

    def blend(self, correctness: float) -> float:
        """Mix the model's correctness with this estimate by :attr:`share`."""
        return (1.0 - self.share) * correctness + self.share * self.score


def _weights(counts: Counter[str], idf: dict[str, float], unseen: float) -> dict[str, float]:
    vector = {t: c * idf.get(t, unseen) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}


def _features(terms: Sequence[str]) -> Counter[str]:
    """Stems and pairs of adjacent stems (pairs tell "no flow control" from "flow ... no control")."""
    return Counter([*terms, *(a + b for a, b in itertools.pairwise(terms))])


@dataclass(frozen=True)
class _QuestionIndex:
    idf: dict[str, float]
    unseen: float
    vectors: list[dict[str, float]]
    scores: list[float]

    @classmethod
    def build(cls, exemplars: Sequence[Exemplar]) -> _QuestionIndex:
        bags = [_features(e.terms) for e in exemplars]
        df = Counter(t for bag in bags for t in bag)
        n = len(bags)
        # Smoothed IDF (+1): with plain log((n+1)/(df+1)) a lone graded answer would weigh every term 0.
        idf = {t: math.log((n + 1) / (d + 1)) + 1.0 for t, d in df.items()}
        unseen = math.log(n + 1) + 1.0
        return cls(idf, unseen, [_weights(b, idf, unseen) for b in bags], [e.score for e in exemplars])

    def estimate(self, terms: Sequence[str], neighbours: int) -> float | None:
        query = _weights(_features(terms), self.idf, self.unseen)
        if not query or not self.vectors:
            return None
        sims = [sum(w * vector.get(t, 0.0) for t, w in query.items()) for vector in self.vectors]
        if max(sims) <= 0.0:
            return None  # no graded answer shares a term with this one: no evidence either way
        nearest = sorted(range(len(sims)), key=lambda i: (-sims[i], i))[:neighbours]
        weights = [max(sims[i], 1e-3) for i in nearest]
        return sum(w * self.scores[i] for w, i in zip(weights, nearest, strict=True)) / sum(weights)


class ExemplarIndex:
    """Search structure over an :class:`ExemplarBank` (per-question TF-IDF, built on first use)."""

    def __init__(self, bank: ExemplarBank) -> None:
        """Index ``bank`` lazily, one question at a time."""
        self.bank = bank
        self._indexes: dict[str, _QuestionIndex] = {}

    def estimate(self, key: str, answer: str) -> Estimate | None:
        """Estimate a grade for ``answer`` from the graded answers to question ``key``.

        Returns:
            None when the question has no graded answers, the blend weight is 0, or no graded
            answer shares a content word with this one.
        """
        share = self.bank.share(key)
        if share <= 0.0:
            return None
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = _QuestionIndex.build(self.bank.questions[key])
        score = index.estimate(hashed_terms(answer), self.bank.neighbours)
        return None if score is None else Estimate(score, self.bank.count(key), share)


def build_bank(graded: Iterable[tuple[str, str, float]], weight: float) -> ExemplarBank:
    """Collect graded answers into a bank.

    Args:
        graded: ``(question key, answer, 0-1 grade)`` triples, in a fixed order (the bank keeps it).
        weight: the blend weight chosen by cross-validation.

    Returns:
        The bank (answers without content words are left out: they carry no evidence).
    """
    questions: dict[str, list[Exemplar]] = {}
    for key, answer, score in graded:
        terms = hashed_terms(answer)
        if terms:
            questions.setdefault(key, []).append(Exemplar(terms=terms, score=min(1.0, max(0.0, score))))
    return ExemplarBank(weight=weight, questions=questions)
