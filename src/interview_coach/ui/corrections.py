"""Read a candidate's "Not right" reply: why the feedback is wrong and the score they would give."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

_SKIP = frozenset({"", "skip", "no", "nothing", "cancel", "never mind", "nevermind", "n/a"})
# "70/100", "70 %", "7/10", "score 70", "should be 70": a number the reply states as a score.
_OUT_OF = re.compile(r"\b(\d{1,3}(?:\.\d+)?)\s*(?:/|out of)\s*(100|10|5)\b", re.IGNORECASE)
_PERCENT = re.compile(r"\b(\d{1,3})\s*%")
# A bare number counts only as the whole reply or after a score cue ("I mentioned 3 trade-offs" is no score).
_ONLY_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[.!]?\s*$")
_CUED = re.compile(
    r"\b(?:score[sd]?|be|deserved?|deserves|give(?: it| me)?|worth|rated?|rating|more like|closer to|at least|around)"
    r"\s+(?:an?\s+|of\s+)?(\d{1,3})(?![\w.%/])",
    re.IGNORECASE,
)


class Correction(BaseModel):
    """What a candidate says is wrong with one feedback card.

    Attributes:
        reason: the candidate's words (empty when they skipped).
        corrected_score: the answer-quality score (0-100) they would give, if they named one.
    """

    reason: str = Field(default="", max_length=4000)
    corrected_score: int | None = Field(default=None, ge=0, le=100)

    @property
    def empty(self) -> bool:
        """Whether the candidate gave neither a reason nor a score."""
        return not self.reason and self.corrected_score is None


def parse_correction(text: str) -> Correction:
    """Split a free-text "Not right" reply into a reason and a corrected 0-100 score.

    A score is a number written as ``70/100``, ``7/10``, ``4 out of 5``, ``70%``, after a cue
    ("should be 70", "score 70") or as the whole reply. Replies like "skip" give an empty correction.

    Args:
        text: the candidate's reply.

    Returns:
        The reason (the whole reply, trimmed) and the score, if any.
    """
    reason = " ".join(text.split())[:4000]
    if reason.lower().strip(" .!") in _SKIP:
        return Correction()
    return Correction(reason=reason, corrected_score=_score_in(reason))


def _score_in(text: str) -> int | None:
    match = _OUT_OF.search(text)
    if match:
        value, scale = float(match.group(1)), int(match.group(2))
        return round(value / scale * 100) if value <= scale else None
    match = _PERCENT.search(text)
    if match and int(match.group(1)) <= 100:
        return int(match.group(1))
    match = _ONLY_NUMBER.match(text) or _CUED.search(text)
    if match and int(match.group(1)) <= 100:
        return int(match.group(1))
    return None
