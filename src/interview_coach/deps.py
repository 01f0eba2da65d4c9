"""Composition root: the one place that picks implementations for the contracts in ``core``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from interview_coach.core.deps import AppDeps, utc_now
from interview_coach.core.embedding import Embedder
from interview_coach.core.ports import FaceAnalyzer, MemoryStore, Transcriber
from interview_coach.core.settings import Settings

__all__ = ["AppDeps", "build_deps", "make_deps"]


def _whisper(settings: Settings) -> Transcriber:
    from interview_coach.tools.voice.transcribe import Transcriber as WhisperTranscriber

    return WhisperTranscriber(settings)


def _mediapipe(settings: Settings) -> FaceAnalyzer:
    from interview_coach.tools.face.analyzer import FaceAnalyzer as MediapipeFaceAnalyzer

    return MediapipeFaceAnalyzer(settings)


def make_deps(
    settings: Settings,
    embedder: Embedder,
    memory: MemoryStore | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> AppDeps:
    """Wire the container with the real perception engines around a given embedder and store."""
    return AppDeps(
        settings=settings,
        embedder=embedder,
        memory=memory,
        clock=clock,
        transcriber_factory=_whisper,
        face_analyzer_factory=_mediapipe,
    )


def build_deps(settings: Settings, *, with_memory: bool = True) -> AppDeps:
    """Create the dependency container for a process.

    Raises:
        interview_coach.memory.store.MemoryUnavailableError: memory cannot be opened.

    """
    from interview_coach.memory.embeddings import SentenceTransformerEmbedder
    from interview_coach.memory.store import QdrantMemoryStore

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
    return make_deps(settings, embedder, memory)
