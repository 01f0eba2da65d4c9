"""What the room tells the candidate while they are still answering (practice mode only)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NudgeKind = Literal["fast_pace", "filler_burst", "silence", "looking_away"]

NUDGE_TEXTS: dict[NudgeKind, str] = {
    "fast_pace": "Slow down a little",
    "filler_burst": "Pause instead of saying um",
    "silence": "Carry on, or stop when you're done",
    "looking_away": "Look back at the camera",
}
"""The words a candidate reads for each nudge (short enough to take in at a glance)."""

NUDGE_LABEL = "live hint"
"""What a nudge is called wherever it is listed afterwards (replay, report evidence)."""


class LiveNudge(BaseModel):
    """One live hint shown to the candidate during an answer.

    Attributes:
        kind: the sustained pattern that triggered it.
        at_s: when it was shown, in seconds from the start of the answer's recording.
        text: the words the candidate read.
    """

    model_config = ConfigDict(frozen=True)

    kind: NudgeKind
    at_s: float = Field(ge=0.0)
    text: str
