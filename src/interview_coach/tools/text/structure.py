"""Paraphrase-robust structure detection: lexical cues plus MiniLM prototype similarity.

A sentence expresses a part (STAR: situation, task, action, result; technical: definition,
example, trade-off) when its lexical cue strength (``tools/text/structure_cues.py``) reaches
``PART_THRESHOLD``, or when its embedding is close to that part's prototype sentences
(``data/structure_prototypes.yaml``) and closer to them than to the ``none`` prototypes:
with some lexical support (strength >= ``SUPPORT_FROM``) a cosine of ``support`` suffices, alone
it needs ``alone``. Thresholds were chosen on the tune split of
``evals/data/structure_sentences.jsonl`` (``evals/structure.py`` reports the held-out split).

Prototype vectors are embedded once per embedder and cached; answer sentences reuse the vectors
``tools/text/analysis.py`` already computed, so the embedding vote costs one matrix product.
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from interview_coach.core.embedding import Embedder
from interview_coach.domain.text import STAR_PARTS, TECHNICAL_PARTS
from interview_coach.tools.text.structure_cues import lexical_strength

Family = Literal["star", "technical"]
FAMILIES: tuple[Family, ...] = ("star", "technical")
_FAMILY_PARTS: dict[Family, tuple[str, ...]] = {"star": STAR_PARTS, "technical": TECHNICAL_PARTS}

PART_THRESHOLD = 1.0
SUPPORT_FROM = 0.4
EMBEDDING_VOTE = 1.0
"""Strength an embedding vote adds, enough to reach ``PART_THRESHOLD`` on its own."""


@dataclass(frozen=True)
class PartThresholds:
    """Cosine to a part's nearest prototype needed with lexical support and without it."""

    support: float
    alone: float


THRESHOLDS: dict[str, PartThresholds] = {
    "situation": PartThresholds(support=0.65, alone=0.65),
    "task": PartThresholds(support=0.45, alone=0.75),
    "action": PartThresholds(support=0.50, alone=0.70),
    "result": PartThresholds(support=0.45, alone=0.60),
    "definition": PartThresholds(support=0.45, alone=0.60),
    "example": PartThresholds(support=0.45, alone=0.60),
    "trade_off": PartThresholds(support=0.45, alone=0.60),
}
"""Per part, the lowest cosines that keep the tune split's F1 at its maximum, floored at 0.45 / 0.60."""

SentenceSimilarity = dict[str, float]
"""Nearest-prototype cosine of one sentence per part, plus ``none``."""


class StructurePrototypes(BaseModel):
    """Prototype sentences per family and part (``none`` holds sentences of no part)."""

    model_config = ConfigDict(frozen=True)

    star: dict[str, list[str]]
    technical: dict[str, list[str]]

    def of(self, family: Family) -> dict[str, list[str]]:
        """Return the prototypes of one family."""
        return self.star if family == "star" else self.technical


@lru_cache(maxsize=1)
def load_prototypes() -> StructurePrototypes:
    """Load and validate ``data/structure_prototypes.yaml`` (cached)."""
    text = resources.files("interview_coach.data").joinpath("structure_prototypes.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    prototypes = StructurePrototypes(star=raw["star"], technical=raw["technical"])
    for family in FAMILIES:
        missing = {*_FAMILY_PARTS[family], "none"} - set(prototypes.of(family))
        if missing:
            raise ValueError(f"structure_prototypes.yaml: {family} lacks {sorted(missing)}")
    return prototypes


_PrototypeVectors = dict[str, dict[str, NDArray[np.float32]]]
_CACHE: weakref.WeakKeyDictionary[Embedder, _PrototypeVectors] = weakref.WeakKeyDictionary()


def prototype_vectors(embedder: Embedder) -> _PrototypeVectors:
    """Embed every prototype once per embedder (one batch) and cache the vectors."""
    cached = _CACHE.get(embedder)
    if cached is not None:
        return cached
    prototypes = load_prototypes()
    labels = [(family, part) for family in FAMILIES for part in prototypes.of(family)]
    texts = [text for family, part in labels for text in prototypes.of(family)[part]]
    vectors = embedder.encode(texts)
    result: _PrototypeVectors = {"star": {}, "technical": {}}
    start = 0
    for family, part in labels:
        count = len(prototypes.of(family)[part])
        result[family][part] = vectors[start : start + count]
        start += count
    # An embedder without weak-reference support is simply not cached.
    with contextlib.suppress(TypeError):
        _CACHE[embedder] = result
    return result


def sentence_similarities(
    family: Family, vectors: list[NDArray[np.float32] | None], embedder: Embedder
) -> list[SentenceSimilarity | None]:
    """Return each sentence's nearest-prototype cosine per part (``None`` where it has no vector)."""
    present = [v for v in vectors if v is not None]
    if not present:
        return [None] * len(vectors)
    table = prototype_vectors(embedder)[family]
    matrix = np.stack(present)
    per_part = {part: np.round((matrix @ protos.T).max(axis=1), 3) for part, protos in table.items()}
    out: list[SentenceSimilarity | None] = []
    row = 0
    for vector in vectors:
        if vector is None:
            out.append(None)
            continue
        out.append({part: float(sims[row]) for part, sims in per_part.items()})
        row += 1
    return out


def embedding_vote(part: str, lexical: float, similarity: SentenceSimilarity | None) -> bool:
    """Whether the prototypes say the sentence expresses ``part`` (see the module docstring)."""
    if similarity is None:
        return False
    cosine = similarity[part]
    if cosine <= similarity["none"]:
        return False
    limits = THRESHOLDS[part]
    return cosine >= limits.alone or (lexical >= SUPPORT_FROM and cosine >= limits.support)


def part_strength(part: str, sentence: str, similarity: SentenceSimilarity | None = None) -> float:
    """Return the combined strength of a sentence for one part: lexical cues plus the embedding vote."""
    lexical = lexical_strength(part, sentence)
    return lexical + (EMBEDDING_VOTE if embedding_vote(part, lexical, similarity) else 0.0)


def sentence_parts(family: Family, sentence: str, similarity: SentenceSimilarity | None = None) -> set[str]:
    """Return the parts one sentence expresses (the eval's per-sentence prediction)."""
    return {part for part in _FAMILY_PARTS[family] if part_strength(part, sentence, similarity) >= PART_THRESHOLD}
