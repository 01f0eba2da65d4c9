"""Domain values shared by every layer: plain pydantic data, no behaviour beyond validation.

Everything here can live in graph state, checkpoints, Qdrant payloads and API responses.
"""

from interview_coach.domain.answers import AnswerAnalysis, AnswerInput, NotMeasured
from interview_coach.domain.events import TurnEvent
from interview_coach.domain.face import (
    ExpressionWindow,
    FaceAnalysis,
    GestureAnalysis,
    HeadMotion,
    ImageFace,
    ImageFaceResult,
    Leaning,
    LookAwayEvent,
    MicroExpressionEvent,
    Nodding,
    PostureEvent,
)
from interview_coach.domain.intervals import TimeSpan, format_timestamp
from interview_coach.domain.interview import (
    CandidateProfile,
    InterviewMode,
    InterviewPlanRequest,
    Question,
    QuestionKind,
    QuestionRef,
    Seniority,
)
from interview_coach.domain.live import LiveNudge
from interview_coach.domain.memory import MemoryKind, MemoryRecord
from interview_coach.domain.reports import AnswerAssessment, AnswerEvaluation, CoachReply, QuestionReport, SessionReport
from interview_coach.domain.scores import Evidence, Finding, Score, Signal
from interview_coach.domain.text import (
    InjectionFlag,
    KeyPointCoverage,
    LexicalFinding,
    StarStructure,
    TechnicalStructure,
    TextAnalysis,
)
from interview_coach.domain.voice import BreathPause, Pause, TimedSpan, TimedWord, Transcript, VoiceAnalysis

__all__ = [
    "AnswerAnalysis",
    "AnswerAssessment",
    "AnswerEvaluation",
    "AnswerInput",
    "BreathPause",
    "CandidateProfile",
    "CoachReply",
    "Evidence",
    "ExpressionWindow",
    "FaceAnalysis",
    "Finding",
    "GestureAnalysis",
    "HeadMotion",
    "ImageFace",
    "ImageFaceResult",
    "InjectionFlag",
    "InterviewMode",
    "InterviewPlanRequest",
    "KeyPointCoverage",
    "Leaning",
    "LexicalFinding",
    "LiveNudge",
    "LookAwayEvent",
    "MemoryKind",
    "MemoryRecord",
    "MicroExpressionEvent",
    "Nodding",
    "NotMeasured",
    "Pause",
    "PostureEvent",
    "Question",
    "QuestionKind",
    "QuestionRef",
    "QuestionReport",
    "Score",
    "Seniority",
    "SessionReport",
    "Signal",
    "StarStructure",
    "TechnicalStructure",
    "TextAnalysis",
    "TimeSpan",
    "TimedSpan",
    "TimedWord",
    "Transcript",
    "TurnEvent",
    "VoiceAnalysis",
    "format_timestamp",
]
