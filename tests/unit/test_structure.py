"""Paraphrase-robust structure, off-topic and follow-up judgement: the failures seen in a real browser."""

from __future__ import annotations

import pytest

from interview_coach.assessment.question_bank import load_question_bank
from interview_coach.assessment.text_components import follow_up_asks
from interview_coach.assessment.text_scores import assess_answer_text
from interview_coach.domain import Question, QuestionKind
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.tools.text.lexical import split_sentences
from interview_coach.tools.text.star import detect_star, detect_technical_structure
from interview_coach.tools.text.structure import prototype_vectors, sentence_parts

INCIDENT = Question(
    id="beh-incident",
    text="Describe a production incident you helped resolve. What was your role?",
    kind=QuestionKind.BEHAVIORAL,
    competency="delivery_under_pressure",
    key_points=["describes the incident and its impact", "explains their own role and actions"],
)
ON_CALL_STORY = (
    "Last spring our payment service started failing for about a third of customers. "
    "My task, as the on-call lead, was to get it back up and keep support informed. "
    "I rolled back the release and checked the database connections. "
    "We ended up restoring service in forty minutes."
)
CACHING_ANSWER = (
    "Cache invalidation is hard because the cache and the database change at different times, so you "
    "never know exactly when a cached value is stale. I set short TTLs, delete the key whenever the row "
    "is written, and use write-through for the data that must be fresh."
)


def test_task_with_an_interjected_clause_is_found_without_embeddings() -> None:
    star = detect_star([s.text for s in split_sentences(ON_CALL_STORY)])
    assert star.task is not None and star.task.startswith("My task, as the on-call lead, was to")
    assert star.result is not None and star.result.startswith("We ended up")
    assert star.missing == []


def test_definition_without_a_template_phrase_is_found() -> None:
    sentence = "An idempotent operation has the same effect whether it runs once or several times."
    assert "definition" in sentence_parts("technical", sentence)
    structure = detect_technical_structure([sentence, "But you must store the keys, which costs memory."])
    assert structure.definition == sentence
    assert structure.missing == ["example"]


@pytest.mark.slow
def test_prototype_vectors_are_computed_once_per_embedder(embedder: SentenceTransformerEmbedder) -> None:
    assert prototype_vectors(embedder) is prototype_vectors(embedder)


@pytest.mark.slow
def test_browser_answers_get_the_task_and_the_definition(embedder: SentenceTransformerEmbedder) -> None:
    story = assess_answer_text(ON_CALL_STORY, INCIDENT, embedder)
    assert "task" not in story.star_missing
    assert not any(r == "missing_star:task" for r in story.follow_up_reasons)
    idempotency = load_question_bank().by_id("tech-api-003")
    answer = (
        "An idempotent operation has the same effect whether it runs once or several times. "
        "For example, a client that retries a payment sends the same idempotency key, so we charge only once."
    )
    analysis = assess_answer_text(answer, idempotency, embedder)
    assert analysis.technical_structure is not None
    assert analysis.technical_structure.definition is not None
    assert analysis.technical_structure.definition.startswith("An idempotent operation")
    assert not analysis.off_topic


@pytest.mark.slow
def test_an_answer_to_another_question_of_the_same_field_is_off_topic(embedder: SentenceTransformerEmbedder) -> None:
    bank = load_question_bank()
    off = assess_answer_text(CACHING_ANSWER, bank.by_id("tech-api-003"), embedder)
    on = assess_answer_text(CACHING_ANSWER, bank.by_id("tech-cache-002"), embedder)
    assert off.off_topic and "off_topic" in off.follow_up_reasons
    assert not on.off_topic


@pytest.mark.slow
def test_a_follow_up_answer_is_judged_against_the_follow_up(embedder: SentenceTransformerEmbedder) -> None:
    follow_up = Question(
        id="beh-incident~fu1",
        text="How did it turn out? Can you put a number on the result, and what did you learn?",
        kind=QuestionKind.BEHAVIORAL,
        competency="delivery_under_pressure",
        key_points=["quantifies the outcome with a number such as recovery time"],
        time_budget_s=60,
        tags=["follow_up", "missing_star:result"],
        follow_up_of="beh-incident",
    )
    assert follow_up_asks(follow_up) == ("result",)
    answer = (
        "Service was back in forty minutes and we had no repeat of the incident in the next six months. "
        "I learned to add a canary step before every payment release."
    )
    analysis = assess_answer_text(answer, follow_up, embedder)
    assert analysis.star_missing == []
    assert not any(r.startswith("missing_star") for r in analysis.follow_up_reasons)
    assert not analysis.off_topic
    assert analysis.structure_score.value == 100
    assert [s.name for s in analysis.structure_score.signals] == ["has_result"]
    # The same answer to the main question still lacks the situation, task and action.
    main = assess_answer_text(answer, INCIDENT, embedder)
    assert {"situation", "task", "action"} & set(main.star_missing)


def test_follow_up_asks_follow_the_follow_up_text() -> None:
    def ask(text: str, kind: QuestionKind = QuestionKind.BEHAVIORAL, tags: list[str] | None = None) -> object:
        return follow_up_asks(
            Question(id="q~fu1", text=text, kind=kind, competency="x", tags=tags or [], follow_up_of="q")
        )

    assert ask("What did you personally do, step by step?") == ("action",)
    assert ask("Can you set the scene first: where were you working and what was going on?") == ("situation",)
    assert ask("Let me bring us back to the question: tell me about a conflict.") is None
    assert ask("You haven't touched on rollback. How would you address that?") == ()
    assert ask("Tell me more.", tags=["follow_up", "missing_star:task"]) == ("task",)
    assert ask("Can you make that concrete with an example from a system you worked on?", QuestionKind.TECHNICAL) == (
        "example",
    )
    main = Question(id="q", text="How did it turn out?", kind=QuestionKind.BEHAVIORAL, competency="x")
    assert follow_up_asks(main) is None
