"""Resolve a coach message: its intent plus the question or session it refers to.

Intent comes from the nearest labelled examples; references come from slots (ordinals, time
words, role names) and, for topics, from the nearest question text of the session in focus.
A follow-up turn ("and how do I fix that?") keeps the previous turn's reference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from interview_coach.assessment.coach_nlu.classifier import classifier_for, example_vocabulary
from interview_coach.assessment.coach_nlu.models import (
    QUESTION_INTENTS,
    SESSION_INTENTS,
    CoachIntent,
    Resolution,
    ResolutionContext,
    SessionInfo,
)
from interview_coach.assessment.coach_nlu.slots import (
    SLOT_VOCABULARY,
    SessionCues,
    normalise,
    question_number,
    question_topic,
    session_cues,
)
from interview_coach.assessment.question_bank import ROLE_FAMILY_KEYWORDS, infer_role_families
from interview_coach.core.embedding import Embedder
from interview_coach.domain import CandidateProfile

# A topic phrase names a question when its embedding is at least this close (tuned on the tune split).
TOPIC_MIN_SIMILARITY = 0.3
STEM_BONUS = 0.15
_DEICTIC = re.compile(r"\b(?:that|it|this|those|there|them)\b|^(?:and|so|ok so|then)\b")
_GENERIC_ROLE_WORDS = frozenset(
    {"engineer", "engineering", "software", "senior", "junior", "staff", "principal", "lead", "developer", "the", "and"}
)
_WORD = re.compile(r"[a-z][a-z'-]+")


def message_vocabulary(context: ResolutionContext) -> set[str]:
    """Words a typo is corrected towards: the examples, the slot words, the questions and the roles."""
    words = set(example_vocabulary()) | set(SLOT_VOCABULARY)
    for text in [*context.questions, *context.question_topics]:
        words.update(_WORD.findall(text.lower()))
    for session in context.sessions:
        words.update(_role_aliases(session.role))
    return words


def _role_aliases(role: str) -> set[str]:
    words = [w for w in re.findall(r"[a-z]+", role.lower()) if w]
    aliases = {w for w in words if w not in _GENERIC_ROLE_WORDS and len(w) >= 3}
    if len(words) >= 2:
        aliases.add("".join(w[0] for w in words))
    for family in infer_role_families(CandidateProfile(role=role)) - {"software_engineering"}:
        aliases.update(needle.strip() for needle in ROLE_FAMILY_KEYWORDS.get(family, ()))
    return aliases


def sessions_by_role(text: str, sessions: Sequence[SessionInfo]) -> list[SessionInfo]:
    """Sessions whose role the message names ("the SRE interview", "the data engineer mock"), newest first."""
    hits: list[tuple[int, SessionInfo]] = []
    for session in sessions:
        count = sum(1 for alias in _role_aliases(session.role) if re.search(rf"\b{re.escape(alias)}\b", text))
        if count:
            hits.append((count, session))
    best = max((count for count, _ in hits), default=0)
    return [session for count, session in hits if count == best]


def _topic_similarities(
    topic: str, questions: Sequence[str], topics: Sequence[str], embedder: Embedder
) -> NDArray[np.float32]:
    """Score a topic phrase against each question (its text plus competency and tags).

    A word of the phrase sharing its stem with a word of the question ("failure" ~ "failed")
    adds a bonus: MiniLM under-rates single-word topics against long questions.
    """
    documents = [f"{text} ({topics[i]})" if i < len(topics) and topics[i] else text for i, text in enumerate(questions)]
    vectors = embedder.encode([topic, *documents])
    similarities = vectors[1:] @ vectors[0]
    stems = {w[:4] for w in _WORD.findall(topic) if len(w) >= 4}
    for i, document in enumerate(documents):
        if stems & {w[:4] for w in _WORD.findall(document.lower()) if len(w) >= 4}:
            similarities[i] += STEM_BONUS
    return np.asarray(similarities, dtype=np.float32)


def _nearest_question(topic: str, questions: Sequence[str], topics: Sequence[str], embedder: Embedder) -> int | None:
    if not questions:
        return None
    similarities = _topic_similarities(topic, questions, topics, embedder)
    best = int(np.argmax(similarities))
    return best + 1 if float(similarities[best]) >= TOPIC_MIN_SIMILARITY else None


def _session_by_topic(topic: str, sessions: Sequence[SessionInfo], embedder: Embedder) -> SessionInfo | None:
    scored = [
        (s, float(np.max(_topic_similarities(topic, s.questions, s.question_topics, embedder))))
        for s in sessions
        if s.questions
    ]
    scored = [(s, sim) for s, sim in scored if sim >= TOPIC_MIN_SIMILARITY]
    return max(scored, key=lambda item: item[1])[0] if scored else None


def _pick_session(
    text: str, cues: SessionCues, context: ResolutionContext, embedder: Embedder, previous: Resolution | None
) -> tuple[SessionInfo | None, str | None, bool]:
    """Return the session named by the message, the words that named it, and whether anything named one."""
    sessions = context.sessions
    candidates = list(sessions)
    named: list[str] = []
    by_role = sessions_by_role(text, sessions)
    if by_role:
        candidates, named = by_role, [by_role[0].role]
    if cues.window:
        start, end, words = cues.window
        candidates = [s for s in candidates if start <= s.created_at < end]
        named.append(words)
    if cues.topic:
        match = _session_by_topic(cues.topic, candidates, embedder)
        candidates = [match] if match else candidates
        named.append(f"about {cues.topic}")
    cue = ", ".join(named) or None
    current = next((s for s in sessions if s.is_current), None)
    if cues.current and current is not None:
        return current, "this session", True
    if cues.before_that and previous is not None and previous.session_id:
        older = [s for s in sessions if s.created_at < _created(sessions, previous.session_id)]
        return (older[0] if older else None), "the session before that", True
    if cues.first:
        return (candidates[-1] if candidates else None), cue or "your first session", True
    if cues.back:
        pool = [s for s in candidates if not s.is_current]
        chosen = pool[cues.back - 1] if len(pool) >= cues.back else None
        return chosen, cue or ("your last session" if cues.back == 1 else f"{cues.back} sessions ago"), True
    if named:
        return (candidates[0] if candidates else None), cue, True
    return None, None, False


def _created(sessions: Sequence[SessionInfo], session_id: str) -> datetime:
    return next(s.created_at for s in sessions if s.session_id == session_id)


def _resolve_one(
    message: str, context: ResolutionContext, embedder: Embedder, previous: Resolution | None
) -> Resolution:
    text = normalise(message, message_vocabulary(context))
    verdict = classifier_for(embedder).classify(text)
    follow_up = verdict.label == "follow_up"
    intent: CoachIntent
    if verdict.label == "follow_up":
        intent = previous.intent if previous and previous.intent in QUESTION_INTENTS | SESSION_INTENTS else "explain"
    elif verdict.label == "unknown":
        # Nothing the coach does is close, but a bare reference ("Q3?", "the SRE interview?")
        # still asks about the thing it names.
        if question_number(text, len(context.questions)) is not None:
            intent = "explain"
        elif session_cues(text, context.now).any or sessions_by_role(text, context.sessions):
            intent = "session_recap"
        else:
            intent = "unknown"
    else:
        intent = verdict.label
    resolution = Resolution(intent=intent, confidence=verdict.score)
    referring = follow_up or bool(_DEICTIC.search(text))
    if intent in QUESTION_INTENTS:
        number = question_number(text, len(context.questions))
        topic = question_topic(text) if number is None else None
        if topic:
            number = _nearest_question(topic, context.questions, context.question_topics, embedder)
        inherited = number is None and referring and previous is not None and previous.question is not None
        if inherited and previous is not None:
            number = previous.question
        resolution = resolution.model_copy(update={"question": number, "topic": topic, "inherited": inherited})
    if intent in SESSION_INTENTS:
        cues = session_cues(text, context.now)
        session, cue, named = _pick_session(text, cues, context, embedder, previous)
        if not named and referring and previous is not None and previous.session_id:
            session = next((s for s in context.sessions if s.session_id == previous.session_id), None)
            resolution = resolution.model_copy(update={"inherited": session is not None})
        elif not named:
            current = next((s for s in context.sessions if s.is_current), None)
            session = current or (context.sessions[0] if context.sessions else None)
        resolution = resolution.model_copy(
            update={
                "session_id": session.session_id if session else None,
                "session_cue": cue,
                "unresolved": cue if named and session is None else None,
            }
        )
    return resolution


def resolve_message(
    message: str, context: ResolutionContext, embedder: Embedder, history: Sequence[str] = ()
) -> Resolution:
    """Resolve a coach message in the context of the conversation so far.

    Args:
        message: the candidate's message.
        context: the questions and sessions the message may refer to.
        embedder: the product's sentence embedder.
        history: the candidate's earlier messages in this chat, oldest first (the last few are used
            to carry a reference into a follow-up turn).
    """
    previous: Resolution | None = None
    for earlier in list(history)[-3:]:
        if earlier.strip():
            previous = _resolve_one(earlier, context, embedder, previous)
    return _resolve_one(message, context, embedder, previous)
