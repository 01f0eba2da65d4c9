"""Session index: which sessions exist and who owns them (SQLite in the data dir)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel


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
    """A small owner/status index beside the checkpointer; every read is scoped to a user."""

    def __init__(self, path: Path) -> None:
        """Open or create the index.

        Raises:
            sqlite3.DatabaseError: the file exists but is not a usable database.

        """
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS sessions (session_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, role TEXT NOT NULL,"
            " status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, overall_quality REAL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id)")
        self._db.commit()

    def create(self, session_id: str, user_id: str, role: str) -> None:
        """Register a new session."""
        now = datetime.now(UTC).isoformat()
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO sessions VALUES (?, ?, ?, 'interview', ?, ?, NULL)",
                (session_id, user_id, role, now, now),
            )
            self._db.commit()

    def update(self, session_id: str, *, status: str, overall_quality: float | None = None) -> None:
        """Record a status change (``interview`` → ``coaching``)."""
        with self._lock:
            self._db.execute(
                "UPDATE sessions SET status = ?, updated_at = ?, overall_quality = COALESCE(?, overall_quality) WHERE session_id = ?",
                (status, datetime.now(UTC).isoformat(), overall_quality, session_id),
            )
            self._db.commit()

    def get(self, session_id: str, user_id: str) -> SessionPublic:
        """Return a session of this user.

        Raises:
            SessionNotFoundError: unknown id, or the session belongs to someone else.

        """
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM sessions WHERE session_id = ? AND user_id = ?", (session_id, user_id)
            ).fetchone()
        if row is None:
            raise SessionNotFoundError(
                f"No session {session_id!r} for this user. List yours with `interview-coach sessions`."
            )
        return self._to_public(row)

    def for_user(self, user_id: str) -> list[SessionPublic]:
        """List the user's sessions, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM sessions WHERE user_id = ? ORDER BY created_at DESC", (user_id,)
            ).fetchall()
        return [self._to_public(r) for r in rows]

    def all(self) -> list[SessionPublic]:
        """List every session, oldest first (operator tasks such as dataset exports, never a user view)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM sessions ORDER BY created_at").fetchall()
        return [self._to_public(r) for r in rows]

    def delete_user(self, user_id: str) -> list[str]:
        """Forget every session of a user; return their ids (to purge checkpoints and files)."""
        with self._lock:
            ids = [r[0] for r in self._db.execute("SELECT session_id FROM sessions WHERE user_id = ?", (user_id,))]
            self._db.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
            self._db.commit()
        return ids

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    @staticmethod
    def _to_public(row: tuple[object, ...]) -> SessionPublic:
        keys = ("session_id", "user_id", "role", "status", "created_at", "updated_at", "overall_quality")
        return SessionPublic.model_validate(dict(zip(keys, row, strict=True)))
