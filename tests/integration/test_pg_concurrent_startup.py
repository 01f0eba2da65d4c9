"""Several processes start on one fresh Postgres database at once; the chat tables live there too (issue 16).

Real PostgreSQL (the throwaway cluster of ``conftest.py``, a new database per test) and real OS
processes: ``pg_startup_child.py`` runs a server's database start-up, and one test starts a real
``interview-coach serve``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from interview_coach.memory.sessions import SessionStore
from live_server import start_server, stop_server

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'interview-coach[postgres]')")
pytest.importorskip("asyncpg", reason="asyncpg is not installed (pip install 'interview-coach[postgres]')")
postgres_aio = pytest.importorskip(
    "langgraph.checkpoint.postgres.aio",
    reason="langgraph-checkpoint-postgres is not installed (pip install 'interview-coach[postgres]')",
)

pytestmark = pytest.mark.slow

PROCESSES = 3
CHILD = Path(__file__).with_name("pg_startup_child.py")
CHAT_TABLES = {"users", "threads", "steps", "elements", "feedbacks"}
APP_TABLES = {"checkpoints", "checkpoint_blobs", "checkpoint_writes", "checkpoint_migrations", "sessions", "feedback"}
MEMORY_TABLE = "interview_coach_memory"


@pytest.fixture
def fresh_dsn(postgres_dsn: str) -> Iterator[str]:
    """A new, empty database on the session's cluster."""
    name = f"fresh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield postgres_dsn.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def asyncpg_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


def public_tables(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        return {str(r[0]) for r in rows}


def wait_for_files(paths: list[Path], processes: list[subprocess.Popen[bytes]], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not all(p.exists() for p in paths):
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(f"a start-up process exited early: {process.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            raise AssertionError(f"start-up processes not ready after {timeout_s} s")
        time.sleep(0.1)


def test_three_processes_start_on_one_fresh_database_at_the_same_moment(fresh_dsn: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    outs = [tmp_path / f"child{i}.json" for i in range(PROCESSES)]
    processes = []
    for i, out in enumerate(outs):
        workdir = tmp_path / f"child{i}"
        workdir.mkdir()
        env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "CHAINLIT_APP_ROOT": str(workdir),
            "INTERVIEW_COACH_DATA_DIR": str(workdir / "data"),
            "INTERVIEW_COACH_CHECKPOINTER_DSN": fresh_dsn,
            "INTERVIEW_COACH_MEMORY_ENGINE": "postgres",
        }
        env.pop("INTERVIEW_COACH_MEMORY_DSN", None)
        command = [sys.executable, str(CHILD), asyncpg_url(fresh_dsn), str(go), str(out)]
        processes.append(subprocess.Popen(command, cwd=workdir, env=env, stderr=subprocess.PIPE))
    try:
        wait_for_files([out.with_suffix(".ready") for out in outs], processes, timeout_s=300)
        go.touch()  # every process is imported and waiting: all start their DDL now
        codes = [p.wait(timeout=300) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
    results = [json.loads(out.read_text()) if out.exists() else {"ok": False, "error": "no report"} for out in outs]
    failures = [
        (code, r.get("traceback") or r.get("error")) for code, r in zip(codes, results, strict=True) if not r["ok"]
    ]
    assert failures == [] and codes == [0] * PROCESSES, failures

    assert APP_TABLES | CHAT_TABLES | {MEMORY_TABLE} <= public_tables(fresh_dsn)
    with psycopg.connect(fresh_dsn) as conn:
        versions = [r[0] for r in conn.execute("SELECT v FROM checkpoint_migrations ORDER BY v")]
    assert versions == list(range(len(postgres_aio.AsyncPostgresSaver.MIGRATIONS)))
    # Every process wrote to the one shared index.
    index = SessionStore(fresh_dsn.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        for result in results:
            assert index.get(str(result["session_id"]), "startup-user").role == "Backend Software Engineer"
    finally:
        index.close()


async def test_serve_creates_the_chat_tables_on_postgres_and_a_thread_round_trips(
    fresh_dsn: str, tmp_path: Path
) -> None:
    from chainlit.context import init_http_context
    from chainlit.user import User

    from interview_coach.ui.chat_store import build_data_layer

    env = {
        "INTERVIEW_COACH_AUTH_MODE": "none",
        "INTERVIEW_COACH_CHECKPOINTER_DSN": fresh_dsn,
        "INTERVIEW_COACH_CHAT_DB_URL": asyncpg_url(fresh_dsn),
    }
    server = start_server(tmp_path, env, unset=["INTERVIEW_COACH_MEMORY_ENGINE", "INTERVIEW_COACH_MEMORY_DSN"])
    try:
        # Healthy, and no chat request yet: the tables come from the server's start.
        assert public_tables(fresh_dsn) >= CHAT_TABLES, server.log_tail()
        assert not (server.data_dir / "chat.sqlite").exists()
    finally:
        stop_server(server)

    layer = build_data_layer(asyncpg_url(fresh_dsn), tmp_path / "elements")
    try:
        user = await layer.create_user(User(identifier="pat", metadata={"provider": "password"}))
        assert user is not None
        init_http_context(user=user)
        thread_id = str(uuid.uuid4())
        await layer.update_thread(thread_id, name="Backend mock", user_id=user.id, metadata={"role": "backend"})
        step_id = str(uuid.uuid4())
        await layer.create_step(
            {
                "id": step_id,
                "threadId": thread_id,
                "name": "interviewer",
                "type": "assistant_message",
                "streaming": False,
                "output": "Tell me about a time you fixed a production bug.",
                "createdAt": "2026-11-30T08:00:00Z",
            }
        )
    finally:
        await layer.close()

    reopened = build_data_layer(asyncpg_url(fresh_dsn), tmp_path / "elements")
    try:
        thread = await reopened.get_thread(thread_id)
        assert thread is not None
        assert thread["name"] == "Backend mock" and thread["userIdentifier"] == "pat"
        assert [s["output"] for s in thread["steps"]] == ["Tell me about a time you fixed a production bug."]
        assert await reopened.get_thread_author(thread_id) == "pat"
    finally:
        await reopened.close()
