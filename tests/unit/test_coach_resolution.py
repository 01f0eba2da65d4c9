"""Resolving coach messages with the bundled MiniLM: intents, references and follow-up turns."""

from __future__ import annotations

import pytest
from evals.coach_intents import fixture_context

from interview_coach.assessment.coach_nlu import resolve_message
from interview_coach.memory.embeddings import SentenceTransformerEmbedder

pytestmark = pytest.mark.slow
IN, OUT = fixture_context(in_session=True), fixture_context(in_session=False)


def test_ordinals_and_topics_name_questions_of_the_session_in_focus(embedder: SentenceTransformerEmbedder) -> None:
    second = resolve_message("why was my second answer scored low?", IN, embedder)
    assert (second.intent, second.question) == ("explain", 2)
    failure = resolve_message("what went wrong in the one about failure", IN, embedder)
    assert (failure.intent, failure.question, failure.topic) == ("explain", 3, "failure")
    queue = resolve_message("can I redo the message-queue question?", IN, embedder)
    assert (queue.intent, queue.question) == ("reanswer", 2)


def test_follow_up_turns_keep_or_replace_the_previous_reference(embedder: SentenceTransformerEmbedder) -> None:
    fix = resolve_message("and how do I fix that?", IN, embedder, ["why was my second answer scored low?"])
    assert (fix.intent, fix.question, fix.inherited) == ("improve", 2, True)
    third = resolve_message("what about the third one?", IN, embedder, ["why was my second answer scored low?"])
    assert (third.intent, third.question, third.inherited) == ("explain", 3, False)
    before = resolve_message("and the session before that?", OUT, embedder, ["what did I do in my last session?"])
    assert (before.intent, before.session_id) == ("session_recap", "data")


def test_sessions_by_time_role_and_position(embedder: SentenceTransformerEmbedder) -> None:
    def session(text: str, context: object = IN) -> str | None:
        resolution = resolve_message(text, context, embedder)  # type: ignore[arg-type]
        assert resolution.intent == "session_recap", text
        return resolution.session_id

    assert session("what did I do in my last session?") == "data"  # in a session's chat: the one before it
    assert session("what did I do in my last session?", OUT) == "backend"
    assert session("what did we work on in the SRE interview?") == "sre"
    assert session("how did the devops one go?") == "sre"
    assert session("remind me what I did last week") == "sre"
    assert session("what questions did I get two sessions ago?") == "sre"
    assert session("how was my very first interview?") == "pm"
    assert session("how did this interview go?") == "backend"


def test_a_named_session_that_does_not_exist_is_not_guessed(embedder: SentenceTransformerEmbedder) -> None:
    resolution = resolve_message("what happened in my session yesterday?", OUT, embedder)
    assert resolution.intent == "session_recap"
    assert resolution.session_id is None and resolution.unresolved == "yesterday"


def test_off_topic_and_bare_references(embedder: SentenceTransformerEmbedder) -> None:
    assert resolve_message("what's the capital of peru", IN, embedder).intent == "unknown"
    bare = resolve_message("Q4?", IN, embedder)
    assert (bare.intent, bare.question) == ("explain", 4)


def test_a_request_names_a_skill_only_when_it_has_one(embedder: SentenceTransformerEmbedder) -> None:
    from interview_coach.assessment.coach_nlu.skills import named_skill

    fillers = named_skill("give me a drill for fillers", embedder)
    eyes = named_skill("give me an exercise for eye contact", embedder)
    assert fillers is not None and fillers.id == "fillers_high"
    assert eyes is not None and eyes.id == "eye_contact_low"
    assert named_skill("how do I fix that?", embedder) is None
    assert named_skill("and what should I do about it", embedder) is None
