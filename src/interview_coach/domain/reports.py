"""Evaluations, reports and coach replies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from interview_coach.domain.answers import AnswerAnalysis
from interview_coach.domain.interview import CandidateProfile, Question
from interview_coach.domain.scores import Score


class AnswerEvaluation(BaseModel):
    """Scores and written feedback for one answer."""

    question_id: str
    scores: dict[str, Score] = Field(default_factory=dict)
    quality_1_5: int | None = Field(default=None, ge=1, le=5)
    strengths: list[str] = Field(default_factory=list)
    improvements: list[str] = Field(default_factory=list)
    explanation: str = ""
    follow_up_reason: str | None = None
    flags: list[str] = Field(default_factory=list)
    baseline_deltas: dict[str, float] = Field(
        default_factory=dict, description="This answer minus the user's earlier sessions."
    )
    engine: str = "builtin"
    engine_note: str | None = None


class QuestionReport(BaseModel):
    """Everything the report says about one asked question."""

    question: Question
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


class CoachReply(BaseModel):
    """A coach chat message with what it was grounded on."""

    text: str
    grounded_on: list[str] = Field(default_factory=list)
    drill: str | None = None
    engine: str = "builtin"
    engine_note: str | None = None
