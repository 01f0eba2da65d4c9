"""The coach's old keyword rules, kept verbatim in spirit as the baseline for the coach-intents suite.

Before embedding-based resolution the coach routed a message with these regular expressions and
keyword lists (``agents/coach.py`` and ``graphs/coaching_nodes.py`` up to this change); anything
unmatched got the current report's overview, and no session was ever resolved.
"""

from __future__ import annotations

import re

_QUESTION_REF = re.compile(r"\b(?:q|question|#)\s*(\d{1,2})\b", re.IGNORECASE)
_GOAL = re.compile(
    r"\b(?:my goal is|i want to|i'd like to|i would like to|i'm aiming to|i am aiming to)\b(.+)", re.IGNORECASE
)
_PLAN = re.compile(r"\b(?:plan|schedule|roadmap)\b", re.IGNORECASE)
_REANSWER = re.compile(r"\b(re-?answer|retry|try again|redo|answer again)\b", re.IGNORECASE)


def baseline_resolve(
    message: str, *, in_session: bool, current_session: str | None
) -> tuple[str, int | None, str | None]:
    """Return (intent, question number, session key) as the old rules would have."""
    lowered = message.lower()
    match = _QUESTION_REF.search(message)
    number = int(match.group(1)) if match else None
    if _REANSWER.search(message) and number is not None and in_session:
        return "reanswer", number, None
    if number is not None and not _REANSWER.search(message):
        return "explain", number, None
    goal = _GOAL.search(message)
    if goal and len(goal.group(1).strip()) > 3:
        return "goal", None, None
    if _PLAN.search(message):
        return "plan", None, None
    if any(w in lowered for w in ("progress", "trend", "improv", "better than", "over time")):
        return "progress", None, None
    if "story" in lowered or "stories" in lowered:
        return "stories", None, None
    if any(w in lowered for w in ("drill", "exercise", "practice", "tip", "help", "how do i", "how can i")):
        return "improve", None, None
    # The overview of the current report (none outside a session).
    return "session_recap", None, current_session if in_session else None
