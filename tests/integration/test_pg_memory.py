"""Long-term memory on Postgres: two OS processes at once, the settings wiring, bad input, DELETE /api/me.

The contract itself (scoping, ranking, listing, overwrite, delete, reopen) runs on this engine
in ``test_memory_contract.py``. The cluster is the throwaway real PostgreSQL of ``conftest.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from numpy.typing import NDArray

from interview_coach.core.settings import Settings
from interview_coach.deps import build_deps
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.pg_store import PostgresMemoryStore
from interview_coach.memory.store import MemoryUnavailableError, new_record
from live_server import free_port

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'interview-coach[postgres]')")

pytestmark = pytest.mark.slow

WRITER = Path(__file__).with_name("pg_memory_writer.py")
ROUNDS = 15


def _table() -> str:
    return f"memory_{uuid.uuid4().hex[:12]}"


def _rows_by_user(dsn: str, table: str) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(f"SELECT user_id, COUNT(*) FROM {table} GROUP BY user_id").fetchall()
    return {user: int(count) for user, count in rows}


def test_two_processes_write_and_read_the_same_memory_at_once(postgres_dsn: str, tmp_path: Path) -> None:
    table, go = _table(), tmp_path / "go"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    outs = {user: tmp_path / f"{user}.json" for user in ("ana", "ben")}
    logs = {user: (tmp_path / f"{user}.log").open("wb") for user in outs}
    writers = [
        subprocess.Popen(
            [sys.executable, str(WRITER), postgres_dsn, table, user, str(go), str(out), str(ROUNDS), str(flip)],
            env=env,
            stdout=logs[user],
            stderr=subprocess.STDOUT,
        )
        for flip, (user, out) in enumerate(outs.items())
    ]
    try:
        for writer, (user, out) in zip(writers, outs.items(), strict=True):
            while not out.with_suffix(".ready").exists():
                assert writer.poll() is None, (tmp_path / f"{user}.log").read_text()[-3000:]
                time.sleep(0.05)
        go.touch()
        for writer, user in zip(writers, outs, strict=True):
            writer.wait(timeout=600)
            assert writer.returncode == 0, (tmp_path / f"{user}.log").read_text()[-3000:]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
        for handle in logs.values():
            handle.close()
    ana, ben = (json.loads(out.read_text()) for out in outs.values())
    # The two processes' writes interleaved (each wrote before the other finished).
    assert ana["first_write"] < ben["last_write"] and ben["first_write"] < ana["last_write"]
    for report in (ana, ben):
        assert report["foreign_hits"] == 0
        assert report["own_counts"] == [20 * (i + 1) for i in range(ROUNDS)]  # each batch visible at once, whole
        assert set(report["shared_counts"]) == {10}  # upserted by both, never duplicated
    assert _rows_by_user(postgres_dsn, table) == {"ana": 20 * ROUNDS, "ben": 20 * ROUNDS, "team": 10}


def test_settings_pick_postgres_memory_on_the_checkpointer_database_or_its_own_dsn(
    postgres_dsn: str, tmp_path: Path
) -> None:
    table = _table()
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        memory_engine="postgres",
        checkpointer_dsn=postgres_dsn,
        memory_dsn=None,
        memory_collection=table,
        _env_file=None,
    )
    deps = build_deps(settings)
    try:
        assert isinstance(deps.memory, PostgresMemoryStore)
        deps.memory.add([new_record("dana", "goal", "Answer in under two minutes")])
    finally:
        deps.close()
    assert _rows_by_user(postgres_dsn, table) == {"dana": 1}
    assert not (settings.data_dir / "qdrant").exists()

    own = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path / "own",
        memory_engine="postgres",
        memory_dsn=postgres_dsn,
        checkpointer_dsn=None,
        memory_collection=table,
        _env_file=None,
    )
    assert own.resolved_memory_dsn == postgres_dsn and own.checkpointer_dsn is None
    deps = build_deps(own)
    try:
        assert [r.text for r in deps.memory.list("dana")] == ["Answer in under two minutes"]  # type: ignore[union-attr]
    finally:
        deps.close()


def test_postgres_memory_without_a_postgres_dsn_or_server_is_a_clear_error(tmp_path: Path) -> None:
    sqlite_only = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path / "data", memory_engine="postgres", memory_dsn=None, checkpointer_dsn=None, _env_file=None
    )
    with pytest.raises(MemoryUnavailableError, match="needs a postgresql:// DSN: set INTERVIEW_COACH_MEMORY_DSN"):
        build_deps(sqlite_only)
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    unreachable = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path / "data", memory_engine="postgres", memory_dsn=down, _env_file=None
    )
    with pytest.raises(MemoryUnavailableError, match=r"Cannot use the long-term memory at .*127\.0\.0\.1.*MEMORY_DSN"):
        build_deps(unreachable)


class _OtherModel:
    """An embedder of another size, standing in for a changed embedding model."""

    dimension = 3

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        return np.ones((len(texts), 3), dtype=np.float32)


def test_vectors_of_another_size_are_refused_and_kept(postgres_dsn: str, embedder: SentenceTransformerEmbedder) -> None:
    table = _table()
    store = PostgresMemoryStore(embedder, postgres_dsn, collection=table)
    store.add([new_record("eve", "weakness", "Long pauses before answering")])
    store.close()
    with pytest.raises(MemoryUnavailableError, match="holds 384-dimensional vectors but the embedding model makes 3"):
        PostgresMemoryStore(_OtherModel(), postgres_dsn, collection=table)
    with pytest.raises(MemoryUnavailableError, match="not a valid table name"):
        PostgresMemoryStore(embedder, postgres_dsn, collection="memory; DROP TABLE sessions")
    assert _rows_by_user(postgres_dsn, table) == {"eve": 1}


def test_an_id_of_another_user_is_never_taken_over(postgres_dsn: str, embedder: SentenceTransformerEmbedder) -> None:
    store = PostgresMemoryStore(embedder, postgres_dsn, collection=_table())
    mine = new_record("fay", "goal", "Lead a project")
    store.add([mine])
    store.add([mine.model_copy(update={"user_id": "mallory", "text": "overwritten"})])
    assert [r.text for r in store.list("fay")] == ["Lead a project"]
    assert store.list("mallory") == []
    store.close()


def test_delete_me_removes_the_users_memories_from_postgres(postgres_dsn: str, tmp_path: Path) -> None:
    from interview_coach.ui.server import create_app

    table = _table()
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        memory_engine="postgres",
        checkpointer_dsn=postgres_dsn,
        memory_dsn=None,
        memory_collection=table,
        api_tokens={"token-gus": "gus-pg", "token-hal": "hal-pg"},
        _env_file=None,
    )
    answer = (
        "In my last role I owned the billing service. A retry change double charged customers, so I rolled it back "
        "within forty minutes, wrote the refund script and added idempotency keys; we had no duplicates since."
    )
    with TestClient(create_app(settings, chat=False, warm_up=False)) as client:
        for token in ("token-gus", "token-hal"):
            auth = {"Authorization": f"Bearer {token}"}
            body = {"role": "Backend Software Engineer", "question_count": 1, "kinds": ["behavioral"]}
            turn = client.post("/api/sessions", json=body, headers=auth).json()
            while turn["waiting_for"] == "answer":
                url = f"/api/sessions/{turn['session_id']}/answers"
                turn = client.post(url, json={"text": answer}, headers=auth).raise_for_status().json()
            assert turn["report_ready"]
        before = _rows_by_user(postgres_dsn, table)
        assert before.get("gus-pg", 0) > 0 and before.get("hal-pg", 0) > 0
        deleted = client.delete("/api/me", headers={"Authorization": "Bearer token-gus"})
        assert deleted.status_code == 200
        assert deleted.json()["deleted"]["memories"] == before["gus-pg"]
    assert _rows_by_user(postgres_dsn, table) == {"hal-pg": before["hal-pg"]}


def test_connections_the_server_dropped_are_replaced_without_losing_memories(
    postgres_dsn: str, embedder: SentenceTransformerEmbedder
) -> None:
    # What a Postgres restart or failover does to a long-lived serve process: its pooled connections die.
    store = PostgresMemoryStore(embedder, f"{postgres_dsn}?application_name=ivy-memory", collection=_table())
    store.add([new_record("ivy", "goal", "Speak slower in the first minute")])
    assert [r.text for r in store.search("ivy", "pace")] == ["Speak slower in the first minute"]
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'ivy-memory'"
        ).fetchone()
    assert row is not None and row[0] >= 1
    assert [r.text for r in store.search("ivy", "pace")] == ["Speak slower in the first minute"]
    store.add([new_record("ivy", "weakness", "Long pauses before the first word")])
    assert len(store.list("ivy")) == 2
    store.close()
