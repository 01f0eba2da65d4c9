"""Graph state: plain JSON-shaped data so checkpoints survive upgrades and any backend."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypedDict

Role = Literal["interviewer", "candidate", "feedback", "coach", "system"]
Phase = Literal["interview", "coaching", "ended"]
Intent = Literal["answer", "repeat", "skip", "end", "help", "status", "empty"]


def add_usage(left: Mapping[str, int] | None, right: Mapping[str, int] | None) -> dict[str, int]:
    """Sum two usage counter dicts (the reducer for the graph state's ``llm_usage``)."""
    total = dict(left or {})
    for name, value in (right or {}).items():
        total[name] = total.get(name, 0) + int(value)
    return total


class ChatMessage(TypedDict, total=False):
    """One line of the conversation as the surfaces show it."""

    role: Role
    text: str
    question_id: str | None
    data: dict[str, Any]


class InterviewState(TypedDict, total=False):
    """Durable state of one interview session (one LangGraph thread).

    Attributes:
        session_id: the thread id.
        user_id: the owner.
        request: ``InterviewPlanRequest`` as JSON.
        plan: main questions as JSON.
        index: position of the current main question in ``plan``.
        current: the question being asked (main or follow-up) as JSON.
        follow_ups: follow-ups asked for the current main question.
        asked_at: ISO time the current question was asked.
        pending: the candidate's latest input (``AnswerInput`` as JSON).
        intent: what the latest input means.
        analysis: ``AnswerAnalysis`` of the latest answer.
        evaluation: ``AnswerEvaluation`` of the latest answer.
        results: one ``QuestionReport`` per asked question (append-only).
        messages: the conversation (append-only).
        phase: interview, coaching, or ended.
        report: the ``SessionReport`` once written.
        coach_input: the latest coach-chat message.
        reanswer: the question number being re-answered in a coach drill.
        created_at: ISO creation time.
        llm_usage: LLM counters of the session, summed over turns: calls, requests,
            input_tokens, output_tokens, cost_microusd, fallbacks.

    """

    session_id: str
    user_id: str
    request: dict[str, Any]
    plan: list[dict[str, Any]]
    index: int
    current: dict[str, Any] | None
    follow_ups: int
    asked_at: str | None
    pending: dict[str, Any] | None
    intent: Intent
    analysis: dict[str, Any] | None
    evaluation: dict[str, Any] | None
    results: Annotated[list[dict[str, Any]], operator.add]
    messages: Annotated[list[ChatMessage], operator.add]
    phase: Phase
    report: dict[str, Any] | None
    coach_input: str
    reanswer: int | None
    created_at: str
    llm_usage: Annotated[dict[str, int], add_usage]
