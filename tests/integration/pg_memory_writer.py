"""One OS process writing and reading the shared Postgres memory at the same time as another.

Run by ``test_pg_memory.py`` as ``python pg_memory_writer.py DSN TABLE USER GO_FILE OUT_FILE ROUNDS FLIP``.
It loads the real embedder, opens the store, signals ``OUT_FILE.ready`` and waits for
``GO_FILE`` so both processes start writing together. Each round writes, in one batch, 20 new
facts of its own user plus the same 10 ``stable_key`` goals of a shared user (the other process
upserts them too, in the opposite order when ``FLIP`` is 1), then searches and lists its own user.
It writes what it saw to ``OUT_FILE``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.memory.pg_store import PostgresMemoryStore
from interview_coach.memory.store import new_record

SHARED_USER = "team"
SHARED_GOALS = 10


def main(dsn: str, table: str, user: str, go_file: Path, out_file: Path, rounds: int, flip: int) -> None:
    """Write and read for ``rounds`` rounds once ``go_file`` exists; report to ``out_file``."""
    embedder = SentenceTransformerEmbedder()
    embedder.encode(["warm up"])
    store = PostgresMemoryStore(embedder, dsn, collection=table)
    out_file.with_suffix(".ready").touch()
    while not go_file.exists():
        time.sleep(0.01)
    writes: list[float] = []
    foreign_hits = 0
    own_counts: list[int] = []
    shared_counts: list[int] = []
    for i in range(rounds):
        own = [new_record(user, "chat_fact", f"{user} practised answer {i}.{j} about fillers") for j in range(20)]
        goals = [
            new_record(SHARED_USER, "goal", f"shared goal {k} written by {user}", stable_key=f"goal-{k}")
            for k in range(SHARED_GOALS)
        ]
        store.add(own + goals[:: 1 if (i + flip) % 2 else -1])
        writes.append(time.time())
        hits = store.search(user, "filler words", limit=5)
        foreign_hits += sum(hit.user_id != user for hit in hits)
        own_counts.append(len(store.list(user, limit=100_000)))
        shared_counts.append(len(store.list(SHARED_USER, limit=100)))
    store.close()
    report = {
        "first_write": writes[0],
        "last_write": writes[-1],
        "foreign_hits": foreign_hits,
        "own_counts": own_counts,
        "shared_counts": shared_counts,
    }
    out_file.write_text(json.dumps(report))


if __name__ == "__main__":
    dsn_arg, table_arg, user_arg, go_arg, out_arg, rounds_arg, flip_arg = sys.argv[1:8]
    main(dsn_arg, table_arg, user_arg, Path(go_arg), Path(out_arg), int(rounds_arg), int(flip_arg))
