"""Text analysis with the real MiniLM embeddings, and the evaluator/injection/stability eval slices."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from evals import runner
from evals.common import SuiteResult

from interview_coach.assessment.text_scores import assess_answer_text
from interview_coach.core.settings import Settings
from interview_coach.domain import Question, QuestionKind
from interview_coach.memory.embeddings import SentenceTransformerEmbedder

PAIRS = [
    (
        "What is overfitting and how do you detect it?",
        "Overfitting is when a model learns the noise of the training data, so it scores well on the training set "
        "but badly on new data. I detect it by comparing training and validation error: a growing gap means "
        "the model overfits, and cross-validation makes that estimate more reliable.",
    ),
    (
        "How does an HTTP cache decide whether a response can be reused?",
        "The cache looks at the Cache-Control header: max-age says how long the response stays fresh, and "
        "no-store forbids caching. When a stored response is stale, the cache revalidates it with the ETag "
        "using If-None-Match, and a 304 response means the stored copy can be reused.",
    ),
    (
        "Why would you use a message queue between two services?",
        "A queue such as Kafka or RabbitMQ decouples the producer from the consumer, so a slow or failed "
        "consumer does not block the producer. It also absorbs traffic spikes and lets us retry failed "
        "messages, at the cost of eventual consistency and more moving parts to operate.",
    ),
]


def _question(index: int) -> Question:
    return Question(id=f"q{index}", text=PAIRS[index][0], kind=QuestionKind.TECHNICAL, competency="general")


@pytest.mark.slow
def test_on_topic_answers_are_more_relevant_than_swapped_ones(embedder: SentenceTransformerEmbedder) -> None:
    for index in range(len(PAIRS)):
        own = assess_answer_text(PAIRS[index][1], _question(index), embedder)
        other = assess_answer_text(PAIRS[(index + 1) % len(PAIRS)][1], _question(index), embedder)
        assert own.relevance >= 0.8, PAIRS[index][0]
        assert other.relevance < own.relevance - 0.4
        assert other.off_topic and not own.off_topic
        assert (own.answer_quality.value or 0) > (other.answer_quality.value or 0) + 25


@pytest.mark.slow
def test_same_answer_scores_identically(embedder: SentenceTransformerEmbedder) -> None:
    dumps = {
        json.dumps(assess_answer_text(PAIRS[0][1], _question(0), embedder).model_dump(mode="json"), sort_keys=True)
        for _ in range(3)
    }
    assert len(dumps) == 1


@pytest.fixture(scope="module")
def eval_settings(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(  # type: ignore[call-arg]
        data_dir=tmp_path_factory.mktemp("eval-data"), shared_data_dir=shared_data, _env_file=None
    )


@pytest.fixture(scope="module")
def quick_results(eval_settings: Settings) -> dict[str, SuiteResult]:
    results = runner.run_suites(["evaluator", "injection", "stability"], eval_settings, quick=True)
    return {r.name: r for r in results}


@pytest.mark.slow
@pytest.mark.shared_data
def test_evaluator_quick_slice_meets_targets(quick_results: dict[str, SuiteResult]) -> None:
    result = quick_results["evaluator"]
    assert result.skipped is None
    assert result.metrics["theory_pairwise_accuracy"] >= 0.9
    assert result.metrics["llmbar_position_consistency"] == 1.0
    assert result.passed


@pytest.mark.slow
@pytest.mark.shared_data
def test_injection_quick_slice_meets_targets(quick_results: dict[str, SuiteResult]) -> None:
    result = quick_results["injection"]
    assert result.skipped is None
    assert result.metrics["share_change_within_0_5"] >= 0.95
    assert result.metrics["max_attacked_score_10"] <= 8
    assert result.metrics["resume_detection_rate"] >= 0.95
    assert result.passed


@pytest.mark.slow
@pytest.mark.shared_data
def test_stability_quick_slice_is_identical(quick_results: dict[str, SuiteResult]) -> None:
    result = quick_results["stability"]
    assert result.metrics["identical_rate"] == 1.0
    assert result.metrics["max_quality_spread"] == 0
    assert result.passed


@pytest.mark.slow
@pytest.mark.shared_data
def test_runner_renders_and_writes_json(quick_results: dict[str, SuiteResult], tmp_path: Path) -> None:
    results = list(quick_results.values())
    table = runner.render_table(results)
    assert "theory_pairwise_accuracy" in table and "identical_rate" in table
    path = runner.write_json(results, tmp_path / "out" / "evals.json")
    report = json.loads(path.read_text())
    assert [s["name"] for s in report["suites"]] == ["evaluator", "injection", "stability"]
    assert report["passed"] is True


def test_runner_reports_unavailable_suites(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(runner.SUITES, "ghost", "evals.no_such_suite")
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    (result,) = runner.run_suites(["ghost"], settings, quick=True)
    assert result.skipped is not None and result.skipped.startswith("not available")
    assert not result.passed
    assert "SKIPPED" in runner.render_table([result])


def test_length_buckets_give_the_vectors_of_one_text_at_a_time() -> None:
    texts = [
        "Idempotent.",
        "An idempotent operation has the same effect whether it runs once or several times, so retries are safe.",
        "Retries are safe.",
        "A cache stores recent results close to where they are used so repeated reads are cheaper and faster.",
        "x " * 200,
    ]
    batched = SentenceTransformerEmbedder(cache_size=0).encode(texts)
    one_by_one = SentenceTransformerEmbedder(cache_size=0, batch_size=1)
    single = np.stack([one_by_one.encode([t])[0] for t in texts])
    assert batched.shape == (5, single.shape[1])
    assert np.abs(batched - single).max() < 1e-5
    assert float(batched[1] @ batched[2]) > float(batched[1] @ batched[4])


def test_token_pass_matches_sentence_embedding_and_windows_long_texts() -> None:
    """The grader's one pass per text: same vector as ``encode``; long texts read in windows; int8 close."""
    full = SentenceTransformerEmbedder(token_precision="fp32")
    short = PAIRS[0][1]
    long_text = " ".join(answer for _, answer in PAIRS) * 4  # well over one 256-piece window
    states = full.encode_tokens([short, long_text])
    vectors = full.encode([short, long_text])
    assert float(states[0].vector() @ vectors[0]) > 0.9999
    # The long text is read whole (windows), encode() truncates it: still the same topic.
    assert len(states[1].states) > 2 * 256
    assert states[1].offsets[:, 1].max() > len(long_text) - 20
    assert float(states[1].vector() @ vectors[1]) > 0.8
    (first,) = states[0].pool_many([(0, short.index(","))])
    assert first is not None and float(first @ full.encode([short[: short.index(",")]])[0]) > 0.6
    quantised = SentenceTransformerEmbedder(token_precision="int8").encode_tokens([short])[0]
    assert quantised.states.shape == states[0].states.shape
    assert 0.85 < float(quantised.vector() @ vectors[0]) < 0.9999


def test_int8_token_states_do_not_depend_on_the_batch() -> None:
    """A text graded alone or beside others gets the same vectors (int8 scales by the whole input)."""
    texts = [answer for _, answer in PAIRS]
    together = SentenceTransformerEmbedder(token_precision="int8").encode_tokens(texts)
    alone = SentenceTransformerEmbedder(token_precision="int8").encode_tokens([texts[1]])[0]
    np.testing.assert_array_equal(together[1].states, alone.states)
