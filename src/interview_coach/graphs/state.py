"""Graph state: plain JSON-shaped data so checkpoints survive upgrades and any backend.

Nodes store domain models dumped to JSON; every reader validates them back into the model
through the accessors at the bottom of this module, so no node reads raw keys of a dump.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypedDict

from interview_coach.assessment.report import number_results
from interview_coach.domain import (
    InterviewPlanRequest,
    Question,
    QuestionRef,
    QuestionReport,
    SessionReport,
    TurnEvent,
)

Phase = Literal["interview", "coaching", "ended"]
Intent = Literal["answer", "repeat", "skip", "end", "help", "status", "empty"]
# The resume value's field that carries the client's idempotency key into the input node.
TURN_KEY = "turn_key"


def add_usage(left: Mapping[str, int] | None, right: Mapping[str, int] | None) -> dict[str, int]:
    """Sum two usage counter dicts (the reducer for the graph state's ``llm_usage``)."""
    total = dict(left or {})
    for name, value in (right or {}).items():
        total[name] = total.get(name, 0) + int(value)
    return total


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
        pending: the candidate's latest input (``AnswerInput`` as JSON).
        intent: what the latest input means.
        analysis: ``AnswerAssessment`` of the latest answer (measured and judged, before wording).
        results: one ``QuestionReport`` per asked question (append-only).
        messages: the conversation as ``TurnEvent`` JSON (append-only).
        phase: interview, coaching, or ended.
        report: the ``SessionReport`` once written.
        coach_input: the latest coach-chat message.
        reanswer: the question number being re-answered in a coach drill.
        created_at: ISO creation time.
        llm_usage: LLM counters of the session, summed over turns: calls, requests,
            input_tokens, output_tokens, cost_microusd, fallbacks.
        turns: one entry per candidate input, written with the input itself: the client's
            idempotency key (``""`` when none), the question it answered, and where its
            messages start. A retried key is answered from here, even after a crash.

    """

    session_id: str
    user_id: str
    request: dict[str, Any]
    plan: list[dict[str, Any]]
    index: int
    current: dict[str, Any] | None
    follow_ups: int
    pending: dict[str, Any] | None
    intent: Intent
    analysis: dict[str, Any] | None
    results: Annotated[list[dict[str, Any]], operator.add]
    messages: Annotated[list[dict[str, Any]], operator.add]
    phase: Phase
    report: dict[str, Any] | None
    coach_input: str
    reanswer: int | None
    created_at: str
    llm_usage: Annotated[dict[str, int], add_usage]
    turns: Annotated[list[dict[str, Any]], operator.add]


def request_of(state: Mapping[str, Any]) -> InterviewPlanRequest:
    """Return the interview options."""
    return InterviewPlanRequest.model_validate(state["request"])


def current_question(state: Mapping[str, Any]) -> Question | None:
    """Return the question being asked (a main question or a follow-up), if any."""
    return Question.model_validate(state["current"]) if state.get("current") else None


def upcoming_questions(state: Mapping[str, Any]) -> list[Question]:
    """Return the planned main questions after the current one, in the order they will be asked."""
    plan = list(state.get("plan", []))
    return [Question.model_validate(q) for q in plan[int(state.get("index", 0)) + 1 :]]


def current_ref(state: Mapping[str, Any]) -> QuestionRef | None:
    """Return the current question's identity: main question number and follow-up index."""
    question = current_question(state)
    if question is None:
        return None
    follow_up = int(state.get("follow_ups", 0)) if question.follow_up_of else 0
    return QuestionRef(
        number=int(state.get("index", 0)) + 1,
        total=len(state.get("plan", [])),
        follow_up=follow_up,
        question_id=question.id,
    )


def results_of(state: Mapping[str, Any]) -> list[QuestionReport]:
    """Every asked question's result so far, each with its question identity."""
    return number_results([QuestionReport.model_validate(r) for r in state.get("results", [])])


def report_of(state: Mapping[str, Any]) -> SessionReport | None:
    """Return the session report once written."""
    return SessionReport.model_validate(state["report"]) if state.get("report") else None


def events_of(state: Mapping[str, Any], since: int = 0, until: int | None = None) -> list[TurnEvent]:
    """Return the conversation's events from position ``since`` (up to ``until``, exclusive)."""
    return [TurnEvent.model_validate(m) for m in list(state.get("messages", []))[since:until]]


def turn_record(key: str | None, question_id: str, start: int) -> dict[str, Any]:
    """Return the ``turns`` entry an input node writes with the input it takes."""
    return {"key": key or "", "question_id": question_id, "start": start}


def turn_span(state: Mapping[str, Any], key: str) -> tuple[str, int, int | None] | None:
    """Find the input sent with idempotency key ``key``.

    Returns:
        The question id it answered and its messages' span ``[start, end)`` (``end`` is
        ``None`` for the latest input), or ``None`` when no input carried the key.
    """
    turns = list(state.get("turns") or [])
    for position, turn in enumerate(turns):
        if key and turn.get("key") == key:
            end = int(turns[position + 1]["start"]) if position + 1 < len(turns) else None
            return str(turn.get("question_id", "")), int(turn["start"]), end
    return None
