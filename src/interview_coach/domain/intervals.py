"""Time intervals in seconds from the start of a recording, shared by every modality."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from interview_coach.domain.scores import Evidence


def format_timestamp(seconds: float) -> str:
    """Format seconds as ``m:ss`` (``h:mm:ss`` from one hour), e.g. ``0:42``."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TimeSpan(BaseModel):
    """A time range in seconds from the start of the recording.

    Models that describe a timed event (a pause, a filler, a face event) extend it, so
    every modality shares one ``start``/``end`` shape in JSON.
    """

    model_config = ConfigDict(frozen=True)

    start: float
    end: float

    @classmethod
    def of(cls, start: float, end: float) -> TimeSpan:
        """Build a span from positional bounds (short form for arithmetic-heavy code)."""
        return cls(start=start, end=end)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.end - self.start

    def overlaps(self, other: TimeSpan, margin: float = 0.0) -> bool:
        """Tell whether two ranges overlap once this one is widened by ``margin``."""
        return self.start - margin < other.end and other.start < self.end + margin

    def span_evidence(self, kind: str, detail: str, quote: str | None = None) -> Evidence:
        """Describe the span as evidence carrying its timestamps."""
        return Evidence(kind=kind, detail=detail, start_s=self.start, end_s=self.end, quote=quote)
