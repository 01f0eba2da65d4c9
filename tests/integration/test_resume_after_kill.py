"""A session survives SIGKILL mid-turn and resumes exactly where it stopped."""

from __future__ import annotations

import os
import secrets
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
from kill_driver import USER, WEAK

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


def _kill_child_at(data_dir: Path, session_id: str, point: str) -> list[str]:
    """Run the scripted interview of ``kill_driver`` in a child that SIGKILLs itself at ``point``."""
    code = f"import sys; from kill_driver import run_child; run_child({str(data_dir)!r}, '', {session_id!r}, {point!r})"
    tests_dir = Path(__file__).resolve().parents[1]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.pathsep.join([str(tests_dir), *sys.path])}
    child = subprocess.run([sys.executable, "-c", code], env=env, check=False, timeout=900)
    log = (data_dir / "child.log").read_text(encoding="utf-8").splitlines()
    assert child.returncode == -signal.SIGKILL and log[-1] == f"KILL {point}", log
    return log


def test_chat_session_prompts_again_after_a_kill_between_writes_and_checkpoint(tmp_path: Path) -> None:
    data_dir, session_id = tmp_path / "data", secrets.token_hex(16)
    data_dir.mkdir()
    _kill_child_at(data_dir, session_id, "after:evaluate_answer:1")
    env = {**os.environ, "INTERVIEW_COACH_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
    chat = subprocess.run(
        [sys.executable, "-m", "interview_coach", "chat", "--session", session_id, "--user", USER],
        input=f"{WEAK}\n/quit\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert chat.returncode == 0, chat.stderr[-2000:]
    out = chat.stdout
    # The step the kill cut short is finished: Q1's feedback, then Q2, then a prompt that takes the answer.
    assert "Feedback on Q1" in out and "Interviewer [Q2/2]" in out
    assert out.count("you (answer)>") == 2, out[-1500:]
    assert "Interviewer [Q2/2 · follow-up]" in out


def test_api_answers_and_coach_work_after_a_kill(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from interview_coach.core.settings import Settings
    from interview_coach.ui.server import create_app

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    stuck_interview, stuck_coach = secrets.token_hex(16), secrets.token_hex(16)
    _kill_child_at(data_dir, stuck_interview, "after:evaluate_answer:1")
    (data_dir / "child.log").unlink()
    _kill_child_at(data_dir, stuck_coach, "after:remember:1")
    settings = Settings(data_dir=data_dir, api_tokens={"token-kim": USER}, _env_file=None)  # type: ignore[call-arg]
    headers = {"Authorization": "Bearer token-kim"}
    with TestClient(create_app(settings, chat=False, warm_up=False)) as client:
        answer = client.post(
            f"/api/sessions/{stuck_interview}/answers",
            json={"text": WEAK, "question_id": "tech-api-003"},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["question"]["id"] == "tech-api-003~fu1"
        coach = client.post(
            f"/api/sessions/{stuck_coach}/coach", json={"text": "why was question 2 rated low?"}, headers=headers
        )
        assert coach.status_code == 200, coach.text
        assert any(m["role"] == "coach" for m in coach.json()["messages"])
