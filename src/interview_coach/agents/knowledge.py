"""The curated coaching knowledge base: tips and drills keyed to detected patterns."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, Field


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
    raw: dict[str, Any] = yaml.safe_load((files("interview_coach") / "data" / "coaching_kb.yaml").read_text("utf-8"))
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


def search_patterns(text: str, limit: int = 3) -> list[CoachingPattern]:
    """Find patterns whose title, trigger or metric words appear in a free-text request."""
    words = {w for w in text.lower().replace("-", " ").split() if len(w) > 3}
    scored: list[tuple[int, CoachingPattern]] = []
    for pattern in load_knowledge_base().values():
        haystack = f"{pattern.id} {pattern.title} {pattern.trigger} {pattern.metric}".lower().replace("_", " ")
        hits = sum(1 for w in words if w in haystack or w.rstrip("s") in haystack)
        if hits:
            scored.append((hits, pattern))
    scored.sort(key=lambda item: item[0], reverse=True)
    return [p for _, p in scored[:limit]]
