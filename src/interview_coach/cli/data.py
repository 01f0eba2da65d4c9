"""Data commands: ``eval`` (accuracy against labelled data) and ``export`` (fine-tuning data, eval cases)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from interview_coach.cli.common import CliError, clear_errors, console, dump_json, err_console
from interview_coach.core.settings import get_settings

# src/interview_coach/cli/data.py → the checkout root that holds evals/.
SOURCE_ROOT = Path(__file__).resolve().parents[3]


def evaluate(
    suite: Annotated[
        list[str] | None,
        typer.Option(
            "--suite",
            help="Suites to run (voice, face, evaluator, injection, stability, feedback_cases, grading, structure); all by default.",
        ),
    ] = None,
    quick: Annotated[bool, typer.Option(help="Run the small CI slice.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the JSON results here.")] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", help="llm-feedback: models to compare (hf:<folder or .gguf>), base first."),
    ] = None,
) -> None:
    """Measure perception and evaluation accuracy against labelled data."""
    settings = get_settings()
    with clear_errors():
        runner = _load_eval_runner()
        names = suite or list(runner.SUITES)
        unknown = sorted(set(names) - set(runner.SUITES))
        if unknown:
            raise CliError(f"Unknown suite(s) {', '.join(unknown)}; choose from {', '.join(runner.SUITES)}.")
        results = runner.run_suites(names, settings, quick, models=model or [])
    payload = [r.to_dict() for r in results]
    target = out or settings.data_dir / "eval-results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_json(payload))
    if as_json:
        sys.stdout.write(dump_json(payload) + "\n")
    else:
        sys.stdout.write(runner.render_table(results) + "\n")
        console.print(f"[dim]JSON written to {target}[/]")
    if not all(r.passed or r.skipped for r in results):
        raise typer.Exit(1)


def export(
    fmt: Annotated[
        str, typer.Option("--format", help="openai-chat-jsonl, preference-jsonl (chosen/rejected) or eval-cases.")
    ] = "openai-chat-jsonl",
    out: Annotated[Path, typer.Option(help="Output folder (train.jsonl, validation.jsonl, manifest.json).")] = Path(
        "exports"
    ),
    accepted_only: Annotated[
        bool, typer.Option("--accepted-only", help="Use only feedback a reviewer accepted.")
    ] = False,
    val_fraction: Annotated[
        float, typer.Option(min=0.0, max=0.9, help="Share of sessions held out for validation.")
    ] = 0.1,
    seed: Annotated[int, typer.Option(help="Seed of the train/validation split.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Export sessions and feedback as fine-tuning data or eval cases (PII-scrubbed, deduplicated, validated)."""
    from interview_coach.learning.export import run_export

    with clear_errors():
        summary = run_export(
            get_settings(), fmt, out, accepted_only=accepted_only, val_fraction=val_fraction, seed=seed
        )
    if as_json:
        sys.stdout.write(summary.model_dump_json(indent=2) + "\n")
        return
    console.print(
        f"{summary.examples} examples ({summary.train} train, {summary.validation} validation) from "
        f"{summary.sessions} sessions and {summary.feedback_items} feedback items; "
        f"{summary.duplicates_removed} duplicates removed."
    )
    if summary.skipped:
        console.print("Left out: " + ", ".join(f"{v} ({_words(k)})" for k, v in sorted(summary.skipped.items())))
    if summary.pii_replacements:
        console.print(
            "Personal details replaced: "
            + ", ".join(f"{_words(k)} {v}" for k, v in sorted(summary.pii_replacements.items()))
        )
    for path in summary.files:
        console.print(f"[dim]wrote {path}[/]")
    if summary.invalid_lines:
        err_console.print(f"[bold red]error:[/] {summary.invalid_lines} lines failed format validation.")
        raise typer.Exit(1)


def _words(reason: str) -> str:
    """Say an export reason key in words (``feedback_without_session`` → ``feedback without session``)."""
    return reason.replace("_", " ")


def _load_eval_runner() -> Any:
    """Import ``evals.runner`` from the source checkout (the harness is not part of the wheel)."""
    if not (SOURCE_ROOT / "evals" / "runner.py").is_file():
        raise CliError("`interview-coach eval` needs a source checkout (the evals/ folder next to src/).")
    if str(SOURCE_ROOT) not in sys.path:
        sys.path.insert(0, str(SOURCE_ROOT))
    return importlib.import_module("evals.runner")
