"""User feedback on the coach's output (thumbs, comments, corrections), kept for the learning loop.

SQLite ``<data_dir>/feedback.sqlite`` by default; the Postgres checkpointer database when
``checkpointer_dsn`` is a Postgres DSN, so that several workers share one store.
"""

from __future__ import annotations

import json
import uuid
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field

from interview_coach.core.settings import Settings
from interview_coach.memory.sql import connection, create_schema, open_engine, store_url

SQLITE_FILE = "feedback.sqlite"
WHAT = "feedback store"

_metadata = sa.MetaData()
# Same names and column types as the original sqlite3 schema, so existing files keep working.
feedback_table = sa.Table(
    "feedback",
    _metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("feedback_user", "user_id"),
)

FeedbackTarget = Literal["question_feedback", "report", "coach_reply", "interviewer_question", "score"]


class FeedbackCreate(BaseModel):
    """What a user says about one message or score."""

    session_id: str
    target: FeedbackTarget
    target_ref: str = Field(description="Which item: a question id, a message index, or a score name.")
    rating: Literal[-1, 0, 1] = 0
    comment: str = Field(default="", max_length=4000)
    correction: str | None = Field(default=None, max_length=4000, description="'This score is wrong because ...'")
    corrected_score: int | None = Field(
        default=None, ge=0, le=100, description="The reviewer's corrected answer-quality score (0-100), if any."
    )
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
    """A table of feedback items; every user read is scoped to a user."""

    def __init__(self, target: sa.URL | str | Path) -> None:
        """Open or create the table.

        Args:
            target: a SQLAlchemy URL (``sqlite:///...``, ``postgresql+psycopg://...``) or a SQLite file path.

        Raises:
            StoreUnavailableError: the database is corrupt, unreachable, or its driver is missing.

        """
        self._engine = open_engine(target)
        create_schema(self._engine, _metadata, WHAT)

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        """Open the store where the settings put it (Postgres checkpointer database, else the data dir)."""
        return cls(store_url(settings, SQLITE_FILE))

    @property
    def engine(self) -> sa.Engine:
        """The pooled engine (thread-safe; disposed by :meth:`close`)."""
        return self._engine

    def add(self, user_id: str, item: FeedbackCreate) -> FeedbackPublic:
        """Store one feedback item."""
        stored = FeedbackPublic(**item.model_dump(), id=uuid.uuid4().hex, user_id=user_id, created_at=datetime.now(UTC))
        row = {
            "id": stored.id,
            "user_id": user_id,
            "created_at": stored.created_at.isoformat(),
            "accepted": 0,
            "body": item.model_dump_json(),
        }
        with self._begin() as conn:
            conn.execute(sa.insert(feedback_table).values(row))
        return stored

    def set_accepted(self, feedback_id: str, accepted: bool = True) -> None:
        """Mark a correction as reviewed and accepted (it then feeds exports and eval cases)."""
        with self._begin() as conn:
            conn.execute(
                sa.update(feedback_table).where(feedback_table.c.id == feedback_id).values(accepted=int(accepted))
            )

    def for_user(self, user_id: str) -> list[FeedbackPublic]:
        """List a user's feedback, oldest first."""
        query = (
            sa.select(feedback_table).where(feedback_table.c.user_id == user_id).order_by(feedback_table.c.created_at)
        )
        with self._connect() as conn:
            return [_to_public(r) for r in conn.execute(query).mappings()]

    def all(self, *, accepted_only: bool = False) -> list[FeedbackPublic]:
        """List every feedback item (for exports run by the operator), oldest first."""
        query = sa.select(feedback_table).order_by(feedback_table.c.created_at)
        if accepted_only:
            query = query.where(feedback_table.c.accepted == 1)
        with self._connect() as conn:
            return [_to_public(r) for r in conn.execute(query).mappings()]

    def delete_user(self, user_id: str) -> int:
        """Delete a user's feedback; return how many items were removed."""
        with self._begin() as conn:
            result = conn.execute(sa.delete(feedback_table).where(feedback_table.c.user_id == user_id))
        return int(result.rowcount)

    def close(self) -> None:
        """Dispose of the engine and its pooled connections."""
        self._engine.dispose()

    def _connect(self) -> AbstractContextManager[sa.Connection]:
        return connection(self._engine, WHAT)

    def _begin(self) -> AbstractContextManager[sa.Connection]:
        return connection(self._engine, WHAT, transaction=True)


def _to_public(row: sa.RowMapping) -> FeedbackPublic:
    return FeedbackPublic(
        **json.loads(row["body"]),
        id=row["id"],
        user_id=row["user_id"],
        created_at=row["created_at"],
        accepted=bool(row["accepted"]),
    )
