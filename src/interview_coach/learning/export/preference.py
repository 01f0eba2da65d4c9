"""Preference pairs (``preference-jsonl``): a correction or the builtin output beats a disliked output."""

from __future__ import annotations

import json
from typing import Any

from interview_coach.learning.export.common import BuildResult
from interview_coach.learning.export.turns import AgentTurn, corrected_output, latest_correction, turn_messages
from interview_coach.memory.feedback import FeedbackPublic


def preference_record(turn: AgentTurn, items: list[FeedbackPublic], result: BuildResult) -> dict[str, Any] | None:
    """Return the chosen/rejected pair of a turn, or ``None`` without a correction or a better alternative."""
    correction = latest_correction(items)
    disliked = any(f.rating < 0 for f in items)
    if correction:
        chosen = corrected_output(turn, correction)
    elif disliked and turn.alternative is not None:
        chosen = turn.alternative
    else:
        if disliked:
            result.skipped["thumbs_down_without_alternative"] += 1
        return None
    if chosen == turn.output:
        result.skipped["chosen_equals_rejected"] += 1
        return None
    return {
        "input": {"messages": turn_messages(turn, None)},
        "preferred_output": [{"role": "assistant", "content": json.dumps(chosen, ensure_ascii=False)}],
        "non_preferred_output": [{"role": "assistant", "content": json.dumps(turn.output, ensure_ascii=False)}],
    }
