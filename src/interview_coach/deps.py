"""The one dependency container passed to graph nodes, agents and API routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from interview_coach.core.embedding import Embedder
from interview_coach.core.settings import Settings
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.store import MemoryStore, QdrantMemoryStore

if TYPE_CHECKING:
    from interview_coach.tools.face.analyzer import FaceAnalyzer
    from interview_coach.tools.voice.analysis import Transcriber


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

    """

    settings: Settings
    embedder: Embedder
    memory: MemoryStore | None = None
    clock: Callable[[], datetime] = field(default=utc_now)

    @cached_property
    def transcriber(self) -> Transcriber:
        """Faster-whisper transcriber (model loads on its first transcription)."""
        from interview_coach.tools.voice.analysis import Transcriber

        return Transcriber(self.settings)

    @cached_property
    def face_analyzer(self) -> FaceAnalyzer:
        """Mediapipe face and gesture analyser."""
        from interview_coach.tools.face.analyzer import FaceAnalyzer

        return FaceAnalyzer(self.settings)

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


def build_deps(settings: Settings, *, with_memory: bool = True) -> AppDeps:
    """Create the dependency container for a process.

    Raises:
        interview_coach.memory.store.MemoryUnavailableError: memory cannot be opened.

    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    memory: MemoryStore | None = None
    if with_memory:
        memory = QdrantMemoryStore(
            embedder,
            path=settings.resolved_qdrant_path,
            url=settings.qdrant_url,
            api_key=settings.qdrant_api_key,
            collection=settings.memory_collection,
        )
    return AppDeps(settings=settings, embedder=embedder, memory=memory)
