"""Grading metrics: overall and per-question Spearman, within-question pairwise and verdict accuracy."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy.stats import spearmanr  # type: ignore[import-untyped]

VERDICTS = ("correct", "partially_correct", "incorrect")


def spearman(predicted: Sequence[float], gold: Sequence[float]) -> float:
    """Spearman rank correlation; ``nan`` when either side is constant or has < 2 items."""
    if len(gold) < 2 or len(set(gold)) < 2 or len(set(predicted)) < 2:
        return math.nan
    return float(spearmanr(predicted, gold).statistic)


def _groups(question_ids: Sequence[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for index, qid in enumerate(question_ids):
        groups[qid].append(index)
    return groups


def per_question_spearman(predicted: Sequence[float], gold: Sequence[float], question_ids: Sequence[str]) -> float:
    """Mean over questions of the Spearman correlation within the question.

    Questions whose human scores are all equal are skipped (undefined); a constant prediction
    for a question with varied human scores counts as 0.
    """
    values: list[float] = []
    for idx in _groups(question_ids).values():
        g = [gold[i] for i in idx]
        if len(idx) < 2 or len(set(g)) < 2:
            continue
        rho = spearman([predicted[i] for i in idx], g)
        values.append(0.0 if math.isnan(rho) else rho)
    return float(np.mean(values)) if values else math.nan


def pairwise_accuracy(
    predicted: Sequence[float], gold: Sequence[float], question_ids: Sequence[str], min_gap: float = 0.5
) -> float:
    """Share of same-question pairs with a human gap >= ``min_gap`` that the model orders alike.

    Ties in the prediction count half. ``min_gap`` is in the units of ``gold`` (0.5 on SAF's
    0-1 scale; 2.5 on a 0-5 scale).
    """
    agree = 0.0
    total = 0
    for idx in _groups(question_ids).values():
        p = np.asarray([predicted[i] for i in idx], dtype=np.float64)
        g = np.asarray([gold[i] for i in idx], dtype=np.float64)
        gap = g[:, None] - g[None, :]
        mask = gap >= min_gap - 1e-9
        if not mask.any():
            continue
        diff = (p[:, None] - p[None, :])[mask]
        agree += float((diff > 0).sum() + 0.5 * (diff == 0).sum())
        total += int(mask.sum())
    return agree / total if total else math.nan


def verdict_accuracy(predicted: Sequence[str], gold: Sequence[str]) -> float:
    """Share of answers whose predicted verdict equals the human verdict."""
    if not gold:
        return math.nan
    return sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)


def all_metrics(
    predicted: Sequence[float],
    gold: Sequence[float],
    question_ids: Sequence[str],
    predicted_verdicts: Sequence[str] | None = None,
    gold_verdicts: Sequence[str] | None = None,
) -> dict[str, float]:
    """Compute the four grading metrics as a dict (verdict accuracy only when verdicts are given)."""
    metrics = {
        "spearman": spearman(predicted, gold),
        "per_question_spearman": per_question_spearman(predicted, gold, question_ids),
        "pairwise_accuracy": pairwise_accuracy(predicted, gold, question_ids),
    }
    if predicted_verdicts is not None and gold_verdicts is not None:
        metrics["verdict_accuracy"] = verdict_accuracy(predicted_verdicts, gold_verdicts)
    return {k: round(v, 4) for k, v in metrics.items()}
