"""The interview service every surface uses: start, answer, chat, resume, report.

It owns the compiled graph and its checkpointer. Each call runs the graph until the next
``interrupt()`` (the candidate's turn) and returns only the messages produced meanwhile.
Checkpoints are written synchronously (``durability="sync"``) so a SIGKILL loses at most the
step in flight. Every call first finishes such a step (a pending task without an interrupt is
re-run to the next wait), so no crash leaves a session stuck.

Turns are idempotent: an input may name the question it answers (``question_id``) and carry
a client key (``idempotency_key``). The key is saved in the graph state together with the
input, so a retried key returns the stored turn instead of applying the input again, even
after a crash. Without a ``question_id`` an answer goes to whatever question waits when the
session's lock is taken: a client that may retry must send the question id or a key.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, StateSnapshot

from interview_coach.core.deps import AppDeps
from interview_coach.domain import (
    AnswerInput,
    InterviewPlanRequest,
    MemoryRecord,
    SessionReport,
)
from interview_coach.graphs.locks import SessionLock
from interview_coach.graphs.perception import STAGE_EVENT
from interview_coach.graphs.state import (
    TURN_KEY,
    current_question,
    current_ref,
    events_of,
    report_of,
    turn_span,
    upcoming_questions,
)
from interview_coach.graphs.supervisor import build_graph
from interview_coach.graphs.turns import Turn, TurnConflictError, Waiting, conflict, waiting_for
from interview_coach.memory.feedback import FeedbackStore
from interview_coach.memory.sessions import SessionNotFoundError, SessionPublic, SessionStore
from interview_coach.memory.store import session_summaries

__all__ = [
    "InterviewService",
    "SessionConflictError",
    "SessionFailedError",
    "SessionNotFoundError",
    "Turn",
    "TurnConflictError",
    "Waiting",
    "open_checkpointer",
]


class SessionConflictError(RuntimeError):
    """The session id is taken: it already holds an interview."""


class SessionFailedError(SessionNotFoundError):
    """The session was interrupted while it was being created, before any of it was saved."""


ProgressCallback = Callable[[str], Awaitable[None]]
UserDataDeleter = Callable[[str], Awaitable[dict[str, int]]]


@asynccontextmanager
async def open_checkpointer(dsn: str) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Open the checkpointer: Postgres for ``postgres://`` DSNs, SQLite otherwise."""
    if dsn.startswith(("postgres://", "postgresql://")):
        try:
            from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
            from psycopg.rows import dict_row
            from psycopg_pool import AsyncConnectionPool

            from interview_coach.memory.schema_lock import CHECKPOINTS, hold_lock
        except ImportError as exc:
            raise RuntimeError("A Postgres checkpointer needs: pip install 'interview-coach[postgres]'") from exc
        # A pool whose connections are checked before use, not one connection: after a database
        # restart the turn in flight fails (and is retried), the next ones reconnect.
        pool = AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=4,
            open=False,
            check=AsyncConnectionPool.check_connection,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        )
        async with pool:
            postgres = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
            # Migrations of processes starting together would collide on checkpoint_migrations.
            async with hold_lock(dsn, CHECKPOINTS):
                await postgres.setup()
            yield postgres
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    async with AsyncSqliteSaver.from_conn_string(dsn) as saver:
        yield saver


class InterviewService:
    """Runs interview sessions on the supervisor graph for any surface (CLI, API, chat)."""

    def __init__(
        self, deps: AppDeps, checkpointer: BaseCheckpointSaver[Any], sessions: SessionStore, feedback: FeedbackStore
    ) -> None:
        """Compile the graph on a checkpointer; use :meth:`open` in application code."""
        self.deps = deps
        self.sessions = sessions
        self.feedback = feedback
        self.graph = build_graph().compile(checkpointer=checkpointer)
        self._locks: dict[str, SessionLock] = {}

    @classmethod
    @asynccontextmanager
    async def open(cls, deps: AppDeps) -> AsyncIterator[InterviewService]:
        """Open the checkpointer and the session index for the lifetime of the block."""
        sessions = SessionStore.from_settings(deps.settings)
        feedback = FeedbackStore.from_settings(deps.settings)
        try:
            async with open_checkpointer(deps.settings.resolved_checkpointer_dsn) as saver:
                yield cls(deps, saver, sessions, feedback)
        finally:
            sessions.close()
            feedback.close()

    @staticmethod
    def _config(session_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": session_id}}

    async def _snapshot(self, session_id: str) -> StateSnapshot:
        return await self.graph.aget_state(self._config(session_id))

    async def _advance(
        self, session_id: str, graph_input: Any, on_progress: ProgressCallback | None = None
    ) -> tuple[dict[str, Any], Waiting]:
        """Run the graph to its next interrupt; return the final values and what it waits for (no reload)."""
        config = self._config(session_id)
        values: dict[str, Any] = {}
        interrupts: list[Any] = []
        async for mode, chunk in self.graph.astream(
            graph_input, config, context=self.deps, durability="sync", stream_mode=["updates", "values", "custom"]
        ):
            if mode == "values" and isinstance(chunk, dict):
                values = chunk
            elif mode == "custom" and isinstance(chunk, dict) and on_progress is not None and STAGE_EVENT in chunk:
                await on_progress(f"perception:{chunk[STAGE_EVENT]}")
            elif mode == "updates" and isinstance(chunk, dict):
                for node, update in chunk.items():
                    if node == "__interrupt__":
                        interrupts.extend(update)
                    elif on_progress is not None and not node.startswith("__"):
                        await on_progress(node)
        if not values:
            values = (await self._snapshot(session_id)).values or {}
        return values, waiting_for(interrupts)

    def _turn(
        self, session_id: str, values: Mapping[str, Any], waiting: Waiting, *, since: int, until: int | None = None
    ) -> Turn:
        report = report_of(values)
        phase = values.get("phase", "interview")
        if report is not None:
            self.sessions.update(session_id, status=phase, overall_quality=report.metrics.get("answer_quality"))
        return Turn(
            session_id=session_id,
            messages=events_of(values, since, until),
            waiting_for=waiting,
            question=current_question(values) if waiting == "answer" else None,
            ref=current_ref(values) if waiting == "answer" else None,
            upcoming=upcoming_questions(values) if waiting == "answer" else [],
            phase=phase,
            report=report,
            llm_usage=dict(values.get("llm_usage") or {}),
        )

    @staticmethod
    def _waiting(snapshot: StateSnapshot) -> Waiting:
        return waiting_for([pending for task in snapshot.tasks for pending in task.interrupts])

    async def start(self, user_id: str, request: InterviewPlanRequest, *, session_id: str | None = None) -> Turn:
        """Create a session, plan it and ask the first question.

        A session id belongs to exactly one user from its creation: an id that another user
        owns is "not found", and an id that already has a saved interview cannot be re-planned.
        Its owner may start again on an id whose creation was interrupted before anything was saved.

        Raises:
            SessionNotFoundError: the id belongs to another user.
            SessionConflictError: the id already holds an interview.
        """
        session_id = session_id or secrets.token_hex(16)
        async with self.session_lock(session_id):
            self.sessions.create(session_id, user_id, request.profile.role)
            self.sessions.get(session_id, user_id)
            if (await self._snapshot(session_id)).values:
                raise SessionConflictError(f"Session {session_id!r} already holds an interview; open it instead.")
            self.sessions.update(session_id, status="interview")
            state = {
                "session_id": session_id,
                "user_id": user_id,
                "request": request.model_dump(mode="json"),
                "created_at": self.deps.clock().isoformat(),
                "results": [],
                "messages": [],
            }
            values, waiting = await self._advance(session_id, state)
            return self._turn(session_id, values, waiting, since=0)

    async def _open(self, session_id: str, user_id: str) -> tuple[dict[str, Any], Waiting]:
        """Load an owned session, first finishing any step a crash interrupted (hold its lock).

        A pending task without an interrupt means the process died after a step began (or
        after its writes were saved) but before the next checkpoint; running the graph with no
        input applies the saved writes, re-runs what was not saved, and stops at the next wait.

        Raises:
            SessionNotFoundError: unknown session or another user's session.
            SessionFailedError: the session was interrupted before anything of it was saved.
        """
        self.sessions.get(session_id, user_id)
        snapshot = await self._snapshot(session_id)
        if not snapshot.values:
            self.sessions.update(session_id, status="failed")
            raise SessionFailedError(
                f"Session {session_id!r} was interrupted while its interview was being planned, before any "
                "of it was saved; it cannot be opened. Start a new interview."
            )
        waiting = self._waiting(snapshot)
        if waiting is None and snapshot.tasks:
            return await self._advance(session_id, None)
        return dict(snapshot.values), waiting

    async def send(
        self,
        session_id: str,
        user_id: str,
        answer: AnswerInput | str,
        *,
        expect: Waiting = None,
        question_id: str | None = None,
        idempotency_key: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Turn:
        """Give the session the candidate's next input (answer, command, or coach message), once.

        Under the session's lock: finish any step a crash interrupted, answer a known
        ``idempotency_key`` from the stored turn, refuse an input the session does not take,
        then run the turn. The checkpoint is loaded once; the turn is built from the run's output.

        Args:
            session_id: the session.
            user_id: its owner.
            answer: an answer (text and/or media), a command, or a coach message.
            expect: ``answer`` or ``coach`` to refuse the input when the session waits for the other.
            question_id: the question this input answers; refused unless that question waits.
                ``None`` answers whatever question waits when the lock is taken.
            idempotency_key: a client key for this input; a key already applied returns the
                stored turn (``replayed``) without applying the input again.
            on_progress: awaited with each graph node's name as it finishes (``analyze_answer``,
                ``evaluate_answer``...), so a surface can show live progress.

        Raises:
            SessionNotFoundError: unknown session or another user's session.
            TurnConflictError: the session waits for another question or for another kind of input.

        """
        async with self.session_lock(session_id):
            values, waiting = await self._open(session_id, user_id)
            turn = self._checked(session_id, values, waiting, expect, question_id, idempotency_key)
            if turn.replayed or waiting is None:
                return turn
            seen = len(values.get("messages", []))
            payload = answer if isinstance(answer, AnswerInput) else AnswerInput(text=answer)
            resume_value = payload.model_dump(mode="json") if waiting == "answer" else {"text": payload.text}
            resume_value[TURN_KEY] = idempotency_key or ""
            values, waiting = await self._advance(session_id, Command(resume=resume_value), on_progress)
            return self._turn(session_id, values, waiting, since=seen)

    async def check(
        self,
        session_id: str,
        user_id: str,
        *,
        expect: Waiting = None,
        question_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Turn:
        """Check an input before :meth:`send` takes it (e.g. before storing an upload for it).

        Takes the same arguments as :meth:`send` and runs the same checks, without an input.

        Returns:
            The stored turn (``replayed``) when the key was applied already; otherwise the
            current turn, with no messages.

        Raises:
            SessionNotFoundError: unknown session or another user's session.
            TurnConflictError: the session waits for another question or for another kind of input.
        """
        async with self.session_lock(session_id):
            values, waiting = await self._open(session_id, user_id)
            return self._checked(session_id, values, waiting, expect, question_id, idempotency_key)

    def _checked(
        self,
        session_id: str,
        values: Mapping[str, Any],
        waiting: Waiting,
        expect: Waiting,
        question_id: str | None,
        idempotency_key: str | None,
    ) -> Turn:
        if idempotency_key and (span := turn_span(values, idempotency_key)) is not None:
            _, start, end = span
            turn = self._turn(session_id, values, waiting, since=start, until=end)
            turn.replayed = True
            return turn
        if expect is not None and waiting != expect:
            raise conflict(values, waiting, "an interview answer" if expect == "answer" else "a coach message")
        if question_id is not None:
            current = current_question(values) if waiting == "answer" else None
            if current is None or current.id != question_id:
                raise conflict(values, waiting, f"an answer to question {question_id!r}")
        return self._turn(session_id, values, waiting, since=len(values.get("messages", [])))

    async def resume(self, session_id: str, user_id: str) -> Turn:
        """Reopen a session where it stopped, finishing any step a crash interrupted.

        Returns:
            The turn whose ``messages`` are the whole conversation so far.

        Raises:
            SessionNotFoundError: unknown session or another user's session.
            SessionFailedError: the session was interrupted before anything of it was saved.

        """
        async with self.session_lock(session_id):
            values, waiting = await self._open(session_id, user_id)
            return self._turn(session_id, values, waiting, since=0)

    async def report(self, session_id: str, user_id: str) -> SessionReport | None:
        """Return the session's report, or ``None`` while the interview is still running."""
        async with self.session_lock(session_id):
            values, _ = await self._open(session_id, user_id)
            return report_of(values)

    def list_sessions(self, user_id: str) -> list[SessionPublic]:
        """List the user's sessions, newest first."""
        return self.sessions.for_user(user_id)

    async def delete_user_data(self, user_id: str) -> dict[str, int]:
        """Delete every session, checkpoint and memory of a user."""
        ids = self.sessions.delete_user(user_id)
        saver = self.graph.checkpointer
        if isinstance(saver, BaseCheckpointSaver):
            for session_id in ids:
                await saver.adelete_thread(session_id)
        memories = self.deps.memory.delete_user(user_id) if self.deps.memory else 0
        feedback = self.feedback.delete_user(user_id)
        return {"sessions": len(ids), "memories": memories, "feedback": feedback}

    def session_lock(self, session_id: str) -> SessionLock:
        """Return the lock that serialises turns of one session (two tabs, API and chat at once).

        Every service call takes it; a surface may also hold it around several calls
        (``async with service.session_lock(session_id): ...``), since its holder may re-enter it.
        """
        lock = self._locks.get(session_id)
        if lock is None:
            lock = self._locks[session_id] = SessionLock()
        return lock

    def session_summaries(self, user_id: str, *, limit: int = 200) -> list[MemoryRecord]:
        """Return the user's per-session summaries from long-term memory (empty without memory)."""
        memory = self.deps.memory
        return session_summaries(memory, user_id, limit=limit)

    async def delete_user_everywhere(self, user_id: str, extra: Sequence[UserDataDeleter] = ()) -> dict[str, int]:
        """Delete a user's sessions, checkpoints, memory and feedback, then run each extra deleter.

        Args:
            user_id: the user.
            extra: deleters for stores the surfaces own (answer files, chat history), each
                returning its counts by store name.
        """
        counts = dict(await self.delete_user_data(user_id))
        for deleter in extra:
            counts.update(await deleter(user_id))
        return counts
