"""Structured turn events: what the graph says, in a form every surface renders without parsing prose."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

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
Modality = Literal["voice", "face", "gesture", "text"]
NoticeKind = Literal["not_measured", "truncated", "engine", "documents", "memory", "info"]


class QuestionRef(BaseModel):
    """The one question identity every surface shows: main question N, maybe its k-th follow-up.

    Attributes:
        number: the main question's position, 1-based.
        total: how many main questions the interview has.
        follow_up: 0 for the main question, k for its k-th follow-up.
        question_id: the bank id (or the follow-up's derived id).
    """

    model_config = ConfigDict(frozen=True)

    number: int
    total: int
    follow_up: int = 0
    question_id: str = ""

    @property
    def label(self) -> str:
        """Short label: ``Q2`` or ``Q2 · follow-up`` (``Q2 · follow-up 2`` for a second one)."""
        if not self.follow_up:
            return f"Q{self.number}"
        suffix = "" if self.follow_up == 1 else f" {self.follow_up}"
        return f"Q{self.number} · follow-up{suffix}"

    @property
    def progress(self) -> str:
        """Label with the total: ``Q2/5`` or ``Q2/5 · follow-up``."""
        base = f"Q{self.number}/{self.total}"
        if not self.follow_up:
            return base
        suffix = "" if self.follow_up == 1 else f" {self.follow_up}"
        return f"{base} · follow-up{suffix}"


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
