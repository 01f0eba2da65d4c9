"""Train, validate and register the short-answer grader on SAF (plus reviewer corrections).

Run: ``python -m interview_coach.learning.train_grader --saf ../shared/data/saf --out DIR``
(the future ``interview-coach train grader`` calls :func:`train_grader`). Deterministic: the
same data, code and seed give a byte-identical ``grader.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from interview_coach.assessment.grading.exemplars import EXEMPLARS_FILE, ExemplarBank
from interview_coach.assessment.grading.features import FEATURE_NAMES, GradingInput, align_many, reference_units
from interview_coach.assessment.grading.lexical import LEXICAL_NAMES
from interview_coach.assessment.grading.metrics import all_metrics
from interview_coach.assessment.grading.model import WEIGHTS_FILE, GraderWeights, grading_embedder
from interview_coach.assessment.grading.registry import file_sha256, new_version, write_card
from interview_coach.assessment.grading.text import token_f1, truncate
from interview_coach.core.embedding import Embedder, TokenEncoder
from interview_coach.learning.exemplar_fit import adjusted, bank_for, blended, choose_exemplar_weight
from interview_coach.learning.grader_fit import (
    JUDGED_METRICS,
    FitConfig,
    FittedModel,
    feature_mask,
    fit,
    judged_mean,
    leave_question_out,
    tune_verdict_thresholds,
    verdicts_for,
)
from interview_coach.learning.saf_data import LabelledExample, load_split
from interview_coach.memory.embeddings import SentenceTransformerEmbedder

__all__ = ["LabelledExample", "adjusted", "should_promote", "train_grader"]

PREVIOUS = ("cos_gain", "cov_gain", "cov_min", "term_recall", "novel_recall", "unit_term_cov", "term_precision")
"""Features of grader-20261129-191519 (kept as a candidate so CV shows what the new ones add)."""
AGREEMENT = ("cos_gain", "cov_gain", "cov_min", "term_recall", "novel_recall", "unit_term_cov", "lcs_recall")
"""Sentence alignment, term recall and in-order term recall (ROUGE-L), by greedy LOQO-CV selection."""
WORDS = ("word_novel_recall", "word_novel_top")
"""Word-level agreement on contextual MiniLM vectors (BERTScore-like recall of the reference's new words)."""
CANDIDATES: tuple[tuple[str, FitConfig], ...] = (
    ("agreement+ranking+l2=0.1", FitConfig(pair_weight=1.0, l2=0.1, features=AGREEMENT)),
    ("agreement+ranking", FitConfig(pair_weight=1.0, l2=1e-3, features=AGREEMENT)),
    ("agreement+words+ranking", FitConfig(pair_weight=1.0, l2=1e-3, features=AGREEMENT + WORDS)),
    ("previous+ranking", FitConfig(pair_weight=1.0, l2=1e-3, features=PREVIOUS)),
    ("previous+lexical+ranking", FitConfig(pair_weight=1.0, l2=1e-3, features=PREVIOUS + LEXICAL_NAMES)),
    (
        "all+ranking+l2=0.1",
        FitConfig(pair_weight=1.0, l2=0.1, features=tuple(f for f in FEATURE_NAMES if f != "neg_agree")),
    ),
)
"""Candidate configurations, simplest first; the first within 0.005 of the best CV mean wins."""
VALIDATION_SPLITS = ("unseen_answers", "unseen_questions")
GATED_METRICS = JUDGED_METRICS
FORM_PENALTIES = (0.0, 0.25, 0.5, 0.75)
"""Candidate shares of correctness a bare keyword list loses (see ``GraderWeights.adjust``)."""
CODE_FILES = (
    "assessment/grading/text.py",
    "assessment/grading/features.py",
    "assessment/grading/lexical.py",
    "assessment/grading/model.py",
    "learning/grader_fit.py",
    "learning/train_grader.py",
    "core/embedding.py",
    "memory/embeddings.py",
    "assessment/grading/exemplars.py",
    "learning/exemplar_fit.py",
)


def _code_hash() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in CODE_FILES:
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:12]


def featurize(examples: Sequence[LabelledExample], embedder: TokenEncoder) -> np.ndarray:
    """Feature matrix for labelled examples (answers truncated like at grading time)."""
    inputs = [
        GradingInput(e.question or " ", truncate(e.answer)[0], reference_units(truncate(e.reference)[0]))
        for e in examples
    ]
    return np.stack([a.features for a in align_many(inputs, embedder)])


def _baselines(examples: Sequence[LabelledExample], embedder: Embedder) -> dict[str, list[float]]:
    answers = embedder.encode([e.answer or " " for e in examples])
    refs = embedder.encode([e.reference or " " for e in examples])
    return {
        "token_f1": [token_f1(e.answer, e.reference) for e in examples],
        "minilm_cosine": [float(v) for v in (answers * refs).sum(axis=1)],
    }


def evaluate_split(
    examples: Sequence[LabelledExample],
    x: np.ndarray,
    model: FittedModel,
    weights: GraderWeights,
    embedder: Embedder,
    bank: ExemplarBank | None = None,
) -> dict[str, dict[str, float]]:
    """Metrics of the grader (model, graded answers of known questions, rules) and both baselines on one split."""
    gold = [e.score for e in examples]
    qids = [e.question_id for e in examples]
    raw = model.predict(x)
    pred = adjusted(raw if bank is None else blended(raw, examples, bank), examples, weights.form_penalty)
    known = [i for i, e in enumerate(examples) if e.verdict]
    verdicts = [weights.verdict(float(pred[i])) for i in known]
    result = {"grader": all_metrics(list(pred), gold, qids, verdicts, [str(examples[i].verdict) for i in known])}
    for name, scores in _baselines(examples, embedder).items():
        result[name] = all_metrics(scores, gold, qids)
    return result


def should_promote(
    candidate_metrics: dict[str, Any], current_metrics: dict[str, Any] | None, tolerance: float = 0.005
) -> tuple[bool, str]:
    """Promotion gate: no validation split may lose more than ``tolerance`` on a gated metric.

    Args:
        candidate_metrics: ``{split: {"grader": {metric: value}}}`` (or ``{split: {metric: value}}``).
        current_metrics: the same for the active model (None: nothing to compare, promote).
        tolerance: allowed drop per metric.

    Returns:
        Whether to promote, and a one-line reason.
    """
    if not current_metrics:
        return True, "no current model metrics to compare with"
    regressions: list[str] = []
    for split in VALIDATION_SPLITS:
        cand = candidate_metrics.get(split, {})
        curr = current_metrics.get(split, {})
        cand, curr = cand.get("grader", cand), curr.get("grader", curr)
        for metric in GATED_METRICS:
            if metric not in curr:
                continue
            if metric not in cand:
                regressions.append(f"{split} {metric} missing")
            elif float(cand[metric]) < float(curr[metric]) - tolerance:
                regressions.append(f"{split} {metric} {cand[metric]:.4f} < {curr[metric]:.4f}")
    if regressions:
        return False, "regression: " + "; ".join(regressions)
    return True, f"no validation metric dropped by more than {tolerance}"


def _cv(
    x: np.ndarray, examples: Sequence[LabelledExample], config: FitConfig, form_penalty: float
) -> tuple[dict[str, float], np.ndarray]:
    """Leave-question-out metrics of the full grader (model plus rules) and its out-of-fold predictions."""
    y = np.array([e.score for e in examples])
    qids = [e.question_id for e in examples]
    verdicts = [e.verdict for e in examples]
    pred = adjusted(leave_question_out(x, y, qids, feature_mask(config), config), examples, form_penalty)
    low, high = tune_verdict_thresholds(pred, verdicts)
    known = [i for i, v in enumerate(verdicts) if v is not None]
    metrics = all_metrics(
        list(pred), list(y), qids, verdicts_for(pred[known], low, high), [str(verdicts[i]) for i in known]
    )
    return metrics, pred


def _choose(
    x: np.ndarray, examples: Sequence[LabelledExample], config_name: str | None = None
) -> tuple[str, FitConfig, float, dict[str, Any]]:
    """Pick the configuration, then the form penalty, by leave-question-out CV.

    The configuration is the first (simplest) within 0.005 of the best CV mean, or the one
    named by ``config_name`` (every candidate's CV is still reported). The form penalty
    is the strongest one within 0.002 of the best: SAF has almost no keyword-list answers, so CV
    can only tell us what the rule costs, not what it gains.
    """
    results: dict[str, Any] = {}
    for name, config in CANDIDATES:
        results[name] = _cv(x, examples, config, 0.0)[0]
    best = max(judged_mean(results[n]) for n, _ in CANDIDATES)
    if config_name is not None:
        if config_name not in dict(CANDIDATES):
            raise ValueError(f"unknown grader configuration {config_name!r}; one of: {', '.join(dict(CANDIDATES))}")
        name, config = config_name, dict(CANDIDATES)[config_name]
    else:
        name, config = next((n, c) for n, c in CANDIDATES if judged_mean(results[n]) >= best - 0.005)
    by_penalty = {p: results[name] if p == 0.0 else _cv(x, examples, config, p)[0] for p in FORM_PENALTIES}
    for penalty, metrics in by_penalty.items():
        if penalty:
            results[f"{name}+form_penalty={penalty}"] = metrics
    top = max(judged_mean(m) for m in by_penalty.values())
    penalty = max(p for p, m in by_penalty.items() if judged_mean(m) >= top - 0.002)
    return name, config, penalty, results


def train_grader(
    saf_dir: Path,
    out_root: Path,
    *,
    seed: int = 13,
    extra_examples: list[LabelledExample] | None = None,
    embedder: SentenceTransformerEmbedder | None = None,
    config_name: str | None = None,
) -> Path:
    """Train on SAF ``training`` (+ extra examples), validate on the unseen splits, register the version.

    Args:
        saf_dir: the SAF folder (``training/english/*.xml``...).
        out_root: registry root; the model goes to ``out_root/grader/<version>/``.
        seed: recorded for reproducibility (the fit itself uses no randomness).
        extra_examples: reviewer corrections (question, answer, reference, corrected 0-1 score).
        embedder: defaults to the bundled MiniLM.
        config_name: a name from :data:`CANDIDATES` to fit instead of the CV choice (to refit a
            model's configuration on changed features); the form penalty is still chosen by CV.

    Returns:
        The new version folder (not promoted: call ``registry.promote`` after :func:`should_promote`).
    """
    started = time.perf_counter()
    np.random.seed(seed)
    embedder = embedder or grading_embedder(threads=2)
    train = load_split(saf_dir, "training")
    extras = [
        LabelledExample(
            e.question, e.answer, e.reference, min(1.0, max(0.0, e.score)), f"extra:{e.question}", e.verdict
        )
        for e in (extra_examples or [])
    ]
    x = featurize(train + extras, embedder)
    y = np.array([e.score for e in train + extras])
    qids = [e.question_id for e in train + extras]
    verdicts: list[str | None] = [e.verdict for e in train + extras]
    n_train = len(train)
    name, config, form_penalty, cv = _choose(x[:n_train], train, config_name)
    _, oof = _cv(x[:n_train], train, config, form_penalty)
    low, high = tune_verdict_thresholds(oof, verdicts[:n_train])
    mask = feature_mask(config)
    model = fit(x, y, qids, mask, config)
    # Only the used features are stored, so later feature additions do not invalidate the model.
    weights = GraderWeights(
        feature_names=[n for n, used in zip(FEATURE_NAMES, mask, strict=True) if used],
        mean=[round(float(v), 8) for v in model.mean[mask]],
        scale=[round(float(v), 8) for v in model.scale[mask]],
        weights=[round(float(v), 8) for v in model.weights[mask]],
        bias=round(model.bias, 8),
        correct_threshold=high,
        incorrect_threshold=low,
        form_penalty=form_penalty,
        token_precision=embedder.token_precision,
    )
    rounded = FittedModel(
        np.array(weights.mean), np.array(weights.scale), np.array(weights.weights), weights.bias, mask
    )
    exemplar_weight, exemplar_cv = choose_exemplar_weight(x[:n_train], train, config, form_penalty, seed)
    bank = bank_for(train + extras, exemplar_weight) if exemplar_weight > 0 else None
    validation: dict[str, Any] = {}
    for split in VALIDATION_SPLITS:
        examples = load_split(saf_dir, split)
        validation[split] = evaluate_split(examples, featurize(examples, embedder), rounded, weights, embedder, bank)
    payload = json.dumps(weights.model_dump(), indent=1, sort_keys=True) + "\n"
    bank_payload = "" if bank is None else json.dumps(bank.model_dump(), separators=(",", ":"), sort_keys=True) + "\n"
    version = new_version("grader", hashlib.sha256((payload + bank_payload).encode()).hexdigest())
    folder = out_root / "grader" / version
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / WEIGHTS_FILE).write_text(payload, encoding="utf-8")
    if bank is not None:
        (tmp / EXEMPLARS_FILE).write_text(bank_payload, encoding="utf-8")
    card: dict[str, Any] = {
        "version": version,
        "description": "Short-answer grader: monotone logistic model (non-negative weights) over agreement "
        "features between answer and reference (MiniLM sentence and word alignment from one pass over each "
        "text, content-term recall, in-order term recall), "
        "plus two fixed rules: non-answers ('No response.', 'I don't know') score 0, and an answer much less "
        "sentence-like than its reference (a bare keyword list) loses up to form_penalty of its correctness. "
        "For a question with graded answers in exemplars.json (SAF training questions, reviewer corrections; "
        "stored as hashed stems, no text), the model's correctness is blended with the similarity-weighted grade "
        "of the 20 most similar graded answers (TF-IDF cosine), with weight exemplar_weight * n / (n + 20).",
        "kind": "grader",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "code_version": _code_hash(),
        "command": f"python -m interview_coach.learning.train_grader --saf {saf_dir} --out {out_root} --seed {seed}"
        + (f" --config {config_name}" if config_name else ""),
        "data": {
            "train": "SAF training/english (Filighera et al. 2022; MIT / CC BY 4.0)",
            "train_answers": n_train,
            "train_questions": len(set(qids[:n_train])),
            "extra_examples": len(extras),
            "graded_answers_kept": sum(len(v) for v in bank.questions.values()) if bank else 0,
            "validation": "SAF unseen_answers and unseen_questions (never used for fitting or selection)",
        },
        "hyper_parameters": {
            "selected": name,
            "selection": f"fixed by --config {config_name}" if config_name else "leave-question-out CV",
            "pair_weight": config.pair_weight,
            "l2": config.l2,
            "min_gap": config.min_gap,
            "features": list(config.features or FEATURE_NAMES),
            "correct_threshold": high,
            "incorrect_threshold": low,
            "form_penalty": form_penalty,
            "exemplar_weight": exemplar_weight,
            "exemplar_neighbours": bank.neighbours if bank else None,
            "exemplar_prior": bank.prior if bank else None,
        },
        "weights": {f: w for f, w in zip(weights.feature_names, weights.weights, strict=True) if w},
        "cv_leave_question_out": cv,
        "cv_within_question_exemplars": exemplar_cv,
        "validation_metrics": validation,
        "environment": {
            "python": platform.python_version(),
            "embedding_model": weights.embedding_model,
            "token_precision": weights.token_precision,
        },
        "train_seconds": round(time.perf_counter() - started, 1),
        "files": {name: file_sha256(tmp / name) for name in (WEIGHTS_FILE, EXEMPLARS_FILE) if (tmp / name).is_file()},
    }
    write_card(tmp, card)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: train, print the version folder and its validation metrics."""
    parser = argparse.ArgumentParser(prog="python -m interview_coach.learning.train_grader")
    parser.add_argument("--saf", type=Path, default=Path("../shared/data/saf"), help="SAF data folder")
    parser.add_argument("--out", type=Path, required=True, help="model registry root")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--config", choices=[n for n, _ in CANDIDATES], help="fit this configuration instead of the CV choice"
    )
    args = parser.parse_args(argv)
    folder = train_grader(args.saf, args.out, seed=args.seed, config_name=args.config)
    card = json.loads((folder / "model_card.json").read_text(encoding="utf-8"))
    print(folder)
    print(json.dumps({"cv": card["cv_leave_question_out"], "validation": card["validation_metrics"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
