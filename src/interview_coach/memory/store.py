"""Long-term memory: a ``MemoryStore`` protocol and its Qdrant implementation.

Every record carries ``user_id`` and every read filters on it here, in the store layer, so no
caller can forget the filter and leak another user's memories.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interview_coach.core.embedding import Embedder
from interview_coach.core.ports import MemoryStore
from interview_coach.domain import MemoryKind, MemoryRecord

if TYPE_CHECKING:
    from qdrant_client import QdrantClient


class MemoryUnavailableError(RuntimeError):
    """The memory backend cannot be opened (folder locked, server down, corrupt data)."""


def new_record(
    user_id: str,
    kind: MemoryKind,
    text: str,
    *,
    session_id: str | None = None,
    competencies: list[str] | None = None,
    metrics: dict[str, float] | None = None,
    data: dict[str, str | list[str]] | None = None,
    stable_key: str | None = None,
) -> MemoryRecord:
    """Build a memory record stamped with the current time.

    Args:
        stable_key: when given, the id derives from it, so writing the same fact twice (a
            graph node re-run after a crash) overwrites instead of duplicating.

    """
    record_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{user_id}:{stable_key}") if stable_key else uuid.uuid4()
    return MemoryRecord(
        id=str(record_id),
        user_id=user_id,
        kind=kind,
        text=text,
        session_id=session_id,
        created_at=datetime.now(UTC),
        competencies=competencies or [],
        metrics=metrics or {},
        data=data or {},
    )


class QdrantMemoryStore:
    """Qdrant-backed memory: embedded on-disk folder by default, a server when a URL is given."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        path: Path | None = None,
        url: str | None = None,
        api_key: str | None = None,
        collection: str = "interview_coach_memory",
    ) -> None:
        """Open (and create if needed) the collection.

        Raises:
            MemoryUnavailableError: the folder is locked by another process, or the server or
                the data is unusable.

        """
        from qdrant_client import QdrantClient

        self._embedder = embedder
        self._collection = collection
        self._lock = threading.Lock()
        self._url = url
        try:
            if url:
                self._client: QdrantClient = QdrantClient(url=url, api_key=api_key, timeout=10)
            else:
                if path is None:
                    raise MemoryUnavailableError("Set INTERVIEW_COACH_QDRANT_PATH or INTERVIEW_COACH_QDRANT_URL.")
                path.mkdir(parents=True, exist_ok=True)
                self._client = QdrantClient(path=str(path))
            self._ensure_collection()
        except MemoryUnavailableError:
            raise
        except Exception as exc:
            where = url or str(path)
            message = str(exc)
            if "already accessed" in message or "lock" in message.lower():
                raise MemoryUnavailableError(
                    f"The memory folder {where} is in use by another interview-coach process. Stop it, "
                    "or point INTERVIEW_COACH_QDRANT_URL at a Qdrant server to share memory between processes."
                ) from exc
            raise MemoryUnavailableError(f"Cannot open long-term memory at {where}: {message}") from exc

    def _ensure_collection(self) -> None:
        from qdrant_client import models

        if not self._client.collection_exists(self._collection):
            embedded = self._url is None
            self._client.create_collection(
                self._collection,
                vectors_config=models.VectorParams(size=self._embedder.dimension, distance=models.Distance.COSINE),
            )
            for field_name in ("user_id", "kind") if not embedded else ():
                # Only a server uses payload indexes; they make the per-user filter fast at scale.
                self._client.create_payload_index(self._collection, field_name, models.PayloadSchemaType.KEYWORD)

    @staticmethod
    def _user_filter(user_id: str, kinds: Sequence[MemoryKind] | None) -> Any:
        from qdrant_client import models

        must: list[Any] = [models.FieldCondition(key="user_id", match=models.MatchValue(value=user_id))]
        if kinds:
            must.append(models.FieldCondition(key="kind", match=models.MatchAny(any=list(kinds))))
        return models.Filter(must=must)

    def add(self, records: Sequence[MemoryRecord]) -> None:
        """Store records in one batched upsert (embedded Qdrant commits once per call)."""
        if not records:
            return
        from qdrant_client import models

        vectors = self._embedder.encode([r.text for r in records])
        with self._lock:
            self._client.upsert(
                self._collection,
                points=models.Batch(
                    ids=[r.id for r in records],
                    vectors=[v.tolist() for v in vectors],
                    payloads=[r.model_dump(mode="json") for r in records],
                ),
            )

    def search(
        self, user_id: str, query: str, *, kinds: Sequence[MemoryKind] | None = None, limit: int = 5
    ) -> list[MemoryRecord]:
        """Return the user's records most similar to the query."""
        vector = self._embedder.encode([query])[0].tolist()
        with self._lock:
            hits = self._client.query_points(
                self._collection,
                query=vector,
                limit=limit,
                query_filter=self._user_filter(user_id, kinds),
                with_payload=True,
            ).points
        return [MemoryRecord.model_validate(hit.payload) for hit in hits if hit.payload]

    def list(self, user_id: str, *, kinds: Sequence[MemoryKind] | None = None, limit: int = 200) -> list[MemoryRecord]:
        """Return the user's records, newest first."""
        records: list[MemoryRecord] = []
        offset: Any = None
        with self._lock:
            while len(records) < 10_000:
                points, offset = self._client.scroll(
                    self._collection,
                    scroll_filter=self._user_filter(user_id, kinds),
                    limit=256,
                    offset=offset,
                    with_payload=True,
                )
                records.extend(MemoryRecord.model_validate(p.payload) for p in points if p.payload)
                if offset is None:
                    break
        records.sort(key=lambda r: r.created_at, reverse=True)
        return records[:limit]

    def delete_user(self, user_id: str) -> int:
        """Delete every record of the user; return how many were removed."""
        from qdrant_client import models

        count = len(self.list(user_id, limit=10_000))
        with self._lock:
            self._client.delete(
                self._collection, points_selector=models.FilterSelector(filter=self._user_filter(user_id, None))
            )
        return count

    def close(self) -> None:
        """Release the embedded folder lock."""
        self._client.close()


def session_summaries(
    memory: MemoryStore | None, user_id: str, *, limit: int = 20, exclude_session: str | None = None
) -> list[MemoryRecord]:
    """Return the user's session summaries, newest first (empty without memory).

    Args:
        memory: the store, or ``None`` when the process runs without long-term memory.
        user_id: whose summaries.
        limit: at most this many.
        exclude_session: leave out this session's own summary (a session is not its own baseline).
    """
    if memory is None:
        return []
    records = memory.list(user_id, kinds=["session_summary"], limit=limit + (1 if exclude_session else 0))
    return [r for r in records if r.session_id != exclude_session][:limit]
