"""The short-answer grader: a monotone model over answer/reference agreement features.

``Grader.load(folder)`` reads a registry version folder (``grader.json`` weights + model card);
``grade`` returns a :class:`GradeResult`. Without a model, :func:`untrained_grade` applies a
transparent fixed-weight heuristic on the same features and says so in ``note``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from interview_coach.assessment.grading.exemplars import (
    EXEMPLARS_FILE,
    EXEMPLARS_FORMAT,
    ExemplarBank,
    ExemplarIndex,
    question_key,
)
from interview_coach.assessment.grading.features import (
    COVERED_THRESHOLD,
    FEATURE_NAMES,
    Alignment,
    GradingInput,
    align_many,
    reference_units,
    unit_is_covered,
)
from interview_coach.assessment.grading.lexical import LEXICAL_NAMES
from interview_coach.assessment.grading.registry import CorruptModelError, read_card
from interview_coach.assessment.grading.text import (
    STOPWORDS,
    content_stems,
    is_non_answer,
    sentence_form,
    stem,
    truncate,
    words,
)
from interview_coach.core.embedding import Embedder, TokenEncoder
from interview_coach.memory.embeddings import SentenceTransformerEmbedder, TokenPrecision

Verdict = Literal["correct", "partially_correct", "incorrect"]
Basis = Literal["reference", "key_points", "none"]
WEIGHTS_FILE = "grader.json"
WEIGHTS_FORMAT = "interview-coach-grader/1"
REBUILD_COMMAND = "interview-coach train grader"
UNTRAINED_VERSION = "untrained-heuristic-1"
_KEY_POINTS_NOTE = "no reference answer: graded against the key points"


def grading_embedder(threads: int = 1, token_precision: TokenPrecision = "int8") -> SentenceTransformerEmbedder:
    """Return the bundled MiniLM as the grader was trained with it (batches of 64, a large memo)."""
    return SentenceTransformerEmbedder(
        threads=threads, cache_size=20000, batch_size=64, token_precision=token_precision
    )


class GraderUnavailableError(RuntimeError):
    """The grader model folder is missing or corrupt; the message names the rebuild command."""


class GradeResult(BaseModel):
    """How correct an answer is against a reference.

    ``score``/``correctness``/``verdict`` are ``None`` only when there was nothing to grade
    against (``basis == "none"``): correctness is then "not measured", never guessed.
    """

    model_config = ConfigDict(frozen=True)

    score: int | None = Field(description="0-100 correctness score")
    correctness: float | None = Field(description="0-1 correctness")
    verdict: Verdict | None
    missing: list[str] = Field(default_factory=list, description="reference points not covered")
    covered: list[str] = Field(default_factory=list, description="reference points covered")
    feedback: str
    model_version: str
    trained: bool
    basis: Basis = "reference"
    note: str | None = None
    exemplars: int = Field(default=0, description="graded answers to this question the score leaned on")


class GradeRequest(BaseModel):
    """One answer to grade (for :meth:`Grader.grade_many`)."""

    model_config = ConfigDict(frozen=True)

    question: str = ""
    answer: str = ""
    reference: str | None = None
    key_points: list[str] | None = None


class GraderWeights(BaseModel):
    """Serialised model: correctness = sigmoid(((x - mean) / scale) . weights + bias)."""

    model_config = ConfigDict(frozen=True)

    format: str = WEIGHTS_FORMAT
    feature_names: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    correct_threshold: float = 0.8
    incorrect_threshold: float = 0.3
    covered_threshold: float = COVERED_THRESHOLD
    embedding_model: str = "all-MiniLM-L6-v2"
    form_penalty: float = 0.0
    """Share of the correctness lost when the answer is a bare keyword list but the reference is prose."""
    token_precision: TokenPrecision | None = None
    """Arithmetic of the MiniLM pass the features came from; None marks a model from before the
    one-pass features (its sentence vectors were computed apart), which must be rebuilt."""

    def correctness(self, features: np.ndarray) -> float:
        """Apply the model to one feature vector."""
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        logit = float(z @ np.asarray(self.weights)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit))))

    def adjust(self, correctness: float, answer: str, reference: str) -> float:
        """Apply the rules the linear model cannot learn from SAF: non-answers and keyword lists.

        A non-answer ("No response.", "I don't know") scores 0. An answer much less
        sentence-like than its reference (a bare list of the reference's keywords) loses up to
        ``form_penalty`` of its correctness: the features reward shared terms, which such a list
        maximises without explaining anything.
        """
        if is_non_answer(answer):
            return 0.0
        gap = max(0.0, sentence_form(reference) - sentence_form(answer))
        return correctness * (1.0 - self.form_penalty * gap)

    def verdict(self, correctness: float) -> Verdict:
        """Map a correctness to a verdict with the tuned thresholds."""
        if correctness >= self.correct_threshold:
            return "correct"
        return "incorrect" if correctness < self.incorrect_threshold else "partially_correct"


HEURISTIC_WEIGHTS = GraderWeights(
    feature_names=list(FEATURE_NAMES),
    mean=[0.0] * len(FEATURE_NAMES),
    scale=[1.0] * len(FEATURE_NAMES),
    weights=[4.0 if n in {"cov_soft", "novel_recall", "sup_share"} else 0.0 for n in FEATURE_NAMES],
    bias=-5.0,
    token_precision="int8",
)
"""Untrained fallback: sigmoid(4 * (reference coverage + new-term recall + answer support) - 5)."""


def _looks_non_english(answer: str, reference_units: Sequence[str]) -> bool:
    """Few English stop words and few reference terms: probably another language."""
    tokens = words(answer)
    if len(tokens) < 6 or sum(t in STOPWORDS for t in tokens) / len(tokens) >= 0.05:
        return False
    reference_terms = {t[:5] for u in reference_units for t in content_stems(u)}
    return sum(stem(t)[:5] in reference_terms for t in tokens) / len(tokens) < 0.2


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _feedback(verdict: Verdict, missing: list[str], covered: list[str], empty: bool) -> str:
    if empty:
        return "The answer is empty (or says there is no answer), so none of the expected points are covered."
    if not missing:
        return "The answer covers the points of the reference answer."
    first = f'"{_short(missing[0])}"'
    more = f" and {len(missing) - 1} more point{'s' if len(missing) > 2 else ''}" if len(missing) > 1 else ""
    if verdict == "incorrect" and not covered:
        return f"The answer does not match the reference answer; it should address {first}{more}."
    if verdict == "correct":
        return f"The answer is essentially right; it could also mention {first}{more}."
    return f"The answer is incomplete: it misses {first}{more}."


class Grader:
    """Grade short answers against a reference (or key points) with a trained monotone model."""

    def __init__(
        self,
        weights: GraderWeights,
        version: str,
        embedder: Embedder | None = None,
        *,
        trained: bool = True,
        exemplars: ExemplarBank | None = None,
    ) -> None:
        """Wrap loaded weights (and the graded answers of known questions, when the model has them).

        The grader reads each text in one pass of contextual token vectors; an ``embedder``
        without :meth:`~interview_coach.core.embedding.TokenEncoder.encode_tokens` (a plain
        sentence embedder) is replaced by the bundled MiniLM, loaded lazily.
        """
        unknown = [name for name in weights.feature_names if name not in FEATURE_NAMES]
        if unknown or len(weights.feature_names) != len(weights.weights):
            raise GraderUnavailableError(
                f"grader {version} was trained on other features ({', '.join(unknown) or 'size mismatch'}); "
                f"rebuild it with `{REBUILD_COMMAND}`"
            )
        if weights.token_precision is None:
            raise GraderUnavailableError(
                f"grader {version} was trained on features of an older grader (sentences embedded one by one); "
                f"rebuild it with `{REBUILD_COMMAND}`"
            )
        self._columns = np.array([FEATURE_NAMES.index(name) for name in weights.feature_names], dtype=np.intp)
        used = {name for name, w in zip(weights.feature_names, weights.weights, strict=True) if w}
        self._lexical = bool(used & set(LEXICAL_NAMES))
        self.weights = weights
        self.version = version
        self._exemplars = ExemplarIndex(exemplars) if exemplars is not None and exemplars.questions else None
        self.trained = trained
        precision = getattr(embedder, "token_precision", weights.token_precision)
        self.embedder: TokenEncoder = (
            embedder
            if isinstance(embedder, TokenEncoder) and precision == weights.token_precision
            else grading_embedder(token_precision=weights.token_precision)
        )

    @classmethod
    def load(cls, folder: Path, embedder: Embedder | None = None) -> Grader:
        """Load a grader version folder (``model_card.json`` + ``grader.json``).

        Raises:
            GraderUnavailableError: when the folder is missing or corrupt.
        """
        if not (folder / WEIGHTS_FILE).is_file():
            raise GraderUnavailableError(
                f"no grader model at {folder}; build one with `{REBUILD_COMMAND}` (or use untrained_grade)"
            )
        bank_file = folder / EXEMPLARS_FILE
        try:
            read_card(folder)
            weights = GraderWeights.model_validate(json.loads((folder / WEIGHTS_FILE).read_text(encoding="utf-8")))
            bank = ExemplarBank.model_validate_json(bank_file.read_bytes()) if bank_file.is_file() else None
        except (CorruptModelError, ValueError, OSError) as exc:
            raise GraderUnavailableError(
                f"grader model at {folder} is corrupt ({exc}); rebuild it with `{REBUILD_COMMAND}`"
            ) from exc
        formats = [weights.format == WEIGHTS_FORMAT, bank is None or bank.format == EXEMPLARS_FORMAT]
        if not all(formats):
            raise GraderUnavailableError(f"{folder}: unknown model format; rebuild with `{REBUILD_COMMAND}`")
        return cls(weights, folder.name, embedder, exemplars=bank)

    def grade(
        self, question: str, answer: str, reference: str | None = None, key_points: list[str] | None = None
    ) -> GradeResult:
        """Grade one answer (see :meth:`grade_many`)."""
        request = GradeRequest(question=question, answer=answer, reference=reference, key_points=key_points)
        return self.grade_many([request])[0]

    def grade_many(self, requests: Sequence[GradeRequest]) -> list[GradeResult]:
        """Grade answers in one embedding batch.

        The reference is split into sentence units; without a reference the key points are the
        units; with neither, the result has ``basis="none"`` and no score. Answers and
        references are truncated to a safe length (noted in ``note``).
        """
        inputs: list[GradingInput] = []
        keys: list[str] = []
        notes: list[list[str]] = []
        for r in requests:
            answer, cut = truncate(r.answer or "")
            reference, ref_cut = truncate(r.reference or "")
            ref_units = reference_units(reference, r.key_points)
            note = ["answer truncated to its first characters"] if cut else []
            note += ["reference truncated"] if ref_cut else []
            if not words(reference) and ref_units:
                note.append(_KEY_POINTS_NOTE)
            if _looks_non_english(answer, ref_units):
                note.append("the answer does not look like English; grading across languages is unreliable")
            inputs.append(GradingInput(_short(r.question or "", 2000), answer, ref_units))
            keys.append(question_key(r.question or " ", ref_units) if self._exemplars is not None else "")
            notes.append(note)
        alignments = align_many(inputs, self.embedder, lexical=self._lexical)
        return [self._result(*row) for row in zip(inputs, alignments, notes, keys, strict=True)]

    def _result(self, item: GradingInput, alignment: Alignment, notes: list[str], key: str) -> GradeResult:
        if not self.trained:
            notes = [f"untrained heuristic: no grader model is installed (run `{REBUILD_COMMAND}`)", *notes]
        if not item.reference_units:
            return GradeResult(
                score=None,
                correctness=None,
                verdict=None,
                feedback="Correctness was not measured: there is no reference answer or key points to compare with.",
                model_version=self.version,
                trained=self.trained,
                basis="none",
                note="; ".join(["no reference answer or key points", *notes]),
            )
        empty = not words(item.answer) or is_non_answer(item.answer)
        raw = self.weights.correctness(alignment.features[self._columns])
        estimate = None if empty or self._exemplars is None else self._exemplars.estimate(key, item.answer)
        if estimate is not None:
            raw = estimate.blend(raw)
            notes = [*notes, f"compared with {_count(estimate.examples, 'graded answer')} to this question"]
        correctness = 0.0 if empty else self.weights.adjust(raw, item.answer, " ".join(item.reference_units))
        threshold = self.weights.covered_threshold
        pairs = zip(alignment.reference_units, alignment.unit_coverage, alignment.unit_terms, strict=True)
        covered = [u for u, c, t in pairs if unit_is_covered(c, t, threshold)]
        missing = [u for u in alignment.reference_units if u not in covered]
        verdict = self.weights.verdict(correctness)
        return GradeResult(
            score=round(100 * correctness),
            correctness=round(correctness, 4),
            verdict=verdict,
            missing=missing,
            covered=covered,
            feedback=_feedback(verdict, missing, covered, empty),
            model_version=self.version,
            trained=self.trained,
            basis="key_points" if any(n.startswith(_KEY_POINTS_NOTE) for n in notes) else "reference",
            note="; ".join(notes) or None,
            exemplars=estimate.examples if estimate is not None else 0,
        )


def untrained_grade(
    question: str,
    answer: str,
    reference: str | None = None,
    key_points: list[str] | None = None,
    embedder: Embedder | None = None,
) -> GradeResult:
    """Grade with the transparent fixed-weight heuristic (``trained=False``, explained in ``note``)."""
    grader = Grader(HEURISTIC_WEIGHTS, UNTRAINED_VERSION, embedder, trained=False)
    return grader.grade(question, answer, reference, key_points)
