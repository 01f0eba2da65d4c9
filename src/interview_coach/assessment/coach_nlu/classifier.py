"""Nearest-example intent classifier over the shipped sentence embeddings.

The labelled examples (``data/coach/intent_examples.jsonl``, written for this project: short
prototypes per intent plus the ``tune`` part of the labelled coach-message set, never its
held-out part) are embedded once per embedder; a message takes the label whose closest
examples are most similar.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np
from numpy.typing import NDArray

from interview_coach.assessment.coach_nlu.models import ExampleLabel
from interview_coach.core.embedding import Embedder

# Mean similarity of a label's TOP_K nearest examples: one lucky neighbour cannot win alone
# (3 was best in 5-fold cross-validation on the tune split).
TOP_K = 3
# Below this best-label score the message matches nothing the coach does (tuned on the tune split).
UNKNOWN_BELOW = 0.3


@dataclass(frozen=True)
class IntentExample:
    """One labelled example sentence."""

    text: str
    label: ExampleLabel


@lru_cache(maxsize=1)
def load_examples() -> tuple[IntentExample, ...]:
    """Load the packaged labelled examples."""
    raw = (files("interview_coach") / "data" / "coach" / "intent_examples.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
    return tuple(IntentExample(text=row["text"], label=row["intent"]) for row in rows)


@lru_cache(maxsize=1)
def example_vocabulary() -> frozenset[str]:
    """Every word of the examples (typos close to one of them are corrected before classifying)."""
    return frozenset(w for e in load_examples() for w in re.findall(r"[a-z']+", e.text.lower()))


@dataclass(frozen=True)
class IntentScore:
    """The classifier's verdict: the best label and its score, with every label's score."""

    label: ExampleLabel
    score: float
    scores: dict[ExampleLabel, float]


class IntentClassifier:
    """Scores a message against the labelled examples (one instance per embedder)."""

    def __init__(self, embedder: Embedder, examples: Sequence[IntentExample] | None = None) -> None:
        """Embed the examples (the packaged ones by default) with the product's embedder."""
        self.examples = tuple(examples) if examples is not None else load_examples()
        self._labels: list[ExampleLabel] = list(dict.fromkeys(e.label for e in self.examples))
        vectors = embedder.encode([e.text for e in self.examples])
        self._by_label: dict[ExampleLabel, NDArray[np.float32]] = {
            label: vectors[[i for i, e in enumerate(self.examples) if e.label == label]] for label in self._labels
        }
        self._embedder = embedder

    def classify(self, text: str) -> IntentScore:
        """Score a normalised message; below ``UNKNOWN_BELOW`` it is ``unknown``."""
        vector = self._embedder.encode([text])[0]
        scores: dict[ExampleLabel, float] = {}
        for label, matrix in self._by_label.items():
            similarities = np.sort(matrix @ vector)[::-1][:TOP_K]
            scores[label] = float(similarities.mean())
        label = max(scores, key=lambda name: scores[name])
        best = scores[label]
        if best < UNKNOWN_BELOW:
            label = "unknown"
        return IntentScore(label=label, score=round(best, 4), scores=scores)


_CLASSIFIERS: dict[int, tuple[Embedder, IntentClassifier]] = {}
_LOCK = threading.Lock()


def classifier_for(embedder: Embedder) -> IntentClassifier:
    """Return the classifier for this embedder, building it (one batch of embeddings) on first use."""
    with _LOCK:
        cached = _CLASSIFIERS.get(id(embedder))
        if cached is None or cached[0] is not embedder:
            if len(_CLASSIFIERS) >= 8:
                _CLASSIFIERS.clear()
            cached = (embedder, IntentClassifier(embedder))
            _CLASSIFIERS[id(embedder)] = cached
        return cached[1]
