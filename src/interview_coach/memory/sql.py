"""Database plumbing shared by the session index and the feedback store (SQLAlchemy Core).

Both stores live in SQLite files in the data dir by default. When the checkpointer is a Postgres
DSN (scale-out: several workers), they move to that same database so every worker sees them.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from interview_coach.core.settings import Settings

POSTGRES_SCHEMES = ("postgres://", "postgresql://")


class StoreUnavailableError(RuntimeError):
    """A store's database cannot be opened or used (corrupt file, unreachable server, missing driver)."""


def store_url(settings: Settings, sqlite_file: str) -> sa.URL:
    """Return where a store lives: the Postgres checkpointer database, else ``<data_dir>/<sqlite_file>``.

    Args:
        settings: application settings (``checkpointer_dsn``, ``data_dir``).
        sqlite_file: the store's SQLite file name inside the data dir.

    """
    dsn = settings.checkpointer_dsn
    if dsn and dsn.startswith(POSTGRES_SCHEMES):
        return sa.make_url(dsn).set(drivername="postgresql+psycopg")
    return sqlite_url(settings.data_dir / sqlite_file)


def sqlite_url(path: Path) -> sa.URL:
    """Return the SQLAlchemy URL of a SQLite file."""
    return sa.URL.create("sqlite", database=str(path))


def describe(url: sa.URL) -> str:
    """Return a URL fit for an error message (no password)."""
    return url.render_as_string(hide_password=True)


def open_engine(target: sa.URL | str | Path) -> sa.Engine:
    """Create a pooled, thread-safe engine; a ``Path`` means a SQLite file (its folder is created).

    Raises:
        StoreUnavailableError: the database driver is not installed.

    """
    url = sqlite_url(target) if isinstance(target, Path) else sa.make_url(target)
    try:
        if url.get_backend_name() == "postgresql":
            # Workers live long; a server restart must not leave dead pooled connections behind.
            return sa.create_engine(url, pool_pre_ping=True)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return sa.create_engine(url)
    except ModuleNotFoundError as exc:
        raise StoreUnavailableError(
            f"The database driver for {describe(url)} is not installed ({exc.name}); "
            "for Postgres: pip install 'interview-coach[postgres]'"
        ) from exc


def create_schema(engine: sa.Engine, metadata: sa.MetaData, what: str) -> None:
    """Create the store's tables and indexes if missing.

    Raises:
        StoreUnavailableError: the database is corrupt or unreachable.

    """
    with translate_errors(engine, what), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Workers starting together would otherwise race on CREATE TABLE (duplicate pg_type rows).
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_key(metadata))))
        metadata.create_all(conn)


@contextmanager
def connection(engine: sa.Engine, what: str, *, transaction: bool = False) -> Iterator[sa.Connection]:
    """Yield a pooled connection (committed on success when ``transaction``) with clear database errors.

    Raises:
        StoreUnavailableError: the database is corrupt or unreachable.

    """
    opener = engine.begin if transaction else engine.connect
    with translate_errors(engine, what), opener() as conn:
        yield conn


@contextmanager
def translate_errors(engine: sa.Engine, what: str) -> Iterator[None]:
    """Turn database-level failures into one clear line; constraint violations stay as they are (bugs)."""
    try:
        yield
    except sa_exc.IntegrityError:
        raise
    except sa_exc.DBAPIError as err:
        reason = (str(err.orig).strip().splitlines() or [type(err.orig).__name__])[0]
        raise StoreUnavailableError(
            f"Cannot use the {what} at {_where(engine.url)}: {reason}. {_hint(engine.url)}"
        ) from err


def _where(url: sa.URL) -> str:
    return str(url.database) if url.get_backend_name() == "sqlite" else describe(url)


def _hint(url: sa.URL) -> str:
    if url.get_backend_name() == "sqlite":
        return "Move the damaged file aside or point INTERVIEW_COACH_DATA_DIR at another folder."
    return "Check INTERVIEW_COACH_CHECKPOINTER_DSN and that the database server is up."


def _lock_key(metadata: sa.MetaData) -> int:
    names = ",".join(sorted(metadata.tables)).encode()
    return zlib.crc32(names)
