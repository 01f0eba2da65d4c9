"""Move a memory folder written by qdrant-client's local mode into a Qdrant Edge shard.

Earlier versions stored long-term memory with ``QdrantClient(path=...)``: ``meta.json`` and
``collection/<name>/storage.sqlite`` in the memory folder. On the first open by the Edge
store, every point (its stored vector and payload, so nothing is re-embedded) is copied into
the new shard in batches. The old files are left untouched, so nothing is lost if the copy
fails half-way; the caller builds the shard in a staging folder and renames it only when the
copy is complete.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import qdrant_edge

log = logging.getLogger(__name__)

_BATCH = 1_000


def has_local_mode_collection(folder: Path, collection: str) -> bool:
    """Return whether ``folder`` holds ``collection`` in qdrant-client's local-mode layout."""
    return (folder / "meta.json").is_file() and (folder / "collection" / collection / "storage.sqlite").is_file()


def migrate_local_mode(folder: Path, collection: str, shard: qdrant_edge.EdgeShard) -> int:
    """Copy every point of a local-mode collection into ``shard``; return how many were copied.

    Args:
        folder: the memory folder (its local-mode files are read, never changed).
        collection: the collection to copy.
        shard: an empty Edge shard with the same vector size.

    Raises:
        RuntimeError: the folder is in use by a process still running the local mode, or a
            stored vector does not match the shard.

    """
    if not has_local_mode_collection(folder, collection):
        return 0
    from qdrant_client import QdrantClient
    from qdrant_edge import Point, UpdateOperation

    client = QdrantClient(path=str(folder))
    copied = 0
    try:
        offset = None
        while True:
            points, offset = client.scroll(
                collection, limit=_BATCH, offset=offset, with_payload=True, with_vectors=True
            )
            batch = [Point(str(p.id), p.vector, p.payload or {}) for p in points if isinstance(p.vector, list)]
            if batch:
                shard.update(UpdateOperation.upsert_points(batch))
                copied += len(batch)
            if offset is None:
                break
        shard.flush()
    finally:
        client.close()
    log.info("Migrated %d memories from the local-mode folder %s to Qdrant Edge.", copied, folder)
    return copied
