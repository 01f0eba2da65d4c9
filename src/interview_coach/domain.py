"""Domain values shared by every layer: profiles, questions, answers, scores, reports.

Everything here is plain pydantic data so it can live in graph state, in the checkpointer,
in Qdrant payloads and in API responses without conversion code.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class QuestionKind(StrEnum):
    """The three interview question families."""

    BEHAVIORAL = "behavioral"
    SITUATIONAL = "situational"
    TECHNICAL = "technical"


class Seniority(StrEnum):
    """Career level a question or a candidate targets."""

    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    LEAD = "lead"


class InterviewMode(StrEnum):
    """When feedback is shown: after each answer, or only at the end."""

    PRACTICE = "practice"
    REALISTIC = "realistic"


class CandidateProfile(BaseModel):
    """Who is being interviewed and for what."""

    name: str = "Candidate"
    role: str = "Backend Software Engineer"
    role_family: str = "software_engineering"
    seniority: Seniority = Seniority.MID
    resume_text: str = ""
    job_description: str = ""
    goals: list[str] = Field(default_factory=list)


class InterviewPlanRequest(BaseModel):
    """Options the candidate picks before an interview starts."""

    profile: CandidateProfile = Field(default_factory=CandidateProfile)
    question_count: int = Field(default=5, ge=1, le=20)
    kinds: list[QuestionKind] = Field(default_factory=lambda: list(QuestionKind))
    mode: InterviewMode = InterviewMode.PRACTICE
    camera_off: bool = False
    opted_out_metrics: list[str] = Field(default_factory=list)
    question_ids: list[str] | None = Field(default=None, description="Ask exactly these bank questions (demo, drills).")


class Question(BaseModel):
    """One interview question with what a good answer covers."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    kind: QuestionKind
    competency: str
    role_families: list[str] = Field(default_factory=lambda: ["general"])
    seniority: list[Seniority] = Field(default_factory=lambda: list(Seniority))
    key_points: list[str] = Field(default_factory=list)
    time_budget_s: int = 120
    tags: list[str] = Field(default_factory=list)
    follow_up_of: str | None = None


class AnswerInput(BaseModel):
    """How the candidate answered: text and/or a media file."""

    text: str = ""
    audio_path: str | None = None
    video_path: str | None = None
    started_at: datetime | None = None
    submitted_at: datetime | None = None


class Evidence(BaseModel):
    """A traceable observation: a quote, a time range or a frame range."""

    model_config = ConfigDict(frozen=True)

    kind: str
    detail: str
    start_s: float | None = None
    end_s: float | None = None
    quote: str | None = None


class Signal(BaseModel):
    """A measured signal and how many points it moved a score."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float | str | None = None
    effect: float = 0.0
    evidence: list[Evidence] = Field(default_factory=list)


class Score(BaseModel):
    """A 0-100 score computed from signals, or ``None`` with the reason it was not measured."""

    model_config = ConfigDict(frozen=True)

    value: int | None = Field(default=None, ge=0, le=100)
    not_measured_reason: str | None = None
    signals: list[Signal] = Field(default_factory=list)

    @property
    def measured(self) -> bool:
        """Whether the score has a value."""
        return self.value is not None

    @classmethod
    def not_measured(cls, reason: str) -> Score:
        """Build a score that states why it could not be measured."""
        return cls(value=None, not_measured_reason=reason)


class AnswerAnalysis(BaseModel):
    """Every perception result for one answer; ``None`` means not measured.

    The concrete models live in the tool modules; here they are kept as JSON-shaped dicts so
    the graph state and checkpoints never depend on heavy perception imports.
    """

    answer_text: str = ""
    input_mode: Literal["text", "audio", "video"] = "text"
    truncated: bool = False
    text: dict[str, Any] | None = None
    voice: dict[str, Any] | None = None
    face: dict[str, Any] | None = None
    gesture: dict[str, Any] | None = None
    errors: list[str] = Field(default_factory=list)


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


MemoryKind = Literal["session_summary", "weakness", "strength", "goal", "chat_fact", "star_story", "feedback"]


class MemoryRecord(BaseModel):
    """One long-term memory item, always owned by a user."""

    id: str
    user_id: str
    kind: MemoryKind
    text: str
    session_id: str | None = None
    created_at: datetime
    competencies: list[str] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)
    data: dict[str, Any] = Field(default_factory=dict)


class CoachReply(BaseModel):
    """A coach chat message with what it was grounded on."""

    text: str
    grounded_on: list[str] = Field(default_factory=list)
    drill: str | None = None
    engine: str = "builtin"
    engine_note: str | None = None
