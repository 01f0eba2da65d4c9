"""The one command-line entry point: ``interview-coach demo | chat | analyze | serve | eval | export | grade | train | models``.

Each command imports what it runs when it runs, so ``analyze`` starts without the interview
graph, the agents or the web stack.
"""

from __future__ import annotations

import logging
import os

import typer

from interview_coach.cli.analysis import analyze
from interview_coach.cli.common import CliError, clear_errors, console, dump_json, err_console
from interview_coach.cli.data import evaluate, export
from interview_coach.cli.grading import grade, models_app, train_app
from interview_coach.cli.interview import chat, demo, print_turn, serve, sessions
from interview_coach.cli.llm_training import train_llm
from interview_coach.cli.worker import worker

__all__ = ["CliError", "app", "clear_errors", "console", "dump_json", "err_console", "main", "print_turn"]

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Private, offline AI mock interviews with evidence-based feedback."
)
app.command()(demo)
app.command()(chat)
app.command()(sessions)
app.command()(analyze)
app.command()(serve)
app.command()(worker)
app.command(name="eval")(evaluate)
app.command()(export)
app.command()(grade)
train_app.command("llm")(train_llm)
app.add_typer(train_app, name="train")
app.add_typer(models_app, name="models")


def main() -> None:
    """Run the CLI with quiet third-party logging."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
