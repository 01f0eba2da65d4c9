"""Fitting the grader: a monotone (non-negative weight) logistic model with a within-question ranking term.

Loss = mean squared error of ``sigmoid(z . w + b)`` against the 0-1 human score
+ ``pair_weight`` x mean logistic loss over pairs of answers to the same question whose human
scores differ by at least ``min_gap`` (weighted by the gap) + ``l2`` x ||w||^2, with ``w >= 0``
(every feature is oriented so that more agreement with the reference is better). L-BFGS-B from
a fixed start makes it deterministic: no random state is involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize  # type: ignore[import-untyped]

from interview_coach.assessment.grading.features import FEATURE_NAMES
from interview_coach.assessment.grading.metrics import VERDICTS, all_metrics

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class FitConfig:
    """Hyper-parameters of the grader fit (chosen by leave-question-out CV on SAF training)."""

    pair_weight: float = 1.0
    l2: float = 1e-3
    min_gap: float = 0.25
    features: tuple[str, ...] | None = None  # None = all features


JUDGED_METRICS = ("spearman", "per_question_spearman", "pairwise_accuracy")
"""Metrics that choose between candidates (their mean) and that the promotion gate guards."""


def judged_mean(metrics: dict[str, float]) -> float:
    """Mean of :data:`JUDGED_METRICS` in one metrics dict."""
    return float(np.mean([metrics[m] for m in JUDGED_METRICS]))


def feature_mask(config: FitConfig) -> NDArray[np.bool_]:
    """Which columns of a full feature matrix ``config`` uses."""
    return np.array([config.features is None or name in config.features for name in FEATURE_NAMES])


@dataclass(frozen=True)
class FittedModel:
    """Standardisation and weights of a fitted model (weights are zero for unused features)."""

    mean: FloatArray
    scale: FloatArray
    weights: FloatArray
    bias: float
    columns: NDArray[np.bool_] | None = None
    """Which columns of a full feature matrix ``mean``/``scale``/``weights`` refer to (None: all)."""

    def predict(self, x: FloatArray) -> FloatArray:
        """Correctness (0-1) for a feature matrix (all features, or only ``columns`` when set)."""
        if self.columns is not None and x.shape[1] == len(self.columns):
            x = x[:, self.columns]
        logit = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -60, 60))), dtype=np.float64)


def ranking_pairs(
    y: FloatArray, groups: Sequence[str], min_gap: float
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray]:
    """Index pairs (better, worse) within each group whose scores differ by >= ``min_gap``, with the gaps."""
    labels = np.asarray(groups)
    better: list[NDArray[np.intp]] = []
    worse: list[NDArray[np.intp]] = []
    gaps: list[FloatArray] = []
    for group in dict.fromkeys(groups):
        idx = np.flatnonzero(labels == group)
        diff = y[idx][:, None] - y[idx][None, :]
        a, b = np.nonzero(diff >= min_gap - 1e-9)
        better.append(idx[a])
        worse.append(idx[b])
        gaps.append(diff[a, b])
    if not better:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    return np.concatenate(better), np.concatenate(worse), np.concatenate(gaps)


def fit(x: FloatArray, y: FloatArray, groups: Sequence[str], mask: NDArray[np.bool_], config: FitConfig) -> FittedModel:
    """Fit the monotone model on the features selected by ``mask``.

    Args:
        x: feature matrix (n x d).
        y: human scores in [0, 1].
        groups: question id per row (ranking pairs are formed within a question).
        mask: which of the d features the model may use.
        config: hyper-parameters.

    Returns:
        The fitted model over all d features (unused ones get weight 0).
    """
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale < 1e-9, 1.0, scale)
    z = ((x - mean) / scale)[:, mask]
    n, d = z.shape
    better, worse, gaps = ranking_pairs(y, groups, config.min_gap)
    diffs = z[better] - z[worse]
    gap_weights = gaps / gaps.mean() if len(gaps) else gaps

    def loss(params: FloatArray) -> tuple[float, FloatArray]:
        w, b = params[:d], params[d]
        pred = 1.0 / (1.0 + np.exp(-np.clip(z @ w + b, -60, 60)))
        resid = pred - y
        value = float(np.mean(resid**2))
        grad_logit = 2.0 * resid * pred * (1.0 - pred) / n
        grad_w = z.T @ grad_logit
        grad_b = float(grad_logit.sum())
        if config.pair_weight > 0 and len(diffs):
            margin = diffs @ w
            value += config.pair_weight * float(np.mean(gap_weights * np.logaddexp(0.0, -margin)))
            coef = -config.pair_weight * gap_weights / (1.0 + np.exp(np.clip(margin, -60, 60))) / len(margin)
            grad_w = grad_w + diffs.T @ coef
        value += config.l2 * float(w @ w)
        grad_w = grad_w + 2.0 * config.l2 * w
        return value, np.append(grad_w, grad_b)

    start = np.append(np.full(d, 0.1), 0.0)
    bounds = [(0.0, None)] * d + [(None, None)]
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 3000})
    weights = np.zeros(x.shape[1])
    weights[mask] = result.x[:d]
    return FittedModel(mean=mean, scale=scale, weights=weights, bias=float(result.x[d]))


def tune_verdict_thresholds(pred: FloatArray, verdicts: Sequence[str | None]) -> tuple[float, float]:
    """Pick (incorrect_below, correct_from) thresholds maximising verdict accuracy on ``pred``."""
    known = [i for i, v in enumerate(verdicts) if v in VERDICTS]
    p = pred[known]
    gold = np.asarray([verdicts[i] for i in known])
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    best = (0.3, 0.8, -1.0)
    for low in grid:
        for high in grid[grid > low]:
            guess = np.where(p >= high, "correct", np.where(p < low, "incorrect", "partially_correct"))
            accuracy = float(np.mean(guess == gold))
            if accuracy > best[2] + 1e-12:
                best = (float(low), float(high), accuracy)
    return best[0], best[1]


def verdicts_for(pred: FloatArray, low: float, high: float) -> list[str]:
    """Verdict per prediction for thresholds (``incorrect`` below ``low``, ``correct`` from ``high``)."""
    return ["correct" if p >= high else "incorrect" if p < low else "partially_correct" for p in pred]


def leave_question_out(
    x: FloatArray, y: FloatArray, groups: Sequence[str], mask: NDArray[np.bool_], config: FitConfig
) -> FloatArray:
    """Out-of-fold predictions: each question is predicted by a model fitted without it."""
    labels = np.asarray(groups)
    pred = np.zeros(len(y))
    for group in dict.fromkeys(groups):
        test = labels == group
        model = fit(x[~test], y[~test], list(labels[~test]), mask, config)
        pred[test] = model.predict(x[test])
    return pred


def cv_metrics(
    x: FloatArray,
    y: FloatArray,
    groups: Sequence[str],
    verdicts: Sequence[str | None],
    mask: NDArray[np.bool_],
    config: FitConfig,
) -> tuple[dict[str, float], FloatArray]:
    """Leave-question-out metrics (verdict thresholds tuned on the out-of-fold predictions)."""
    pred = leave_question_out(x, y, groups, mask, config)
    low, high = tune_verdict_thresholds(pred, verdicts)
    known = [i for i, v in enumerate(verdicts) if v is not None]
    metrics = all_metrics(
        list(pred), list(y), list(groups), verdicts_for(pred[known], low, high), [str(verdicts[i]) for i in known]
    )
    return metrics, pred
