"""The ``MemoryStore`` contract on every engine available here, and the migration to Qdrant Edge.

Engines: Qdrant Edge (the embedded default), qdrant-client's local mode (the legacy fallback,
and the same qdrant-client code path the server URL uses) and the Postgres table (the
multi-process engine, on a throwaway real PostgreSQL cluster, see ``conftest.py``). No Qdrant
server binary can be obtained on these machines, so the URL mode is not run here; several
processes sharing memory are tested on Postgres (``test_pg_memory.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient, models

from interview_coach.core.ports import MemoryStore
from interview_coach.domain import MemoryRecord
from interview_coach.memory.edge_store import shard_path
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.store import MemoryEngine, MemoryUnavailableError, QdrantMemoryStore, new_record

pytestmark = pytest.mark.slow

ENGINES: list[MemoryEngine] = ["edge", "local"]
ALL_ENGINES = [*ENGINES, "postgres"]


@pytest.fixture(params=ALL_ENGINES)
def open_store(
    request: pytest.FixtureRequest, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> Iterator[Callable[[], MemoryStore]]:
    """Open the same fresh store of one engine; each call is a new open (a reopen after the first)."""
    opened: list[MemoryStore] = []

    def open_it() -> MemoryStore:
        if request.param == "postgres":
            from interview_coach.memory.pg_store import PostgresMemoryStore

            dsn = request.getfixturevalue("postgres_dsn")
            opened.append(PostgresMemoryStore(embedder, dsn, collection=table))
        else:
            opened.append(QdrantMemoryStore(embedder, path=tmp_path / "memory", engine=request.param))
        return opened[-1]

    table = f"memory_{uuid.uuid4().hex[:12]}"  # a fresh table per test on the shared cluster
    yield open_it
    for memory in opened:
        memory.close()


@pytest.fixture
def store(open_store: Callable[[], MemoryStore]) -> MemoryStore:
    return open_store()


def _aged(record: MemoryRecord, days: int) -> MemoryRecord:
    return record.model_copy(update={"created_at": datetime.now(UTC) - timedelta(days=days)})


def test_every_read_is_scoped_to_its_user(store: MemoryStore) -> None:
    store.add(
        [
            new_record("alice", "weakness", "Used many filler words like um and uh"),
            new_record("bob", "weakness", "Said um and uh constantly, lots of verbal fillers"),
            new_record("bob", "goal", "Land a staff engineer role"),
        ]
    )
    assert [r.user_id for r in store.search("alice", "fillers", limit=10)] == ["alice"]
    assert {r.user_id for r in store.list("bob")} == {"bob"}
    assert store.search("carol", "fillers") == [] and store.list("carol") == []


def test_search_ranks_by_cosine_similarity_and_filters_kinds(
    store: MemoryStore, embedder: SentenceTransformerEmbedder
) -> None:
    texts = [
        "Answers ran far past the two-minute time budget",
        "Explained database indexing trade-offs clearly",
        "Keep every answer under two minutes",
        "Said um and uh in almost every sentence",
    ]
    store.add([new_record("alice", "goal" if "Keep" in t else "weakness", t) for t in texts])
    query = "talking for too long"
    vectors = embedder.encode([*texts, query])
    docs, q = vectors[:-1], vectors[-1]
    cosine = docs @ q / (np.linalg.norm(docs, axis=1) * np.linalg.norm(q))
    expected = [texts[i] for i in np.argsort(-cosine)[:3]]
    assert [h.text for h in store.search("alice", query, limit=3)] == expected
    only_goals = store.search("alice", "talking for too long", kinds=["goal"], limit=3)
    assert [h.kind for h in only_goals] == ["goal"]


def test_list_is_newest_first_with_limit_and_round_trips_fields(store: MemoryStore) -> None:
    summary = new_record(
        "alice",
        "session_summary",
        "Backend interview",
        session_id="s-1",
        competencies=["ownership"],
        metrics={"fillers_per_min": 3.5},
        data={"role": "backend", "tags": ["a", "b"]},
    )
    store.add([_aged(new_record("alice", "session_summary", f"old {d}"), d) for d in (5, 3, 9)] + [summary])
    listed = store.list("alice", kinds=["session_summary"], limit=3)
    assert [r.text for r in listed] == ["Backend interview", "old 3", "old 5"]
    assert listed[0] == summary


def test_stable_key_overwrites_and_delete_user_counts(store: MemoryStore) -> None:
    store.add([new_record("alice", "goal", "first", stable_key="s1:goal")])
    store.add([new_record("alice", "goal", "second", stable_key="s1:goal"), new_record("alice", "goal", "other")])
    store.add([new_record("bob", "goal", "bob's")])
    assert sorted(r.text for r in store.list("alice")) == ["other", "second"]
    assert store.delete_user("alice") == 2
    assert store.delete_user("alice") == 0
    assert store.list("alice") == [] and store.search("alice", "goal") == []
    assert [r.text for r in store.list("bob")] == ["bob's"]


def test_batch_persists_across_reopen(open_store: Callable[[], MemoryStore]) -> None:
    memory = open_store()
    memory.add([new_record("carol", "chat_fact", f"fact number {i}") for i in range(300)])
    memory.close()
    reopened = open_store()
    assert len(reopened.list("carol", limit=1000)) == 300


def test_second_open_of_an_edge_folder_is_refused_until_closed(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    first = QdrantMemoryStore(embedder, path=tmp_path / "memory")
    with pytest.raises(MemoryUnavailableError, match="in use by another interview-coach process"):
        QdrantMemoryStore(embedder, path=tmp_path / "memory")
    first.close()
    QdrantMemoryStore(embedder, path=tmp_path / "memory").close()


def test_a_local_mode_folder_written_by_the_old_code_migrates_on_first_open(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    folder = tmp_path / "memory"
    old = QdrantMemoryStore(embedder, path=folder, engine="local")
    goals = [_aged(new_record("alice", "goal", f"goal {i}"), i) for i in range(1, 1201)]
    old.add(goals)
    old.add([new_record("bob", "weakness", "Rambles without a clear structure")])
    old.close()
    # The layout the old code leaves behind, checked with qdrant-client itself.
    client = QdrantClient(path=str(folder))
    assert client.count("interview_coach_memory").count == 1201
    client.close()

    migrated = QdrantMemoryStore(embedder, path=folder)
    assert shard_path(folder, "interview_coach_memory").is_dir()
    assert [r.text for r in migrated.list("alice", limit=3)] == ["goal 1", "goal 2", "goal 3"]
    assert len(migrated.list("alice", limit=5000)) == 1200
    assert migrated.search("bob", "no structure when answering")[0].text == "Rambles without a clear structure"
    migrated.add([new_record("bob", "goal", "Use STAR")])
    migrated.close()

    # A second open does not copy again, and the old files are still there, untouched.
    reopened = QdrantMemoryStore(embedder, path=folder)
    assert len(reopened.list("bob")) == 2
    reopened.close()
    client = QdrantClient(path=str(folder))
    assert client.count("interview_coach_memory", count_filter=None).count == 1201
    client.close()


def test_a_half_finished_migration_is_redone(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> None:
    folder = tmp_path / "memory"
    old = QdrantMemoryStore(embedder, path=folder, engine="local")
    old.add([new_record("alice", "goal", "Speak slower")])
    old.close()
    staging = folder / "edge" / ".interview_coach_memory.staging"
    staging.mkdir(parents=True)
    (staging / "garbage").write_text("left by a crash")
    store = QdrantMemoryStore(embedder, path=folder)
    assert [r.text for r in store.list("alice")] == ["Speak slower"]
    assert not staging.exists()
    store.close()


def test_a_vector_size_mismatch_is_a_clear_error_and_keeps_the_old_data(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    folder = tmp_path / "memory"
    client = QdrantClient(path=str(folder))
    client.create_collection(
        "interview_coach_memory", vectors_config=models.VectorParams(size=3, distance=models.Distance.COSINE)
    )
    client.upsert("interview_coach_memory", points=[models.PointStruct(id=1, vector=[1.0, 0.0, 0.0], payload={})])
    client.close()
    with pytest.raises(MemoryUnavailableError, match="Cannot open long-term memory"):
        QdrantMemoryStore(embedder, path=folder)
    assert not shard_path(folder, "interview_coach_memory").exists()
    client = QdrantClient(path=str(folder))
    assert client.count("interview_coach_memory").count == 1
    client.close()
