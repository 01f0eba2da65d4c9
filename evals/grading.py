"""Grading suite: the trained short-answer grader against token-F1 and MiniLM-cosine baselines on SAF.

Splits: ``unseen_answers`` (new answers to the 18 training questions) and ``unseen_questions``
(4 questions never seen in training). Metrics per split and scorer: Spearman, per-question
Spearman, within-question pairwise accuracy (human gap >= 0.5) and, for the grader, verdict
accuracy. ``ms_per_answer`` is the median of one-answer ``Grader.grade`` calls after load (the
issue's measure); ``batch_ms_per_answer`` the cost per answer of the cold ``grade_many`` batches.
Run: ``python -m evals.grading [--quick] [--model DIR]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.common import SuiteResult
from interview_coach.assessment.grading.metrics import all_metrics
from interview_coach.assessment.grading.model import Grader, GradeRequest
from interview_coach.assessment.grading.registry import active
from interview_coach.assessment.grading.text import token_f1
from interview_coach.learning.saf_data import LabelledExample, load_split

SPLITS = ("unseen_answers", "unseen_questions")
TARGETS: dict[str, dict[str, float]] = {
    "unseen_answers": {"spearman": 0.60, "per_question_spearman": 0.65, "pairwise_accuracy": 0.90},
    "unseen_questions": {"spearman": 0.75, "per_question_spearman": 0.75, "pairwise_accuracy": 0.96},
}
MARGIN_OVER_TOKEN_F1 = 0.10
MS_PER_ANSWER_TARGET = 50.0
QUICK_STRIDE = 3
SINGLE_STRIDE = 2
"""Every second unseen_questions answer is timed one by one for ``ms_per_answer``."""


def _grader_dir(model_dir: Path | None) -> Path:
    if model_dir is None:
        info = active(Path(os.environ.get("INTERVIEW_COACH_MODELS_DIR", "/nonexistent")), "grader")
        if info is None:
            raise FileNotFoundError("no grader model is bundled or active; run `interview-coach train grader`")
        model_dir = info.path
    return model_dir


def single_answer_ms(model_dir: Path, examples: Sequence[LabelledExample]) -> float:
    """Median milliseconds of one ``Grader.grade`` call after load, the way an interview grades.

    A fresh grader (no answer memoised) first embeds each reference once, as the interview does
    when it asks the question; then each answer is graded on its own.
    """
    grader = Grader.load(model_dir)
    for reference in dict.fromkeys(e.reference for e in examples):
        grader.grade("warm up", "warm up answer.", reference)
    timings: list[float] = []
    for e in examples:
        started = time.perf_counter()
        grader.grade(e.question, e.answer, e.reference)
        timings.append(1000 * (time.perf_counter() - started))
    return statistics.median(timings)


def evaluate_split(
    grader: Grader, saf_dir: Path, split: str, stride: int = 1
) -> tuple[dict[str, dict[str, float]], float]:
    """Metrics of the grader and the two baselines on one split, and the grading ms per answer."""
    examples = load_split(saf_dir, split)[::stride]
    gold = [e.score for e in examples]
    qids = [e.question_id for e in examples]
    requests = [GradeRequest(question=e.question, answer=e.answer, reference=e.reference) for e in examples]
    started = time.perf_counter()
    results = grader.grade_many(requests)
    ms = 1000 * (time.perf_counter() - started) / max(len(examples), 1)
    pred = [r.correctness or 0.0 for r in results]
    known = [i for i, e in enumerate(examples) if e.verdict]
    verdicts = [str(results[i].verdict) for i in known]
    answers = grader.embedder.encode([e.answer or " " for e in examples])
    refs = grader.embedder.encode([e.reference for e in examples])
    return {
        "grader": all_metrics(pred, gold, qids, verdicts, [str(examples[i].verdict) for i in known]),
        "token_f1": all_metrics([token_f1(e.answer, e.reference) for e in examples], gold, qids),
        "minilm_cosine": all_metrics([float(v) for v in (answers * refs).sum(axis=1)], gold, qids),
    }, ms


def grading_suite(shared_dir: Path, *, quick: bool = False, model_dir: Path | None = None) -> SuiteResult:
    """Run the suite and return a :class:`SuiteResult` (skipped when the SAF data is absent)."""
    result = SuiteResult(name="grading")
    saf_dir = shared_dir / "saf"
    if not (saf_dir / "unseen_questions").is_dir():
        result.skipped = f"SAF data not found at {saf_dir}"
        return result
    folder = _grader_dir(model_dir)
    grader = Grader.load(folder)
    grader.embedder.encode(["warm up"])
    result.notes.append(
        f"grader {grader.version}; quick={quick} (every {QUICK_STRIDE}rd answer)"
        if quick
        else f"grader {grader.version}"
    )
    timings: list[float] = []
    for split in SPLITS:
        scores, ms = evaluate_split(grader, saf_dir, split, QUICK_STRIDE if quick else 1)
        timings.append(ms)
        for scorer, metrics in scores.items():
            for metric, value in metrics.items():
                result.metrics[f"{split}.{scorer}.{metric}"] = value
        for metric, threshold in TARGETS[split].items():
            result.targets[f"{split}.grader.{metric}"] = (">=", threshold)
        for metric in ("spearman", "per_question_spearman"):
            key = f"{split}.grader_minus_token_f1.{metric}"
            result.metrics[key] = round(scores["grader"][metric] - scores["token_f1"][metric], 4)
            result.targets[key] = (">=", MARGIN_OVER_TOKEN_F1)
    sample = load_split(saf_dir, "unseen_questions")[:: SINGLE_STRIDE * (QUICK_STRIDE if quick else 1)]
    result.metrics["ms_per_answer"] = round(single_answer_ms(folder, sample), 1)
    result.metrics["batch_ms_per_answer"] = round(max(timings), 1)
    result.targets["ms_per_answer"] = ("<=", MS_PER_ANSWER_TARGET)
    return result


def run_grading_suite(shared_dir: Path, *, quick: bool = False) -> dict[str, Any]:
    """Run the grading suite; JSON-shaped result (metrics, targets, target_met, passed, notes)."""
    return grading_suite(shared_dir, quick=quick).to_dict()


def run(settings: Any, quick: bool = False) -> SuiteResult:
    """Entry point in the shape ``evals.runner`` expects (``settings.shared_data_dir``)."""
    return grading_suite(Path(settings.shared_data_dir), quick=quick)


def render(result: dict[str, Any]) -> str:
    """Plain table: split, metric, grader, token F1, cosine, target, ok."""
    if result.get("skipped"):
        return f"grading: SKIPPED ({result['skipped']})"
    m, targets, met = result["metrics"], result["targets"], result["target_met"]
    rows = [("split", "metric", "grader", "token_f1", "cosine", "target", "ok")]
    for split in SPLITS:
        for metric in ("spearman", "per_question_spearman", "pairwise_accuracy", "verdict_accuracy"):
            key = f"{split}.grader.{metric}"
            target = targets.get(key)
            rows.append(
                (
                    split,
                    metric,
                    f"{m.get(key, float('nan')):.4f}",
                    f"{m.get(f'{split}.token_f1.{metric}', float('nan')):.4f}",
                    f"{m.get(f'{split}.minilm_cosine.{metric}', float('nan')):.4f}",
                    f">= {target[1]}" if target else "",
                    "" if key not in met else "yes" if met[key] else "NO",
                )
            )
        for metric in ("spearman", "per_question_spearman"):
            key = f"{split}.grader_minus_token_f1.{metric}"
            rows.append(
                (
                    split,
                    f"margin_{metric}",
                    f"{m[key]:+.4f}",
                    "",
                    "",
                    f">= {MARGIN_OVER_TOKEN_F1}",
                    "yes" if met[key] else "NO",
                )
            )
    rows.append(
        (
            "all",
            "ms_per_answer",
            f"{m['ms_per_answer']:.1f}",
            "",
            "",
            f"<= {MS_PER_ANSWER_TARGET}",
            "yes" if met["ms_per_answer"] else "NO",
        )
    )
    widths = [max(len(r[i]) for r in rows) for i in range(7)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("PASSED" if result["passed"] else "FAILED (see NO rows)")
    return "\n".join([*lines, *result.get("notes", [])])


def main(argv: Sequence[str] | None = None) -> int:
    """Print the grading table; exit 1 when a target is missed."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(prog="python -m evals.grading", description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--model", type=Path, default=None, help="grader version folder (default: active/bundled)")
    args = parser.parse_args(argv)
    result = grading_suite(args.shared.resolve(), quick=args.quick, model_dir=args.model).to_dict()
    print(render(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
