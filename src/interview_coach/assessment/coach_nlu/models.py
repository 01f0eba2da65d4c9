"""Typed inputs and outputs of coach-message understanding."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, Field

CoachIntent = Literal[
    "explain",
    "improve",
    "session_recap",
    "progress",
    "plan",
    "stories",
    "goal",
    "reanswer",
    "help",
    "smalltalk",
    "unknown",
]
COACH_INTENTS: tuple[CoachIntent, ...] = get_args(CoachIntent)
# The example bank also has "follow_up" ("what about the third one?"): it takes the intent of
# the previous turn, so it is a label of the classifier but never a resolved intent.
ExampleLabel = CoachIntent | Literal["follow_up"]
QUESTION_INTENTS: frozenset[CoachIntent] = frozenset({"explain", "improve", "reanswer"})
SESSION_INTENTS: frozenset[CoachIntent] = frozenset({"session_recap"})


def question_topics(competency: str, tags: list[str]) -> str:
    """Words that name what a question is about: its competency and tags ("conflict resolution, disagreement")."""
    return ", ".join([competency.replace("_", " "), *(t.replace("-", " ") for t in tags)])


class SessionInfo(BaseModel):
    """One of the candidate's sessions as the coach may refer to it.

    Attributes:
        session_id: the session (graph thread) id.
        role: the target role practised.
        created_at: when the session took place.
        questions: its main questions' texts, in the order asked (Q1 first).
        question_topics: each question's competency and tags, matched with its text against topic phrases.
        metrics: its headline numbers from the session summary.
        weakness_patterns: coaching-pattern ids of its weaknesses.
        is_current: the session whose coach chat this is.
    """

    session_id: str
    role: str
    created_at: datetime
    questions: list[str] = Field(default_factory=list)
    question_topics: list[str] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)
    weakness_patterns: list[str] = Field(default_factory=list)
    is_current: bool = False


class ResolutionContext(BaseModel):
    """What a coach message can refer to.

    Attributes:
        now: the current time (the app clock), for "yesterday" and "last week".
        questions: the main questions of the session in focus (the current one in a session's
            coach chat, the most recent one outside), Q1 first.
        question_topics: each of those questions' competency and tags.
        sessions: the user's sessions, newest first; in a session's own coach chat that session is
            marked ``is_current`` and "last session" means the one before it.
    """

    now: datetime
    questions: list[str] = Field(default_factory=list)
    question_topics: list[str] = Field(default_factory=list)
    sessions: list[SessionInfo] = Field(default_factory=list)


class Resolution(BaseModel):
    """What a coach message means and what it refers to.

    Attributes:
        intent: what the candidate wants.
        confidence: cosine similarity of the nearest labelled examples (0-1).
        question: the main question number referred to, in the session in focus.
        session_id: the session referred to (session intents only).
        session_cue: the words that named the session ("last week", "SRE"), if any.
        topic: a topic phrase ("message queue") the message used to name a question or skill.
        inherited: the reference was carried over from the previous turn.
        unresolved: a session the message named but that does not exist ("yesterday"), for the reply to say.
    """

    intent: CoachIntent
    confidence: float = 0.0
    question: int | None = None
    session_id: str | None = None
    session_cue: str | None = None
    topic: str | None = None
    inherited: bool = False
    unresolved: str | None = None
