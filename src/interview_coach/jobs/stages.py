"""Report a job's stage (voice, face, content) from the perception engines it calls.

``assess_answer`` has no progress hook, so the job runs it on a copy of the process's deps whose
transcriber and face analyser announce themselves; the embedder is shared as it is (the
text tools cache their vectors per embedder object).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.deps import AppDeps
from interview_coach.core.ports import FaceAnalyzer, Transcriber
from interview_coach.domain.face import FaceAnalysis, GestureAnalysis
from interview_coach.domain.perception import PERCEPTION_STAGES, PerceptionStage
from interview_coach.domain.voice import Transcript

StageCallback = Callable[[PerceptionStage], None]


class StageTracker:
    """Move a job's stage forward only (voice → face → content), calling back on each change."""

    def __init__(self, on_stage: StageCallback | None) -> None:
        """Start at ``queued``."""
        self._on_stage = on_stage
        self._lock = threading.Lock()
        self._stage: PerceptionStage = "queued"
        self._busy = 0

    @property
    def stage(self) -> PerceptionStage:
        """The current stage."""
        return self._stage

    def advance(self, stage: PerceptionStage) -> None:
        """Enter ``stage`` unless the job is already past it."""
        with self._lock:
            if PERCEPTION_STAGES.index(stage) <= PERCEPTION_STAGES.index(self._stage):
                return
            self._stage = stage
        if self._on_stage is not None:
            self._on_stage(stage)

    def started(self, stage: PerceptionStage) -> None:
        """Note that a perception engine started measuring."""
        with self._lock:
            self._busy += 1
        self.advance(stage)

    def finished(self) -> None:
        """Note that a perception engine returned; once none is busy, the words are judged next."""
        with self._lock:
            self._busy -= 1
            idle = self._busy == 0
        if idle:
            self.advance("content")


class _StagedTranscriber:
    def __init__(self, inner: Transcriber, tracker: StageTracker) -> None:
        self._inner, self._tracker = inner, tracker

    @property
    def model_name(self) -> str:
        return self._inner.model_name

    def transcribe(self, audio: NDArray[np.float32]) -> Transcript:
        self._tracker.started("voice")
        try:
            return self._inner.transcribe(audio)
        finally:
            self._tracker.finished()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _StagedFaceAnalyzer:
    def __init__(self, inner: FaceAnalyzer, tracker: StageTracker) -> None:
        self._inner, self._tracker = inner, tracker

    def analyze(self, path: Path, *, include_gestures: bool = True) -> tuple[FaceAnalysis, GestureAnalysis | None]:
        self._tracker.started("face")
        try:
            return self._inner.analyze(path, include_gestures=include_gestures)
        finally:
            self._tracker.finished()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def staged_deps(deps: AppDeps, tracker: StageTracker) -> AppDeps:
    """Return a copy of ``deps`` whose perception engines report to ``tracker`` (models stay shared)."""
    return dataclasses.replace(
        deps,
        transcriber_factory=lambda _settings: _StagedTranscriber(deps.transcriber, tracker),
        face_analyzer_factory=lambda _settings: _StagedFaceAnalyzer(deps.face_analyzer, tracker),
        perception_factory=None,
    )
