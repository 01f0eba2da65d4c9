"""Scores, the signals that move them and the evidence behind them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Evidence(BaseModel):
    """A traceable observation: a quote, a time range or a frame range."""

    model_config = ConfigDict(frozen=True)

    kind: str
    detail: str
    start_s: float | None = None
    end_s: float | None = None
    quote: str | None = None


class Signal(BaseModel):
    """A measured signal and how many points it moved a score."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float | str | None = None
    effect: float = 0.0
    evidence: list[Evidence] = Field(default_factory=list)


class Score(BaseModel):
    """A 0-100 score computed from signals, or ``None`` with the reason it was not measured."""

    model_config = ConfigDict(frozen=True)

    value: int | None = Field(default=None, ge=0, le=100)
    not_measured_reason: str | None = None
    signals: list[Signal] = Field(default_factory=list)

    @property
    def measured(self) -> bool:
        """Whether the score has a value."""
        return self.value is not None

    @classmethod
    def not_measured(cls, reason: str) -> Score:
        """Build a score that states why it could not be measured."""
        return cls(value=None, not_measured_reason=reason)


class Finding(BaseModel):
    """One detected pattern in an answer, tied to a coaching-KB entry."""

    pattern_id: str
    metric: str
    polarity: Literal["weakness", "strength"]
    message: str
    source: Literal["content", "voice", "face"] = Field(
        default="content", description="What the finding is about: the words, the voice, or face and gestures."
    )
    value: float | None = None
    evidence: list[Evidence] = Field(default_factory=list)
