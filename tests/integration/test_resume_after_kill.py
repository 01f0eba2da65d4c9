"""A session survives SIGKILL mid-turn and resumes exactly where it stopped."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from interview_coach.deps import AppDeps
from interview_coach.graphs.service import InterviewService

pytestmark = pytest.mark.slow

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from interview_coach.deps import build_deps
    from interview_coach.domain import InterviewPlanRequest
    from interview_coach.graphs.service import InterviewService
    from interview_coach.core.settings import Settings

    async def main() -> None:
        deps = build_deps(Settings(data_dir=Path(sys.argv[1]), _env_file=None))
        async with InterviewService.open(deps) as service:
            turn = await service.start("kim", InterviewPlanRequest(question_count=2, question_ids=["tech-db-001", "tech-api-003"]))
            print("SESSION", turn.session_id, flush=True)
            print("SENDING", flush=True)
            await service.send(turn.session_id, "kim", "An index is a sorted B-tree that lets the database avoid a full scan; writes get slower.")
            print("FINISHED", flush=True)

    asyncio.run(main())
    """
)


def _checkpoint_count(db: Path, thread: str) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = ?", (thread,)).fetchone()[0])
    except sqlite3.Error:
        return 0


async def test_sigkill_during_analysis_then_resume(deps: AppDeps, tmp_path: Path) -> None:
    data_dir = deps.settings.data_dir
    deps.close()  # the child process needs the embedded Qdrant folder
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir)], stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    session_id = child.stdout.readline().split()[1]
    assert child.stdout.readline().strip() == "SENDING"
    db = data_dir / "checkpoints.sqlite"
    baseline = _checkpoint_count(db, session_id)
    deadline = time.monotonic() + 60
    while _checkpoint_count(db, session_id) <= baseline and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    from interview_coach.deps import build_deps

    fresh = build_deps(deps.settings)
    try:
        async with InterviewService.open(fresh) as service:
            snapshot = await service.graph.aget_state(service._config(session_id))
            assert snapshot.next and snapshot.next[0] in {"analyze_answer", "evaluate_answer"}, (
                "the kill must land mid-turn"
            )
            assert not any(task.interrupts for task in snapshot.tasks)
            turn = await service.resume(session_id, "kim")
            assert turn.waiting_for == "answer"
            assert turn.question and turn.question.id in {"tech-api-003", "tech-db-001~fu1"}
            candidate = [m for m in turn.messages if m.role == "candidate"]
            assert len(candidate) == 1 and candidate[0].text.startswith("An index is a sorted B-tree")
            state = await service.graph.aget_state(service._config(session_id))
            assert len(state.values["results"]) == 1
            assert state.values["results"][0]["question"]["id"] == "tech-db-001"
    finally:
        fresh.close()
