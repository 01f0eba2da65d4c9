"""The curated coaching knowledge base: tips and drills keyed to detected patterns."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, Field

from interview_coach.core.embedding import Embedder
from interview_coach.domain.targets import placeholders


class Drill(BaseModel):
    """A practice exercise with a measurable success criterion."""

    name: str
    steps: list[str]
    duration_min: int = 5
    success_metric: str = ""


class CoachingPattern(BaseModel):
    """A pattern the analysis can detect, with why it matters and what to do."""

    id: str
    trigger: str = ""
    metric: str | None = None
    category: str = ""
    title: str
    why: str = ""
    tips: list[str] = Field(default_factory=list)
    drill: Drill | None = None


@lru_cache(maxsize=1)
def load_knowledge_base() -> dict[str, CoachingPattern]:
    """Load the packaged coaching knowledge base keyed by pattern id."""
    # The texts name targets as placeholders ({pace_low}...) so every number comes from domain.targets.
    text = (files("interview_coach") / "data" / "coaching_kb.yaml").read_text("utf-8").format_map(placeholders())
    raw: dict[str, Any] = yaml.safe_load(text)
    patterns = (CoachingPattern.model_validate(item) for item in raw["patterns"])
    return {p.id: p for p in patterns}


def find_pattern(pattern_id: str, metric: str | None = None) -> CoachingPattern | None:
    """Look a pattern up by id, falling back to the first pattern about the same metric."""
    kb = load_knowledge_base()
    if pattern_id in kb:
        return kb[pattern_id]
    if metric:
        for pattern in kb.values():
            if pattern.metric == metric:
                return pattern
    return None


def search_patterns(
    text: str, embedder: Embedder, limit: int = 3, min_similarity: float = 0.3
) -> list[CoachingPattern]:
    """Find the patterns a free-text request is about ("a drill for filler words"), by meaning."""
    patterns = list(load_knowledge_base().values())
    docs = [f"{p.title}. {p.trigger}. {p.id.replace('_', ' ')}" for p in patterns]
    vectors = embedder.encode([text, *docs])
    similarities = vectors[1:] @ vectors[0]
    ranked = sorted(zip(similarities.tolist(), patterns, strict=True), key=lambda item: item[0], reverse=True)
    return [pattern for similarity, pattern in ranked[:limit] if similarity >= min_similarity]
