"""Shared result type for evaluation suites."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview_coach.core.embedding import Embedder
from interview_coach.domain import Question, TextAnalysis

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass
class SuiteResult:
    """Metrics of one evaluation suite, with the targets they are checked against.

    Attributes:
        name: suite name (``voice``, ``face``, ``evaluator``, ``injection``, ``stability``...).
        metrics: metric name -> value.
        targets: metric name -> (operator, threshold), e.g. ``{"wer": ("<=", 0.25)}``.
        details: per-case rows for the JSON report.
        notes: limits and caveats a reader must know.
        skipped: reason when the suite could not run (e.g. shared data missing).
    """

    name: str
    metrics: dict[str, float] = field(default_factory=dict)
    targets: dict[str, tuple[str, float]] = field(default_factory=dict)
    details: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None

    def target_met(self, metric: str) -> bool | None:
        """Whether one metric meets its target (``None`` without a target or value)."""
        if metric not in self.targets or metric not in self.metrics:
            return None
        op, threshold = self.targets[metric]
        return _OPS[op](self.metrics[metric], threshold)

    @property
    def passed(self) -> bool:
        """Whether every metric with a target meets it (a skipped suite has not passed)."""
        if self.skipped:
            return False
        return all(self.target_met(m) is not False for m in self.targets)

    def to_dict(self) -> dict[str, Any]:
        """JSON-shaped view of the result."""
        return {
            "name": self.name,
            "metrics": self.metrics,
            "targets": {k: list(v) for k, v in self.targets.items()},
            "target_met": {m: self.target_met(m) for m in self.targets},
            "passed": self.passed,
            "skipped": self.skipped,
            "notes": self.notes,
            "details": self.details,
        }


def product_text_scorer(models_root: Path) -> Callable[[str, Question, Embedder], TextAnalysis]:
    """Score answer text exactly as the product does: the rubric with the trained grader.

    Args:
        models_root: the model registry root (``settings.models_dir``); without a trained,
            promoted model there, the grader bundled with the package is used.
    """
    from interview_coach.assessment.text_scores import assess_answer_text

    def score(answer: str, question: Question, embedder: Embedder) -> TextAnalysis:
        return assess_answer_text(answer, question, embedder, models_root=models_root)

    return score
