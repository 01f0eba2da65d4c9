"""The interview service every surface uses: start, answer, chat, resume, report.

It owns the compiled graph and its checkpointer. Each call runs the graph until the next
``interrupt()`` (the candidate's turn) and returns only the messages produced meanwhile.
Checkpoints are written synchronously (``durability="sync"``) so a SIGKILL loses at most the
step in flight, which re-runs on resume.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from interview_coach.deps import AppDeps
from interview_coach.domain import AnswerInput, InterviewPlanRequest, SessionReport
from interview_coach.graphs.state import ChatMessage
from interview_coach.graphs.supervisor import build_graph
from interview_coach.memory.feedback import FeedbackStore
from interview_coach.memory.sessions import SessionNotFoundError, SessionPublic, SessionStore

Waiting = Literal["answer", "coach"] | None
ProgressCallback = Callable[[str], Awaitable[None]]


@dataclass
class Turn:
    """What a surface shows after one step of a session.

    Attributes:
        session_id: the session (graph thread) id.
        messages: messages produced since the previous turn.
        waiting_for: ``answer`` during the interview, ``coach`` after the report, ``None`` when ended.
        question: the question awaiting an answer (JSON), if any.
        number: its position (1-based) among the main questions.
        total: number of main questions.
        phase: interview, coaching or ended.
        report: the session report once written.
        llm_usage: the session's LLM counters so far (calls, tokens, cost_microusd, fallbacks).

    """

    session_id: str
    messages: list[ChatMessage] = field(default_factory=list)
    waiting_for: Waiting = None
    question: dict[str, Any] | None = None
    number: int = 0
    total: int = 0
    phase: str = "interview"
    report: SessionReport | None = None
    llm_usage: dict[str, int] = field(default_factory=dict)


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

    async def _run(self, session_id: str, graph_input: Any, on_progress: ProgressCallback | None = None) -> Turn:
        config = self._config(session_id)
        before = await self.graph.aget_state(config)
        seen = len(before.values.get("messages", [])) if before.values else 0
        if on_progress is None:
            await self.graph.ainvoke(graph_input, config, context=self.deps, durability="sync")
        else:
            async for update in self.graph.astream(
                graph_input, config, context=self.deps, durability="sync", stream_mode="updates"
            ):
                for node in update:
                    if not node.startswith("__"):
                        await on_progress(node)
        return await self._turn(session_id, since=seen)

    async def _turn(self, session_id: str, *, since: int) -> Turn:
        snapshot = await self.graph.aget_state(self._config(session_id))
        values = snapshot.values or {}
        waiting: Waiting = None
        for task in snapshot.tasks:
            for pending in task.interrupts:
                kind = (pending.value or {}).get("type") if isinstance(pending.value, dict) else None
                waiting = "coach" if kind == "coach" else "answer"
        report = SessionReport.model_validate(values["report"]) if values.get("report") else None
        phase = values.get("phase", "interview")
        if report is not None:
            self.sessions.update(session_id, status=phase, overall_quality=report.metrics.get("answer_quality"))
        return Turn(
            session_id=session_id,
            messages=list(values.get("messages", []))[since:],
            waiting_for=waiting,
            question=values.get("current") if waiting == "answer" else None,
            number=min(values.get("index", 0) + 1, len(values.get("plan", []))),
            total=len(values.get("plan", [])),
            phase=phase,
            report=report,
            llm_usage=dict(values.get("llm_usage") or {}),
        )

    async def start(self, user_id: str, request: InterviewPlanRequest, *, session_id: str | None = None) -> Turn:
        """Create a session, plan it and ask the first question."""
        session_id = session_id or uuid.uuid4().hex[:12]
        self.sessions.create(session_id, user_id, request.profile.role)
        state = {
            "session_id": session_id,
            "user_id": user_id,
            "request": request.model_dump(mode="json"),
            "created_at": self.deps.clock().isoformat(),
            "results": [],
            "messages": [],
        }
        return await self._run(session_id, state)

    async def _check_owner(self, session_id: str, user_id: str) -> None:
        self.sessions.get(session_id, user_id)
        snapshot = await self.graph.aget_state(self._config(session_id))
        if not snapshot.values:
            raise SessionNotFoundError(f"Session {session_id!r} has no saved state.")

    async def send(
        self, session_id: str, user_id: str, answer: AnswerInput | str, *, on_progress: ProgressCallback | None = None
    ) -> Turn:
        """Give the session the candidate's next input (answer, command, or coach message).

        Args:
            session_id: the session.
            user_id: its owner.
            answer: an answer (text and/or media), a command, or a coach message.
            on_progress: awaited with each graph node's name as it finishes (``analyze_answer``,
                ``evaluate_answer``...), so a surface can show live progress.

        Raises:
            SessionNotFoundError: unknown session or another user's session.

        """
        await self._check_owner(session_id, user_id)
        current = await self._turn(session_id, since=10**9)
        if current.waiting_for is None:
            # Work was interrupted mid-step (crash): finish it before taking new input.
            current = await self._run(session_id, None)
            if current.waiting_for is None:
                return current
        payload = answer if isinstance(answer, AnswerInput) else AnswerInput(text=answer)
        resume_value = payload.model_dump(mode="json") if current.waiting_for == "answer" else {"text": payload.text}
        return await self._run(session_id, Command(resume=resume_value), on_progress)

    async def resume(self, session_id: str, user_id: str) -> Turn:
        """Reopen a session where it stopped, finishing any step a crash interrupted.

        Returns:
            The turn whose ``messages`` are the whole conversation so far.

        Raises:
            SessionNotFoundError: unknown session or another user's session.

        """
        await self._check_owner(session_id, user_id)
        turn = await self._turn(session_id, since=0)
        snapshot = await self.graph.aget_state(self._config(session_id))
        if turn.waiting_for is None and snapshot.next:
            await self.graph.ainvoke(None, self._config(session_id), context=self.deps, durability="sync")
            turn = await self._turn(session_id, since=0)
        return turn

    async def report(self, session_id: str, user_id: str) -> SessionReport | None:
        """Return the session's report, or ``None`` while the interview is still running."""
        await self._check_owner(session_id, user_id)
        return (await self._turn(session_id, since=10**9)).report

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
