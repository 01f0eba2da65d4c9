"""Which coaching skill a request names ("a drill for fillers", "how do I stop rambling")."""

from __future__ import annotations

import re

import numpy as np

from interview_coach.assessment.knowledge import CoachingPattern, load_knowledge_base
from interview_coach.core.embedding import Embedder

# The request's own words ("give me a drill for", "how do I") say nothing about the skill and
# pull every request towards the same patterns, so they are dropped before matching.
REQUEST_WORDS = frozenset(
    [
        "give",
        "me",
        "a",
        "an",
        "drill",
        "drills",
        "exercise",
        "exercises",
        "tip",
        "tips",
        "advice",
        "any",
        "how",
        "do",
        "can",
        "could",
        "i",
        "to",
        "for",
        "the",
        "my",
        "please",
        "some",
        "practice",
        "suggest",
        "what",
        "helps",
        "help",
        "with",
        "get",
        "better",
        "at",
        "improve",
        "fix",
        "work",
        "on",
        "should",
        "that",
        "this",
        "it",
        "answer",
        "answers",
        "first",
        "and",
        "so",
        "you",
        "is",
        "are",
        "be",
    ]
)
# Chosen on 21 hand-written skill requests (no held-out set: treat as a sensible default).
SKILL_MIN_SIMILARITY = 0.45
# A request word sharing its stem with a word of the pattern's id, title or category ("star"
# ~ star_missing_action, "fillers" ~ fillers_high) adds this much, up to two words.
STEM_BONUS = 0.1
_GENERIC_PATTERN_WORDS = frozenset({"weak", "missing", "high", "low", "too", "your", "the", "and", "what"})


def _stems(text: str) -> set[str]:
    return {w[:4] for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 3 and w not in _GENERIC_PATTERN_WORDS}


def skill_words(message: str) -> str:
    """Return the words of a request that can name a skill ("give me a drill for fillers" -> "fillers")."""
    return " ".join(w for w in re.findall(r"[a-z']+", message.lower()) if w not in REQUEST_WORDS)


def named_skill(message: str, embedder: Embedder) -> CoachingPattern | None:
    """Return the coaching pattern a request names, or ``None`` when it names none."""
    words = skill_words(message)
    if not words:
        return None
    patterns = list(load_knowledge_base().values())
    documents = [f"{p.id.replace('_', ' ')}: {p.title}. {p.why}" for p in patterns]
    vectors = embedder.encode([words, *documents])
    stems = _stems(words)
    bonus = [
        STEM_BONUS * min(2, len(stems & _stems(f"{p.id.replace('_', ' ')} {p.title} {p.category}"))) for p in patterns
    ]
    similarities = vectors[1:] @ vectors[0] + np.asarray(bonus, dtype=np.float32)
    best = int(np.argmax(similarities))
    return patterns[best] if float(similarities[best]) >= SKILL_MIN_SIMILARITY else None
