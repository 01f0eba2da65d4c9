"""What the candidate said and what perception measured in it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class AnswerInput(BaseModel):
    """How the candidate answered: text and/or a media file."""

    text: str = ""
    audio_path: str | None = None
    video_path: str | None = None
    started_at: datetime | None = None
    submitted_at: datetime | None = None


class AnswerAnalysis(BaseModel):
    """Every perception result for one answer; ``None`` means not measured.

    The concrete models live in the tool modules; here they are kept as JSON-shaped dicts so
    the graph state and checkpoints never depend on heavy perception imports.
    """

    answer_text: str = ""
    input_mode: Literal["text", "audio", "video"] = "text"
    truncated: bool = False
    text: dict[str, Any] | None = None
    voice: dict[str, Any] | None = None
    face: dict[str, Any] | None = None
    gesture: dict[str, Any] | None = None
    errors: list[str] = Field(default_factory=list)
