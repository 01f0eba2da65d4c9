"""Evaluations, reports and coach replies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from interview_coach.domain.answers import AnswerAnalysis
from interview_coach.domain.interview import CandidateProfile, Question, QuestionRef
from interview_coach.domain.scores import Finding, Score


class AnswerAssessment(BaseModel):
    """What the deterministic pipeline concluded about one answer, before any wording.

    Attributes:
        analysis: every perception result.
        scores: ``answer_quality``, ``fluency``, ``confidence`` and ``stress``.
        findings: the detected coaching patterns, computed once here.
        quality_1_5: the 1-5 answer quality, if measured.
        follow_up_reasons: why a follow-up question would help, most important first.
        baseline_deltas: this answer minus the user's earlier sessions (voice metrics).
    """

    analysis: AnswerAnalysis
    scores: dict[str, Score] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    quality_1_5: int | None = Field(default=None, ge=1, le=5)
    follow_up_reasons: list[str] = Field(default_factory=list)
    baseline_deltas: dict[str, float] = Field(default_factory=dict)


class AnswerEvaluation(BaseModel):
    """Scores and written feedback for one answer."""

    question_id: str
    scores: dict[str, Score] = Field(default_factory=dict)
    quality_1_5: int | None = Field(default=None, ge=1, le=5)
    strengths: list[str] = Field(default_factory=list)
    improvements: list[str] = Field(default_factory=list)
    explanation: str = ""
    follow_up_reason: str | None = None
    findings: list[Finding] = Field(
        default_factory=list, description="Detected patterns, computed once by the pipeline."
    )
    flags: list[str] = Field(default_factory=list)
    baseline_deltas: dict[str, float] = Field(
        default_factory=dict, description="This answer minus the user's earlier sessions."
    )
    engine: str = "builtin"
    engine_note: str | None = None


class QuestionReport(BaseModel):
    """Everything the report says about one asked question (a main question or one of its follow-ups)."""

    question: Question
    ref: QuestionRef | None = Field(default=None, description="Main question number and follow-up index.")
    answer_text: str = ""
    input_mode: Literal["text", "audio", "video", "skipped"] = "text"
    analysis: AnswerAnalysis | None = None
    evaluation: AnswerEvaluation | None = None
    scores: dict[str, Score] = Field(default_factory=dict)
    duration_s: float | None = None
    time_budget_s: int = 120


class SessionReport(BaseModel):
    """The final report for an interview session."""

    session_id: str
    user_id: str
    profile: CandidateProfile
    created_at: datetime
    questions: list[QuestionReport] = Field(default_factory=list)
    overall_scores: dict[str, Score] = Field(default_factory=dict)
    strengths: list[str] = Field(default_factory=list)
    weaknesses: list[str] = Field(default_factory=list)
    time_management: str = ""
    suggestions: list[str] = Field(default_factory=list)
    progress: list[str] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)
    grader_versions: list[str] = Field(default_factory=list, description="Grader model versions that scored content.")


class CoachReply(BaseModel):
    """A coach chat message with what it was grounded on."""

    text: str
    grounded_on: list[str] = Field(default_factory=list)
    drill: str | None = None
    engine: str = "builtin"
    engine_note: str | None = None
    intent: str | None = Field(default=None, description="What the coach understood the message as (explain, help...).")
