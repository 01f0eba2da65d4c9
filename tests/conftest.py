"""Shared fixtures: offline models, isolated data dirs, real embedded Qdrant."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pydantic_ai.models
import pytest

from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps, make_deps
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.store import QdrantMemoryStore

pydantic_ai.models.ALLOW_MODEL_REQUESTS = False

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """Where the public evaluation data lives (configurable like the app setting)."""
    configured = os.environ.get("INTERVIEW_COACH_SHARED_DATA_DIR")
    return Path(configured) if configured else (REPO_ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"public evaluation data not found at {path} (set INTERVIEW_COACH_SHARED_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real bundled all-MiniLM-L6-v2, loaded once per test session."""
    return SentenceTransformerEmbedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", shared_data_dir=shared_data_dir(), _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def deps(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[AppDeps]:
    """Dependencies with real embedded Qdrant in a fresh folder."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    memory = QdrantMemoryStore(embedder, path=settings.resolved_qdrant_path)
    app_deps = make_deps(settings, embedder, memory)
    yield app_deps
    app_deps.close()
