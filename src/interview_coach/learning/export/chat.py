"""Supervised chat examples (``openai-chat-jsonl``): system → user prompt → the agent's output."""

from __future__ import annotations

from typing import Any

from interview_coach.learning.export.common import BuildResult
from interview_coach.learning.export.turns import AgentTurn, corrected_output, latest_correction, turn_messages
from interview_coach.memory.feedback import FeedbackPublic


def chat_record(turn: AgentTurn, items: list[FeedbackPublic], result: BuildResult) -> dict[str, Any] | None:
    """Return the chat example of a turn (its correction wins), or ``None`` when it is left out."""
    correction = latest_correction(items)
    if correction:
        return {"messages": turn_messages(turn, corrected_output(turn, correction))}
    if any(f.rating < 0 for f in items):
        result.skipped["thumbs_down"] += 1
        return None
    if not any(str(v).strip() for v in turn.output.values()):
        result.skipped["empty_output"] += 1
        return None
    return {"messages": turn_messages(turn, turn.output)}
