"""The validation loop: real sessions + corrections → ``export --format eval-cases`` → ``feedback_cases`` suite."""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from evals import runner
from evals.common import SuiteResult
from evals.feedback_cases import CASES_FOLDER, judge
from evals.feedback_cases import run as run_suite

from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps
from interview_coach.domain import InterviewPlanRequest
from interview_coach.graphs.service import InterviewService
from interview_coach.learning.export import run_export
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.feedback import FeedbackCreate
from interview_coach.memory.store import QdrantMemoryStore

pytestmark = pytest.mark.slow

QUESTION = "tech-db-001"
WEAK = "I think it is kind of when things are the same, maybe."
STRONG = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the whole "
    "table. It speeds up lookups, range queries and sorting on the indexed columns. For example, an index on the user "
    "email column makes login queries fast. The cost is slower writes, extra storage, and some maintenance."
)
TOO_LOW = "This score is too low because I explained what an index is."
TOO_HIGH = "The score should be lower: I never said when an index is not worth it."
NO_DIRECTION = "The feedback should mention my login example."
ON_FLUENCY = "Fluency is too low, I typed this answer."


@dataclass
class Exported:
    """An exported ``eval_cases.jsonl`` and the cases in it, by correction."""

    path: Path
    cases: dict[str, dict[str, Any]]


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, _env_file=None)


async def _sessions_with_corrections(deps: AppDeps) -> None:
    corrections = {
        "weak": [("score", f"{QUESTION}:answer_quality", TOO_LOW)],
        "strong": [
            ("score", f"{QUESTION}:answer_quality", TOO_HIGH),
            ("question_feedback", QUESTION, NO_DIRECTION),
            ("score", f"{QUESTION}:fluency", ON_FLUENCY),
        ],
    }
    async with InterviewService.open(deps) as service:
        for user, items in corrections.items():
            turn = await service.start(user, InterviewPlanRequest(question_count=1, question_ids=[QUESTION]))
            answered = await service.send(turn.session_id, user, WEAK if user == "weak" else STRONG)
            if answered.waiting_for == "answer":
                await service.send(turn.session_id, user, "/end")
            for target, ref, correction in items:
                item = FeedbackCreate(
                    session_id=turn.session_id, target=target, target_ref=ref, rating=-1, correction=correction
                )
                service.feedback.add(user, item)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Exported:
    root = tmp_path_factory.mktemp("feedback-loop")
    settings = _settings(root / "data")
    settings.data_dir.mkdir(parents=True)
    deps = AppDeps(
        settings=settings, embedder=embedder, memory=QdrantMemoryStore(embedder, path=settings.resolved_qdrant_path)
    )
    try:
        asyncio.run(_sessions_with_corrections(deps))
    finally:
        deps.close()
    summary = run_export(settings, "eval-cases", root / "export", accepted_only=False, val_fraction=0, seed=0)
    path = Path(summary.files[0])
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Exported(path=path, cases={case["correction"]: case for case in lines})


def _detail(result: SuiteResult, correction: str) -> dict[str, Any]:
    return next(d for d in result.details if d.get("correction") == correction)


def _write(path: Path, cases: list[dict[str, Any]], extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(c) for c in cases] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_export_to_suite_round_trip_counts_a_low_score_complaint_as_disagreement(
    exported: Exported, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    assert exported.cases[TOO_LOW]["expected_direction"] == "higher"
    settings = _settings(tmp_path / "user-data")
    (settings.data_dir / CASES_FOLDER).mkdir(parents=True)
    shutil.copy(exported.path, settings.data_dir / CASES_FOLDER / "eval_cases.jsonl")

    result = run_suite(settings, embedder=embedder)

    metrics = result.metrics
    assert metrics["bootstrapped"] == 0 and metrics["files"] == 1 and metrics["cases"] == 4
    assert (metrics["agrees"], metrics["unchanged"], metrics["moved_against"]) == (0, 2, 0)
    assert metrics["disagreed"] == 2 and metrics["with_direction"] == 2 and metrics["agreement_rate"] == 0
    assert metrics["no_direction"] == 1 and metrics["not_replayable"] == 1 and metrics["invalid_lines"] == 0
    assert metrics["reproduced_rate"] == 1.0 and result.passed
    weak = _detail(result, TOO_LOW)
    strong = _detail(result, TOO_HIGH)
    # The scorer rates the weak answer low, the user says it is too low, and the scorer still says the same.
    assert weak["verdict"] == "unchanged" and weak["recorded"] == weak["current"] and weak["delta"] == 0
    assert weak["current"] < 40 < strong["current"]
    assert weak["current"] == exported.cases[TOO_LOW]["scores"]["answer_quality"]
    assert _detail(result, NO_DIRECTION)["verdict"] == "no_direction"
    fluency = _detail(result, ON_FLUENCY)
    assert fluency["verdict"] == "not_replayable" and "recording" in fluency["reason"]


def test_a_score_that_moved_since_the_complaint_is_judged_by_direction(
    exported: Exported, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    # The recorded scores stand for an older scorer that gave both answers 10 points more than the current one.
    older = []
    for correction in (TOO_LOW, TOO_HIGH):
        case = dict(exported.cases[correction])
        case["scores"] = {"answer_quality": case["scores"]["answer_quality"] + 10}
        older.append(case)
    cases_file = _write(tmp_path / "older.jsonl", older)

    result = run_suite(_settings(tmp_path / "empty"), case_paths=[cases_file], embedder=embedder)

    assert result.metrics["cases"] == 2 and result.metrics["bootstrapped"] == 0
    # "Too high" and the score went down: agreement; "too low" and it went down: against.
    assert _detail(result, TOO_HIGH)["verdict"] == "agrees" and _detail(result, TOO_HIGH)["delta"] == -10
    assert _detail(result, TOO_LOW)["verdict"] == "moved_against"
    assert result.metrics["agreement_rate"] == 0.5 and result.metrics["reproduced_rate"] == 0.0
    assert "reproduced_rate" not in result.targets


def test_bad_lines_and_repeated_cases_are_counted_not_fatal(
    exported: Exported, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    weak = exported.cases[TOO_LOW]
    _write(folder / "a.jsonl", [weak], ("{not json", json.dumps({"target": "score", "correction": "no id"})))
    _write(folder / "b.jsonl", [weak])

    result = run_suite(_settings(tmp_path / "empty"), case_paths=[folder], embedder=embedder)

    assert result.metrics["files"] == 2 and result.metrics["cases"] == 1
    assert result.metrics["invalid_lines"] == 2 and result.metrics["duplicates"] == 1
    assert {d["source"] for d in result.details if d["case"] == "invalid"} == {"a.jsonl:2", "a.jsonl:3"}
    with pytest.raises(FileNotFoundError, match="not found"):
        run_suite(_settings(tmp_path / "empty"), case_paths=[tmp_path / "missing.jsonl"], embedder=embedder)


def test_without_case_files_the_registered_suite_builds_real_cases(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "fresh")

    (result,) = runner.run_suites(["feedback_cases"], settings, quick=True)

    assert result.skipped is None, result.skipped
    assert result.metrics["bootstrapped"] == 1 and result.metrics["cases"] == 4
    assert result.metrics["unchanged"] == 2 and result.metrics["agrees"] == 0
    assert result.metrics["no_direction"] == 1 and result.metrics["not_replayable"] == 1
    assert result.target_met("reproduced_rate") is True and result.passed
    assert not (settings.data_dir / CASES_FOLDER).exists()


@pytest.mark.parametrize(
    ("direction", "recorded", "current", "verdict"),
    [
        ("higher", 30, 45, "agrees"),
        ("higher", 30, 30, "unchanged"),
        ("higher", 30, 20, "moved_against"),
        ("lower", 80, 70, "agrees"),
        ("lower", 80, 90, "moved_against"),
        (None, 50, 60, "no_direction"),
        ("higher", None, 60, "not_comparable"),
    ],
)
def test_judge(direction: Any, recorded: int | None, current: int | None, verdict: str) -> None:
    assert judge(direction, recorded, current) == verdict
