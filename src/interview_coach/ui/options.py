"""Interview options as every surface collects them, and their conversion to a plan request."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interview_coach.assessment.question_bank import infer_role_families
from interview_coach.domain import CandidateProfile, InterviewMode, InterviewPlanRequest, QuestionKind, Seniority

OptOut = Literal["voice", "face", "gesture"]
# Slack and Teams keep "/..." for their own slash commands, so "start <role>" works too.
START_PATTERN = re.compile(
    r"^\s*(?:/start|start(?: an?)?(?: interview)?(?: for)?:?|interview me for:?)(?:\s+(?P<role>.*)|\s*)$", re.I | re.S
)


def start_command_role(text: str) -> str | None:
    """Return the role of a start command ('' when none is named), or ``None`` for other text."""
    match = START_PATTERN.match(text)
    if match is None:
        return None
    return (match.group("role") or "").strip()[:200]


class SessionCreate(BaseModel):
    """Options for a new mock interview."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="Candidate", max_length=100)
    role: str = Field(default="Backend Software Engineer", min_length=1, max_length=200)
    seniority: Seniority = Seniority.MID
    job_description: str = Field(default="", max_length=50_000)
    resume_text: str = Field(default="", max_length=50_000)
    goals: list[str] = Field(default_factory=list, max_length=10)
    question_count: int = Field(default=5, ge=1, le=20)
    kinds: list[QuestionKind] = Field(default_factory=lambda: list(QuestionKind), min_length=1)
    mode: InterviewMode = InterviewMode.PRACTICE
    camera_off: bool = Field(default=False, strict=True, description="Never analyse the camera (face, gaze, gestures).")
    opted_out_metrics: list[OptOut] = Field(default_factory=list, description="Modalities never measured.")

    @field_validator("question_count", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        """Accept JSON integers (3 or 3.0) but not strings or booleans."""
        if isinstance(value, bool | str):
            raise ValueError("question_count must be a JSON integer")
        return value

    def to_request(self) -> InterviewPlanRequest:
        """Turn the options into the domain request (role family guessed from role and JD)."""
        profile = CandidateProfile(
            name=self.name.strip() or "Candidate",
            role=self.role.strip(),
            seniority=self.seniority,
            job_description=self.job_description,
            resume_text=self.resume_text,
            goals=[g[:300] for g in self.goals],
        )
        families = infer_role_families(profile)
        primary = next((f for f in sorted(families) if f != "software_engineering"), "software_engineering")
        return InterviewPlanRequest(
            profile=profile.model_copy(update={"role_family": primary}),
            question_count=self.question_count,
            kinds=list(dict.fromkeys(self.kinds)),
            mode=self.mode,
            camera_off=self.camera_off,
            opted_out_metrics=sorted(set(self.opted_out_metrics)),
        )
