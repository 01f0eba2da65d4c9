"""Long-term memory: the Qdrant implementation of the ``MemoryStore`` port.

Engines: Qdrant Edge in-process on a folder (the default, :mod:`interview_coach.memory.edge_store`),
a Qdrant server by URL for several processes, or qdrant-client's local mode (legacy fallback).

Every record carries ``user_id`` and every read filters on it here, in the store layer, so no
caller can forget the filter and leak another user's memories.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.embedding import Embedder
from interview_coach.core.ports import MemoryStore
from interview_coach.domain import MemoryKind, MemoryRecord


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


MemoryEngine = Literal["edge", "local"]


class _ClientBackend:
    """qdrant-client: a Qdrant server by URL, or the legacy local mode (a Python scan) on a folder."""

    def __init__(
        self, *, dimension: int, path: Path | None, url: str | None, api_key: str | None, collection: str
    ) -> None:
        from qdrant_client import QdrantClient

        self._collection = collection
        if url:
            self._client: QdrantClient = QdrantClient(url=url, api_key=api_key, timeout=10)
        else:
            assert path is not None
            self._client = QdrantClient(path=str(path))
        self._ensure_collection(dimension, server=url is not None)

    def _ensure_collection(self, dimension: int, *, server: bool) -> None:
        from qdrant_client import models

        if not self._client.collection_exists(self._collection):
            self._client.create_collection(
                self._collection, vectors_config=models.VectorParams(size=dimension, distance=models.Distance.COSINE)
            )
            for field_name in ("user_id", "kind") if server else ():
                # Only a server uses payload indexes; they make the per-user filter fast at scale.
                self._client.create_payload_index(self._collection, field_name, models.PayloadSchemaType.KEYWORD)

    @staticmethod
    def _user_filter(user_id: str, kinds: Sequence[MemoryKind] | None) -> Any:
        from qdrant_client import models

        must: list[Any] = [models.FieldCondition(key="user_id", match=models.MatchValue(value=user_id))]
        if kinds:
            must.append(models.FieldCondition(key="kind", match=models.MatchAny(any=list(kinds))))
        return models.Filter(must=must)

    def add(self, records: Sequence[MemoryRecord], vectors: NDArray[np.float32]) -> None:
        from qdrant_client import models

        self._client.upsert(
            self._collection,
            points=models.Batch(
                ids=[r.id for r in records],
                vectors=[v.tolist() for v in vectors],
                payloads=[r.model_dump(mode="json") for r in records],
            ),
        )

    def search(
        self, user_id: str, vector: NDArray[np.float32], kinds: Sequence[MemoryKind] | None, limit: int
    ) -> list[MemoryRecord]:
        hits = self._client.query_points(
            self._collection,
            query=vector.tolist(),
            limit=limit,
            query_filter=self._user_filter(user_id, kinds),
            with_payload=True,
        ).points
        return [MemoryRecord.model_validate(hit.payload) for hit in hits if hit.payload]

    def list(self, user_id: str, kinds: Sequence[MemoryKind] | None, limit: int) -> list[MemoryRecord]:
        records: list[MemoryRecord] = []
        offset: Any = None
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
        from qdrant_client import models

        count = self._client.count(self._collection, count_filter=self._user_filter(user_id, None), exact=True).count
        self._client.delete(
            self._collection, points_selector=models.FilterSelector(filter=self._user_filter(user_id, None))
        )
        return count

    def close(self) -> None:
        self._client.close()


class _Backend(Protocol):
    """What the store needs from an engine; every read and delete takes the owner."""

    def add(self, records: Sequence[MemoryRecord], vectors: NDArray[np.float32]) -> None: ...

    def search(
        self, user_id: str, vector: NDArray[np.float32], kinds: Sequence[MemoryKind] | None, limit: int
    ) -> list[MemoryRecord]: ...

    def list(self, user_id: str, kinds: Sequence[MemoryKind] | None, limit: int) -> list[MemoryRecord]: ...

    def delete_user(self, user_id: str) -> int: ...

    def close(self) -> None: ...


class QdrantMemoryStore:
    """Qdrant-backed memory: Qdrant Edge in an on-disk folder by default, a server when a URL is given.

    ``engine="local"`` keeps qdrant-client's local mode on the folder (the engine of earlier
    versions, a Python scan that slows down past ~20k memories) as a fallback.
    """

    def __init__(
        self,
        embedder: Embedder,
        *,
        path: Path | None = None,
        url: str | None = None,
        api_key: str | None = None,
        collection: str = "interview_coach_memory",
        engine: MemoryEngine = "edge",
    ) -> None:
        """Open (and create if needed) the collection; an old local-mode folder migrates to Edge.

        Raises:
            MemoryUnavailableError: the folder is locked by another process, or the server or
                the data is unusable.

        """
        from interview_coach.memory.edge_store import EdgeFolderLockedError, EdgeMemoryBackend

        self._embedder = embedder
        self._lock = threading.Lock()
        where = url or str(path)
        try:
            if not url and path is None:
                raise MemoryUnavailableError("Set INTERVIEW_COACH_QDRANT_PATH or INTERVIEW_COACH_QDRANT_URL.")
            if not url and path is not None:
                path.mkdir(parents=True, exist_ok=True)
            self._backend: _Backend
            if url or engine == "local":
                self._backend = _ClientBackend(
                    dimension=embedder.dimension, path=path, url=url, api_key=api_key, collection=collection
                )
            else:
                assert path is not None
                self._backend = EdgeMemoryBackend(path, collection, embedder.dimension)
        except MemoryUnavailableError:
            raise
        except Exception as exc:
            message = str(exc)
            if isinstance(exc, EdgeFolderLockedError) or "already accessed" in message or "lock" in message.lower():
                raise MemoryUnavailableError(
                    f"The memory folder {where} is in use by another interview-coach process. Stop it, "
                    "or point INTERVIEW_COACH_QDRANT_URL at a Qdrant server to share memory between processes."
                ) from exc
            raise MemoryUnavailableError(f"Cannot open long-term memory at {where}: {message}") from exc

    @property
    def backend(self) -> object:
        """The engine adapter in use (for benchmarks and diagnostics)."""
        return self._backend

    def add(self, records: Sequence[MemoryRecord]) -> None:
        """Store records in one batched upsert (one engine update per call)."""
        if not records:
            return
        vectors = np.asarray(self._embedder.encode([r.text for r in records]), dtype=np.float32)
        with self._lock:
            self._backend.add(records, vectors)

    def search(
        self, user_id: str, query: str, *, kinds: Sequence[MemoryKind] | None = None, limit: int = 5
    ) -> list[MemoryRecord]:
        """Return the user's records most similar to the query."""
        vector = np.asarray(self._embedder.encode([query])[0], dtype=np.float32)
        with self._lock:
            return self._backend.search(user_id, vector, kinds, limit)

    def list(self, user_id: str, *, kinds: Sequence[MemoryKind] | None = None, limit: int = 200) -> list[MemoryRecord]:
        """Return the user's records, newest first."""
        with self._lock:
            return self._backend.list(user_id, kinds, limit)

    def delete_user(self, user_id: str) -> int:
        """Delete every record of the user; return how many were removed."""
        with self._lock:
            return self._backend.delete_user(user_id)

    def close(self) -> None:
        """Release the embedded folder lock."""
        with self._lock:
            self._backend.close()


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
