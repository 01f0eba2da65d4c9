"""``interview-coach train grader --with-feedback``: a reviewer's corrected score becomes training data, the
gate decides, and ``models list|promote|rollback`` move the active grader (real MiniLM, real SAF)."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest
from cli_support import run_cli

from interview_coach.assessment.grading.registry import active, read_card
from interview_coach.assessment.question_bank import load_question_bank
from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps
from interview_coach.domain import InterviewPlanRequest
from interview_coach.graphs.service import InterviewService
from interview_coach.learning.train_grader import should_promote
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.feedback import FeedbackCreate
from interview_coach.memory.store import QdrantMemoryStore

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()
QUESTION = "tech-db-001"
ANSWER = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the "
    "whole table; the cost is slower writes and extra storage."
)


async def _session_with_a_corrected_score(deps: AppDeps) -> None:
    async with InterviewService.open(deps) as service:
        turn = await service.start("reviewer", InterviewPlanRequest(question_count=1, question_ids=[QUESTION]))
        answered = await service.send(turn.session_id, "reviewer", ANSWER)
        if answered.waiting_for == "answer":
            await service.send(turn.session_id, "reviewer", "/end")
        correction = FeedbackCreate(
            session_id=turn.session_id,
            target="score",
            target_ref=QUESTION,
            rating=-1,
            correction="This score is too low: the answer says what an index is and what it costs.",
            corrected_score=90,
        )
        service.feedback.add("reviewer", correction)


def _cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli(*args, data_dir=data_dir, shared=SHARED, stdin=stdin, timeout=1500)


def test_train_with_feedback_gate_promote_and_rollback(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> None:
    if not (SHARED / "saf" / "training").is_dir():
        pytest.skip(f"SAF data absent at {SHARED / 'saf'} (public shared data not mounted)")
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    settings.data_dir.mkdir(parents=True)
    deps = AppDeps(
        settings=settings, embedder=embedder, memory=QdrantMemoryStore(embedder, path=settings.resolved_qdrant_path)
    )
    try:
        asyncio.run(_session_with_a_corrected_score(deps))
    finally:
        deps.close()

    trained = _cli(settings.data_dir, "train", "grader", "--with-feedback")
    assert trained.returncode == 0, trained.stderr[-2000:]
    assert "1 reviewer correction added" in trained.stdout
    bundled = active(Path("/nonexistent-registry"), "grader")
    assert bundled is not None
    new = [p for p in (settings.models_dir / "grader").iterdir() if p.name.startswith("grader-")]
    assert len(new) == 1
    card = read_card(new[0])
    assert card["data"]["extra_examples"] == 1
    assert card["environment"]["token_precision"] == "int8"
    assert set(card["validation_metrics"]) == {"unseen_answers", "unseen_questions"}
    promoted, reason = should_promote(card["validation_metrics"], bundled.card["validation_metrics"])
    assert " ".join(reason.split()) in " ".join(trained.stdout.split())  # the console wraps long lines
    now = active(settings.models_dir, "grader")
    assert now is not None
    assert now.version == (new[0].name if promoted else bundled.version)

    listed = _cli(settings.data_dir, "models", "list")
    assert listed.returncode == 0 and new[0].name in listed.stdout and bundled.version in listed.stdout
    assert _cli(settings.data_dir, "models", "promote", new[0].name).returncode == 0
    line = json.dumps({"question": "What is an index?", "answer": ANSWER, "reference": ANSWER})
    graded = _cli(settings.data_dir, "grade", "-", stdin=line + "\n")
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert f"Graded by {new[0].name}." in graded.stderr
    assert json.loads(graded.stdout)["verdict"] == "correct"
    # the corrected answer joined the graded answers of its question: grading that question now leans on it
    assert card["hyper_parameters"]["exemplar_weight"] > 0
    asked = load_question_bank().by_id(QUESTION)
    again = json.dumps({"question": asked.text, "answer": ANSWER, "key_points": list(asked.key_points)})
    regraded = json.loads(_cli(settings.data_dir, "grade", "-", stdin=again + "\n").stdout)
    assert "compared with 1 graded answer to this question" in regraded["note"]
    assert "graded answer" not in json.loads(graded.stdout).get("note", "")  # another question: model alone
    back = _cli(settings.data_dir, "models", "rollback")
    assert back.returncode == 0, back.stderr[-2000:]
    after = active(settings.models_dir, "grader")
    assert after is not None
    if not promoted:  # the gate kept the bundled grader, so rollback undoes the manual promotion
        assert after.version == bundled.version
    assert f"Graded by {after.version}." in _cli(settings.data_dir, "grade", "-", stdin=line + "\n").stderr
