"""Understanding coach messages: intent from nearest labelled examples, references from slots."""

from interview_coach.assessment.coach_nlu.classifier import IntentClassifier, classifier_for, load_examples
from interview_coach.assessment.coach_nlu.models import (
    COACH_INTENTS,
    CoachIntent,
    Resolution,
    ResolutionContext,
    SessionInfo,
)
from interview_coach.assessment.coach_nlu.resolve import resolve_message, sessions_by_role

__all__ = [
    "COACH_INTENTS",
    "CoachIntent",
    "IntentClassifier",
    "Resolution",
    "ResolutionContext",
    "SessionInfo",
    "classifier_for",
    "load_examples",
    "resolve_message",
    "sessions_by_role",
]
