"""Choosing how much a grade leans on graded answers to the same question (see ``grading.exemplars``).

The blend weight is chosen by cross-validation inside each training question: its answers are
split into :data:`FOLDS` folds; each fold is graded by a model fitted without it and by the graded
answers of the other folds. Leave-question-out CV cannot choose it: a left-out question has no
graded answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from interview_coach.assessment.grading.exemplars import ExemplarBank, ExemplarIndex, build_bank, question_key
from interview_coach.assessment.grading.features import reference_units
from interview_coach.assessment.grading.metrics import all_metrics
from interview_coach.assessment.grading.model import GraderWeights
from interview_coach.assessment.grading.text import truncate, words
from interview_coach.learning.grader_fit import FitConfig, feature_mask, fit, judged_mean
from interview_coach.learning.saf_data import LabelledExample

EXEMPLAR_WEIGHTS = (0.0, 0.25, 0.5, 0.75)
"""Candidate blend weights (0 = the model alone)."""
FOLDS = 5


def adjusted(pred: np.ndarray, examples: Sequence[LabelledExample], form_penalty: float) -> np.ndarray:
    """Apply the grader's rules to raw model output: empty and non-answers score 0, keyword lists lose credit."""
    rules = GraderWeights(feature_names=[], mean=[], scale=[], weights=[], bias=0.0, form_penalty=form_penalty)
    return np.array(
        [
            0.0 if not words(e.answer) else rules.adjust(float(p), e.answer, e.reference)
            for p, e in zip(pred, examples, strict=True)
        ]
    )


def example_key(example: LabelledExample) -> str:
    """Return the question key the grader computes for this example at grading time."""
    return question_key(example.question or " ", reference_units(truncate(example.reference)[0]))


def bank_for(examples: Sequence[LabelledExample], weight: float) -> ExemplarBank:
    """Collect every example's answer and grade into a bank (answers truncated as at grading time)."""
    return build_bank(((example_key(e), truncate(e.answer)[0], e.score) for e in examples), weight)


def blended(pred: np.ndarray, examples: Sequence[LabelledExample], bank: ExemplarBank) -> np.ndarray:
    """Blend raw model predictions with what ``bank`` says about each example (before the rules)."""
    index = ExemplarIndex(bank)
    out = np.array(pred, dtype=np.float64)
    for i, example in enumerate(examples):
        estimate = index.estimate(example_key(example), truncate(example.answer)[0])
        if estimate is not None:
            out[i] = estimate.blend(float(pred[i]))
    return out


def _folds(qids: Sequence[str], seed: int) -> np.ndarray:
    """Assign each answer to a fold, shuffled within its question (seeded, so reproducible)."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(qids)
    folds = np.zeros(len(qids), dtype=np.intp)
    for question in dict.fromkeys(qids):
        members = np.flatnonzero(labels == question)
        folds[rng.permutation(members)] = np.arange(len(members)) % FOLDS
    return folds


def choose_exemplar_weight(
    x: np.ndarray, examples: Sequence[LabelledExample], config: FitConfig, form_penalty: float, seed: int
) -> tuple[float, dict[str, dict[str, float]]]:
    """Pick the blend weight by within-question CV (the smallest within 0.002 of the best mean).

    Args:
        x: feature matrix of ``examples`` (all features).
        examples: the training answers.
        config: the model configuration already chosen.
        form_penalty: the keyword-list rule already chosen.
        seed: shuffles answers into folds.

    Returns:
        The weight and the CV metrics of every candidate weight.
    """
    y = np.array([e.score for e in examples])
    qids = [e.question_id for e in examples]
    keys = [example_key(e) for e in examples]
    mask = feature_mask(config)
    folds = _folds(qids, seed)
    model_pred = np.zeros(len(examples))
    estimates = np.full(len(examples), np.nan)
    shares = np.zeros(len(examples))
    for fold in range(FOLDS):
        test = folds == fold
        model = fit(x[~test], y[~test], [q for q, t in zip(qids, test, strict=True) if not t], mask, config)
        model_pred[test] = model.predict(x[test])
        index = ExemplarIndex(bank_for([e for e, t in zip(examples, test, strict=True) if not t], 1.0))
        for i in (int(j) for j in np.flatnonzero(test)):
            estimate = index.estimate(keys[i], truncate(examples[i].answer)[0])
            if estimate is not None:
                estimates[i], shares[i] = estimate.score, estimate.share
    known = ~np.isnan(estimates)
    results: dict[str, dict[str, float]] = {}
    for weight in EXEMPLAR_WEIGHTS:
        share = weight * shares
        pred = np.where(known, (1 - share) * model_pred + share * np.nan_to_num(estimates), model_pred)
        results[f"exemplar_weight={weight}"] = all_metrics(list(adjusted(pred, examples, form_penalty)), list(y), qids)
    means = {w: judged_mean(results[f"exemplar_weight={w}"]) for w in EXEMPLAR_WEIGHTS}
    best = max(means.values())
    return min(w for w, m in means.items() if m >= best - 0.002), results
