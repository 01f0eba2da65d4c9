"""Long-term memory in PostgreSQL: one store that several processes share (issue 16).

Embedded engines lock their folder to one process, and a Qdrant server is not always at hand;
this backend keeps memory in the same Postgres database as the checkpoints, so any number of
``serve`` and worker processes on any number of machines read and write it at once.

One table (named after the collection) holds a row per record: the columns every query filters
or orders on (``user_id``, ``kind``, ``created_at``), the whole record as JSONB, and the unit
embedding as float32 bytes (``bytea``). A search fetches the user's (kind-filtered) vectors over
psycopg's binary protocol, ranks them in numpy, then reads the payloads of the top hits only.
That is a per-user brute force, sized for a few thousand memories per user (timed at 1k and 10k
per user in ``benchmarks/results/memory.json``, ``store.postgres``); beyond that use a Qdrant
server (``INTERVIEW_COACH_QDRANT_URL``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.dialects.postgresql import JSONB, insert

from interview_coach.core.embedding import Embedder
from interview_coach.domain import MemoryKind, MemoryRecord
from interview_coach.memory.sql import (
    POSTGRES_SCHEMES,
    StoreUnavailableError,
    connection,
    create_schema,
    describe,
    open_engine,
)
from interview_coach.memory.store import MemoryUnavailableError

_WHAT = "long-term memory"
_Columns = tuple[Any, ...]
_MAX_INDEXED_VECTOR_BYTES = 2_000
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _memory_table(name: str, metadata: sa.MetaData, dimension: int) -> sa.Table:
    # A search reads every vector of one user. Rows of many users interleave on the heap (one
    # page per row read); a btree on user and kind that carries the vectors keeps them together
    # and serves the search from the index alone (2x faster at 1k per user). Btree entries are
    # capped at ~2.7 kB, so vectors larger than 500 floats stay on the heap only.
    covering: dict[str, Any] = (
        {"postgresql_include": ["id", "embedding"]} if dimension * 4 <= _MAX_INDEXED_VECTOR_BYTES else {}
    )
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record", JSONB, nullable=False),
        sa.Column("embedding", sa.LargeBinary, nullable=False),
        sa.Index(f"{name}_user_created", "user_id", "created_at"),
        sa.Index(f"{name}_user_kind_vectors", "user_id", "kind", **covering),
    )


def _unavailable(exc: StoreUnavailableError) -> MemoryUnavailableError:
    return MemoryUnavailableError(f"{exc} Long-term memory uses INTERVIEW_COACH_MEMORY_DSN when it is set.")


class PostgresMemoryStore:
    """Per-user long-term memory in a Postgres table, safe for many concurrent processes."""

    def __init__(self, embedder: Embedder, dsn: str, *, collection: str = "interview_coach_memory") -> None:
        """Connect, create the table if missing and check its vectors fit the embedder.

        Args:
            embedder: turns texts into unit vectors (its ``dimension`` must match stored rows).
            dsn: a ``postgresql://`` DSN.
            collection: the table's name.

        Raises:
            MemoryUnavailableError: the DSN is not Postgres, the server is unreachable, the driver
                is missing, or the stored vectors have another size than the embedder's.

        """
        if not dsn.startswith(POSTGRES_SCHEMES):
            raise MemoryUnavailableError(
                "memory_engine 'postgres' needs a postgresql:// DSN: set INTERVIEW_COACH_MEMORY_DSN "
                "(or a postgresql:// INTERVIEW_COACH_CHECKPOINTER_DSN)."
            )
        if not _TABLE_NAME.match(collection):
            raise MemoryUnavailableError(f"{collection!r} is not a valid table name for long-term memory.")
        self._embedder = embedder
        self._dimension = int(embedder.dimension)
        url = sa.make_url(dsn).set(drivername="postgresql+psycopg")
        self._where = describe(url)
        metadata = sa.MetaData()
        self._table = _memory_table(collection, metadata, self._dimension)
        try:
            self._engine = open_engine(url)
            create_schema(self._engine, metadata, _WHAT)
        except StoreUnavailableError as exc:
            raise _unavailable(exc) from exc
        stored = self._stored_dimension()
        if stored is not None and stored != self._dimension:
            self._engine.dispose()
            raise MemoryUnavailableError(
                f"Cannot open long-term memory at {self._where}: table {collection} holds {stored}-dimensional "
                f"vectors but the embedding model makes {self._dimension}; use the model it was written with "
                "or another INTERVIEW_COACH_MEMORY_COLLECTION."
            )

    def _stored_dimension(self) -> int | None:
        with self._connect() as conn:
            size = conn.execute(sa.select(sa.func.octet_length(self._table.c.embedding)).limit(1)).scalar()
        return None if size is None else int(size) // 4

    @contextmanager
    def _connect(self, *, transaction: bool = False) -> Iterator[sa.Connection]:
        try:
            with connection(self._engine, _WHAT, transaction=transaction) as conn:
                yield conn
        except StoreUnavailableError as exc:
            raise _unavailable(exc) from exc

    def add(self, records: Sequence[MemoryRecord]) -> None:
        """Upsert records with their embeddings in one transaction.

        A record whose id exists is replaced (a re-run node rewriting a ``stable_key`` fact), but
        never across users: an id owned by another user is left as it is.
        """
        if not records:
            return
        # Last write wins within a batch; one row may not be upserted twice in one statement, and
        # a fixed row order keeps two processes upserting the same ids from deadlocking.
        unique = sorted({r.id: r for r in records}.values(), key=lambda r: r.id)
        vectors = self._unit(self._embedder.encode([r.text for r in unique]))
        rows = [
            {
                "id": r.id,
                "user_id": r.user_id,
                "kind": str(r.kind),
                "created_at": r.created_at,
                "record": r.model_dump(mode="json"),
                "embedding": vector.tobytes(),
            }
            for r, vector in zip(unique, vectors, strict=True)
        ]
        statement = insert(self._table)
        replaced = {name: statement.excluded[name] for name in ("kind", "created_at", "record", "embedding")}
        upsert = statement.on_conflict_do_update(
            index_elements=[self._table.c.id],
            set_=replaced,
            where=self._table.c.user_id == statement.excluded.user_id,
        )
        with self._connect(transaction=True) as conn:
            conn.execute(upsert, rows)

    def search(
        self, user_id: str, query: str, *, kinds: Sequence[MemoryKind] | None = None, limit: int = 5
    ) -> list[MemoryRecord]:
        """Return the user's records most similar to the query (cosine), best first."""
        if limit <= 0:
            return []
        q = self._unit(self._embedder.encode([query]))[0]
        t = self._table
        with self._connect() as conn:
            rows = self._binary_rows(conn, sa.select(t.c.id, t.c.embedding).where(*self._owned(user_id, kinds)))
            if not rows:
                return []
            matrix = np.frombuffer(b"".join(vector for _, vector in rows), dtype=np.float32)
            scores = matrix.reshape(len(rows), self._dimension) @ q
            top = np.argsort(-scores, kind="stable")[:limit] if len(rows) <= limit * 8 else self._top(scores, limit)
            chosen = [str(rows[i][0]) for i in top]
            payloads = conn.execute(sa.select(t.c.id, t.c.record).where(t.c.id.in_(chosen), t.c.user_id == user_id))
            by_id = {row_id: record for row_id, record in payloads}
        # A record deleted by another process between the two reads is simply not returned.
        return [MemoryRecord.model_validate(by_id[i]) for i in chosen if i in by_id]

    def _binary_rows(self, conn: sa.Connection, statement: sa.Select[*_Columns]) -> list[tuple[Any, ...]]:
        """Run a query on psycopg's binary protocol: bytea in text form is hex, which took 4x longer to fetch."""
        import psycopg

        compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        try:
            with driver.cursor(binary=True) as cursor:
                return cursor.execute(str(compiled), compiled.params).fetchall()
        except psycopg.Error as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise MemoryUnavailableError(
                f"Cannot use the {_WHAT} at {self._where}: {reason}. Check INTERVIEW_COACH_MEMORY_DSN "
                "(or INTERVIEW_COACH_CHECKPOINTER_DSN) and that the database server is up."
            ) from exc

    def list(self, user_id: str, *, kinds: Sequence[MemoryKind] | None = None, limit: int = 200) -> list[MemoryRecord]:
        """Return the user's records, newest first."""
        t = self._table
        newest = (
            sa.select(t.c.record)
            .where(*self._owned(user_id, kinds))
            .order_by(t.c.created_at.desc(), t.c.id)
            .limit(max(0, limit))
        )
        return [MemoryRecord.model_validate(record) for (record,) in self._rows(newest)]

    def delete_user(self, user_id: str) -> int:
        """Delete every record of the user; return how many were removed."""
        with self._connect(transaction=True) as conn:
            return int(conn.execute(sa.delete(self._table).where(self._table.c.user_id == user_id)).rowcount)

    def close(self) -> None:
        """Close the pooled connections."""
        self._engine.dispose()

    def _owned(self, user_id: str, kinds: Sequence[MemoryKind] | None) -> Sequence[sa.ColumnElement[bool]]:
        conditions = [self._table.c.user_id == user_id]
        if kinds:
            conditions.append(self._table.c.kind.in_([str(kind) for kind in kinds]))
        return conditions

    def _rows(self, statement: sa.Select[*_Columns]) -> Sequence[sa.Row[*_Columns]]:
        with self._connect() as conn:
            return conn.execute(statement).all()

    def _unit(self, vectors: NDArray[np.float32]) -> NDArray[np.float32]:
        matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, self._dimension)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return np.ascontiguousarray(matrix / np.where(norms > 0, norms, 1.0), dtype=np.float32)

    @staticmethod
    def _top(scores: NDArray[np.float32], limit: int) -> NDArray[np.intp]:
        candidates = np.argpartition(-scores, limit)[:limit]
        return candidates[np.argsort(-scores[candidates], kind="stable")]
