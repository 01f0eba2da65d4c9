"""Validate the packaged question bank and coaching knowledge base."""

from __future__ import annotations

import re
from collections import Counter
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from interview_coach.domain import Question, QuestionKind

ALLOWED_ROLE_FAMILIES = {
    "general",
    "software_engineering",
    "backend",
    "frontend",
    "data_science",
    "data_engineering",
    "machine_learning",
    "devops",
    "product_management",
    "engineering_management",
}
KIND_MINIMUMS = {QuestionKind.BEHAVIORAL: 60, QuestionKind.SITUATIONAL: 35, QuestionKind.TECHNICAL: 85}
KIND_PREFIX = {QuestionKind.BEHAVIORAL: "beh", QuestionKind.SITUATIONAL: "sit", QuestionKind.TECHNICAL: "tech"}
KB_METRICS = {
    "fillers_per_min",
    "wpm",
    "long_pause_count",
    "response_delay_s",
    "pitch_variation_st",
    "eye_contact_ratio",
    "blink_rate_per_min",
    "hand_to_face_count",
    "fidgeting_score",
    "relevance",
    "key_point_coverage",
    "star_missing",
    "specificity",
    "hedges",
    "answer_length",
    "over_time",
    "under_time",
    "off_topic",
    "injection",
}
# Patterns the coach must be able to ground advice on (see the design brief).
REQUIRED_PATTERN_IDS = {
    "fillers_high",
    "pace_too_fast",
    "pace_too_slow",
    "long_pauses",
    "slow_start",
    "monotone",
    "eye_contact_low",
    "face_touching",
    "fidgeting",
    "star_missing_situation",
    "star_missing_task",
    "star_missing_action",
    "star_missing_result",
    "no_result_metrics",
    "vague_answer",
    "hedging",
    "off_topic",
    "missing_key_points",
    "answer_too_short",
    "answer_too_long",
    "prompt_injection_flagged",
    "star_story_bank",
    "tell_me_about_yourself",
    "cannot_answer",
}
ID_PATTERN = re.compile(r"^(beh|sit|tech)-[a-z0-9]+(-[a-z0-9]+)*-\d{3}$")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")


def _load_packaged_yaml(name: str) -> dict[str, Any]:
    text = (files("interview_coach") / "data" / name).read_text("utf-8")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict), f"{name} must be a YAML mapping"
    return loaded


@pytest.fixture(scope="module")
def bank() -> dict[str, Any]:
    return _load_packaged_yaml("question_bank.yaml")


@pytest.fixture(scope="module")
def questions(bank: dict[str, Any]) -> list[Question]:
    return [Question.model_validate(item) for item in bank["questions"]]


@pytest.fixture(scope="module")
def kb() -> dict[str, Any]:
    return _load_packaged_yaml("coaching_kb.yaml")


# ---------------------------------------------------------------- question bank


def test_bank_metadata(bank: dict[str, Any]) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(bank["version"]))
    assert bank["updated"]
    assert "Apache-2.0" in bank["license"]


def test_bank_size_and_kind_mix(questions: list[Question]) -> None:
    assert len(questions) >= 150
    counts = Counter(q.kind for q in questions)
    for kind, minimum in KIND_MINIMUMS.items():
        assert counts[kind] >= minimum, f"{kind}: {counts[kind]} < {minimum}"


def test_ids_unique_kebab_and_prefixed_by_kind(questions: list[Question]) -> None:
    duplicates = [qid for qid, n in Counter(q.id for q in questions).items() if n > 1]
    assert duplicates == []
    for question in questions:
        assert ID_PATTERN.match(question.id), question.id
        assert question.id.split("-", 1)[0] == KIND_PREFIX[question.kind], question.id


def test_texts_unique_and_non_trivial(questions: list[Question]) -> None:
    texts = [q.text.strip().lower() for q in questions]
    assert len(set(texts)) == len(texts)
    assert all(len(t) >= 12 for t in texts)


def test_key_points_and_time_budgets(questions: list[Question]) -> None:
    for question in questions:
        assert 3 <= len(question.key_points) <= 5, question.id
        assert all(len(point.split()) >= 3 for point in question.key_points), question.id
        assert len(set(question.key_points)) == len(question.key_points), question.id
        assert 60 <= question.time_budget_s <= 240, question.id


def test_competencies_from_controlled_list(bank: dict[str, Any], questions: list[Question]) -> None:
    controlled = bank["competencies"]
    assert len(controlled) == len(set(controlled))
    assert all(SNAKE_CASE.match(c) for c in controlled)
    used = {q.competency for q in questions}
    assert used <= set(controlled), used - set(controlled)
    assert set(controlled) <= used, f"unused competencies: {set(controlled) - used}"


def test_role_families_allowed(bank: dict[str, Any], questions: list[Question]) -> None:
    assert set(bank["role_families"]) == ALLOWED_ROLE_FAMILIES
    for question in questions:
        assert question.role_families, question.id
        assert set(question.role_families) <= ALLOWED_ROLE_FAMILIES, question.id


def test_every_role_family_has_technical_questions(questions: list[Question]) -> None:
    technical = Counter(f for q in questions if q.kind is QuestionKind.TECHNICAL for f in q.role_families)
    for family in ALLOWED_ROLE_FAMILIES - {"general"}:
        assert technical[family] >= 5, f"{family} has only {technical[family]} technical questions"


def test_seniority_and_tags(questions: list[Question]) -> None:
    for question in questions:
        assert question.seniority, question.id
        assert len(set(question.seniority)) == len(question.seniority), question.id
        assert question.tags, question.id
        assert all(tag == tag.lower() and " " not in tag for tag in question.tags), question.id


def test_system_design_targets_experienced_candidates(questions: list[Question]) -> None:
    for question in questions:
        if question.competency == "system_design" and question.text.lower().startswith("design"):
            assert {s.value for s in question.seniority} & {"senior", "lead"}, question.id
            assert "junior" not in {s.value for s in question.seniority}, question.id


def _normalise(line: str) -> str:
    letters = re.sub(r"[^a-z0-9]+", " ", line.lower())
    return " ".join(letters.split())


@pytest.mark.shared_data
def test_no_question_copied_from_public_list(shared_data: Path, questions: list[Question]) -> None:
    folder = shared_data / "data-science-interviews"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    lines: set[str] = set()
    for name in ("theory.md", "technical.md"):
        path = folder / name
        if path.is_file():
            lines.update(_normalise(line) for line in path.read_text("utf-8").splitlines())
    lines.discard("")
    assert lines, "reference files are empty"
    copied = [q.id for q in questions if _normalise(q.text) in lines]
    assert copied == []


# ---------------------------------------------------------------- coaching knowledge base


def test_kb_patterns_count_and_unique_ids(kb: dict[str, Any]) -> None:
    patterns = kb["patterns"]
    assert kb["version"]
    assert len(patterns) >= 30
    ids = [p["id"] for p in patterns]
    assert len(ids) == len(set(ids))
    assert all(SNAKE_CASE.match(i) for i in ids)
    assert set(ids) >= REQUIRED_PATTERN_IDS, REQUIRED_PATTERN_IDS - set(ids)


def test_kb_pattern_fields(kb: dict[str, Any]) -> None:
    assert set(kb["metrics"]) == KB_METRICS
    for pattern in kb["patterns"]:
        pid = pattern["id"]
        for field in ("trigger", "title", "why"):
            assert isinstance(pattern[field], str) and pattern[field].strip(), f"{pid}.{field}"
        assert pattern["metric"] is None or pattern["metric"] in KB_METRICS, pid
        assert set(pattern.get("related_metrics", [])) <= KB_METRICS, pid
        tips = pattern["tips"]
        assert 3 <= len(tips) <= 5 and all(isinstance(t, str) and t.strip() for t in tips), pid
        drill = pattern["drill"]
        assert drill["name"].strip(), pid
        steps = drill["steps"]
        assert 3 <= len(steps) <= 6 and all(isinstance(s, str) and s.strip() for s in steps), pid
        assert isinstance(drill["duration_min"], int) and 1 <= drill["duration_min"] <= 60, pid
        assert drill["success_metric"].strip(), pid


def test_kb_covers_measured_metrics(kb: dict[str, Any]) -> None:
    linked = {p["metric"] for p in kb["patterns"]} | {m for p in kb["patterns"] for m in p.get("related_metrics", [])}
    # Every measured signal except pure bookkeeping ones should lead to at least one tip.
    assert KB_METRICS - {"under_time"} <= linked, (KB_METRICS - {"under_time"}) - linked
