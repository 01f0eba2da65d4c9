"""Session index: which sessions exist and who owns them.

SQLite ``<data_dir>/sessions.sqlite`` by default; the Postgres checkpointer database when
``checkpointer_dsn`` is a Postgres DSN, so that several workers share one index.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql, sqlite

from interview_coach.core.settings import Settings
from interview_coach.memory.sql import connection, create_schema, open_engine, store_url

SQLITE_FILE = "sessions.sqlite"
WHAT = "session index"

_metadata = sa.MetaData()
# Same names and column types as the original sqlite3 schema, so existing files keep working;
# timestamps stay ISO-8601 UTC text, which sorts chronologically.
sessions_table = sa.Table(
    "sessions",
    _metadata,
    sa.Column("session_id", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("overall_quality", sa.Float, nullable=True),
    sa.Index("sessions_user", "user_id"),
)


class SessionNotFoundError(LookupError):
    """No session with that id belongs to this user."""


class SessionPublic(BaseModel):
    """What a user may see of one of their sessions in a listing."""

    session_id: str
    user_id: str
    role: str
    status: str
    created_at: datetime
    updated_at: datetime
    overall_quality: float | None = None


class SessionStore:
    """A small owner/status index beside the checkpointer; every user read is scoped to a user."""

    def __init__(self, target: sa.URL | str | Path) -> None:
        """Open or create the index.

        Args:
            target: a SQLAlchemy URL (``sqlite:///...``, ``postgresql+psycopg://...``) or a SQLite file path.

        Raises:
            StoreUnavailableError: the database is corrupt, unreachable, or its driver is missing.

        """
        self._engine = open_engine(target)
        create_schema(self._engine, _metadata, WHAT)

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionStore:
        """Open the index where the settings put it (Postgres checkpointer database, else the data dir)."""
        return cls(store_url(settings, SQLITE_FILE))

    @property
    def engine(self) -> sa.Engine:
        """The pooled engine (thread-safe; disposed by :meth:`close`)."""
        return self._engine

    def create(self, session_id: str, user_id: str, role: str) -> None:
        """Register a new session (a no-op if the id exists)."""
        now = _now()
        row = {
            "session_id": session_id,
            "user_id": user_id,
            "role": role,
            "status": "interview",
            "created_at": now,
            "updated_at": now,
            "overall_quality": None,
        }
        with self._begin() as conn:
            conn.execute(self._insert_ignoring_duplicates(conn.dialect.name, row))

    def update(self, session_id: str, *, status: str, overall_quality: float | None = None) -> None:
        """Record a status change (``interview`` → ``coaching``); a ``None`` quality keeps the stored one."""
        values: dict[str, Any] = {"status": status, "updated_at": _now()}
        if overall_quality is not None:
            values["overall_quality"] = overall_quality
        with self._begin() as conn:
            conn.execute(sa.update(sessions_table).where(sessions_table.c.session_id == session_id).values(values))

    def get(self, session_id: str, user_id: str) -> SessionPublic:
        """Return a session of this user.

        Raises:
            SessionNotFoundError: unknown id, or the session belongs to someone else.

        """
        query = sa.select(sessions_table).where(
            sessions_table.c.session_id == session_id, sessions_table.c.user_id == user_id
        )
        with self._connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise SessionNotFoundError(
                f"No session {session_id!r} for this user. List yours with `interview-coach sessions`."
            )
        return _to_public(row)

    def for_user(self, user_id: str) -> list[SessionPublic]:
        """List the user's sessions, newest first."""
        query = (
            sa.select(sessions_table)
            .where(sessions_table.c.user_id == user_id)
            .order_by(sessions_table.c.created_at.desc())
        )
        with self._connect() as conn:
            return [_to_public(r) for r in conn.execute(query).mappings()]

    def all(self) -> list[SessionPublic]:
        """List every session, oldest first (operator tasks such as dataset exports, never a user view)."""
        with self._connect() as conn:
            rows = conn.execute(sa.select(sessions_table).order_by(sessions_table.c.created_at)).mappings()
            return [_to_public(r) for r in rows]

    def delete_user(self, user_id: str) -> list[str]:
        """Forget every session of a user; return their ids (to purge checkpoints and files)."""
        owned = sessions_table.c.user_id == user_id
        with self._begin() as conn:
            ids = list(conn.execute(sa.select(sessions_table.c.session_id).where(owned)).scalars())
            if ids:
                # Only the ids we return: a session created meanwhile must not lose its row but keep its checkpoints.
                conn.execute(sa.delete(sessions_table).where(owned, sessions_table.c.session_id.in_(ids)))
        return ids

    def close(self) -> None:
        """Dispose of the engine and its pooled connections."""
        self._engine.dispose()

    @staticmethod
    def _insert_ignoring_duplicates(dialect: str, row: Mapping[str, Any]) -> sa.Executable:
        if dialect == "postgresql":
            return postgresql.insert(sessions_table).values(row).on_conflict_do_nothing(index_elements=["session_id"])
        if dialect == "sqlite":
            return sqlite.insert(sessions_table).values(row).on_conflict_do_nothing(index_elements=["session_id"])
        return sa.insert(sessions_table).values(row)

    def _connect(self) -> AbstractContextManager[sa.Connection]:
        return connection(self._engine, WHAT)

    def _begin(self) -> AbstractContextManager[sa.Connection]:
        return connection(self._engine, WHAT, transaction=True)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _to_public(row: sa.RowMapping) -> SessionPublic:
    return SessionPublic.model_validate(dict(row))
