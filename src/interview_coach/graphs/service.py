"""The interview service every surface uses: start, answer, chat, resume, report.

It owns the compiled graph and its checkpointer. Each call runs the graph until the next
``interrupt()`` (the candidate's turn) and returns only the messages produced meanwhile.
Checkpoints are written synchronously (``durability="sync"``) so a SIGKILL loses at most the
step in flight, which re-runs on resume.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, StateSnapshot

from interview_coach.core.deps import AppDeps
from interview_coach.domain import (
    AnswerInput,
    InterviewPlanRequest,
    MemoryRecord,
    Question,
    QuestionRef,
    SessionReport,
    TurnEvent,
)
from interview_coach.graphs.state import current_question, current_ref, events_of, report_of
from interview_coach.graphs.supervisor import build_graph
from interview_coach.memory.feedback import FeedbackStore
from interview_coach.memory.sessions import SessionNotFoundError, SessionPublic, SessionStore
from interview_coach.memory.store import session_summaries


class SessionConflictError(RuntimeError):
    """The session id is taken: it already holds an interview."""


Waiting = Literal["answer", "coach"] | None
ProgressCallback = Callable[[str], Awaitable[None]]
UserDataDeleter = Callable[[str], Awaitable[dict[str, int]]]


@dataclass
class Turn:
    """What a surface shows after one step of a session.

    Attributes:
        session_id: the session (graph thread) id.
        messages: messages produced since the previous turn.
        waiting_for: ``answer`` during the interview, ``coach`` after the report, ``None`` when ended.
        question: the question awaiting an answer, if any.
        ref: its identity (main question number, follow-up index, total), if any.
        phase: interview, coaching or ended.
        report: the session report once written.
        llm_usage: the session's LLM counters so far (calls, tokens, cost_microusd, fallbacks).

    """

    session_id: str
    messages: list[TurnEvent] = field(default_factory=list)
    waiting_for: Waiting = None
    question: Question | None = None
    ref: QuestionRef | None = None
    phase: str = "interview"
    report: SessionReport | None = None
    llm_usage: dict[str, int] = field(default_factory=dict)


def _waiting_for(interrupts: list[Any]) -> Waiting:
    """Tell what the graph waits for from its pending interrupts (the last one wins)."""
    waiting: Waiting = None
    for pending in interrupts:
        kind = pending.value.get("type") if isinstance(pending.value, dict) else None
        waiting = "coach" if kind == "coach" else "answer"
    return waiting


@asynccontextmanager
async def open_checkpointer(dsn: str) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Open the checkpointer: Postgres for ``postgres://`` DSNs, SQLite otherwise."""
    if dsn.startswith(("postgres://", "postgresql://")):
        try:
            from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        except ImportError as exc:
            raise RuntimeError("A Postgres checkpointer needs: pip install 'interview-coach[postgres]'") from exc
        async with AsyncPostgresSaver.from_conn_string(dsn) as saver:
            await saver.setup()
            yield saver
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
        self._locks: dict[str, asyncio.Lock] = {}

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

    async def _run(
        self, session_id: str, graph_input: Any, *, seen: int, on_progress: ProgressCallback | None = None
    ) -> Turn:
        """Run the graph to its next interrupt and build the turn from the final values (no reload)."""
        config = self._config(session_id)
        values: dict[str, Any] = {}
        interrupts: list[Any] = []
        async for mode, chunk in self.graph.astream(
            graph_input, config, context=self.deps, durability="sync", stream_mode=["updates", "values"]
        ):
            if mode == "values" and isinstance(chunk, dict):
                values = chunk
            elif mode == "updates" and isinstance(chunk, dict):
                for node, update in chunk.items():
                    if node == "__interrupt__":
                        interrupts.extend(update)
                    elif on_progress is not None and not node.startswith("__"):
                        await on_progress(node)
        if not values:
            values = (await self._snapshot(session_id)).values or {}
        return self._turn(session_id, values, _waiting_for(interrupts), since=seen)

    def _turn(self, session_id: str, values: Mapping[str, Any], waiting: Waiting, *, since: int) -> Turn:
        report = report_of(values)
        phase = values.get("phase", "interview")
        if report is not None:
            self.sessions.update(session_id, status=phase, overall_quality=report.metrics.get("answer_quality"))
        return Turn(
            session_id=session_id,
            messages=events_of(values, since),
            waiting_for=waiting,
            question=current_question(values) if waiting == "answer" else None,
            ref=current_ref(values) if waiting == "answer" else None,
            phase=phase,
            report=report,
            llm_usage=dict(values.get("llm_usage") or {}),
        )

    @staticmethod
    def _waiting(snapshot: StateSnapshot) -> Waiting:
        return _waiting_for([pending for task in snapshot.tasks for pending in task.interrupts])

    async def start(self, user_id: str, request: InterviewPlanRequest, *, session_id: str | None = None) -> Turn:
        """Create a session, plan it and ask the first question.

        A session id belongs to exactly one user from its creation: an id that another user
        owns is "not found", and an id that already has a saved interview cannot be re-planned.

        Raises:
            SessionNotFoundError: the id belongs to another user.
            SessionConflictError: the id already holds an interview.
        """
        session_id = session_id or secrets.token_hex(16)
        self.sessions.create(session_id, user_id, request.profile.role)
        self.sessions.get(session_id, user_id)
        if (await self._snapshot(session_id)).values:
            raise SessionConflictError(f"Session {session_id!r} already holds an interview; open it instead.")
        state = {
            "session_id": session_id,
            "user_id": user_id,
            "request": request.model_dump(mode="json"),
            "created_at": self.deps.clock().isoformat(),
            "results": [],
            "messages": [],
        }
        return await self._run(session_id, state, seen=0)

    async def _owned_snapshot(self, session_id: str, user_id: str) -> StateSnapshot:
        self.sessions.get(session_id, user_id)
        snapshot = await self._snapshot(session_id)
        if not snapshot.values:
            raise SessionNotFoundError(f"Session {session_id!r} has no saved state.")
        return snapshot

    async def send(
        self, session_id: str, user_id: str, answer: AnswerInput | str, *, on_progress: ProgressCallback | None = None
    ) -> Turn:
        """Give the session the candidate's next input (answer, command, or coach message).

        The checkpoint is loaded once for the turn; the turn is built from the run's own output.

        Args:
            session_id: the session.
            user_id: its owner.
            answer: an answer (text and/or media), a command, or a coach message.
            on_progress: awaited with each graph node's name as it finishes (``analyze_answer``,
                ``evaluate_answer``...), so a surface can show live progress.

        Raises:
            SessionNotFoundError: unknown session or another user's session.

        """
        snapshot = await self._owned_snapshot(session_id, user_id)
        seen = len(snapshot.values.get("messages", []))
        waiting = self._waiting(snapshot)
        if waiting is None:
            # Work was interrupted mid-step (crash): finish it before taking new input.
            turn = await self._run(session_id, None, seen=seen)
            if turn.waiting_for is None:
                return turn
            waiting, seen = turn.waiting_for, seen + len(turn.messages)
        payload = answer if isinstance(answer, AnswerInput) else AnswerInput(text=answer)
        resume_value = payload.model_dump(mode="json") if waiting == "answer" else {"text": payload.text}
        return await self._run(session_id, Command(resume=resume_value), seen=seen, on_progress=on_progress)

    async def resume(self, session_id: str, user_id: str) -> Turn:
        """Reopen a session where it stopped, finishing any step a crash interrupted.

        Returns:
            The turn whose ``messages`` are the whole conversation so far.

        Raises:
            SessionNotFoundError: unknown session or another user's session.

        """
        snapshot = await self._owned_snapshot(session_id, user_id)
        waiting = self._waiting(snapshot)
        if waiting is None and snapshot.next:
            return await self._run(session_id, None, seen=0)
        return self._turn(session_id, snapshot.values, waiting, since=0)

    async def report(self, session_id: str, user_id: str) -> SessionReport | None:
        """Return the session's report, or ``None`` while the interview is still running."""
        snapshot = await self._owned_snapshot(session_id, user_id)
        return report_of(snapshot.values)

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

    def session_lock(self, session_id: str) -> asyncio.Lock:
        """Return the lock that serialises turns of one session (two tabs, API and chat at once).

        Use it as ``async with service.session_lock(session_id): ...`` around a turn.
        """
        lock = self._locks.get(session_id)
        if lock is None:
            lock = self._locks[session_id] = asyncio.Lock()
        return lock

    def phase_of(self, session_id: str, user_id: str) -> str:
        """Return the session's phase (``interview``, ``coaching`` or ``ended``) from the index, without loading state.

        Raises:
            SessionNotFoundError: unknown session or another user's session.
        """
        return self.sessions.get(session_id, user_id).status

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
