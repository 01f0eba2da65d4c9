"""Serialise schema setup on a shared Postgres database across processes (advisory locks).

Several ``serve`` processes may start at once on one fresh database. ``CREATE TABLE IF NOT
EXISTS`` is not safe against itself (two sessions both see no table, and the second fails on
``pg_type``), and LangGraph's checkpointer migrations insert their version rows without a
guard. Each schema therefore sets itself up while holding a Postgres advisory lock on a fixed
key of its own: the first process creates the tables, the others wait, then find them there.

Distinct keys per schema keep unrelated setups from waiting on each other (and a setup that
holds one lock never waits for another, so they cannot deadlock).

The checkpointer's migrations build indexes with ``CREATE INDEX CONCURRENTLY``, which waits for
every open transaction in the database to end. A process blocked in ``pg_advisory_lock`` sits in
such a transaction while it waits for the lock holder, whose index waits for it: a cycle through
the client that Postgres cannot see. So :func:`hold_lock` polls ``pg_try_advisory_lock`` between
short idle pauses instead of blocking.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    import psycopg

CHECKPOINTS = "interview_coach.schema.checkpoints"
CHAT_HISTORY = "interview_coach.schema.chat_history"
# A fresh setup takes well under a second; minutes mean a stuck process, not a slow one.
LOCK_TIMEOUT_S = 300.0
POLL_S = 0.1


def lock_key(name: str) -> int:
    """Return the advisory-lock key of a schema name (stable across processes and versions)."""
    return zlib.crc32(name.encode())


def lock_in_transaction(conn: sa.Connection, name: str) -> None:
    """Take the schema's advisory lock until ``conn``'s transaction ends (blocks while another holds it)."""
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(lock_key(name))))


class SchemaLockTimeoutError(TimeoutError):
    """Another process held a schema lock for longer than a setup may take."""


@asynccontextmanager
async def hold_lock(
    dsn: str, name: str, *, timeout_s: float = LOCK_TIMEOUT_S, poll_s: float = POLL_S
) -> AsyncIterator[None]:
    """Hold the schema's advisory lock for the block, on a connection of its own.

    For setups that run on connections this code does not control (LangGraph's
    ``AsyncPostgresSaver.setup`` takes one from its pool). Closing the connection releases the
    lock, so a process that dies inside the block never leaves it held.

    Args:
        dsn: a ``postgresql://`` DSN.
        name: the schema's lock name (:data:`CHECKPOINTS`, ...).
        timeout_s: how long to wait for another process's setup before giving up.
        poll_s: pause between two attempts to take the lock.

    Raises:
        psycopg.OperationalError: the database cannot be reached.
        SchemaLockTimeoutError: another process held the lock for ``timeout_s``.

    """
    import psycopg

    key = lock_key(name)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        deadline = time.monotonic() + timeout_s
        while not await _try_lock(conn, key):
            if time.monotonic() >= deadline:
                raise SchemaLockTimeoutError(
                    f"Another process has been setting up the {name.rsplit('.', 1)[-1]} tables for over "
                    f"{timeout_s:.0f} s (advisory lock {key} is held); is a start-up stuck on the database?"
                )
            await asyncio.sleep(poll_s)
        yield


async def _try_lock(conn: psycopg.AsyncConnection[Any], key: int) -> bool:
    row = await (await conn.execute("SELECT pg_try_advisory_lock(%s)", (key,))).fetchone()
    return bool(row and row[0])
