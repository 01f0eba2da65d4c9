"""What a perception job carries and how it reports progress and failure (issue 16).

An answer's perception (voice, face, content) runs either in the serving process or as a job on
worker processes; both take a :class:`PerceptionRequest` and return the same
:class:`~interview_coach.domain.reports.AnswerAssessment`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from interview_coach.domain.answers import AnswerInput
from interview_coach.domain.interview import Question
from interview_coach.domain.memory import MemoryRecord

PerceptionStage = Literal["queued", "voice", "face", "content"]
"""Where a job is: waiting for a worker, transcribing, landmarking the video, judging the words."""

PERCEPTION_STAGES: tuple[PerceptionStage, ...] = ("queued", "voice", "face", "content")

STAGE_LABELS: dict[PerceptionStage, str] = {
    "queued": "Waiting for an analysis worker",
    "voice": "Listening to your answer",
    "face": "Watching the video",
    "content": "Judging what you said",
}
"""The one wording of each stage a surface shows."""

RESUBMIT_TEXT = "Analysis failed, please re-submit your answer."
"""The start of the turn a candidate sees when a job failed; the question stays open."""

_CHUNK = 1 << 20


class PerceptionRequest(BaseModel):
    """Everything ``assess_answer`` needs, as plain data a worker on another machine can read.

    Media paths must be on a filesystem the workers share with the serving processes.
    """

    session_id: str
    question_id: str
    question: Question
    answer: AnswerInput
    camera_off: bool = False
    opted_out: list[str] = Field(default_factory=list)
    history: list[MemoryRecord] = Field(default_factory=list)
    """The user's earlier session summaries (personal voice baseline); workers open no memory store."""

    def job_key(self) -> str:
        """Return the idempotency key: session, question and a hash of the answer (media bytes included).

        Raises:
            OSError: a media file cannot be read.
        """
        digest = hashlib.sha256()
        digest.update(self.model_dump_json(exclude={"session_id", "question_id", "history"}).encode())
        for media in (self.answer.audio_path, self.answer.video_path):
            if media:
                with Path(media).open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
        return f"{self.session_id}:{self.question_id}:{digest.hexdigest()[:32]}"


class PerceptionFailedError(RuntimeError):
    """A perception job failed for good (crashed twice, raised twice, or timed out)."""


class PerceptionUnavailableError(PerceptionFailedError):
    """The job broker cannot be reached (and no in-process fallback is configured)."""
