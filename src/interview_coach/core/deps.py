"""The one dependency container passed to graph nodes, agents, the pipeline and API routes.

It holds only contracts (:mod:`interview_coach.core.ports`); the composition root
(:mod:`interview_coach.deps`) decides which implementations fill it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from interview_coach.core.embedding import Embedder
from interview_coach.core.ports import FaceAnalyzer, MemoryStore, PerceptionRunner, Transcriber
from interview_coach.core.settings import Settings


def utc_now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)


@dataclass
class AppDeps:
    """Settings plus long-lived resources; heavy models load on first use.

    Attributes:
        settings: the process settings.
        embedder: sentence embeddings shared by memory and text analysis.
        memory: long-term memory store (``None`` when a command does not need it).
        clock: time source, replaceable in tests.
        transcriber_factory: builds the speech-to-text engine on first use.
        face_analyzer_factory: builds the face and gesture analyser on first use.
        perception_factory: builds the perception runner (in-process or workers) on first use.

    """

    settings: Settings
    embedder: Embedder
    memory: MemoryStore | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    transcriber_factory: Callable[[Settings], Transcriber] | None = None
    face_analyzer_factory: Callable[[Settings], FaceAnalyzer] | None = None
    perception_factory: Callable[[AppDeps], PerceptionRunner] | None = None

    @cached_property
    def transcriber(self) -> Transcriber:
        """The speech-to-text engine (its model loads on the first transcription).

        Raises:
            RuntimeError: the deps were built without a transcriber.
        """
        if self.transcriber_factory is None:
            raise RuntimeError("Built without speech-to-text; use interview_coach.deps.build_deps.")
        return self.transcriber_factory(self.settings)

    @cached_property
    def face_analyzer(self) -> FaceAnalyzer:
        """The face and gesture analyser.

        Raises:
            RuntimeError: the deps were built without a face analyser.
        """
        if self.face_analyzer_factory is None:
            raise RuntimeError("Built without face analysis; use interview_coach.deps.build_deps.")
        return self.face_analyzer_factory(self.settings)

    @cached_property
    def perception(self) -> PerceptionRunner | None:
        """How answers are analysed (``None``: call the pipeline directly, as hand-built test deps do)."""
        return self.perception_factory(self) if self.perception_factory is not None else None

    def require_memory(self) -> MemoryStore:
        """Return the memory store.

        Raises:
            RuntimeError: the deps were built without memory.

        """
        if self.memory is None:
            raise RuntimeError("This command was started without long-term memory.")
        return self.memory

    def close(self) -> None:
        """Release resources that hold locks."""
        if self.memory is not None:
            self.memory.close()
            self.memory = None
