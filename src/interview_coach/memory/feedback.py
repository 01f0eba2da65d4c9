"""User feedback on the coach's output (thumbs, comments, corrections), kept for the learning loop."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

FeedbackTarget = Literal["question_feedback", "report", "coach_reply", "interviewer_question", "score"]


class FeedbackCreate(BaseModel):
    """What a user says about one message or score."""

    session_id: str
    target: FeedbackTarget
    target_ref: str = Field(description="Which item: a question id, a message index, or a score name.")
    rating: Literal[-1, 0, 1] = 0
    comment: str = Field(default="", max_length=4000)
    correction: str | None = Field(default=None, max_length=4000, description="'This score is wrong because ...'")
    evidence: dict[str, Any] = Field(
        default_factory=dict, description="The output and evidence the feedback refers to."
    )


class FeedbackPublic(FeedbackCreate):
    """A stored feedback item."""

    id: str
    user_id: str
    created_at: datetime
    accepted: bool = False


class FeedbackStore:
    """SQLite table of feedback items; every read is scoped to a user."""

    def __init__(self, path: Path) -> None:
        """Open or create the table."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS feedback (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL,"
            " accepted INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS feedback_user ON feedback(user_id)")
        self._db.commit()

    def add(self, user_id: str, item: FeedbackCreate) -> FeedbackPublic:
        """Store one feedback item."""
        stored = FeedbackPublic(**item.model_dump(), id=uuid.uuid4().hex, user_id=user_id, created_at=datetime.now(UTC))
        with self._lock:
            self._db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, 0, ?)",
                (stored.id, user_id, stored.created_at.isoformat(), item.model_dump_json()),
            )
            self._db.commit()
        return stored

    def set_accepted(self, feedback_id: str, accepted: bool = True) -> None:
        """Mark a correction as reviewed and accepted (it then feeds exports and eval cases)."""
        with self._lock:
            self._db.execute("UPDATE feedback SET accepted = ? WHERE id = ?", (int(accepted), feedback_id))
            self._db.commit()

    def for_user(self, user_id: str) -> list[FeedbackPublic]:
        """List a user's feedback, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, user_id, created_at, accepted, body FROM feedback WHERE user_id = ? ORDER BY created_at",
                (user_id,),
            ).fetchall()
        return [self._to_public(r) for r in rows]

    def all(self, *, accepted_only: bool = False) -> list[FeedbackPublic]:
        """List every feedback item (for exports run by the operator), oldest first."""
        query = (
            "SELECT id, user_id, created_at, accepted, body FROM feedback"
            + (" WHERE accepted = 1" if accepted_only else "")
            + " ORDER BY created_at"
        )
        with self._lock:
            rows = self._db.execute(query).fetchall()
        return [self._to_public(r) for r in rows]

    def delete_user(self, user_id: str) -> int:
        """Delete a user's feedback; return how many items were removed."""
        with self._lock:
            count = self._db.execute("DELETE FROM feedback WHERE user_id = ?", (user_id,)).rowcount
            self._db.commit()
        return int(count)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    @staticmethod
    def _to_public(row: tuple[Any, ...]) -> FeedbackPublic:
        feedback_id, user_id, created_at, accepted, body = row
        return FeedbackPublic(
            **json.loads(body), id=feedback_id, user_id=user_id, created_at=created_at, accepted=bool(accepted)
        )
