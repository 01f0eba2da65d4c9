"""Composition root: the one place that picks implementations for the contracts in ``core``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from interview_coach.core.deps import AppDeps, utc_now
from interview_coach.core.embedding import Embedder
from interview_coach.core.ports import FaceAnalyzer, MemoryStore, PerceptionRunner, Transcriber
from interview_coach.core.settings import Settings

__all__ = ["AppDeps", "WarmUpStep", "build_deps", "make_deps", "warm_up_steps"]


def _whisper(settings: Settings) -> Transcriber:
    from interview_coach.tools.voice.transcribe import Transcriber as WhisperTranscriber

    return WhisperTranscriber(settings)


def _mediapipe(settings: Settings) -> FaceAnalyzer:
    from interview_coach.tools.face.analyzer import FaceAnalyzer as MediapipeFaceAnalyzer

    return MediapipeFaceAnalyzer(settings)


def _perception(deps: AppDeps) -> PerceptionRunner:
    from interview_coach.jobs.inline import InlinePerceptionRunner

    inline = InlinePerceptionRunner(deps)
    if deps.settings.perception == "inline":
        return inline
    from interview_coach.jobs.client import WorkerPerceptionRunner

    return WorkerPerceptionRunner(deps.settings, fallback=inline if deps.settings.perception_fallback_inline else None)


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
        perception_factory=_perception,
    )


def _memory(settings: Settings, embedder: Embedder) -> MemoryStore:
    from interview_coach.memory.store import QdrantMemoryStore

    engine = settings.memory_engine
    if engine == "postgres":
        from interview_coach.memory.pg_store import PostgresMemoryStore

        return PostgresMemoryStore(embedder, settings.resolved_memory_dsn or "", collection=settings.memory_collection)
    return QdrantMemoryStore(
        embedder,
        path=settings.resolved_qdrant_path,
        url=settings.qdrant_url,
        api_key=settings.qdrant_api_key,
        collection=settings.memory_collection,
        engine=engine,
    )


def build_deps(settings: Settings, *, with_memory: bool = True) -> AppDeps:
    """Create the dependency container for a process.

    Raises:
        interview_coach.memory.store.MemoryUnavailableError: memory cannot be opened.

    """
    from interview_coach.memory.embeddings import SentenceTransformerEmbedder

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    memory = _memory(settings, embedder) if with_memory else None
    return make_deps(settings, embedder, memory)


# A typed answer of the kind the warm-up runs through the pipeline, so every lazily built
# piece a real answer needs (embeddings of the question's key points, structure prototypes,
# grader, question bank, coaching knowledge base) is in memory before the server reports ready.
_WARM_UP_ANSWER = (
    "In my last role I owned the billing service. When a release double-charged customers I rolled it back "
    "within forty minutes, wrote the refund script and added idempotency keys, so we had no duplicates since."
)


@dataclass(frozen=True)
class WarmUpStep:
    """One thing to load before a server reports ready.

    Attributes:
        name: short name shown by the readiness check (``embedding``, ``grader``, ...).
        required: the server cannot assess answers without it, so it stays not ready if it fails.
        run: loads it; returns ``None`` when done, or why it is unavailable (the server serves without it).

    """

    name: str
    required: bool
    run: Callable[[], str | None]


def warm_up_steps(deps: AppDeps) -> list[WarmUpStep]:
    """Return the models a server loads at start, in order, before it reports ready.

    A step's ``run`` raises (e.g. ``ModelUnavailableError``) when its model cannot be loaded.
    """
    return [
        WarmUpStep("embedding", True, lambda: _warm_embedding(deps)),
        WarmUpStep("grader", False, lambda: _warm_grader(deps)),
        WarmUpStep("answer_pipeline", True, lambda: _warm_pipeline(deps)),
        WarmUpStep("transcriber", False, lambda: _warm_transcriber(deps)),
        WarmUpStep("face_landmarkers", False, lambda: _warm_face(deps)),
    ]


def _warm_embedding(deps: AppDeps) -> None:
    deps.embedder.encode(["warm up", "a second sentence so a batch runs"])


def _warm_grader(deps: AppDeps) -> str | None:
    from interview_coach.assessment.correctness import load_grader

    grader = load_grader(deps.settings.models_dir, deps.embedder)
    return grader if isinstance(grader, str) else None


def _warm_pipeline(deps: AppDeps) -> None:
    from interview_coach.assessment.knowledge import load_knowledge_base
    from interview_coach.assessment.pipeline import assess_answer
    from interview_coach.assessment.question_bank import load_question_bank
    from interview_coach.domain import AnswerInput

    question = next(q for q in load_question_bank().questions if q.key_points)
    assess_answer(deps, question, AnswerInput(text=_WARM_UP_ANSWER))
    # The feedback's coaching tips come from this YAML file; parsing it took 1 s of the first answer.
    load_knowledge_base()


def _warm_face(deps: AppDeps) -> None:
    """Load the landmarkers a room camera answer borrows, or its first seconds are analysed late."""
    from interview_coach.tools.face.analyzer import FaceAnalyzer as MediapipeFaceAnalyzer
    from interview_coach.tools.face.live import warm_up

    analyzer = deps.face_analyzer
    if deps.settings.room_camera and isinstance(analyzer, MediapipeFaceAnalyzer):
        warm_up(analyzer, include_gestures=True)


def _warm_transcriber(deps: AppDeps) -> None:
    import numpy as np

    from interview_coach.tools.voice.activity import speech_probabilities
    from interview_coach.tools.voice.transcribe import Transcriber as WhisperTranscriber

    transcriber = deps.transcriber
    if isinstance(transcriber, WhisperTranscriber):
        transcriber.load()
    speech_probabilities(np.zeros(16000, dtype=np.float32))
