"""Graded answers of known questions: the bank, its estimates, the grader's blend and the CV that weighs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hash_embedder import HashEmbedder

from interview_coach.assessment.correctness import grade_correctness
from interview_coach.assessment.grading.exemplars import (
    EXEMPLARS_FILE,
    Estimate,
    ExemplarBank,
    ExemplarIndex,
    build_bank,
    hashed_terms,
    question_key,
)
from interview_coach.assessment.grading.features import FEATURE_NAMES, reference_units
from interview_coach.assessment.grading.model import Grader, GraderUnavailableError
from interview_coach.assessment.grading.registry import active, file_sha256, promote, read_card, write_card
from interview_coach.assessment.question_bank import load_question_bank
from interview_coach.learning.exemplar_fit import (
    EXEMPLAR_WEIGHTS,
    _folds,
    bank_for,
    choose_exemplar_weight,
    example_key,
)
from interview_coach.learning.grader_fit import FitConfig
from interview_coach.learning.saf_data import LabelledExample

QUESTION = "Which two ways of distributing a controller exist, and what does each cost?"
REFERENCE = "Mirroring keeps standby copies that waste capacity.\nSharding splits the network and needs coordination."
UNITS = reference_units(REFERENCE)
KEY = question_key(QUESTION, UNITS)
RIGHT = [
    "Mirroring wastes capacity on standby copies; sharding needs coordination between shards.",
    "Sharding needs coordination, mirroring keeps idle standby copies.",
    "With mirroring the standby copies waste capacity, sharding must coordinate.",
]
WRONG = [
    "Logically centralized and physically centralized control, both are slow.",
    "Centralized routing and distributed routing, both have slow convergence.",
    "Flooding and routing tables, which are slow to converge.",
]


def _bank(weight: float = 1.0, copies: int = 10) -> ExemplarBank:
    graded = [(KEY, a, 1.0) for a in RIGHT * copies] + [(KEY, a, 0.0) for a in WRONG * copies]
    return build_bank(graded, weight)


def test_question_key_ignores_form_but_not_content() -> None:
    assert question_key(QUESTION.upper() + "  ", [u.lower() + "!" for u in UNITS]) == KEY
    assert question_key(QUESTION, ("Something else entirely.",)) != KEY
    assert question_key("Another question?", UNITS) != KEY


def test_bank_keeps_no_text() -> None:
    bank = _bank()
    stored = json.dumps(bank.model_dump())
    for word in ("mirroring", "sharding", "coordination", "centralized", "capacity"):
        assert word not in stored.lower()
    # derivations share a stem, so they share a hash
    assert hashed_terms("networks") == hashed_terms("network") and hashed_terms("network") != hashed_terms("routing")
    assert build_bank([(KEY, "   ", 1.0), (KEY, "the a of", 0.5)], 1.0).count(KEY) == 0
    assert build_bank([(KEY, "sharding", 7.0)], 1.0).questions[KEY][0].score == 1.0


def test_estimates_follow_the_nearest_graded_answers() -> None:
    index = ExemplarIndex(_bank())
    right = index.estimate(KEY, "Mirroring keeps standby copies, sharding needs coordination.")
    wrong = index.estimate(KEY, "Centralized and distributed routing are slow to converge.")
    assert right is not None and wrong is not None
    assert right.score > 0.8 and wrong.score < 0.2
    assert right.examples == 60
    assert index.estimate("unknown-question", RIGHT[0]) is None
    assert index.estimate(KEY, "Bananas are yellow.") is None  # shares no term with any graded answer


def test_share_grows_with_the_number_of_graded_answers() -> None:
    one = build_bank([(KEY, RIGHT[0], 1.0)], 0.5)
    many = _bank(0.5, copies=20)
    assert one.share(KEY) == pytest.approx(0.5 / 21)
    lone = ExemplarIndex(one).estimate(KEY, RIGHT[0])  # a single correction still counts (smoothed IDF)
    assert lone is not None and lone.score == 1.0 and lone.examples == 1
    assert many.share(KEY) == pytest.approx(0.5 * 120 / 140)
    assert many.share("unknown") == 0.0
    assert _bank(0.0).share(KEY) == 0.0
    assert Estimate(score=1.0, examples=10, share=0.25).blend(0.2) == pytest.approx(0.4)


def _grader_with_bank(tmp_path: Path, bank: ExemplarBank | None) -> Path:
    info = active(Path("/nonexistent-registry"), "grader")
    assert info is not None
    folder = tmp_path / info.path.name
    shutil.copytree(info.path, folder)
    card = read_card(folder)
    (folder / EXEMPLARS_FILE).unlink(missing_ok=True)
    files = {k: v for k, v in card["files"].items() if k != EXEMPLARS_FILE}
    if bank is not None:
        (folder / EXEMPLARS_FILE).write_text(bank.model_dump_json(), encoding="utf-8")
        files[EXEMPLARS_FILE] = file_sha256(folder / EXEMPLARS_FILE)
    write_card(folder, {**card, "files": files})
    return folder


def test_grader_blends_graded_answers_of_known_questions_only(tmp_path: Path) -> None:
    plain = Grader.load(_grader_with_bank(tmp_path / "plain", None), embedder=HashEmbedder())
    banked = Grader.load(_grader_with_bank(tmp_path / "banked", _bank(0.75)), embedder=HashEmbedder())
    wrong = "Centralized routing and distributed routing, both converge slowly."
    before, after = plain.grade(QUESTION, wrong, REFERENCE), banked.grade(QUESTION, wrong, REFERENCE)
    assert before.exemplars == 0 and after.exemplars == 60
    assert after.correctness is not None and before.correctness is not None
    assert after.correctness < before.correctness
    assert after.note and "compared with 60 graded answers" in after.note
    right = banked.grade(QUESTION, RIGHT[1], REFERENCE)
    assert right.correctness is not None and right.correctness >= (
        plain.grade(QUESTION, RIGHT[1], REFERENCE).correctness or 0
    )
    other = "Which layer routes packets?"
    assert banked.grade(other, wrong, REFERENCE) == plain.grade(other, wrong, REFERENCE)  # unknown question
    assert banked.grade(QUESTION, "", REFERENCE).score == 0  # empty stays 0 whatever the bank says


def test_corrupt_bank_names_the_rebuild_command(tmp_path: Path) -> None:
    folder = _grader_with_bank(tmp_path, _bank())
    (folder / EXEMPLARS_FILE).write_text('{"weight": 2}', encoding="utf-8")
    with pytest.raises(GraderUnavailableError, match="train grader"):
        Grader.load(folder, embedder=HashEmbedder())  # the hash no longer matches
    write_card(folder, {**json.loads((folder / "model_card.json").read_text()), "files": {}})
    with pytest.raises(GraderUnavailableError, match="train grader"):
        Grader.load(folder, embedder=HashEmbedder())  # weight 2 is out of range


def _synthetic(seed: int) -> tuple[np.ndarray, list[LabelledExample]]:
    """Questions whose grade shows in the answer's words but barely in the features."""
    rng = np.random.default_rng(seed)
    examples, rows = [], []
    for q in range(4):
        question, reference = f"Question {q} about topic{q}?", f"Reference answer about topic{q} and detail{q}."
        for i in range(40):
            score = float(i % 2)
            answer = f"{'alpha beta' if score else 'gamma delta'} topic{q} remark{i % 7}"
            examples.append(LabelledExample(question, answer, reference, score, f"q{q}"))
            rows.append(rng.normal(size=len(FEATURE_NAMES)) + 0.2 * score)
    return np.array(rows), examples


def test_cv_weighs_graded_answers_when_they_carry_the_signal() -> None:
    x, examples = _synthetic(0)
    config = FitConfig(features=("cos_gain", "term_recall"))
    weight, results = choose_exemplar_weight(x, examples, config, 0.0, seed=13)
    assert set(results) == {f"exemplar_weight={w}" for w in EXEMPLAR_WEIGHTS}
    assert weight > 0
    assert results[f"exemplar_weight={weight}"]["spearman"] > results["exemplar_weight=0.0"]["spearman"] + 0.1
    folds = _folds([e.question_id for e in examples], 13)
    assert (folds == _folds([e.question_id for e in examples], 13)).all()
    assert all(np.bincount(folds[i * 40 : (i + 1) * 40]).tolist() == [8] * 5 for i in range(4))
    assert bank_for(examples, weight).count(example_key(examples[0])) == 40


def test_interview_report_shows_when_graded_answers_were_used(tmp_path: Path) -> None:
    asked = load_question_bank().by_id("tech-db-001")
    units = reference_units(None, list(asked.key_points))
    answer = "An index is a sorted B-tree that avoids a full table scan; writes get slower."
    bank = build_bank([(question_key(asked.text, units), answer, 0.9)] * 30, 0.75)
    folder = _grader_with_bank(tmp_path / "models" / "grader", bank)
    promote(tmp_path / "models", "grader", folder.name)
    graded = grade_correctness(answer, asked, HashEmbedder(), tmp_path / "models")
    evidence = [e for s in graded.score.signals for e in s.evidence if e.kind == "graded_answers"]
    assert [e.detail for e in evidence] == ["also compared with 30 human-graded answers to this question"]
    other = grade_correctness(answer, load_question_bank().by_id("tech-db-002"), HashEmbedder(), tmp_path / "models")
    assert not [e for s in other.score.signals for e in s.evidence if e.kind == "graded_answers"]
