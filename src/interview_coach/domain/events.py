"""Structured turn events: what the graph says, in a form every surface renders without parsing prose."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from interview_coach.domain.answers import Modality
from interview_coach.domain.interview import QuestionRef
from interview_coach.domain.reports import AnswerEvaluation

Role = Literal["interviewer", "candidate", "feedback", "coach", "system"]
EventKind = Literal[
    "greeting",
    "question",
    "candidate",
    "transcript",
    "feedback",
    "notice",
    "report",
    "coach",
    "status",
]
NoticeKind = Literal["not_measured", "truncated", "engine", "documents", "memory", "info"]


class TurnEvent(BaseModel):
    """One thing the interview said or measured, with the structure a surface needs to render it.

    Attributes:
        role: who speaks (interviewer, candidate, feedback, coach, system).
        kind: what it is (question, feedback, transcript, notice, report...).
        text: the plain-language text, ready to show as is.
        question: the question it belongs to, if any.
        notice: for ``kind == "notice"``: what kind of notice.
        modality: for a ``not_measured`` notice: which modality was not measured.
        repeat: a question asked again on request.
        time_budget_s: for a question: the suggested answer length.
        evaluation: for feedback: the typed evaluation (scores, evidence, findings).
        grounded_on: for a coach reply: what it was grounded on.
        drill: for a coach reply: the drill it suggests.
        engine: which engine wrote the wording (``builtin`` or a model name).
    """

    role: Role
    kind: EventKind
    text: str
    question: QuestionRef | None = None
    notice: NoticeKind | None = None
    modality: Modality | None = None
    repeat: bool = False
    time_budget_s: int | None = None
    evaluation: AnswerEvaluation | None = None
    grounded_on: list[str] = []
    drill: str | None = None
    engine: str | None = None
