"""Fast tests of the short-answer grader: features, model rules, registry, batch JSONL."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hash_embedder import HashEmbedder

from interview_coach.assessment.grading.batch import grade_jsonl
from interview_coach.assessment.grading.features import FEATURE_NAMES, GradingInput, align, reference_units
from interview_coach.assessment.grading.lexical import LEXICAL_NAMES, lexical_features
from interview_coach.assessment.grading.metrics import pairwise_accuracy, per_question_spearman
from interview_coach.assessment.grading.model import (
    WEIGHTS_FILE,
    Grader,
    GraderUnavailableError,
    GraderWeights,
    untrained_grade,
)
from interview_coach.assessment.grading.registry import (
    BUNDLED_ROOT,
    RegistryError,
    active,
    file_sha256,
    list_models,
    promote,
    rollback,
    write_card,
)
from interview_coach.assessment.grading.text import (
    is_non_answer,
    sentence_form,
    token_f1,
    truncate,
    units,
    words,
)
from interview_coach.learning.train_grader import should_promote

QUESTION = "Why does TCP use a three-way handshake?"
REFERENCE = (
    "The handshake synchronises the initial sequence numbers of both sides. "
    "It also confirms that both hosts are reachable and willing to communicate."
)
GOOD = "Both hosts exchange and acknowledge initial sequence numbers, which confirms both sides are reachable."
PADDING = {
    "lorem": " Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.",
    "hard_worker": " I am a hard worker and a great team player who loves challenges.",
    "keywords": " Keywords: synergy, leadership, agile, cloud, innovation, passion.",
}


def _bundled_grader_path() -> Path:
    info = active(Path("/nonexistent-registry"), "grader")
    assert info is not None, "the default grader model must be bundled with the package"
    return info.path


def _bundled_grader() -> Grader:
    return Grader.load(_bundled_grader_path(), embedder=HashEmbedder())


def test_text_helpers() -> None:
    assert units("First point here.\n- second item\n- third item") == ["First point here.", "second item", "third item"]
    assert token_f1("the cat sat", "the cat sat") == 1.0
    assert token_f1("", "the cat") == 0.0
    text, cut = truncate("word " * 100_000)
    assert cut and len(text) <= 6000
    assert words("Größe über 3.5 ms") == ["größe", "über", "3", "5", "ms"]


def test_features_are_sane() -> None:
    refs = reference_units(REFERENCE)
    good = align(GradingInput(QUESTION, GOOD, refs), HashEmbedder()).features
    off = align(GradingInput(QUESTION, "UDP has no connection setup at all.", refs), HashEmbedder()).features
    empty = align(GradingInput(QUESTION, "", refs), HashEmbedder()).features
    assert good.shape == (len(FEATURE_NAMES),)
    assert np.isfinite(good).all()
    for name in ("cov_mean", "term_recall", "novel_recall", "unit_term_cov"):
        i = FEATURE_NAMES.index(name)
        assert good[i] > off[i] >= empty[i] == 0.0


def test_key_points_fallback_and_no_reference() -> None:
    assert reference_units(None, ["sequence numbers", " "]) == ("sequence numbers",)
    grader = _bundled_grader()
    result = grader.grade(QUESTION, GOOD, key_points=["initial sequence numbers", "hosts reachable"])
    assert result.basis == "key_points" and result.score is not None
    none = grader.grade(QUESTION, GOOD)
    assert none.basis == "none" and none.score is None and none.correctness is None and none.verdict is None
    assert none.note and "no reference" in none.note


def test_edge_cases_are_safe() -> None:
    grader = _bundled_grader()
    empty = grader.grade(QUESTION, "   ", REFERENCE)
    assert empty.score == 0 and empty.verdict == "incorrect" and "empty" in empty.feedback
    huge = grader.grade(QUESTION, GOOD + " filler" * 40_000, REFERENCE)
    assert huge.note and "truncated" in huge.note
    foreign = grader.grade(
        QUESTION, "Les deux hôtes échangent leurs numéros de séquence initiaux avec le serveur.", REFERENCE
    )
    assert foreign.note and "English" in foreign.note
    good = grader.grade(QUESTION, GOOD, REFERENCE)
    assert good.score is not None and 0 <= good.score <= 100 and good.trained
    assert good.score > (grader.grade(QUESTION, "I like pizza.", REFERENCE).score or 0)


def test_non_answers_and_keyword_lists() -> None:
    assert is_non_answer("No response.") and is_non_answer("I don't know") and is_non_answer("Empty submission.")
    assert not is_non_answer("No, the handshake is not needed.") and not is_non_answer("none")
    keywords = "handshake synchronises initial sequence numbers sides hosts reachable willing communicate"
    assert sentence_form(keywords) == 0.0 and sentence_form(REFERENCE) == 1.0
    grader = _bundled_grader()
    assert grader.weights.form_penalty >= 0.5
    assert grader.grade(QUESTION, "No response.", REFERENCE).score == 0
    listed = grader.grade(QUESTION, keywords, REFERENCE).score or 0
    good = grader.grade(QUESTION, GOOD, REFERENCE).score or 0
    assert listed <= 60 and listed < good


@pytest.mark.parametrize("kind", sorted(PADDING))
def test_padding_does_not_raise_score(kind: str) -> None:
    grader = _bundled_grader()
    base = grader.grade(QUESTION, GOOD, REFERENCE).score or 0
    padded = grader.grade(QUESTION, GOOD + PADDING[kind] * 3, REFERENCE).score or 0
    assert padded <= base + 2


def test_untrained_fallback_is_flagged() -> None:
    result = untrained_grade(QUESTION, GOOD, REFERENCE, embedder=HashEmbedder())
    assert not result.trained and result.note and "interview-coach train grader" in result.note


def _make_version(root: Path, version: str) -> Path:
    folder = root / "grader" / version
    folder.mkdir(parents=True)
    source = active(Path("/nonexistent-registry"), "grader")
    assert source is not None
    shutil.copy(source.path / WEIGHTS_FILE, folder / WEIGHTS_FILE)
    write_card(folder, {"version": version, "files": {WEIGHTS_FILE: file_sha256(folder / WEIGHTS_FILE)}})
    return folder


def test_registry_promote_rollback(tmp_path: Path) -> None:
    bundled = active(tmp_path, "grader")
    assert bundled is not None and bundled.bundled and bundled.path.is_relative_to(BUNDLED_ROOT)
    _make_version(tmp_path, "grader-20260101-000000-aaaaaaaa")
    _make_version(tmp_path, "grader-20260102-000000-bbbbbbbb")
    promote(tmp_path, "grader", "grader-20260101-000000-aaaaaaaa")
    promote(tmp_path, "grader", "grader-20260102-000000-bbbbbbbb")
    assert active(tmp_path, "grader").version == "grader-20260102-000000-bbbbbbbb"  # type: ignore[union-attr]
    assert [m.version for m in list_models(tmp_path, "grader") if m.active] == ["grader-20260102-000000-bbbbbbbb"]
    assert rollback(tmp_path, "grader").version == "grader-20260101-000000-aaaaaaaa"  # type: ignore[union-attr]
    assert rollback(tmp_path, "grader").version == bundled.version  # type: ignore[union-attr]
    with pytest.raises(RegistryError):
        rollback(tmp_path, "grader")
    with pytest.raises(RegistryError):
        promote(tmp_path, "grader", "grader-19990101-000000-unknown0")


def test_corrupt_or_missing_model_names_rebuild_command(tmp_path: Path) -> None:
    with pytest.raises(GraderUnavailableError, match="interview-coach train grader"):
        Grader.load(tmp_path / "grader" / "missing")
    folder = _make_version(tmp_path, "grader-20260101-000000-cccccccc")
    (folder / WEIGHTS_FILE).write_text('{"weights": [1, 2', encoding="utf-8")
    with pytest.raises(GraderUnavailableError, match="interview-coach train grader"):
        Grader.load(folder)


def test_promotion_gate() -> None:
    current = {"unseen_answers": {"grader": {"spearman": 0.6, "per_question_spearman": 0.6, "pairwise_accuracy": 0.9}}}
    better = {
        "unseen_answers": {"grader": {"spearman": 0.61, "per_question_spearman": 0.597, "pairwise_accuracy": 0.9}}
    }
    worse = {"unseen_answers": {"grader": {"spearman": 0.58, "per_question_spearman": 0.6, "pairwise_accuracy": 0.9}}}
    assert should_promote(better, current)[0]
    ok, reason = should_promote(worse, current)
    assert not ok and "unseen_answers spearman" in reason
    assert should_promote(worse, None)[0]


def test_batch_jsonl_keeps_order_and_reports_bad_lines() -> None:
    grader = _bundled_grader()
    lines = [
        json.dumps({"question": QUESTION, "answer": GOOD, "reference": REFERENCE}),
        "{not json",
        "",
        json.dumps({"question": QUESTION, "answer": "", "reference": REFERENCE, "kind": "technical"}),
        json.dumps({"question": QUESTION}),
        json.dumps({"question": QUESTION, "answer": GOOD, "key_points": ["sequence numbers"]}),
    ]
    out, err = io.StringIO(), io.StringIO()
    assert grade_jsonl(lines, grader, out, err) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == 5
    assert rows[0]["score"] > rows[2]["score"] == 0
    assert rows[1]["line"] == 2 and "error" in rows[1]
    assert rows[3]["line"] == 5 and "answer" in rows[3]["error"]
    assert set(rows[4]) >= {"score", "correctness", "verdict", "missing", "feedback"}
    assert "line 2" in err.getvalue() and "line 5" in err.getvalue()


def test_metrics() -> None:
    gold, qids = [0.0, 0.5, 1.0, 0.0, 1.0], ["a", "a", "a", "b", "b"]
    assert pairwise_accuracy([0.1, 0.2, 0.3, 0.5, 0.5], gold, qids) == pytest.approx((3 + 0.5) / 4)
    assert per_question_spearman([0.1, 0.2, 0.3, 0.0, 1.0], gold, qids) == pytest.approx(1.0)


def test_weights_roundtrip() -> None:
    n = len(FEATURE_NAMES)
    weights = GraderWeights(
        feature_names=list(FEATURE_NAMES), mean=[0.0] * n, scale=[1.0] * n, weights=[0.0] * n, bias=0.0
    )
    assert GraderWeights.model_validate_json(weights.model_dump_json()) == weights
    assert weights.correctness(np.zeros(n)) == 0.5


def test_lexical_features_reward_the_reference_terms_in_order() -> None:
    reference = "The sender retransmits the segment after the timeout expires."
    in_order = lexical_features("The sender retransmits a segment once its timeout expires.", reference)
    shuffled = lexical_features("Expires timeout, segment retransmits sender.", reference)
    unrelated = lexical_features("I enjoy hiking in the mountains with friends.", reference)
    assert len(in_order) == len(LEXICAL_NAMES)
    assert all(0.0 <= value <= 1.0 for value in in_order + shuffled + unrelated)
    lcs = LEXICAL_NAMES.index("lcs_recall")
    assert in_order[lcs] == 1.0 > shuffled[lcs] > unrelated[lcs] == 0.0
    assert lexical_features("", reference) == [0.0] * len(LEXICAL_NAMES)


def test_model_with_unknown_feature_is_rejected(tmp_path: Path) -> None:
    folder = _make_version(tmp_path, "grader-20260101-000000-dddddddd")
    data = json.loads((folder / WEIGHTS_FILE).read_text(encoding="utf-8"))
    data["feature_names"][0] = "feature_from_the_future"
    (folder / WEIGHTS_FILE).write_text(json.dumps(data), encoding="utf-8")
    write_card(folder, {"version": folder.name, "files": {WEIGHTS_FILE: file_sha256(folder / WEIGHTS_FILE)}})
    with pytest.raises(GraderUnavailableError, match="interview-coach train grader"):
        Grader.load(folder, embedder=HashEmbedder())


def test_model_storing_only_its_features_grades_with_them() -> None:
    weights = GraderWeights(
        feature_names=["term_recall", "lcs_recall"],
        mean=[0.3, 0.3],
        scale=[0.2, 0.2],
        weights=[1.0, 1.0],
        bias=0.0,
        token_precision="int8",
    )
    with pytest.raises(GraderUnavailableError, match=r"older grader.*interview-coach train grader"):
        Grader(weights.model_copy(update={"token_precision": None}), "grader-old-features", HashEmbedder())
    grader = Grader(weights, "grader-test-subset", HashEmbedder())
    good = grader.grade(QUESTION, GOOD, REFERENCE)
    off = grader.grade(QUESTION, "UDP has no connection setup at all.", REFERENCE)
    assert good.correctness is not None and off.correctness is not None
    assert good.correctness > off.correctness
