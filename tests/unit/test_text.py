"""Answer text analysis: lexical features, structure, and the scoring rubric on crafted answers."""

from __future__ import annotations

import json

import pytest

from interview_coach.assessment.text_scores import assess_answer_text
from interview_coach.domain import Question, QuestionKind, TextAnalysis
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.tools.text.lexical import (
    count_substantive_words,
    find_discourse_markers,
    find_fillers,
    find_first_person_actions,
    find_hedges,
    find_named_terms,
    find_numbers,
    find_repetitions,
    split_sentences,
)
from interview_coach.tools.text.star import detect_star, detect_technical_structure, is_rubric_point, rubric_cue_bonus

OUTAGE_STORY = (
    "Last year at my previous company, our checkout service went down on Black Friday and about 20% of payments "
    "were failing. As the on-call engineer, my task was to restore payments within our 30-minute SLA. "
    "I rolled back the latest deploy, then I profiled the database and found a missing index on the orders table. "
    "I added the index in PostgreSQL and wrote a runbook for the team. "
    "As a result, payments recovered in 18 minutes and we cut similar incidents by 60% over the next quarter."
)
VAGUE_STORY = "I think we had some problems once and we kind of fixed them as a team. It was fine, maybe."
OFF_TOPIC = (
    "My favourite programming language is Python because the syntax is clean and there are many libraries "
    "for data science and web development, and I enjoy writing small scripts at the weekend."
)
OUTAGE_QUESTION = Question(
    id="beh-outage",
    text="Tell me about a time you had to deal with a production outage under pressure.",
    kind=QuestionKind.BEHAVIORAL,
    competency="delivery_under_pressure",
    key_points=[
        "describes the incident and its impact on users",
        "lists the concrete actions they personally took to restore service",
        "quantifies the outcome with a number such as recovery time",
    ],
    time_budget_s=120,
)
THREADS_QUESTION = Question(
    id="tech-threads",
    text="What is the difference between a process and a thread?",
    kind=QuestionKind.TECHNICAL,
    competency="concurrency",
    key_points=[
        "threads share the memory of their process",
        "processes have separate memory spaces and are isolated",
        "switching between threads is cheaper than switching between processes",
    ],
    time_budget_s=90,
)
THREADS_ANSWER = (
    "A process is an independent program in execution with its own memory space, while a thread is a unit of "
    "execution inside a process. Threads share the heap of their process, so communication between them is cheap, "
    "but it needs locks to avoid race conditions. For example, in a Python web server I used a thread pool for "
    "I/O-bound requests and separate processes for CPU-bound work because of the GIL."
)


# --- lexical features (no model) -----------------------------------------------------------


def test_sentences_keep_abbreviations_bullets_and_cut_run_ons() -> None:
    text = "We used tools, e.g. Kafka and Redis. It worked!\n- first bullet item here\n- second one"
    sentences = [s.text for s in split_sentences(text)]
    assert sentences == ["We used tools, e.g. Kafka and Redis.", "It worked!", "first bullet item here", "second one"]
    run_on = " ".join(["word"] * 150)
    pieces = split_sentences(run_on)
    assert len(pieces) == 3
    assert all(len(p.text.split()) <= 60 for p in pieces)


def test_sentence_spans_point_into_the_text() -> None:
    text = "First one.  Second one?\nThird"
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text


def test_hedges_are_found_with_their_sentence() -> None:
    text = "I think it is maybe a cache issue. I'm not really sure, it's kind of random."
    sentences = split_sentences(text)
    hedges = find_hedges(text, sentences)
    assert [h.text for h in hedges] == ["i think", "maybe", "not sure", "kind of"]
    assert hedges[0].quote == "I think it is maybe a cache issue."
    assert hedges[-1].quote == "I'm not really sure, it's kind of random."


def test_fillers_in_text_and_substantive_word_count() -> None:
    text = "Um, so, like, I basically, uh, rebuilt the, you know, pipeline."
    fillers = find_fillers(text, split_sentences(text))
    assert {f.text for f in fillers} == {"um", "uh"}  # like, basically, you know: discourse markers
    markers = find_discourse_markers(text, split_sentences(text))
    assert {m.text for m in markers} == {"so", "like", "basically", "you know"}
    assert count_substantive_words(text) == 4  # I rebuilt the pipeline
    assert find_fillers("I like Python and we like tests.", split_sentences("I like Python and we like tests.")) == []


def test_numbers_amounts_and_number_words() -> None:
    text = "We cut latency by 40% to 120 ms, saved $3,000 a month and doubled throughput in three weeks."
    numbers = [n.text for n in find_numbers(text, split_sentences(text))]
    assert numbers == ["40%", "120 ms", "$3,000", "doubled", "three"]


def test_first_person_actions_are_separated_from_we_and_from_states() -> None:
    text = "I built the importer. We deployed it on Friday. I think it worked. I was tired. I would call the client."
    mine, ours = find_first_person_actions(text, split_sentences(text))
    assert [m.text for m in mine] == ["I built", "I would call"]
    assert [o.text for o in ours] == ["We deployed"]
    assert mine[0].quote == "I built the importer."


def test_named_terms_are_unique_and_whole_words() -> None:
    text = "I moved the jobs from cron to Airflow on AWS and stored results in PostgreSQL with Redis as a cache."
    terms = [t.text for t in find_named_terms(text, split_sentences(text))]
    assert terms == ["Airflow", "AWS", "PostgreSQL", "Redis"]


def test_repetitions_doubled_words_repeated_sentences_and_phrases() -> None:
    text = "We fixed the the bug. We fixed the bug quickly. It was great. It was great."
    kinds = {r.kind: r for r in find_repetitions(text, split_sentences(text))}
    assert kinds["doubled_word"].text.lower() == "the the"
    assert kinds["repeated_sentence"].quote == "It was great."


# --- structure (no model) ------------------------------------------------------------------


def test_star_parts_are_quoted_from_a_complete_story() -> None:
    star = detect_star([s.text for s in split_sentences(OUTAGE_STORY)])
    assert star.situation is not None and star.situation.startswith("Last year at my previous company")
    assert star.task == "As the on-call engineer, my task was to restore payments within our 30-minute SLA."
    assert star.action is not None and star.action.startswith("I rolled back")
    assert star.result is not None and star.result.startswith("As a result")
    assert star.missing == []


def test_star_reports_missing_parts_of_a_vague_story() -> None:
    star = detect_star([s.text for s in split_sentences(VAGUE_STORY)])
    assert {"task", "action"} <= set(star.missing)


def test_situational_answers_do_not_need_a_situation() -> None:
    answer = [
        "My first priority would be to understand what is blocking my teammate.",
        "I would schedule a private one-on-one and offer to pair on the hardest task.",
        "This should reduce the risk to the release.",
    ]
    star = detect_star(answer, hypothetical=True)
    assert star.situation is None
    assert star.missing == []
    assert detect_star(answer).missing == ["situation"]


def test_technical_structure_definition_example_trade_off() -> None:
    structure = detect_technical_structure(
        [
            "A hash index is a data structure that maps keys to row locations.",
            "For example, an equality lookup on user_id becomes one probe.",
            "However, it cannot serve range queries, whereas a B-tree can.",
        ]
    )
    assert structure.definition is not None and structure.definition.startswith("A hash index")
    assert structure.example is not None and structure.example.startswith("For example")
    assert structure.trade_off is not None and structure.trade_off.startswith("However")
    assert structure.missing == []
    assert detect_technical_structure(["A mutex is a lock that one thread holds at a time."]).missing == [
        "example",
        "trade_off",
    ]
    assert detect_technical_structure(["It is fast."]).missing == ["definition", "example", "trade_off"]


def test_rubric_points_get_a_bonus_only_for_matching_features() -> None:
    point = "quantifies the outcome with a number such as time saved"
    assert is_rubric_point(point)
    assert not is_rubric_point("threads share the memory of their process")
    assert rubric_cue_bonus(point, "As a result, failures dropped from eight a month to zero.") > 0
    assert rubric_cue_bonus(point, "It went well in the end and everyone was happy.") < rubric_cue_bonus(
        point, "As a result, failures dropped from eight a month to zero."
    )
    assert rubric_cue_bonus("threads share memory", "We had 3 threads.") == 0.0


# --- full analysis with real embeddings ----------------------------------------------------


@pytest.fixture(scope="module")
def outage_analyses(embedder: SentenceTransformerEmbedder) -> dict[str, TextAnalysis]:
    return {
        name: assess_answer_text(answer, OUTAGE_QUESTION, embedder)
        for name, answer in {"good": OUTAGE_STORY, "vague": VAGUE_STORY, "off": OFF_TOPIC}.items()
    }


@pytest.mark.slow
def test_good_story_beats_vague_and_off_topic(outage_analyses: dict[str, TextAnalysis]) -> None:
    good, vague, off = outage_analyses["good"], outage_analyses["vague"], outage_analyses["off"]
    assert good.answer_quality.value is not None and vague.answer_quality.value is not None
    assert good.answer_quality.value >= 60
    assert good.answer_quality.value > vague.answer_quality.value + 30
    assert (off.answer_quality.value or 0) < 20
    for analysis in (good, vague, off):
        quality = analysis.answer_quality
        assert sum(s.effect for s in quality.signals) == pytest.approx(quality.value, abs=1)
    assert good.quality_1_5 >= 4 and off.quality_1_5 == 1
    assert off.off_topic and not good.off_topic
    assert "off_topic" in off.follow_up_reasons
    assert good.relevance > off.relevance + 0.5


@pytest.mark.slow
def test_follow_up_reasons_are_machine_readable(outage_analyses: dict[str, TextAnalysis]) -> None:
    vague = outage_analyses["vague"]
    assert "too_short" in vague.follow_up_reasons
    assert "vague" in vague.follow_up_reasons
    assert "missing_star:action" in vague.follow_up_reasons
    assert outage_analyses["good"].star_missing == []
    assert not any(r.startswith("missing_star") for r in outage_analyses["good"].follow_up_reasons)


@pytest.mark.slow
def test_specificity_counts_numbers_actions_and_tools(outage_analyses: dict[str, TextAnalysis]) -> None:
    good = outage_analyses["good"]
    assert [n.text for n in good.numbers] == ["20%", "30", "18", "60%"]
    assert good.first_person_actions == 3  # I rolled back, I profiled, I added
    assert {"PostgreSQL", "SLA"} <= {t.text for t in good.named_terms}
    assert (good.specificity_score.value or 0) >= 80
    assert (outage_analyses["vague"].specificity_score.value or 0) < 35
    assert outage_analyses["vague"].hedges and outage_analyses["vague"].hedging_score.value is not None


@pytest.mark.slow
def test_every_quality_signal_is_traceable(outage_analyses: dict[str, TextAnalysis]) -> None:
    quality = outage_analyses["good"].answer_quality
    names = {s.name for s in quality.signals}
    assert {"relevance", "key_point_coverage", "structure", "specificity", "length_vs_budget"} <= names
    assert sum(s.effect for s in quality.signals) == pytest.approx(quality.value, abs=1)
    structure = next(s for s in quality.signals if s.name == "structure")
    assert any(e.quote and e.quote.startswith("I rolled back") for e in structure.evidence)


@pytest.mark.slow
def test_key_points_covered_and_missing_with_quotes(embedder: SentenceTransformerEmbedder) -> None:
    analysis = assess_answer_text(THREADS_ANSWER, THREADS_QUESTION, embedder)
    by_point = {k.point: k for k in analysis.key_points}
    shared = by_point["threads share the memory of their process"]
    assert shared.covered and shared.quote is not None and "share the heap" in shared.quote
    switching = by_point["switching between threads is cheaper than switching between processes"]
    assert switching.similarity < shared.similarity
    assert analysis.missing_key_points == [k.point for k in analysis.key_points if not k.covered]
    assert analysis.key_point_coverage == pytest.approx(
        sum(k.covered for k in analysis.key_points) / len(analysis.key_points), abs=1e-3
    )
    assert analysis.technical_structure is not None and analysis.star is None


@pytest.mark.slow
def test_length_against_budget(embedder: SentenceTransformerEmbedder) -> None:
    analysis = assess_answer_text(THREADS_ANSWER, THREADS_QUESTION, embedder)
    assert analysis.estimated_speaking_s == pytest.approx(analysis.word_count * 60 / 140, abs=0.1)
    assert "90 s budget" in analysis.length_vs_budget
    assert not analysis.too_short
    short = assess_answer_text("Threads are lighter.", THREADS_QUESTION, embedder)
    assert short.too_short and "too_short" in short.follow_up_reasons
    assert (short.answer_quality.value or 0) < (analysis.answer_quality.value or 0)


@pytest.mark.slow
@pytest.mark.parametrize("answer", ["", "   \n\t ", "um, uh..."])
def test_empty_answer_is_a_zero_quality_answer(embedder: SentenceTransformerEmbedder, answer: str) -> None:
    analysis = assess_answer_text(answer, OUTAGE_QUESTION, embedder)
    assert analysis.answer_quality.value == 0
    assert analysis.quality_1_5 == 1
    assert analysis.too_short and "too_short" in analysis.follow_up_reasons
    assert analysis.relevance == 0.0
    assert all(not k.covered for k in analysis.key_points)
    if not answer.strip():
        assert not analysis.hedging_score.measured and analysis.hedging_score.not_measured_reason


@pytest.mark.slow
def test_huge_answer_is_truncated_and_analysed(embedder: SentenceTransformerEmbedder) -> None:
    huge = (OUTAGE_STORY + " ") * 400  # ~200k characters
    assert len(huge) > 190_000
    analysis = assess_answer_text(huge, OUTAGE_QUESTION, embedder)
    assert analysis.truncated
    assert analysis.word_count < 5_000
    assert any(r.kind == "repeated_sentence" for r in analysis.repetitions)
    assert analysis.answer_quality.value is not None


@pytest.mark.slow
def test_restating_or_repeating_does_not_earn_points(embedder: SentenceTransformerEmbedder) -> None:
    echo = assess_answer_text(OUTAGE_QUESTION.text, OUTAGE_QUESTION, embedder)
    assert echo.answer_quality.value == 0
    assert any(s.name == "question_restated" for s in echo.relevance_score.signals)
    once = assess_answer_text(VAGUE_STORY, OUTAGE_QUESTION, embedder)
    padded = assess_answer_text(" ".join([VAGUE_STORY] * 8), OUTAGE_QUESTION, embedder)
    assert (padded.answer_quality.value or 0) <= (once.answer_quality.value or 0) + 5


@pytest.mark.slow
def test_analysis_is_json_serialisable(embedder: SentenceTransformerEmbedder) -> None:
    analysis = assess_answer_text(OUTAGE_STORY, OUTAGE_QUESTION, embedder)
    dumped = json.loads(json.dumps(analysis.model_dump(mode="json")))
    assert TextAnalysis.model_validate(dumped) == analysis
    assert dumped["answer_quality"]["value"] == analysis.answer_quality.value
    assert analysis.star is not None and 4 - len(analysis.star_missing) == 4
