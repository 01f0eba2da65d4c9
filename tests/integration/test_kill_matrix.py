"""A real ``kill -9`` at every step boundary of a scripted interview, then reopen and finish.

Each kill point runs the scripted interview (``kill_driver``) in a child process that
SIGKILLs itself at that boundary. The test then reopens the session in this process and
replays the whole script with the same question ids and idempotency keys. It checks that the
session resumes (or, killed before anything was saved, says so clearly and can be planned
again), that every input is applied exactly once, that no question is asked twice, that no
memory is stored twice, and that the final report equals an uninterrupted run's.

Children are forked from a forkserver that imported the heavy modules once.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import secrets
import signal
from collections import Counter
from collections.abc import Iterator
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

import pytest

from interview_coach.assessment.memories import memories_for_report
from interview_coach.core.settings import Settings
from interview_coach.deps import make_deps
from interview_coach.graphs.service import InterviewService, SessionFailedError
from interview_coach.graphs.state import events_of, report_of
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.store import QdrantMemoryStore
from kill_driver import QUESTION_IDS, SCRIPT, USER, play, request, run_child

pytestmark = pytest.mark.slow

KILL_POINTS = [
    "created",
    "before:plan_interview:1",
    "after:plan_interview:1",
    "before:await_answer:1",
    "after:await_answer:1",
    "before:analyze_answer:1",
    "after:analyze_answer:2",
    "after:evaluate_answer:1",
    "before:evaluate_answer:3",
    "after:write_report:1",
    "before:remember:1",
    "after:remember:1",
    "before:coach_reply:1",
    "after:coach_reply:1",
]
MATRIX: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def forkserver() -> Iterator[ForkServerContext]:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["kill_driver", "interview_coach.deps", "interview_coach.graphs.service", "sentence_transformers"]
    )
    yield context
    if MATRIX:
        print("\nkill point × outcome\n" + "\n".join(json.dumps(row) for row in MATRIX))


def _settings(data_dir: Path, shared: Path) -> Settings:
    return Settings(data_dir=data_dir, shared_data_dir=shared, _env_file=None)  # type: ignore[call-arg]


async def _finished(
    data_dir: Path, session_id: str, embedder: SentenceTransformerEmbedder, shared: Path
) -> dict[str, Any]:
    """Reopen the session, replay the script, and collect what the checks need."""
    settings = _settings(data_dir, shared)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    deps = make_deps(settings, embedder, QdrantMemoryStore(embedder, path=settings.resolved_qdrant_path))
    try:
        async with InterviewService.open(deps) as service:
            snapshot = await service.graph.aget_state(service._config(session_id))
            at_kill = {
                "saved": bool(snapshot.values),
                "next": list(snapshot.next),
                "saved_writes": [t.name for t in snapshot.tasks if not t.interrupts and t.name not in snapshot.next],
                "memories": len(deps.require_memory().list(USER)),
            }
            try:
                await service.resume(session_id, USER)
                opened = "resumed"
            except SessionFailedError as exc:
                assert "interrupted while its interview was being planned" in str(exc)
                await service.start(USER, request(), session_id=session_id)
                opened = "failed with a clear message, then re-planned"
            outcomes = await play(service, session_id)
            values = (await service.graph.aget_state(service._config(session_id))).values
        memories = deps.require_memory().list(USER)
    finally:
        deps.close()
    return {"at_kill": at_kill, "opened": opened, "outcomes": outcomes, "values": values, "memories": memories}


@pytest.fixture(scope="module")
def baseline(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder, shared_data: Path
) -> dict[str, Any]:
    """The same script without a kill."""
    data_dir = tmp_path_factory.mktemp("baseline") / "data"
    settings = _settings(data_dir, shared_data)
    data_dir.mkdir(parents=True)
    deps = make_deps(settings, embedder, QdrantMemoryStore(embedder, path=settings.resolved_qdrant_path))

    async def run() -> tuple[Counter[str], dict[str, Any]]:
        async with InterviewService.open(deps) as service:
            turn = await service.start(USER, request())
            outcomes = await play(service, turn.session_id)
            return outcomes, (await service.graph.aget_state(service._config(turn.session_id))).values

    try:
        outcomes, values = asyncio.run(run())
        memories = deps.require_memory().list(USER)
    finally:
        deps.close()
    assert outcomes == Counter(applied=len(SCRIPT))
    return {"values": values, "memories": memories}


def _scores(values: dict[str, Any]) -> list[int | None]:
    report = report_of(values)
    assert report is not None
    return [q.scores["answer_quality"].value for q in report.questions]


@pytest.mark.parametrize("point", KILL_POINTS)
async def test_kill_at_step_boundary_then_resume(
    point: str,
    forkserver: ForkServerContext,
    baseline: dict[str, Any],
    embedder: SentenceTransformerEmbedder,
    shared_data: Path,
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    session_id = secrets.token_hex(16)
    child = forkserver.Process(target=run_child, args=(str(data_dir), str(shared_data), session_id, point))
    child.start()
    child.join(timeout=900)
    log = (data_dir / "child.log").read_text(encoding="utf-8").splitlines()
    assert child.exitcode == -signal.SIGKILL, log
    assert log[-1] == f"KILL {point}", "the child must die at the kill point, not finish"
    done_before_kill = sum(line.startswith("DONE ") for line in log)

    result = await _finished(data_dir, session_id, embedder, shared_data)
    values, outcomes = result["values"], result["outcomes"]

    # Every input applied exactly once: those done before the kill (and the one in flight,
    # if its input was saved) come back replayed, the rest are applied now.
    assert outcomes["replayed"] + outcomes["applied"] == len(SCRIPT)
    assert outcomes["replayed"] in {done_before_kill, done_before_kill + 1}
    events = events_of(values)
    candidate = Counter(e.text for e in events if e.role == "candidate")
    assert candidate == Counter(step.text for step in SCRIPT)
    asked = Counter(e.question.question_id for e in events if e.kind == "question" and e.question is not None)
    assert asked == Counter(QUESTION_IDS), "no question is asked twice"
    assert [r["question"]["id"] for r in values["results"]] == QUESTION_IDS

    # The report is complete and the same as without the kill; the session ended normally.
    assert values["phase"] == "ended"
    report = report_of(values)
    assert report is not None and all(q.evaluation is not None for q in report.questions)
    assert _scores(values) == _scores(baseline["values"])
    assert sum(e.kind == "report" for e in events) == 1

    # Long-term memory holds each record once: the ids the report derives, one session summary.
    memories = result["memories"]
    assert sorted(m.id for m in memories) == sorted(r.id for r in memories_for_report(report))
    assert Counter(m.kind for m in memories) == Counter(m.kind for m in baseline["memories"])
    assert sum(m.kind == "session_summary" and m.session_id == session_id for m in memories) == 1

    at_kill = result["at_kill"]
    if point == "before:remember:1":
        assert at_kill["memories"] == len(memories), "the killed run had stored its memories; the re-run kept one copy"
    if point.startswith("after:"):
        # The narrow window: the node's writes are saved, the next checkpoint is not.
        assert at_kill["saved_writes"] == [point.split(":")[1]] and at_kill["next"] == []
    MATRIX.append(
        {
            "kill point": point,
            "state at kill": at_kill,
            "opened": result["opened"],
            "inputs done before kill": done_before_kill,
            "replayed": outcomes["replayed"],
            "applied after reopen": outcomes["applied"],
            "questions asked": sum(asked.values()),
            "memories": len(memories),
        }
    )
