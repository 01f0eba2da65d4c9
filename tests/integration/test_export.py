"""Export round trips: real sessions through InterviewService (builtin engine) + feedback → export → validate → count."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps
from interview_coach.domain import CandidateProfile, InterviewPlanRequest
from interview_coach.graphs.service import InterviewService
from interview_coach.learning.export import EXPORT_FORMATS, run_export
from interview_coach.learning.validate import validate_jsonl
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.feedback import FeedbackCreate, FeedbackStore
from interview_coach.memory.store import QdrantMemoryStore

pytestmark = pytest.mark.slow

STRONG = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the whole "
    "table. It speeds up lookups, range queries and sorting on the indexed columns. For example, an index on the user "
    "email column makes login queries fast. The cost is slower writes, extra storage, and some maintenance. "
    "I'm Ada Lovelace, reach me at ada.lovelace@example.com or (415) 555-0132."
)
WEAK = "I think it is kind of when things are the same, maybe."
COACH_CORRECTION = "Question 2 was short: add a concrete example and the trade-offs. Ada, try the STAR drill."


@dataclass
class ExportWorld:
    settings: Settings
    sessions: dict[str, str]
    feedback_ids: dict[str, str]


def _request(name: str, resume: str = "") -> InterviewPlanRequest:
    profile = CandidateProfile(name=name, role="Backend Software Engineer", role_family="backend", resume_text=resume)
    return InterviewPlanRequest(profile=profile, question_count=2, question_ids=["tech-db-001", "tech-api-003"])


async def _run_sessions(deps: AppDeps) -> tuple[dict[str, str], dict[str, int]]:
    sessions: dict[str, str] = {}
    coach_index: dict[str, int] = {}
    people = {
        "u1": ("Ada Lovelace", "Ada Lovelace\nada.lovelace@example.com | https://ada.dev\nBackend engineer"),
        "u2": ("Grace Hopper", ""),
        "u3": ("Alan Turing", ""),
    }
    async with InterviewService.open(deps) as service:
        for user, (name, resume) in people.items():
            turn = await service.start(user, _request(name, resume))
            turn = await service.send(turn.session_id, user, STRONG if user != "u3" else WEAK)
            for _ in range(4):
                if turn.waiting_for != "answer":
                    break
                turn = await service.send(turn.session_id, user, WEAK)
            assert turn.waiting_for == "coach"
            await service.send(turn.session_id, user, "why was question 2 rated low?")
            await service.send(turn.session_id, user, "give me a drill for the STAR structure")
            sessions[user] = turn.session_id
            state = await service.graph.aget_state({"configurable": {"thread_id": turn.session_id}})
            messages = state.values["messages"]
            coach_index[user] = next(
                i for i, m in enumerate(messages) if m["role"] == "coach" and m.get("engine") is not None
            )
    return sessions, coach_index


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> ExportWorld:
    data_dir = tmp_path_factory.mktemp("export") / "data"
    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    data_dir.mkdir(parents=True)
    deps = AppDeps(
        settings=settings, embedder=embedder, memory=QdrantMemoryStore(embedder, path=settings.resolved_qdrant_path)
    )
    try:
        sessions, coach_index = asyncio.run(_run_sessions(deps))
    finally:
        deps.close()
    store = FeedbackStore(data_dir / "feedback.sqlite")
    items = {
        "coach_fix": FeedbackCreate(
            session_id=sessions["u1"],
            target="coach_reply",
            target_ref=str(coach_index["u1"]),
            rating=-1,
            correction=COACH_CORRECTION,
        ),
        "eval_down": FeedbackCreate(
            session_id=sessions["u1"], target="question_feedback", target_ref="tech-api-003", rating=-1
        ),
        "score_fix": FeedbackCreate(
            session_id=sessions["u2"],
            target="score",
            target_ref="tech-db-001:answer_quality",
            rating=-1,
            correction="This score is too low because I covered every key point with an example.",
        ),
        "orphan": FeedbackCreate(session_id="no-such-session", target="report", target_ref="report", rating=1),
    }
    ids = {}
    for key, item in items.items():
        user = next((u for u, s in sessions.items() if s == item.session_id), "u1")
        ids[key] = store.add(user, item).id
    store.set_accepted(ids["coach_fix"])
    store.set_accepted(ids["score_fix"])
    store.close()
    return ExportWorld(settings=settings, sessions=sessions, feedback_ids=ids)


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_chat_export_round_trip_scrubs_dedups_splits_and_validates(world: ExportWorld, tmp_path: Path) -> None:
    summary = run_export(
        world.settings, "openai-chat-jsonl", tmp_path / "chat", accepted_only=False, val_fraction=0.34, seed=7
    )
    assert summary.sessions == 3 and summary.feedback_items == 4
    assert summary.invalid_lines == 0
    assert summary.train > 0 and summary.validation > 0
    assert summary.train + summary.validation == summary.examples
    assert set(summary.by_agent) == {"interviewer", "evaluator", "coach"}
    # Three sessions ask the same two questions: the interviewer examples repeat.
    assert summary.duplicates_removed >= 2
    assert summary.skipped.get("thumbs_down") == 1
    assert summary.skipped.get("feedback_without_session") == 1
    assert summary.pii_replacements.get("email", 0) >= 2 and summary.pii_replacements.get("phone", 0) >= 1

    counted = 0
    for path in map(Path, summary.files):
        report = validate_jsonl(path, "chat")
        assert report.ok, report.errors[:3]
        counted += report.valid
        raw = path.read_text(encoding="utf-8")
        for leaked in (
            "Ada",
            "Lovelace",
            "Grace",
            "Hopper",
            "Turing",
            "ada.lovelace@example.com",
            "555-0132",
            "ada.dev",
        ):
            assert leaked not in raw
    assert counted == summary.examples
    records = [r for p in summary.files for r in _lines(Path(p))]
    assistant_texts = [m["content"] for r in records for m in r["messages"] if m["role"] == "assistant"]  # type: ignore[index, union-attr]
    corrected = COACH_CORRECTION.replace("Ada", "[NAME]")
    assert any(json.loads(t).get("text") == corrected for t in assistant_texts)
    manifest = json.loads((tmp_path / "chat" / "manifest.json").read_text())
    assert manifest["examples"] == summary.examples

    again = run_export(
        world.settings, "openai-chat-jsonl", tmp_path / "again", accepted_only=False, val_fraction=0.34, seed=7
    )
    assert (tmp_path / "again" / "train.jsonl").read_bytes() == (tmp_path / "chat" / "train.jsonl").read_bytes()
    assert again.validation == summary.validation


def test_accepted_only_ignores_unreviewed_feedback(world: ExportWorld, tmp_path: Path) -> None:
    everything = run_export(
        world.settings, "openai-chat-jsonl", tmp_path / "a", accepted_only=False, val_fraction=0, seed=0
    )
    reviewed = run_export(
        world.settings, "openai-chat-jsonl", tmp_path / "b", accepted_only=True, val_fraction=0, seed=0
    )
    assert reviewed.feedback_items == 2
    assert "thumbs_down" not in reviewed.skipped
    # The unreviewed thumbs-down no longer removes that evaluator example (which then dedups
    # against the same weak answer in another session).
    assert reviewed.examples + reviewed.duplicates_removed == everything.examples + everything.duplicates_removed + 1
    assert reviewed.validation == 0 and not (tmp_path / "b" / "validation.jsonl").exists()


def test_preference_export_pairs_the_correction_against_the_original(world: ExportWorld, tmp_path: Path) -> None:
    summary = run_export(
        world.settings, "preference-jsonl", tmp_path / "pref", accepted_only=False, val_fraction=0, seed=0
    )
    assert summary.examples == 1 and summary.invalid_lines == 0
    # The thumbs-down on builtin feedback has no better output to prefer.
    assert summary.skipped.get("thumbs_down_without_alternative") == 1
    report = validate_jsonl(Path(summary.files[0]), "preference")
    assert report.ok and report.valid == 1
    (pair,) = _lines(Path(summary.files[0]))
    chosen = json.loads(pair["preferred_output"][0]["content"])  # type: ignore[index]
    rejected = json.loads(pair["non_preferred_output"][0]["content"])  # type: ignore[index]
    assert chosen["text"] == COACH_CORRECTION.replace("Ada", "[NAME]")
    assert "Question 2" in rejected["text"] and chosen != rejected
    assert pair["input"]["messages"][-1]["role"] == "user"  # type: ignore[index]


def test_eval_cases_come_from_corrections(world: ExportWorld, tmp_path: Path) -> None:
    summary = run_export(world.settings, "eval-cases", tmp_path / "cases", accepted_only=True, val_fraction=0, seed=0)
    cases = _lines(Path(summary.files[0]))
    assert summary.examples == len(cases) == 2
    score_case = next(c for c in cases if c["target"] == "score")
    assert score_case["score_name"] == "answer_quality"
    assert score_case["expected_direction"] == "higher"
    assert score_case["question"]["id"] == "tech-db-001"  # type: ignore[index]
    assert isinstance(score_case["scores"]["answer_quality"], int)  # type: ignore[index]
    assert "Ada" not in json.dumps(cases) and "ada.lovelace@example.com" not in json.dumps(cases)


def test_bad_options_are_clear_errors(world: ExportWorld, tmp_path: Path) -> None:
    assert set(EXPORT_FORMATS) == {"openai-chat-jsonl", "preference-jsonl", "eval-cases"}
    with pytest.raises(ValueError, match="Unknown export format"):
        run_export(world.settings, "csv", tmp_path, accepted_only=False, val_fraction=0.1, seed=0)
    with pytest.raises(ValueError, match="val-fraction"):
        run_export(world.settings, "eval-cases", tmp_path, accepted_only=False, val_fraction=1.5, seed=0)


def test_empty_data_dir_exports_nothing_but_valid_files(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "empty", _env_file=None)  # type: ignore[call-arg]
    summary = run_export(settings, "openai-chat-jsonl", tmp_path / "out", accepted_only=False, val_fraction=0.1, seed=0)
    assert summary.sessions == 0 and summary.examples == 0 and summary.invalid_lines == 0
    assert (tmp_path / "out" / "train.jsonl").read_text() == ""
