"""A deterministic stand-in for MiniLM in fast grader tests."""

from __future__ import annotations

import hashlib

import numpy as np

from interview_coach.assessment.grading.text import WORD_PATTERN, content_stems
from interview_coach.core.embedding import TokenStates


def _slot(stem: str) -> int:
    return int(hashlib.md5(stem.encode()).hexdigest(), 16) % 256


class HashEmbedder:
    """Deterministic stand-in for MiniLM: normalised bag of hashed word stems.

    Its token states are one hashed one-hot row per content word, so a pooled span is the bag
    of that span's stems (the same vector ``encode`` gives the span's text).
    """

    dimension = 256

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for row, text in enumerate(texts):
            for stem in content_stems(text) or ["<empty>"]:
                out[row, _slot(stem)] += 1.0
        normalised: np.ndarray = out / np.linalg.norm(out, axis=1, keepdims=True)
        return normalised

    def encode_tokens(self, texts: list[str]) -> list[TokenStates]:
        result = []
        for text in texts:
            spans = [(m.group(0).lower(), m.start(), m.end()) for m in WORD_PATTERN.finditer(text)]
            kept = [(content_stems(w), a, b) for w, a, b in spans]
            rows = [(s[0], a, b) for s, a, b in kept if s]
            states = np.zeros((len(rows) + 1, 256), dtype=np.float32)
            states[-1, _slot("<empty>")] = 1.0 if not rows else 0.0
            for i, (stem, _, _) in enumerate(rows):
                states[i, _slot(stem)] = 1.0
            offsets = np.array([(a, b) for _, a, b in rows] + [(0, 0)], dtype=np.int64)
            result.append(TokenStates(states=states, offsets=offsets))
        return result
