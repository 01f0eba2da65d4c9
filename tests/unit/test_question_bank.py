"""Question selection from the curated bank."""

from __future__ import annotations

from interview_coach.assessment.question_bank import (
    infer_role_families,
    load_question_bank,
    select_questions,
    seniority_from_text,
)
from interview_coach.domain import CandidateProfile, QuestionKind, Seniority


def test_selection_mixes_kinds_and_is_deterministic_per_seed() -> None:
    bank = load_question_bank()
    profile = CandidateProfile(role="Backend Software Engineer", role_family="backend")
    first = select_questions(bank, profile, count=6, seed="s1")
    again = select_questions(bank, profile, count=6, seed="s1")
    assert [q.id for q in first] == [q.id for q in again]
    assert {q.kind for q in first} == set(QuestionKind)
    assert len({q.id for q in first}) == 6


def test_selection_respects_role_family() -> None:
    bank = load_question_bank()
    data_scientist = CandidateProfile(role="Data Scientist", role_family="data_science", seniority=Seniority.MID)
    picked = select_questions(bank, data_scientist, count=8, kinds=[QuestionKind.TECHNICAL], seed="x")
    assert all(q.kind == QuestionKind.TECHNICAL for q in picked)
    assert all(
        set(q.role_families) & {"data_science", "machine_learning", "general", "data_engineering"} for q in picked
    )
    assert sum("data_science" in q.role_families for q in picked) >= 4


def test_job_description_keywords_pull_matching_questions() -> None:
    bank = load_question_bank()
    base = CandidateProfile(role="Backend Software Engineer", role_family="backend")
    with_jd = base.model_copy(
        update={"job_description": "Kubernetes, containers, Kubernetes probes, Terraform and cloud cost"}
    )
    plain = select_questions(bank, base, count=4, kinds=[QuestionKind.TECHNICAL], seed="k")
    tuned = select_questions(bank, with_jd, count=4, kinds=[QuestionKind.TECHNICAL], seed="k")
    cloud = lambda qs: sum(q.competency == "cloud_infrastructure" for q in qs)  # noqa: E731
    assert cloud(tuned) > cloud(plain)


def test_past_weak_competencies_are_favoured() -> None:
    bank = load_question_bank()
    profile = CandidateProfile(role="Backend Software Engineer", role_family="backend")
    picked = select_questions(
        bank, profile, count=3, kinds=[QuestionKind.BEHAVIORAL], weak_competencies=["conflict_resolution"] * 2, seed="w"
    )
    assert picked[0].competency == "conflict_resolution"


def test_excluded_questions_are_not_repeated() -> None:
    bank = load_question_bank()
    profile = CandidateProfile()
    first = select_questions(bank, profile, count=5, seed="a")
    second = select_questions(bank, profile, count=5, seed="a", exclude_ids={q.id for q in first})
    assert not {q.id for q in first} & {q.id for q in second}


def test_role_and_seniority_inference() -> None:
    assert "data_science" in infer_role_families(CandidateProfile(role="Senior Data Scientist", role_family=""))
    assert seniority_from_text("Staff Engineer") == Seniority.LEAD
    assert seniority_from_text("Junior developer") == Seniority.JUNIOR
    assert seniority_from_text("Backend Engineer") == Seniority.MID
