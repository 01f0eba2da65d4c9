"""Run evaluation suites, print a table of metrics against targets, and write JSON.

Usage: ``python -m evals.runner [--suite NAME ...] [--quick] [--json PATH]`` (default: all suites,
JSON to ``evals/results/<suites>.json``). The CLI's ``interview-coach eval`` calls ``run_suites``,
``render_table`` and ``write_json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals.common import SuiteResult
from interview_coach.core.settings import Settings

SUITES: dict[str, str] = {
    "voice": "evals.voice",
    "face": "evals.face",
    "evaluator": "evals.evaluator",
    "injection": "evals.injection",
    "stability": "evals.stability",
    "feedback_cases": "evals.feedback_cases",
    "structure": "evals.structure",
    "grading": "evals.grading",
    "llm-feedback": "evals.llm_feedback",
    "padding": "evals.padding",
    "coach-intents": "evals.coach_intents",
}
MODEL_SUITES = {"llm-feedback"}
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _load_suite(name: str) -> Callable[..., SuiteResult] | str:
    """Import a suite's ``run`` lazily; return a reason string when it is not available."""
    module_name = SUITES.get(name)
    if module_name is None:
        return f"unknown suite {name!r} (known: {', '.join(SUITES)})"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return f"not available: {module_name} could not be imported ({exc})"
    run = getattr(module, "run", None)
    if not callable(run):
        return f"not available: {module_name} has no run(settings, quick) function"
    return run  # type: ignore[no-any-return]


def run_suites(names: Sequence[str], settings: Settings, quick: bool, models: Sequence[str] = ()) -> list[SuiteResult]:
    """Run the named suites in order; a missing or crashing suite becomes a skipped result.

    ``models`` (``--model``, repeatable) goes to the suites that compare models (``llm-feedback``).
    """
    results: list[SuiteResult] = []
    for name in names or list(SUITES):
        run = _load_suite(name)
        if isinstance(run, str):
            results.append(SuiteResult(name=name, skipped=run))
            continue
        started = time.perf_counter()
        try:
            result = (
                run(settings, quick=quick, models=models)
                if models and name in MODEL_SUITES
                else run(settings, quick=quick)
            )
        except Exception as exc:  # a broken suite must not hide the others' results
            result = SuiteResult(name=name, skipped=f"failed: {type(exc).__name__}: {exc}")
        result.metrics.setdefault("suite_seconds", round(time.perf_counter() - started, 1))
        results.append(result)
    return results


def _format_value(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() and abs(value) >= 10 else f"{value:.4g}"


def render_table(results: Sequence[SuiteResult]) -> str:
    """Render results as a plain-text table: suite, metric, value, target, ok."""
    rows: list[tuple[str, str, str, str, str]] = [("suite", "metric", "value", "target", "ok")]
    for result in results:
        if result.skipped:
            rows.append((result.name, "SKIPPED", result.skipped, "", "-"))
            continue
        for metric, value in result.metrics.items():
            target = result.targets.get(metric)
            met = result.target_met(metric)
            rows.append(
                (
                    result.name,
                    metric,
                    _format_value(value),
                    f"{target[0]} {_format_value(target[1])}" if target else "",
                    "" if met is None else "yes" if met else "NO",
                )
            )
        rows.append((result.name, "PASSED" if result.passed else "FAILED", "", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    widths[2] = min(widths[2], 60)
    lines = [
        "  ".join(cell[:60].ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def results_json(results: Sequence[SuiteResult]) -> dict[str, Any]:
    """JSON-shaped report of all results."""
    return {
        "passed": all(r.passed for r in results),
        "suites": [r.to_dict() for r in results],
    }


def write_json(results: Sequence[SuiteResult], path: Path) -> Path:
    """Write the results as JSON to ``path`` (folders are created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results_json(results), indent=2, default=str), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: run suites, print the table, write JSON; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m evals.runner", description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=list(SUITES), help="suite to run (repeatable)")
    parser.add_argument("--quick", action="store_true", help="CI slice (seconds to ~1 minute per suite)")
    parser.add_argument("--json", type=Path, default=None, help="where to write the JSON report")
    args = parser.parse_args(argv)
    names = args.suite or list(SUITES)
    results = run_suites(names, Settings(), quick=args.quick)
    print(render_table(results))
    suffix = "-quick" if args.quick else ""
    path = write_json(results, args.json or RESULTS_DIR / f"{'_'.join(names)}{suffix}.json")
    print(f"\nJSON written to {path}")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
