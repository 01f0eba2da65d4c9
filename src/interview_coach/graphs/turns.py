"""What one step of a session gives a surface, and the refusal of an input it does not take."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from interview_coach.domain import Question, QuestionRef, SessionReport, TurnEvent
from interview_coach.graphs.state import current_question, current_ref

Waiting = Literal["answer", "coach"] | None


class TurnConflictError(RuntimeError):
    """The session does not take this input now: another question waits, or no answer at all.

    Attributes:
        waiting: what the session waits for now.
        question: the question waiting for an answer, if any.
        ref: its identity (label such as ``Q2 · follow-up``), if any.
    """

    def __init__(self, message: str, *, waiting: Waiting, question: Question | None, ref: QuestionRef | None) -> None:
        """Name what the session waits for instead."""
        super().__init__(message)
        self.waiting = waiting
        self.question = question
        self.ref = ref


def conflict(values: Mapping[str, Any], waiting: Waiting, refused: str) -> TurnConflictError:
    """Build the refusal of ``refused``, naming what the session waits for instead."""
    question = current_question(values) if waiting == "answer" else None
    ref = current_ref(values) if waiting == "answer" else None
    if question is not None and ref is not None:
        now = f"it waits for an answer to {ref.label} (question id {question.id!r}): {question.text}"
    elif waiting == "coach":
        now = "the interview is over; it waits for a message to the coach"
    else:
        now = "the session has ended"
    return TurnConflictError(
        f"This session does not take {refused} now; {now}", waiting=waiting, question=question, ref=ref
    )


@dataclass
class Turn:
    """What a surface shows after one step of a session.

    Attributes:
        session_id: the session (graph thread) id.
        messages: messages produced since the previous turn.
        waiting_for: ``answer`` during the interview, ``coach`` after the report, ``None`` when ended.
        question: the question awaiting an answer, if any.
        ref: its identity (main question number, follow-up index, total), if any.
        upcoming: the planned main questions still to come after it (surfaces prepare them ahead).
        phase: interview, coaching or ended.
        report: the session report once written.
        llm_usage: the session's LLM counters so far (calls, tokens, cost_microusd, fallbacks).
        replayed: the input's idempotency key had been applied already; ``messages`` are that
            turn's messages, the rest is the session as it is now.

    """

    session_id: str
    messages: list[TurnEvent] = field(default_factory=list)
    waiting_for: Waiting = None
    question: Question | None = None
    ref: QuestionRef | None = None
    upcoming: list[Question] = field(default_factory=list)
    phase: str = "interview"
    report: SessionReport | None = None
    llm_usage: dict[str, int] = field(default_factory=dict)
    replayed: bool = False


def waiting_for(interrupts: list[Any]) -> Waiting:
    """Tell what the graph waits for from its pending interrupts (the last one wins)."""
    waiting: Waiting = None
    for pending in interrupts:
        kind = pending.value.get("type") if isinstance(pending.value, dict) else None
        waiting = "coach" if kind == "coach" else "answer"
    return waiting
