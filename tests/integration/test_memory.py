"""Long-term memory on real embedded Qdrant with real embeddings."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from interview_coach.assessment.progress import describe_progress, metric_trends
from interview_coach.domain import MemoryRecord
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.store import MemoryUnavailableError, QdrantMemoryStore, new_record

pytestmark = pytest.mark.slow


@pytest.fixture
def store(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> QdrantMemoryStore:
    memory = QdrantMemoryStore(embedder, path=tmp_path / "qdrant")
    yield memory
    memory.close()


def test_search_finds_semantically_related_record_for_the_owner_only(store: QdrantMemoryStore) -> None:
    store.add(
        [
            new_record("alice", "weakness", "Used many filler words like um and uh while answering"),
            new_record("alice", "strength", "Explained database indexing trade-offs clearly"),
            new_record("bob", "weakness", "Said um and uh constantly, lots of verbal fillers"),
        ]
    )
    hits = store.search("alice", "hesitation sounds when speaking", limit=2)
    assert hits[0].text.startswith("Used many filler words")
    assert all(h.user_id == "alice" for h in hits)
    assert [h.user_id for h in store.search("bob", "fillers", limit=5)] == ["bob"]


def test_list_filters_by_kind_and_sorts_newest_first(store: QdrantMemoryStore) -> None:
    old = new_record("alice", "goal", "Get a senior backend role")
    old = old.model_copy(update={"created_at": datetime.now(UTC) - timedelta(days=3)})
    new = new_record("alice", "goal", "Reduce fillers below two per minute")
    store.add([old, new, new_record("alice", "weakness", "Too short answers")])
    goals = store.list("alice", kinds=["goal"])
    assert [g.text for g in goals] == ["Reduce fillers below two per minute", "Get a senior backend role"]


def test_stable_key_overwrites_instead_of_duplicating(store: QdrantMemoryStore) -> None:
    store.add([new_record("alice", "session_summary", "first", stable_key="s1:summary")])
    store.add([new_record("alice", "session_summary", "second", stable_key="s1:summary")])
    summaries = store.list("alice", kinds=["session_summary"])
    assert [s.text for s in summaries] == ["second"]


def test_delete_user_removes_only_that_user(store: QdrantMemoryStore) -> None:
    store.add([new_record("alice", "goal", "a"), new_record("alice", "goal", "b"), new_record("bob", "goal", "c")])
    assert store.delete_user("alice") == 2
    assert store.list("alice") == []
    assert len(store.list("bob")) == 1


def test_batch_of_hundreds_is_stored_and_persists_across_reopen(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    path = tmp_path / "qdrant"
    memory = QdrantMemoryStore(embedder, path=path)
    memory.add([new_record("carol", "chat_fact", f"fact number {i}") for i in range(300)])
    memory.close()
    reopened = QdrantMemoryStore(embedder, path=path)
    assert len(reopened.list("carol", limit=1000)) == 300
    reopened.close()


def _open_in_child(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from interview_coach.memory.embeddings import SentenceTransformerEmbedder as Emb

    try:
        QdrantMemoryStore(Emb(), path=Path(path))
        queue.put("opened")
    except MemoryUnavailableError as exc:
        queue.put(f"refused: {exc}")


def test_locked_folder_gives_a_clear_error(store: QdrantMemoryStore, tmp_path: Path) -> None:
    queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
    child = multiprocessing.get_context("spawn").Process(target=_open_in_child, args=(str(tmp_path / "qdrant"), queue))
    child.start()
    child.join(120)
    outcome = queue.get(timeout=5)
    assert outcome.startswith("refused:")
    assert "another interview-coach process" in outcome


def test_progress_reports_first_to_latest_change() -> None:
    def summary(days_ago: int, fillers: float, quality: float) -> MemoryRecord:
        record = new_record(
            "u", "session_summary", "s", metrics={"fillers_per_min": fillers, "answer_quality": quality}
        )
        return record.model_copy(update={"created_at": datetime.now(UTC) - timedelta(days=days_ago)})

    records = [summary(1, 4.3, 71), summary(9, 9.1, 55), summary(5, 6.0, 60)]
    trends = {t.metric: t for t in metric_trends(records)}
    assert trends["fillers_per_min"].first == 9.1 and trends["fillers_per_min"].latest == 4.3
    assert trends["fillers_per_min"].improved and trends["answer_quality"].improved
    lines = describe_progress(records)
    assert any(line.startswith("fillers/min 9.1 → 4.3 (better, 3 sessions)") for line in lines)
