"""Build the structured turn events that graph nodes append to the conversation."""

from __future__ import annotations

from typing import Any

from interview_coach.domain import AnswerEvaluation, NotMeasured, QuestionRef, TurnEvent
from interview_coach.domain.events import EventKind, NoticeKind, Role


def event(
    role: Role,
    kind: EventKind,
    text: str,
    *,
    question: QuestionRef | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Return one turn event as the JSON the graph state stores."""
    return TurnEvent(role=role, kind=kind, text=text, question=question, **fields).model_dump(mode="json")


def notice(text: str, kind: NoticeKind = "info", *, question: QuestionRef | None = None) -> dict[str, Any]:
    """Build a system notice (engine fallback, truncation, documents screened...)."""
    return event("system", "notice", text, question=question, notice=kind)


def not_measured(item: NotMeasured, question: QuestionRef | None) -> dict[str, Any]:
    """Build a notice that one modality could not be measured, with the modality named for the surfaces."""
    return event("system", "notice", item.text, question=question, notice="not_measured", modality=item.modality)


def feedback(text: str, question: QuestionRef, evaluation: AnswerEvaluation) -> dict[str, Any]:
    """Per-answer feedback with its typed evaluation."""
    return event("feedback", "feedback", text, question=question, evaluation=evaluation)
