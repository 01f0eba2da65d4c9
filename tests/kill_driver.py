"""A scripted interview that a child process runs until it SIGKILLs itself at a chosen step boundary.

The child patches the SQLite checkpointer so that it kills itself with ``SIGKILL`` around the
moment a graph node's writes are saved:

- ``after:<node>:<k>``: right after the k-th run of ``node`` committed its writes and before
  the next checkpoint (the window that used to leave a session stuck);
- ``before:<node>:<k>``: after the node ran (side effects such as memory writes done) but
  before its writes are saved, so the node must run again;
- ``created``: after the session index row is written, before any checkpoint.

Every input of the script carries the question id it answers and an idempotency key, so the
parent can replay the whole script after the kill: inputs applied before the kill come back
``replayed``, the one in flight is applied exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interview_coach.domain import CandidateProfile, InterviewPlanRequest

USER = "kim"
STRONG = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the whole table. "
    "It speeds up lookups, range queries and sorting on the indexed columns. "
    "For example, an index on the user email column makes login queries fast. "
    "The cost is slower writes, extra storage, and some maintenance."
)
WEAK = "I think it is kind of when things are the same, maybe."
UNSURE = "Honestly I do not remember."


@dataclass(frozen=True)
class Step:
    """One input of the script: what is sent, for which question, with which key."""

    kind: str  # "answer" or "coach"
    question_id: str | None
    key: str
    text: str


SCRIPT: tuple[Step, ...] = (
    Step("answer", "tech-db-001", "answer-1", STRONG),
    Step("answer", "tech-api-003", "answer-2", WEAK),
    Step("answer", "tech-api-003~fu1", "answer-3", UNSURE),
    Step("coach", None, "coach-1", "why was question 2 rated low?"),
    Step("coach", None, "coach-2", "/end"),
)
QUESTION_IDS = [step.question_id for step in SCRIPT if step.question_id]


def request() -> InterviewPlanRequest:
    """The interview every run plans: two technical questions, the second one answered weakly."""
    return InterviewPlanRequest(
        profile=CandidateProfile(name="Kim", role="Backend Software Engineer", role_family="backend"),
        question_count=2,
        question_ids=["tech-db-001", "tech-api-003"],
    )


async def play(service: Any, session_id: str, log: Path | None = None) -> Counter[str]:
    """Send every step of the script with its question id and key; count replayed and applied inputs."""
    outcomes: Counter[str] = Counter()
    for step in SCRIPT:
        if log is not None:
            _log(log, f"SEND {step.key}")
        turn = await service.send(
            session_id,
            USER,
            step.text,
            expect=step.kind,
            question_id=step.question_id,
            idempotency_key=step.key,
        )
        outcomes["replayed" if turn.replayed else "applied"] += 1
        if log is not None:
            _log(log, f"DONE {step.key}")
    return outcomes


def _log(log: Path, line: str) -> None:
    with log.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _install_kill(point: str, log: Path) -> None:
    """Patch the checkpointer (or the session index) to SIGKILL this process at ``point``."""
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    from interview_coach.memory.sessions import SessionStore

    def die() -> None:
        _log(log, f"KILL {point}")
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "created":
        create = SessionStore.create

        def create_then_die(self: SessionStore, session_id: str, user_id: str, role: str) -> None:
            create(self, session_id, user_id, role)
            die()

        SessionStore.create = create_then_die  # type: ignore[method-assign]
        return
    when, node, nth = point.split(":")
    seen: Counter[str] = Counter()
    put_writes = AsyncSqliteSaver.aput_writes

    async def aput_writes(self: AsyncSqliteSaver, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        name = task_path.rsplit(", ", 1)[-1] if task_path.startswith("~__pregel_pull") else ""
        # An interrupt is saved through the same call; only a finished run of the node counts.
        if name == node and any(not channel.startswith("__") for channel, _ in writes):
            seen[name] += 1
            hit = seen[name] == int(nth)
        else:
            hit = False
        if hit and when == "before":
            die()
        await put_writes(self, config, writes, task_id, task_path)
        if hit and when == "after":
            die()

    AsyncSqliteSaver.aput_writes = aput_writes  # type: ignore[method-assign]


def run_child(data_dir: str, shared_dir: str, session_id: str, point: str) -> None:
    """Child process: run the scripted interview until the kill at ``point`` (or to its end).

    An empty ``shared_dir`` keeps the settings' default public data folder.
    """
    from interview_coach.core.settings import Settings
    from interview_coach.deps import build_deps
    from interview_coach.graphs.service import InterviewService

    log = Path(data_dir) / "child.log"
    _install_kill(point, log)
    shared = {"shared_data_dir": Path(shared_dir)} if shared_dir else {}
    settings = Settings(data_dir=Path(data_dir), _env_file=None, **shared)  # type: ignore[call-arg]

    async def main() -> None:
        deps = build_deps(settings)
        try:
            async with InterviewService.open(deps) as service:
                _log(log, "START")
                await service.start(USER, request(), session_id=session_id)
                _log(log, "STARTED")
                await play(service, session_id, log)
                _log(log, "FINISHED")
        finally:
            deps.close()

    asyncio.run(main())
