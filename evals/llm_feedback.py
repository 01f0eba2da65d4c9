"""LLM feedback suite: a base and a fine-tuned model writing feedback on SAF's unseen splits.

For each model and split (``unseen_answers``, ``unseen_questions``): verdict accuracy against the
expert verdict, ROUGE-L of the explanation against the expert feedback, the share of replies that
parse into the evaluator's typed output, and seconds per answer. With two models, the second must
beat the first on verdict accuracy and parse rate on both splits. The answers are a seeded sample
of each split (``--per-split``; the whole split with 0). Models default to the SmolLM2-135M base and
the active fine-tuned LLM version.

Run: ``python -m evals.llm_feedback [--model hf:BASE] [--model hf:TUNED] [--per-split N]`` or
``interview-coach eval --suite llm-feedback --model A --model B``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from evals.common import SuiteResult
from interview_coach.core.settings import Settings
from interview_coach.learning.llm.card import active_llm
from interview_coach.learning.llm.corpus import load_feedback_split
from interview_coach.learning.llm.evaluate import (
    DEFAULT_PER_SPLIT,
    DEFAULT_SEED,
    EVAL_SPLITS,
    METRIC_NAMES,
    evaluate_model,
    sample_split,
)
from interview_coach.learning.llm.run import default_base

QUICK_PER_SPLIT = 10
MUST_IMPROVE = ("verdict_accuracy", "parse_rate")


def default_models(settings: Settings) -> list[str]:
    """The base SmolLM2 and, when one is active, the fine-tuned model."""
    models = [f"hf:{default_base()}"]
    current = active_llm(settings.models_dir)
    if current is not None:
        models.append(f"hf:{current.path / 'merged'}")
    return models


def run(
    settings: Settings, quick: bool = False, models: Sequence[str] = (), per_split: int | None = None
) -> SuiteResult:
    saf = settings.shared_data_dir / "saf"
    result = SuiteResult(name="llm-feedback")
    if not (saf / "unseen_answers").is_dir():
        result.skipped = f"SAF data not found in {saf}"
        return result
    specs = list(models) or default_models(settings)
    count = per_split if per_split is not None else QUICK_PER_SPLIT if quick else DEFAULT_PER_SPLIT
    labels = ["base", "tuned"] if len(specs) == 2 else [f"m{i}" for i in range(len(specs))]
    measured = {
        label: evaluate_model(spec, saf, per_split=count, seed=DEFAULT_SEED)
        for label, spec in zip(labels, specs, strict=True)
    }
    for label, spec in zip(labels, specs, strict=True):
        for split, metrics in measured[label].items():
            for name in METRIC_NAMES:
                result.metrics[f"{label}.{split}.{name}"] = getattr(metrics, name)
            result.details.append({"model": spec, "label": label, **metrics.model_dump()})
    for split in EVAL_SPLITS:
        sample = sample_split(saf, split, count, DEFAULT_SEED)
        majority = Counter(i.example.verdict for i in sample).most_common(1)[0][1] / max(len(sample), 1)
        result.metrics[f"{split}.majority_verdict_share"] = round(majority, 4)
        total = len(load_feedback_split(saf, split))
        result.notes.append(f"{split}: {len(sample)} of {total} answers (seeded sample, seed {DEFAULT_SEED}).")
        if len(specs) == 2:
            for name in MUST_IMPROVE:
                key = f"gain.{split}.{name}"
                result.metrics[key] = round(
                    getattr(measured["tuned"][split], name) - getattr(measured["base"][split], name), 4
                )
                result.targets[key] = (">", 0.0)
    result.notes.append("Greedy decoding; replies start with the JSON's first key and stop when the object closes.")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.llm_feedback", description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], help="hf:<folder or .gguf> (repeatable, base first)")
    parser.add_argument("--per-split", type=int, default=DEFAULT_PER_SPLIT, help="answers per split (0: all)")
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args(argv)
    result = run(Settings(), models=args.model, per_split=args.per_split)
    payload = json.dumps(result.to_dict(), indent=2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(payload + "\n", encoding="utf-8")
    sys.stdout.write(payload + "\n")
    return 0 if result.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
