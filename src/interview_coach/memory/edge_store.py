"""Embedded long-term memory on Qdrant Edge: Qdrant's own engine, in-process, on disk.

The shard lives in ``<folder>/edge/<collection>``. It is configured for multitenancy the way
Qdrant recommends: ``user_id`` is a tenant keyword index and the HNSW graphs are built per
tenant (``m=0, payload_m=16``), because every read in this project filters by one user.
``kind`` and ``created_at`` are indexed without graphs, for the kind filter and the
newest-first order of ``list``. One process at a time: an ``fcntl`` lock on
``<folder>/edge/.lock`` is held for the store's life (and covers the migration of an old
qdrant-client local-mode folder, see :mod:`interview_coach.memory.migrate`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from interview_coach.domain import MemoryKind, MemoryRecord

if TYPE_CHECKING:
    import qdrant_edge

EDGE_FOLDER = "edge"
# Qdrant's multitenancy recipe: no global graph, one graph per user once the user has more
# points than a full scan handles quickly (HNSW full_scan_threshold, in KB of vectors).
_HNSW_M = 0
_HNSW_PAYLOAD_M = 16
_HNSW_EF_CONSTRUCT = 100
_FULL_SCAN_THRESHOLD_KB = 10_000


class EdgeFolderLockedError(RuntimeError):
    """Another process holds the embedded memory folder."""


def shard_path(folder: Path, collection: str) -> Path:
    """Return where the Edge shard of ``collection`` lives inside the memory folder."""
    return folder / EDGE_FOLDER / collection


def _user_filter(user_id: str, kinds: Sequence[MemoryKind] | None) -> qdrant_edge.Filter:
    from qdrant_edge import FieldCondition, Filter, MatchAny, MatchValue

    must: list[FieldCondition] = [FieldCondition(key="user_id", match=MatchValue(user_id))]
    if kinds:
        must.append(FieldCondition(key="kind", match=MatchAny([str(kind) for kind in kinds])))
    return Filter(must=list(must))


def _config(dimension: int) -> qdrant_edge.EdgeConfig:
    from qdrant_edge import Distance, EdgeConfig, EdgeVectorParams, HnswIndexConfig

    return EdgeConfig(
        vectors=EdgeVectorParams(size=dimension, distance=Distance.Cosine),
        hnsw_config=HnswIndexConfig(
            m=_HNSW_M,
            ef_construct=_HNSW_EF_CONSTRUCT,
            full_scan_threshold=_FULL_SCAN_THRESHOLD_KB,
            payload_m=_HNSW_PAYLOAD_M,
        ),
    )


def _create_indexes(shard: qdrant_edge.EdgeShard) -> None:
    from qdrant_edge import DatetimeIndexParams, KeywordIndexParams, UpdateOperation

    shard.update(UpdateOperation.create_field_index("user_id", KeywordIndexParams(is_tenant=True)))
    # Graphs per kind or per timestamp would cost minutes of indexing and serve no query.
    shard.update(UpdateOperation.create_field_index("kind", KeywordIndexParams(enable_hnsw=False)))
    shard.update(UpdateOperation.create_field_index("created_at", DatetimeIndexParams(enable_hnsw=False)))


def create_shard(path: Path, dimension: int) -> qdrant_edge.EdgeShard:
    """Create an empty, indexed shard at ``path`` (which must not hold one)."""
    from qdrant_edge import EdgeShard

    shard = EdgeShard.create(str(path), _config(dimension))
    _create_indexes(shard)
    return shard


def upsert(shard: qdrant_edge.EdgeShard, records: Sequence[MemoryRecord], vectors: NDArray[np.float32]) -> None:
    """Write records with their vectors as one update (one WAL entry), then flush to segments."""
    from qdrant_edge import Point, UpdateOperation

    points = [
        Point(record.id, vector.tolist(), record.model_dump(mode="json"))
        for record, vector in zip(records, vectors, strict=True)
    ]
    shard.update(UpdateOperation.upsert_points(points))
    # Flushing keeps the WAL short, so reopening replays little (reopen time is a target).
    shard.flush()


class EdgeMemoryBackend:
    """Qdrant Edge shard in a memory folder, held by this process alone."""

    def __init__(self, folder: Path, collection: str, dimension: int) -> None:
        """Lock the folder, migrate an old local-mode collection if present, open the shard.

        Raises:
            EdgeFolderLockedError: another process holds the folder.

        """
        from qdrant_edge import EdgeShard

        from interview_coach.memory.migrate import migrate_local_mode

        edge_root = folder / EDGE_FOLDER
        edge_root.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(edge_root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise EdgeFolderLockedError(f"{folder} is locked by another process") from None
            path = shard_path(folder, collection)
            if not path.exists():
                staging = path.with_name(f".{collection}.staging")
                shutil.rmtree(staging, ignore_errors=True)  # a migration that died half-way
                shard = create_shard(staging, dimension)
                try:
                    migrate_local_mode(folder, collection, shard)
                finally:
                    shard.close()
                staging.rename(path)  # atomic: the shard appears complete or not at all
            self._shard = EdgeShard.load(str(path))
            self._closed = False
        except BaseException:
            os.close(self._lock_fd)
            raise

    def add(self, records: Sequence[MemoryRecord], vectors: NDArray[np.float32]) -> None:
        """Upsert records and their vectors in one batch."""
        upsert(self._shard, records, vectors)

    def search(
        self, user_id: str, vector: NDArray[np.float32], kinds: Sequence[MemoryKind] | None, limit: int
    ) -> list[MemoryRecord]:
        """Return the user's records nearest to ``vector``."""
        from qdrant_edge import Query, QueryRequest

        hits = self._shard.query(
            QueryRequest(
                limit=limit,
                query=Query.Nearest(vector.tolist()),
                filter=_user_filter(user_id, kinds),
                with_payload=True,
            )
        )
        return [MemoryRecord.model_validate(hit.payload) for hit in hits if hit.payload]

    def list(self, user_id: str, kinds: Sequence[MemoryKind] | None, limit: int) -> list[MemoryRecord]:
        """Return the user's records, newest first, ordered by the engine's datetime index."""
        from qdrant_edge import Direction, OrderBy, ScrollRequest

        points, _ = self._shard.scroll(
            ScrollRequest(
                limit=limit,
                filter=_user_filter(user_id, kinds),
                with_payload=True,
                order_by=OrderBy("created_at", Direction.Desc),
            )
        )
        return [MemoryRecord.model_validate(p.payload) for p in points if p.payload]

    def delete_user(self, user_id: str) -> int:
        """Delete every record of the user; return how many there were."""
        from qdrant_edge import CountRequest, UpdateOperation

        user = _user_filter(user_id, None)
        count = self._shard.count(CountRequest(exact=True, filter=user))
        if count:
            self._shard.update(UpdateOperation.delete_points_by_filter(user))
            self._shard.flush()
        return count

    def optimize(self) -> bool:
        """Build the per-user HNSW graphs now (blocking; minutes at 100k memories on 2 cores)."""
        return self._shard.optimize()

    def close(self) -> None:
        """Flush, close the shard and release the folder lock (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._shard.flush()
            self._shard.close()
        finally:
            os.close(self._lock_fd)
