"""Coaching nodes: write the report, remember the session, and talk with the candidate."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from interview_coach.agents.coach import coach_history, reanswer_target
from interview_coach.agents.coach import coach_reply as run_coach
from interview_coach.agents.evaluator import evaluate_answer as word_evaluation
from interview_coach.agents.llm import track_llm_usage
from interview_coach.assessment.labels import score_label
from interview_coach.assessment.memories import memories_for_report
from interview_coach.assessment.pipeline import assess_answer
from interview_coach.assessment.progress import describe_deltas, describe_progress
from interview_coach.assessment.report import build_session_report
from interview_coach.core.deps import AppDeps
from interview_coach.domain import AnswerInput, MemoryRecord, SessionReport
from interview_coach.graphs import events
from interview_coach.graphs.state import (
    TURN_KEY,
    InterviewState,
    events_of,
    report_of,
    request_of,
    results_of,
    turn_record,
)
from interview_coach.memory.store import new_record, session_summaries

COACH_INTRO = (
    "The interview is over. I'm your coach now: ask why a question scored low, for a drill, "
    "a practice plan, or your progress."
)


def _previous_summaries(deps: AppDeps, user_id: str, session_id: str) -> list[MemoryRecord]:
    if deps.memory is None:
        return []
    return session_summaries(deps.memory, user_id, limit=50, exclude_session=session_id)


def report_summary(report: SessionReport) -> str:
    """Say in a few lines what the report found (surfaces render the full report from the model)."""
    scores = ", ".join(
        f"{score_label(name).lower()} {score.value}/100"
        for name, score in report.overall_scores.items()
        if score.value is not None
    )
    lines = [f"Your interview report is ready: {scores or 'no measurable scores'}."]
    if report.strengths:
        lines.append("Strengths: " + "; ".join(report.strengths[:2]) + ".")
    if report.weaknesses:
        lines.append("To work on: " + "; ".join(report.weaknesses[:2]) + ".")
    if report.time_management:
        lines.append(report.time_management)
    return "\n".join(lines)


async def write_report(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Build the session report, including progress against earlier sessions."""
    deps = runtime.context
    previous = await asyncio.to_thread(_previous_summaries, deps, state["user_id"], state["session_id"])
    report = build_session_report(
        session_id=state["session_id"],
        user_id=state["user_id"],
        profile=request_of(state).profile,
        questions=results_of(state),
        created_at=datetime.fromisoformat(state["created_at"]),
        progress=[],
    )
    if previous:
        current = new_record(state["user_id"], "session_summary", "current", metrics=report.metrics)
        report = report.model_copy(update={"progress": describe_progress([*previous, current])})
    return {
        "report": report.model_dump(mode="json"),
        "phase": "coaching",
        "messages": [events.event("feedback", "report", report_summary(report))],
    }


async def remember(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Store what this session taught us about the candidate in long-term memory."""
    deps = runtime.context
    report = report_of(state)
    intro = events.event("coach", "coach", COACH_INTRO)
    if deps.memory is None or report is None:
        return {"messages": [intro]}
    try:
        await asyncio.to_thread(deps.memory.add, memories_for_report(report))
    except Exception as exc:
        note = f"Could not save this session to long-term memory ({exc}); the report is still saved."
        return {"messages": [events.notice(note, "memory"), intro]}
    return {"messages": [intro]}


def await_coach(state: InterviewState) -> dict[str, Any]:
    """Wait for the next coach-chat message (no model calls: this node re-runs on resume)."""
    raw = interrupt({"type": "coach"})
    text = (raw.get("text", "") if isinstance(raw, dict) else str(raw or "")).strip()
    key = str(raw.get(TURN_KEY, "") or "") if isinstance(raw, dict) else ""
    return {
        "coach_input": text,
        "messages": [events.event("candidate", "candidate", text[:4000])] if text else [],
        "turns": [turn_record(key, "", len(state.get("messages", [])))],
    }


def route_after_coach_input(state: InterviewState) -> Literal["coach_reply", "end_session", "await_coach"]:
    """End on '/end', ignore empty input, otherwise reply."""
    text = state.get("coach_input", "").strip().lower()
    if not text:
        return "await_coach"
    return "end_session" if text in {"/end", "/quit", "/exit"} else "coach_reply"


async def _compare_reanswer(deps: AppDeps, report: SessionReport, number: int, text: str) -> str:
    original = next(q for q in report.questions if q.ref is not None and q.ref.number == number)
    assessment = await asyncio.to_thread(assess_answer, deps, original.question, AnswerInput(text=text))
    evaluation = await word_evaluation(deps, original.question, assessment)
    before = original.scores.get("answer_quality")
    after = evaluation.scores["answer_quality"]
    before_value = before.value if before and before.value is not None else 0
    lines = [f"Re-answer of Q{number}: answer quality {before_value} → {after.value}."]
    old_text = original.analysis.text if original.analysis else None
    new_text = assessment.analysis.text
    old_missing = set(old_text.missing_key_points) if old_text is not None else set()
    new_missing = set(new_text.missing_key_points) if new_text is not None else set()
    if old_missing - new_missing:
        lines.append("Now covered: " + "; ".join(sorted(old_missing - new_missing)) + ".")
    if new_missing:
        lines.append("Still missing: " + "; ".join(sorted(new_missing)[:3]) + ".")
    lines += [f"✘ {s}" for s in evaluation.improvements[:2]]
    if evaluation.baseline_deltas:
        lines.append("Compared with your earlier sessions: " + describe_deltas(evaluation.baseline_deltas) + ".")
    return "\n".join(lines)


async def coach_reply(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Reply as the coach, or run the re-answer-and-compare drill."""
    with track_llm_usage() as usage:
        update = await _coach_turn(state, runtime.context)
    return {**update, "llm_usage": usage.totals()}


async def _coach_turn(state: InterviewState, deps: AppDeps) -> dict[str, Any]:
    message = state.get("coach_input", "")
    report = report_of(state)
    drill_number = state.get("reanswer")
    if drill_number and report:
        text = await _compare_reanswer(deps, report, drill_number, message)
        return {"messages": [events.event("coach", "coach", text)], "reanswer": None}
    history = coach_history(events_of(state))
    ref = reanswer_target(deps, message, report, history) if report else None
    if ref:
        number, question = ref
        text = (
            f"Re-answer Q{number}: {question.question.text}\nType your new answer; I'll compare it with the first one."
        )
        return {"messages": [events.event("coach", "coach", text)], "reanswer": number}
    reply = await run_coach(deps, user_id=state["user_id"], message=message, report=report, history=history)
    messages = [
        events.event(
            "coach", "coach", reply.text, grounded_on=reply.grounded_on, drill=reply.drill, engine=reply.engine
        )
    ]
    if reply.engine_note:
        messages.append(events.notice(reply.engine_note, "engine"))
    return {"messages": messages}


def end_session(state: InterviewState) -> dict[str, Any]:
    """Close the session politely."""
    text = "Good work today. Your report and progress are saved; come back any time."
    return {"phase": "ended", "messages": [events.event("coach", "coach", text)]}
