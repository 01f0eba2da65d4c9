"""Content correctness: the trained grader's judgement of an answer against what a good answer says.

Correctness is its own score with its own evidence (covered and missing points). The
answer-quality rubric weighs delivery (structure, specificity, length) by it, so delivery
cannot lift a wrong answer above a correct short one. A missing or corrupt grader model
falls back to the untrained heuristic, and the note says so and names the rebuild command.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from interview_coach.assessment.grading.model import Grader, GradeResult, GraderUnavailableError, untrained_grade
from interview_coach.assessment.grading.registry import RegistryError, active
from interview_coach.core.embedding import Embedder
from interview_coach.domain import Evidence, Question, Score, Signal

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[tuple[str, int], Grader | str] = {}


class Correctness(BaseModel):
    """What the grader concluded about one answer's content.

    Attributes:
        score: correctness 0-100 with the covered/missing points as evidence, or "not measured".
        missing: what a good answer says that this one does not.
        verdict: ``correct``, ``partially_correct`` or ``incorrect`` (``None`` when not measured).
        grader_version: the model version that graded it (``untrained-...`` for the fallback).
        note: why the fallback was used, if it was.
    """

    model_config = ConfigDict(frozen=True)

    score: Score
    missing: list[str] = []
    verdict: str | None = None
    grader_version: str | None = None
    note: str | None = None


def load_grader(models_root: Path, embedder: Embedder) -> Grader | str:
    """Return the active grader, or the reason it could not be loaded (cached per process)."""
    found = active(models_root, "grader")
    key = (str(found.path) if found else "", id(embedder))
    with _lock:
        if key not in _cache:
            try:
                if found is None:
                    raise GraderUnavailableError(
                        "No grader model is installed; run `interview-coach train grader` to build one."
                    )
                _cache[key] = Grader.load(found.path, embedder=embedder)
            except (GraderUnavailableError, RegistryError, OSError, ValueError) as exc:
                logger.warning("grader unavailable: %s", exc)
                _cache[key] = f"{exc} The untrained heuristic graded this answer."
        return _cache[key]


def grade_correctness(answer: str, question: Question, embedder: Embedder, models_root: Path) -> Correctness:
    """Grade how correct an answer is against the question's key points.

    Args:
        answer: the answer text (typed or transcribed; injections already removed).
        question: the question with its key points (what a good answer says).
        embedder: the process's sentence embedder (the grader shares it).
        models_root: the registry root (``settings.models_dir``); the bundled model is the default.

    Returns:
        The correctness score with evidence; "not measured" when the question has no key points.
    """
    key_points = list(question.key_points)
    if not key_points:
        return Correctness(score=Score.not_measured("the question has no key points to grade against"))
    grader = load_grader(models_root, embedder)
    note = None
    if isinstance(grader, Grader):
        result: GradeResult = grader.grade(question.text, answer, key_points=key_points)
    else:
        note = grader
        result = untrained_grade(question.text, answer, key_points=key_points, embedder=embedder)
    if result.score is None:
        return Correctness(score=Score.not_measured(result.note or "nothing to grade against"))
    evidence = [Evidence(kind="key_point", detail=f"covered: {p}") for p in result.covered[:4]]
    evidence += [Evidence(kind="key_point", detail=f"missing: {p}") for p in result.missing[:4]]
    if result.exemplars:
        detail = f"also compared with {result.exemplars} human-graded answers to this question"
        evidence.append(Evidence(kind="graded_answers", detail=detail))
    signal = Signal(name="correctness", value=round(result.correctness or 0.0, 3), evidence=evidence)
    return Correctness(
        score=Score(value=result.score, signals=[signal]),
        missing=list(result.missing),
        verdict=result.verdict,
        grader_version=result.model_version,
        note=note,
    )
