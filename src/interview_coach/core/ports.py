"""Contracts the lower layers implement and the composition root wires (ports and adapters).

Graph nodes, agents and the assessment pipeline see only these protocols through
:class:`interview_coach.core.deps.AppDeps`; ``interview_coach.deps`` plugs in the real
Qdrant store, faster-whisper transcriber and mediapipe analyser.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from interview_coach.domain import MemoryKind, MemoryRecord
from interview_coach.domain.face import FaceAnalysis, GestureAnalysis
from interview_coach.domain.perception import PerceptionRequest, PerceptionStage
from interview_coach.domain.reports import AnswerAssessment
from interview_coach.domain.voice import Transcript


class MemoryStore(Protocol):
    """Per-user long-term memory."""

    def add(self, records: Sequence[MemoryRecord]) -> None:
        """Store records (batched)."""
        ...

    def search(
        self, user_id: str, query: str, *, kinds: Sequence[MemoryKind] | None = None, limit: int = 5
    ) -> list[MemoryRecord]:
        """Return the user's records most similar to the query."""
        ...

    def list(self, user_id: str, *, kinds: Sequence[MemoryKind] | None = None, limit: int = 200) -> list[MemoryRecord]:
        """Return the user's records, newest first."""
        ...

    def delete_user(self, user_id: str) -> int:
        """Delete every record of the user; return how many were removed."""
        ...

    def close(self) -> None:
        """Release the backend (the embedded folder lock)."""
        ...


class Transcriber(Protocol):
    """Speech-to-text with word timestamps (faster-whisper in production)."""

    @property
    def model_name(self) -> str:
        """The model's name, reported with every analysis."""
        ...

    def transcribe(self, audio: NDArray[np.float32]) -> Transcript:
        """Transcribe 16 kHz mono float audio."""
        ...


class FaceAnalyzer(Protocol):
    """Face and gesture measurement of a video answer (mediapipe in production)."""

    def analyze(self, path: Path, *, include_gestures: bool = True) -> tuple[FaceAnalysis, GestureAnalysis | None]:
        """Measure face presence, gaze, expressions and (optionally) gestures over a video."""
        ...


class PerceptionRunner(Protocol):
    """Runs an answer's perception (voice, face, content): in this process or as a job on workers."""

    def assess(
        self, request: PerceptionRequest, *, on_stage: Callable[[PerceptionStage], None] | None = None
    ) -> AnswerAssessment:
        """Measure and judge one answer, calling ``on_stage`` as the job moves on.

        Raises:
            interview_coach.domain.perception.PerceptionFailedError: the job failed for good (the
                candidate is asked to re-submit); ``PerceptionUnavailableError`` when the broker is down.
        """
        ...
