"""Long-term memory records, always owned by a user."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

MemoryKind = Literal["session_summary", "weakness", "strength", "goal", "chat_fact", "star_story", "feedback"]


class MemoryRecord(BaseModel):
    """One long-term memory item, always owned by a user."""

    id: str
    user_id: str
    kind: MemoryKind
    text: str
    session_id: str | None = None
    created_at: datetime
    competencies: list[str] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)
    data: dict[str, str | list[str]] = Field(default_factory=dict)
