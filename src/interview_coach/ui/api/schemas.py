"""Typed request and response bodies of the REST API (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interview_coach.domain import AnswerEvaluation, Question, QuestionRef, QuestionReport, Score, TurnEvent
from interview_coach.domain.answers import Modality
from interview_coach.domain.events import EventKind, NoticeKind, Role
from interview_coach.graphs.service import Turn
from interview_coach.memory.feedback import FeedbackTarget

IDEMPOTENCY_KEY_HELP = "A client key naming this submission; a retry with the same key returns the stored turn."


class QuestionRefPublic(BaseModel):
    """Which question: main question ``number`` of ``total``, and which follow-up of it (0 = none)."""

    number: int
    total: int
    follow_up: int = 0
    question_id: str = ""
    label: str = Field(description="Short label, e.g. 'Q2' or 'Q2 · follow-up'.")
    progress: str = Field(description="Label with the total, e.g. 'Q2/5' or 'Q2/5 · follow-up'.")

    @classmethod
    def from_ref(cls, ref: QuestionRef | None) -> QuestionRefPublic | None:
        """Convert a domain ref (``None`` stays ``None``)."""
        if ref is None:
            return None
        return cls(**ref.model_dump(), label=ref.label, progress=ref.progress)


class MessagePublic(BaseModel):
    """One event of the conversation: who said what, about which question, with its structure."""

    role: Role
    kind: EventKind
    text: str
    question: QuestionRefPublic | None = None
    notice: NoticeKind | None = None
    modality: Modality | None = Field(default=None, description="For a 'not_measured' notice: which modality.")
    repeat: bool = False
    time_budget_s: int | None = None
    evaluation: AnswerEvaluation | None = Field(default=None, description="For feedback: scores and evidence.")
    grounded_on: list[str] = Field(default_factory=list)
    drill: str | None = None
    engine: str | None = None

    @classmethod
    def from_event(cls, event: TurnEvent) -> MessagePublic:
        """Convert a turn event."""
        return cls(**event.model_dump(exclude={"question"}), question=QuestionRefPublic.from_ref(event.question))


class QuestionPublic(BaseModel):
    """The question waiting for an answer."""

    id: str = Field(description="Stable id of this question in the session; send it back as the answer's question_id.")
    text: str
    kind: str
    competency: str
    time_budget_s: int
    follow_up_of: str | None = None
    ref: QuestionRefPublic | None = None

    @classmethod
    def from_question(cls, question: Question | None, ref: QuestionRef | None) -> QuestionPublic | None:
        """Convert a domain question and its identity (``None`` when nothing is asked)."""
        if question is None:
            return None
        return cls(
            id=question.id,
            text=question.text,
            kind=question.kind.value,
            competency=question.competency,
            time_budget_s=question.time_budget_s,
            follow_up_of=question.follow_up_of,
            ref=QuestionRefPublic.from_ref(ref),
        )


class TurnPublic(BaseModel):
    """The state of a session after a step, with the messages produced by that step."""

    session_id: str
    messages: list[MessagePublic]
    waiting_for: Literal["answer", "coach"] | None
    question: QuestionPublic | None = None
    phase: str
    report_ready: bool
    replayed: bool = Field(
        default=False,
        description="The idempotency key was applied before: messages are that turn's, the rest is the session now.",
    )

    @classmethod
    def from_turn(cls, turn: Turn) -> TurnPublic:
        """Convert a service turn."""
        return cls(
            session_id=turn.session_id,
            messages=[MessagePublic.from_event(m) for m in turn.messages],
            waiting_for=turn.waiting_for,
            question=QuestionPublic.from_question(turn.question, turn.ref),
            phase=turn.phase,
            report_ready=turn.report is not None,
            replayed=turn.replayed,
        )


class TurnConflictPublic(BaseModel):
    """Why a session refused an input (409), and what it waits for instead."""

    detail: str
    waiting_for: Literal["answer", "coach"] | None
    question: QuestionPublic | None = Field(default=None, description="The question waiting for an answer, if any.")


class NextQuestion(BaseModel):
    """What the session waits for now."""

    session_id: str
    waiting_for: Literal["answer", "coach"] | None
    question: QuestionPublic | None
    phase: str


class AnswerCreate(BaseModel):
    """A typed answer (or a command such as ``/skip``, ``/repeat``, ``/end``).

    Send ``question_id`` (from the turn's ``question.id``) so that an answer reaching the
    session after it moved on is refused with 409 instead of answering the next question;
    without it the answer goes to whatever question waits. A retry with the same
    ``idempotency_key`` (or ``Idempotency-Key`` header) returns the stored turn.
    """

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=50_000)
    question_id: str | None = Field(default=None, min_length=1, max_length=200, description="The question answered.")
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200, description=IDEMPOTENCY_KEY_HELP)


class CoachMessage(BaseModel):
    """A message to the coach."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4_000)


class AnswerFeedback(BaseModel):
    """Scores and written feedback for one answered question (a main question or a follow-up)."""

    ref: QuestionRefPublic | None
    question_id: str
    question: str
    input_mode: str
    scores: dict[str, Score]
    strengths: list[str]
    improvements: list[str]
    explanation: str

    @classmethod
    def from_report(cls, item: QuestionReport, ref: QuestionRef | None) -> AnswerFeedback:
        """Convert one question of a written report."""
        evaluation = item.evaluation
        return cls(
            ref=QuestionRefPublic.from_ref(ref),
            question_id=item.question.id,
            question=item.question.text,
            input_mode=item.input_mode,
            scores=item.scores,
            strengths=evaluation.strengths if evaluation else [],
            improvements=evaluation.improvements if evaluation else [],
            explanation=evaluation.explanation if evaluation else "",
        )

    @classmethod
    def from_event(cls, event: TurnEvent, evaluation: AnswerEvaluation) -> AnswerFeedback:
        """Convert a feedback event given during the interview (the report is not written yet)."""
        return cls(
            ref=QuestionRefPublic.from_ref(event.question),
            question_id=evaluation.question_id,
            question="",
            input_mode="",
            scores=evaluation.scores,
            strengths=evaluation.strengths,
            improvements=evaluation.improvements,
            explanation=evaluation.explanation,
        )


class RatingCreate(BaseModel):
    """A thumbs up/down and comment on a message, score or report."""

    model_config = ConfigDict(extra="forbid")

    target: FeedbackTarget
    target_ref: str = Field(min_length=1, max_length=200)
    rating: Literal[-1, 0, 1] = 0
    comment: str = Field(default="", max_length=4000)
    correction: str | None = Field(default=None, max_length=4000)


class ProgressPoint(BaseModel):
    """One finished session's headline numbers."""

    session_id: str | None
    created_at: datetime
    metrics: dict[str, float]


class ProgressPublic(BaseModel):
    """The user's progress across sessions."""

    sessions: list[ProgressPoint]
    trends: list[str]


class DeletionReport(BaseModel):
    """How many items were deleted, per store."""

    deleted: dict[str, int]


class ErrorPublic(BaseModel):
    """An error response."""

    detail: str
