"""Domain values shared by every layer: plain pydantic data, no behaviour beyond validation.

Everything here can live in graph state, checkpoints, Qdrant payloads and API responses.
"""

from interview_coach.domain.answers import AnswerAnalysis, AnswerInput
from interview_coach.domain.interview import (
    CandidateProfile,
    InterviewMode,
    InterviewPlanRequest,
    Question,
    QuestionKind,
    Seniority,
)
from interview_coach.domain.memory import MemoryKind, MemoryRecord
from interview_coach.domain.reports import AnswerEvaluation, CoachReply, QuestionReport, SessionReport
from interview_coach.domain.scores import Evidence, Score, Signal

__all__ = [
    "AnswerAnalysis",
    "AnswerEvaluation",
    "AnswerInput",
    "CandidateProfile",
    "CoachReply",
    "Evidence",
    "InterviewMode",
    "InterviewPlanRequest",
    "MemoryKind",
    "MemoryRecord",
    "Question",
    "QuestionKind",
    "QuestionReport",
    "Score",
    "Seniority",
    "SessionReport",
    "Signal",
]
