"""Questions, candidates and interview options."""

from __future__ import annotations

from enum import StrEnum

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
