"""Grading commands: ``grade`` (batch JSON lines), ``train grader`` and ``models list|promote|rollback``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from interview_coach.assessment.labels import counted
from interview_coach.cli.common import CliError, clear_errors, console, err_console
from interview_coach.core.settings import get_settings

train_app = typer.Typer(no_args_is_help=True, help="Train models on public data and your reviewers' corrections.")
models_app = typer.Typer(no_args_is_help=True, help="List, promote and roll back trained model versions.")

KINDS = ("grader", "llm")


def grade(
    source: Annotated[str, typer.Argument(help="A JSON-lines file, or - for standard input.")] = "-",
) -> None:
    """Grade answers against a reference: one JSON line in, one JSON line out, in order.

    Each input line is ``{"question", "answer", "reference"?, "key_points"?, "kind"?}``; each
    output line is ``{"score", "correctness", "verdict", "missing", "feedback"}``. A malformed
    line gets ``{"error", "line"}`` in its place and a message on stderr; the rest goes on.
    """
    from interview_coach.assessment.grading.batch import grade_jsonl
    from interview_coach.assessment.grading.model import Grader
    from interview_coach.assessment.grading.registry import active

    settings = get_settings()
    with clear_errors():
        found = active(settings.models_dir, "grader")
        if found is None:
            raise CliError("No grader model is installed; run `interview-coach train grader`.")
        grader = Grader.load(found.path)
        if source == "-":
            bad = grade_jsonl(sys.stdin, grader, sys.stdout, sys.stderr)
        else:
            path = Path(source)
            if not path.is_file():
                raise CliError(f"{source}: no such file.")
            with path.open(encoding="utf-8", errors="replace") as lines:
                bad = grade_jsonl(lines, grader, sys.stdout, sys.stderr)
    err_console.print(f"Graded by {grader.version}.")
    if bad:
        err_console.print(f"{counted(bad, 'line')} could not be graded (see the error lines).")
        raise typer.Exit(1)


@train_app.command("grader")
def train_grader_command(
    with_feedback: Annotated[
        bool, typer.Option("--with-feedback", help="Add reviewers' corrected scores as training examples.")
    ] = False,
    accepted_only: Annotated[bool, typer.Option(help="With --with-feedback: only accepted corrections.")] = False,
    seed: Annotated[int, typer.Option(help="Seed recorded in the model card.")] = 13,
    promote: Annotated[
        bool, typer.Option(help="Promote the new model when it does not regress on the validation splits.")
    ] = True,
) -> None:
    """Train the answer grader on SAF ``training`` (+ corrections), validate it, promote it if it is no worse."""
    from interview_coach.assessment.grading.registry import active, read_card
    from interview_coach.assessment.grading.registry import promote as promote_version
    from interview_coach.learning.train_grader import should_promote, train_grader

    settings = get_settings()
    with clear_errors():
        saf = settings.shared_data_dir / "saf"
        if not (saf / "training").is_dir():
            raise CliError(f"SAF training data not found in {saf}; set INTERVIEW_COACH_SHARED_DATA_DIR.")
        extra = []
        if with_feedback:
            from interview_coach.learning.grader_feedback import correction_examples

            extra = asyncio.run(correction_examples(settings, accepted_only=accepted_only))
            console.print(f"{counted(len(extra), 'reviewer correction')} added to the training data.")
        console.print("Training the grader (a few minutes on 2 cores)...")
        folder = train_grader(saf, settings.models_dir, seed=seed, extra_examples=extra)
        card = read_card(folder)
        current = active(settings.models_dir, "grader")
        verdict, reason = should_promote(
            card.get("validation_metrics", {}), current.card.get("validation_metrics") if current else None
        )
        console.print(f"Trained {folder.name}: {reason}")
        if promote and verdict:
            promote_version(settings.models_dir, "grader", folder.name, reason=reason)
            console.print(f"Promoted {folder.name}; `interview-coach models rollback` undoes it.")
        elif promote:
            console.print("Not promoted: it would regress on the validation splits.")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise CliError(f"Unknown model kind {kind!r}; choose from {', '.join(KINDS)}.")
    return kind


@models_app.command("list")
def list_command(kind: Annotated[str, typer.Option(help="Model kind.")] = "grader") -> None:
    """List the model versions, the active one first marked with *."""
    from interview_coach.assessment.grading.registry import list_models

    settings = get_settings()
    with clear_errors():
        for info in list_models(settings.models_dir, _kind(kind)):
            metrics = info.card.get("validation_metrics", {})
            summary = ", ".join(
                f"{split} spearman {values.get('grader', values).get('spearman', float('nan')):.3f}"
                for split, values in metrics.items()
                if isinstance(values, dict)
            )
            mark = "*" if info.active else " "
            origin = "bundled" if info.bundled else "trained"
            console.print(f"{mark} {info.version}  ({origin}; {info.card.get('created', '?')})  {summary}")


@models_app.command("promote")
def promote_command(
    version: Annotated[str, typer.Argument(help="The version to make active.")],
    kind: Annotated[str, typer.Option(help="Model kind.")] = "grader",
) -> None:
    """Make a version the active one."""
    from interview_coach.assessment.grading.registry import promote

    settings = get_settings()
    with clear_errors():
        info = promote(settings.models_dir, _kind(kind), version, reason="promoted by hand")
    console.print(f"{info.version} is now the active {kind}.")


@models_app.command("rollback")
def rollback_command(kind: Annotated[str, typer.Option(help="Model kind.")] = "grader") -> None:
    """Go back to the previously active version."""
    from interview_coach.assessment.grading.registry import rollback

    settings = get_settings()
    with clear_errors():
        info = rollback(settings.models_dir, _kind(kind))
    console.print(f"Active {kind}: {info.version if info else 'none'}.")
