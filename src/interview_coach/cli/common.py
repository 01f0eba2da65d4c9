"""What every command shares: the consoles, one-line errors, the dependency container, JSON output."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from interview_coach.core.embedding import ModelUnavailableError
from interview_coach.core.settings import Settings
from interview_coach.memory.store import MemoryUnavailableError

if TYPE_CHECKING:
    from interview_coach.core.deps import AppDeps

console = Console()
err_console = Console(stderr=True)


class CliError(Exception):
    """A failure to report as one clear line, without a traceback."""


ALWAYS_EXPECTED: tuple[type[Exception], ...] = (
    CliError,
    MemoryUnavailableError,
    ModelUnavailableError,
    sqlite3.DatabaseError,
    FileNotFoundError,
    PermissionError,
    ValueError,
)
# An exception class whose module was never imported cannot have been raised, so these are looked up
# only when loaded; importing them up front would load SQLAlchemy into every command.
EXPECTED_IF_LOADED: tuple[tuple[str, str], ...] = (
    ("interview_coach.memory.sessions", "SessionNotFoundError"),
    ("interview_coach.memory.sql", "StoreUnavailableError"),
    ("sqlalchemy.exc", "DatabaseError"),
    ("interview_coach.assessment.grading.registry", "RegistryError"),
    ("interview_coach.assessment.grading.model", "GraderUnavailableError"),
    ("interview_coach.ui.instance_lock", "DataDirInUseError"),
)


def expected_errors() -> tuple[type[BaseException], ...]:
    """Return the exception types reported as one line (those of modules loaded so far)."""
    loaded = [getattr(sys.modules[module], name) for module, name in EXPECTED_IF_LOADED if module in sys.modules]
    return (*ALWAYS_EXPECTED, *loaded)


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn expected failures into a one-line message and exit code 2."""
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, expected_errors()):
            raise
        # One line however wide the terminal, and a path with [brackets] is not read as markup.
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from None


def open_deps(settings: Settings, *, with_memory: bool = True) -> AppDeps:
    """Build the dependency container, naming the setting to change when the data folder is unusable.

    Raises:
        CliError: the data folder cannot be created or written.
        MemoryUnavailableError: long-term memory cannot be opened.

    """
    from interview_coach.deps import build_deps

    try:
        return build_deps(settings, with_memory=with_memory)
    except MemoryUnavailableError:
        raise
    except OSError as exc:
        raise CliError(f"Cannot use the data folder {settings.data_dir}: {exc}. Set INTERVIEW_COACH_DATA_DIR.") from exc


def _json_default(value: object) -> str:
    return str(value)


def dump_json(data: object) -> str:
    """Serialise CLI output as JSON."""
    return json.dumps(data, indent=2, default=_json_default)
