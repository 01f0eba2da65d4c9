"""The supervisor graph: plans, asks, waits, analyses, evaluates, follows up, reports, coaches.

Nodes that wait for the candidate (``await_*``) only call ``interrupt()`` and classify the
input: resuming re-runs a node from its start, so model calls live in other nodes.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from interview_coach.agents.coach import coach_reply as run_coach
from interview_coach.agents.coach import referenced_question, wants_reanswer
from interview_coach.agents.evaluator import evaluate_answer as run_evaluator
from interview_coach.agents.interviewer import (
    build_follow_up,
    follow_up_reason,
    phrase_question,
    plan_questions,
    should_follow_up,
)
from interview_coach.agents.llm import track_llm_usage
from interview_coach.assessment.findings import find_patterns
from interview_coach.assessment.pipeline import analyze_answer as run_perception
from interview_coach.assessment.progress import describe_deltas, describe_progress, voice_baseline_deltas
from interview_coach.assessment.report import build_session_report, render_markdown
from interview_coach.deps import AppDeps
from interview_coach.domain import (
    AnswerAnalysis,
    AnswerEvaluation,
    AnswerInput,
    InterviewMode,
    InterviewPlanRequest,
    Question,
    QuestionKind,
    QuestionReport,
    SessionReport,
)
from interview_coach.graphs.state import ChatMessage, Intent, InterviewState
from interview_coach.memory.store import new_record

HELP_TEXT = (
    "Answer in your own words (type, record, or upload audio/video). Commands: "
    "/repeat asks the question again, /skip moves on, /end finishes and writes the report, "
    "/status shows how you are doing, /help shows this."
)
_COMMANDS: dict[str, Intent] = {
    "/repeat": "repeat",
    "/skip": "skip",
    "/end": "end",
    "/help": "help",
    "/status": "status",
}
_FREE_FORM: tuple[tuple[re.Pattern[str], Intent], ...] = (
    (
        re.compile(
            r"^(?:can|could|would) you (?:please )?(?:repeat|say that again|rephrase)|^(?:please )?repeat\b|^pardon\b|^say that again"
        ),
        "repeat",
    ),
    (re.compile(r"^(?:please )?(?:skip|pass|next question)\b|^(?:can|could) (?:we|i) skip"), "skip"),
    (
        re.compile(
            r"^(?:(?:let'?s|please|i want to|i'd like to) )?(?:end|stop|finish|quit)(?: the| this)?(?: interview)?\b"
        ),
        "end",
    ),
    (re.compile(r"how am i doing|how did i do|how's it going"), "status"),
    (re.compile(r"^(?:help|what can i (?:say|do))\b"), "help"),
)
_MAX_COMMAND_WORDS = 8


def classify_input(answer: AnswerInput) -> Intent:
    """Tell an answer from a command ('/skip', 'could you repeat that?', 'how am I doing?')."""
    if answer.audio_path or answer.video_path:
        return "answer"
    text = answer.text.strip()
    if not text:
        return "empty"
    lowered = text.lower()
    if lowered.split()[0] in _COMMANDS:
        return _COMMANDS[lowered.split()[0]]
    if len(lowered.split()) <= _MAX_COMMAND_WORDS:
        for pattern, intent in _FREE_FORM:
            if pattern.search(lowered):
                return intent
    return "answer"


def _message(role: Any, text: str, question_id: str | None = None, **data: Any) -> ChatMessage:
    return {"role": role, "text": text, "question_id": question_id, "data": data}


def _deps(runtime: Runtime[AppDeps]) -> AppDeps:
    return runtime.context


def _request(state: InterviewState) -> InterviewPlanRequest:
    return InterviewPlanRequest.model_validate(state["request"])


def _now(deps: AppDeps) -> str:
    return deps.clock().isoformat()


async def plan_interview(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Choose the questions and greet the candidate."""
    deps = _deps(runtime)
    request, notes = screen_documents(_request(state))
    questions = await asyncio.to_thread(
        plan_questions, deps, request, user_id=state["user_id"], seed=state["session_id"]
    )
    kinds = sorted({q.kind.value for q in questions})
    mode = (
        "feedback after each answer"
        if request.mode == InterviewMode.PRACTICE
        else "feedback at the end, like a real interview"
    )
    greeting = (
        f"Hi {request.profile.name}! This is a {len(questions)}-question mock interview for "
        f"{request.profile.role} ({request.profile.seniority.value}), covering {', '.join(kinds)} questions, with {mode}. "
        f"{HELP_TEXT}"
    )
    plan = [q.model_dump(mode="json") for q in questions]
    return {
        "request": request.model_dump(mode="json"),
        "plan": plan,
        "index": 0,
        "current": plan[0],
        "follow_ups": 0,
        "phase": "interview",
        "messages": [_message("system", note) for note in notes] + [_message("system", greeting)],
    }


def screen_documents(request: InterviewPlanRequest) -> tuple[InterviewPlanRequest, list[str]]:
    """Remove prompt injections from the resume and job description before anything reads them.

    Returns:
        The request with cleaned documents, and one note per document that was changed.
    """
    from interview_coach.tools.text.injection import neutralise

    profile = request.profile
    updates: dict[str, str] = {}
    notes: list[str] = []
    for field, label in (("resume_text", "resume"), ("job_description", "job description")):
        cleaned = neutralise(getattr(profile, field))
        if cleaned.flags:
            updates[field] = cleaned.text
            kinds = ", ".join(sorted({flag.kind for flag in cleaned.flags}))
            notes.append(
                f"Your {label} contains text aimed at an AI grader ({kinds}); it was removed and flagged, and it cannot affect any score."
            )
    if not updates:
        return request, []
    return request.model_copy(update={"profile": profile.model_copy(update=updates)}), notes


async def ask_question(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Say the current question (LLM wording when configured, the curated text otherwise)."""
    deps = _deps(runtime)
    question = Question.model_validate(state["current"])
    with track_llm_usage() as usage:
        text, note = await phrase_question(deps, question)
    number, total = state["index"] + 1, len(state["plan"])
    messages = [
        _message(
            "interviewer",
            text,
            question.id,
            number=number,
            total=total,
            follow_up=question.follow_up_of is not None,
            kind=question.kind.value,
            competency=question.competency,
            time_budget_s=question.time_budget_s,
            repeat=state.get("intent") == "repeat",
        )
    ]
    if note:
        messages.append(_message("system", note))
    return {
        "messages": messages,
        "asked_at": _now(deps),
        "intent": "answer",
        "pending": None,
        "llm_usage": usage.totals(),
    }


def await_answer(state: InterviewState) -> dict[str, Any]:
    """Wait for the candidate's input and classify it (no model calls: this node re-runs on resume)."""
    current = state["current"] or {}
    raw = interrupt({"type": "answer", "question": current, "number": state["index"] + 1, "total": len(state["plan"])})
    answer = AnswerInput.model_validate(raw) if isinstance(raw, dict) else AnswerInput(text=str(raw or ""))
    intent = classify_input(answer)
    shown = answer.text.strip() or (
        "(video answer)" if answer.video_path else "(spoken answer)" if answer.audio_path else ""
    )
    messages = [_message("candidate", shown[:2000], current.get("id"))] if shown else []
    pending = answer.model_dump(mode="json") if intent == "answer" else None
    return {"pending": pending, "intent": intent, "messages": messages}


def route_after_answer(
    state: InterviewState,
) -> Literal["analyze_answer", "ask_question", "skip_question", "write_report", "status_reply"]:
    """Send the input where it belongs."""
    intent = state.get("intent", "answer")
    if intent == "answer":
        return "analyze_answer"
    if intent == "repeat":
        return "ask_question"
    if intent == "skip":
        return "skip_question"
    if intent == "end":
        return "write_report"
    return "status_reply"


def status_reply(state: InterviewState) -> dict[str, Any]:
    """Answer '/help', '/status', 'how am I doing?' or an empty answer without losing the question."""
    intent = state.get("intent")
    if intent == "empty":
        return {"messages": [_message("system", "I didn't catch an answer. Type or record your answer, or say /skip.")]}
    if intent == "help":
        return {"messages": [_message("system", HELP_TEXT)]}
    results = [QuestionReport.model_validate(r) for r in state.get("results", [])]
    answered = [r for r in results if r.input_mode != "skipped"]
    qualities = [
        r.scores["answer_quality"].value
        for r in answered
        if "answer_quality" in r.scores and r.scores["answer_quality"].value is not None
    ]
    if not answered:
        text = f"No answers yet. You're on question {state['index'] + 1} of {len(state['plan'])}."
    elif _request(state).mode == InterviewMode.REALISTIC:
        text = f"{len(answered)} answered, {len(state['plan']) - state['index']} to go. Feedback comes at the end in realistic mode."
    else:
        average = sum(q or 0 for q in qualities) / len(qualities) if qualities else None
        avg_text = f"average answer quality {average:.0f}/100" if average is not None else "no quality scores yet"
        text = f"{len(answered)} answered, {avg_text}; {len(state['plan']) - state['index']} question(s) left."
    return {"messages": [_message("system", text)]}


async def analyze_answer(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Run the perception tools on the answer."""
    deps = _deps(runtime)
    question = Question.model_validate(state["current"])
    answer = AnswerInput.model_validate(state["pending"])
    request = _request(state)
    analysis = await asyncio.to_thread(
        run_perception, deps, question, answer, camera_off=request.camera_off, opted_out=set(request.opted_out_metrics)
    )
    messages = [_message("system", error) for error in analysis.errors]
    if analysis.truncated:
        messages.append(
            _message(
                "system",
                f"Your answer was longer than {deps.settings.max_answer_chars:,} characters; only the first part was analysed.",
            )
        )
    if analysis.input_mode != "text" and analysis.answer_text:
        messages.append(_message("system", f"Transcript: {analysis.answer_text[:1500]}", question.id, transcript=True))
    return {"analysis": analysis.model_dump(mode="json"), "messages": messages}


def _feedback_text(number: int, evaluation: AnswerEvaluation) -> str:
    scores = ", ".join(f"{k.replace('_', ' ')} {v.value}" for k, v in evaluation.scores.items() if v.value is not None)
    lines = [f"Feedback on Q{number}: {scores or 'no measurable scores'}."]
    lines += [f"✔ {s}" for s in evaluation.strengths[:2]]
    lines += [f"✘ {s}" for s in evaluation.improvements[:2]]
    if evaluation.baseline_deltas:
        lines.append("Compared with your earlier sessions: " + describe_deltas(evaluation.baseline_deltas) + ".")
    return "\n".join(lines)


async def evaluate_answer(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Score the answer from evidence, write feedback, and record the question result."""
    deps = _deps(runtime)
    request = _request(state)
    question = Question.model_validate(state["current"])
    analysis = AnswerAnalysis.model_validate(state["analysis"])
    with track_llm_usage() as usage:
        evaluation = await run_evaluator(deps, question, analysis, opted_out=set(request.opted_out_metrics))
    if analysis.voice and deps.memory is not None:
        summaries = await asyncio.to_thread(deps.memory.list, state["user_id"], kinds=["session_summary"], limit=20)
        deltas = voice_baseline_deltas(analysis.voice, summaries, exclude_session=state["session_id"])
        evaluation = evaluation.model_copy(update={"baseline_deltas": deltas})
    duration = (analysis.voice or {}).get("duration_s") if analysis.voice else None
    result = QuestionReport(
        question=question,
        answer_text=analysis.answer_text,
        input_mode=analysis.input_mode,
        analysis=analysis,
        evaluation=evaluation,
        scores=evaluation.scores,
        duration_s=float(duration) if isinstance(duration, int | float) else None,
        time_budget_s=question.time_budget_s,
    )
    number = len(state.get("results", [])) + 1
    messages: list[ChatMessage] = []
    if evaluation.engine_note:
        messages.append(_message("system", evaluation.engine_note))
    if request.mode == InterviewMode.PRACTICE:
        messages.append(
            _message(
                "feedback",
                _feedback_text(number, evaluation),
                question.id,
                evaluation=evaluation.model_dump(mode="json"),
            )
        )
    return {
        "evaluation": evaluation.model_dump(mode="json"),
        "results": [result.model_dump(mode="json")],
        "messages": messages,
        "llm_usage": usage.totals(),
    }


def route_after_evaluation(
    state: InterviewState, runtime: Runtime[AppDeps]
) -> Literal["prepare_follow_up", "next_question"]:
    """Follow up on a weak answer (at most ``max_follow_ups`` per question), else move on."""
    text = (state.get("analysis") or {}).get("text") or {}
    quality = ((text.get("answer_quality") or {}).get("value")) if text else None
    reason = should_follow_up(list(text.get("follow_up_reasons") or []), quality)
    if reason and state.get("follow_ups", 0) < runtime.context.settings.max_follow_ups:
        return "prepare_follow_up"
    return "next_question"


def prepare_follow_up(state: InterviewState) -> dict[str, Any]:
    """Turn the weakest point of the answer into a follow-up question."""
    parent = Question.model_validate(state["plan"][state["index"]])
    text_analysis = (state.get("analysis") or {}).get("text") or {}
    reason = follow_up_reason(list(text_analysis.get("follow_up_reasons") or [])) or "vague"
    missing = list(text_analysis.get("missing_key_points") or [])
    number = state.get("follow_ups", 0) + 1
    follow_up = build_follow_up(parent, reason, missing, number)
    return {"current": follow_up.model_dump(mode="json"), "follow_ups": number}


def skip_question(state: InterviewState) -> dict[str, Any]:
    """Record the current question as skipped."""
    question = Question.model_validate(state["current"])
    result = QuestionReport(question=question, input_mode="skipped", time_budget_s=question.time_budget_s)
    return {"results": [result.model_dump(mode="json")], "messages": [_message("system", "Skipped. Moving on.")]}


def next_question(state: InterviewState) -> dict[str, Any]:
    """Advance to the next main question."""
    index = state["index"] + 1
    if index < len(state["plan"]):
        return {"index": index, "current": state["plan"][index], "follow_ups": 0}
    return {"index": index, "current": None}


def route_after_next(state: InterviewState) -> Literal["ask_question", "write_report"]:
    """Ask the next question, or write the report when the plan is done."""
    return "ask_question" if state.get("current") else "write_report"


def _previous_summaries(deps: AppDeps, user_id: str, session_id: str) -> list[Any]:
    if deps.memory is None:
        return []
    return [r for r in deps.memory.list(user_id, kinds=["session_summary"], limit=50) if r.session_id != session_id]


async def write_report(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Build the session report, including progress against earlier sessions."""
    deps = _deps(runtime)
    results = [QuestionReport.model_validate(r) for r in state.get("results", [])]
    request = _request(state)
    previous = await asyncio.to_thread(_previous_summaries, deps, state["user_id"], state["session_id"])
    report = build_session_report(
        session_id=state["session_id"],
        user_id=state["user_id"],
        profile=request.profile,
        questions=results,
        created_at=datetime.fromisoformat(state["created_at"]),
        progress=[],
    )
    if previous:
        current = new_record(state["user_id"], "session_summary", "current", metrics=report.metrics)
        report = report.model_copy(update={"progress": describe_progress([*previous, current])})
    text = render_markdown(report)
    return {
        "report": report.model_dump(mode="json"),
        "phase": "coaching",
        "messages": [_message("feedback", text, None, report=True)],
    }


def _story_text(result: QuestionReport) -> str | None:
    text = (result.analysis.text or {}) if result.analysis else {}
    star = text.get("star") or {}
    if not star or text.get("star_missing"):
        return None
    situation, outcome = star.get("situation") or "", star.get("result") or ""
    return f"Story for '{result.question.text}': {situation[:160]} … Result: {outcome[:160]}"


def memories_for_report(report: SessionReport) -> list[Any]:
    """Turn a report into memory records: summary, weaknesses, strengths, STAR stories."""
    user, session = report.user_id, report.session_id
    records = []
    weakness_ids: list[str] = []
    for i, result in enumerate(report.questions):
        if result.analysis is None:
            continue
        for finding in find_patterns(result.analysis, result.question.kind):
            kind: Literal["weakness", "strength"] = "weakness" if finding.polarity == "weakness" else "strength"
            if kind == "weakness":
                weakness_ids.append(finding.pattern_id)
            metrics = {finding.metric: finding.value} if finding.value is not None else {}
            records.append(
                new_record(
                    user,
                    kind,
                    f"{finding.message} (question: {result.question.text})",
                    session_id=session,
                    competencies=[result.question.competency],
                    metrics=metrics,
                    data={"pattern_id": finding.pattern_id, "question_id": result.question.id},
                    stable_key=f"{session}:{i}:{finding.pattern_id}",
                )
            )
        quality = result.evaluation.quality_1_5 if result.evaluation else None
        story = _story_text(result)
        if story and quality and quality >= 4 and result.question.kind == QuestionKind.BEHAVIORAL:
            records.append(
                new_record(
                    user,
                    "star_story",
                    story,
                    session_id=session,
                    competencies=[result.question.competency],
                    stable_key=f"{session}:{i}:story",
                )
            )
    quality_score = report.overall_scores.get("answer_quality")
    summary = (
        f"Mock interview for {report.profile.role} on {report.created_at:%Y-%m-%d}: answer quality "
        f"{quality_score.value if quality_score else None}; weaknesses: {'; '.join(report.weaknesses[:3]) or 'none'}; "
        f"strengths: {'; '.join(report.strengths[:3]) or 'none'}."
    )
    records.append(
        new_record(
            user,
            "session_summary",
            summary,
            session_id=session,
            metrics=report.metrics,
            data={
                "question_ids": [q.question.id for q in report.questions],
                "weakness_patterns": sorted(set(weakness_ids)),
            },
            stable_key=f"{session}:summary",
        )
    )
    return records


async def remember(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Store what this session taught us about the candidate in long-term memory."""
    deps = _deps(runtime)
    intro = "The interview is over. I'm your coach now: ask why a question scored low, for a drill, a practice plan, or your progress."
    if deps.memory is None or not state.get("report"):
        return {"messages": [_message("coach", intro)]}
    report = SessionReport.model_validate(state["report"])
    try:
        await asyncio.to_thread(deps.memory.add, memories_for_report(report))
    except Exception as exc:
        note = f"Could not save this session to long-term memory ({exc}); the report is still saved."
        return {"messages": [_message("system", note), _message("coach", intro)]}
    return {"messages": [_message("coach", intro)]}


def await_coach(state: InterviewState) -> dict[str, Any]:
    """Wait for the next coach-chat message (no model calls: this node re-runs on resume)."""
    raw = interrupt({"type": "coach"})
    text = (raw.get("text", "") if isinstance(raw, dict) else str(raw or "")).strip()
    return {"coach_input": text, "messages": [_message("candidate", text[:4000])] if text else []}


def route_after_coach_input(state: InterviewState) -> Literal["coach_reply", "end_session", "await_coach"]:
    """End on '/end', ignore empty input, otherwise reply."""
    text = state.get("coach_input", "").strip().lower()
    if not text:
        return "await_coach"
    return "end_session" if text in {"/end", "/quit", "/exit"} else "coach_reply"


async def _compare_reanswer(deps: AppDeps, report: SessionReport, number: int, text: str) -> str:
    original = report.questions[number - 1]
    analysis = await asyncio.to_thread(run_perception, deps, original.question, AnswerInput(text=text))
    evaluation = await run_evaluator(deps, original.question, analysis)
    before = original.scores.get("answer_quality")
    after = evaluation.scores["answer_quality"]
    before_value = before.value if before and before.value is not None else 0
    lines = [f"Re-answer of Q{number}: answer quality {before_value} → {after.value}."]
    old_text = (original.analysis.text or {}) if original.analysis else {}
    new_text = analysis.text or {}
    old_missing, new_missing = (
        set(old_text.get("missing_key_points") or []),
        set(new_text.get("missing_key_points") or []),
    )
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
        update = await _coach_turn(state, _deps(runtime))
    return {**update, "llm_usage": usage.totals()}


async def _coach_turn(state: InterviewState, deps: AppDeps) -> dict[str, Any]:
    message = state.get("coach_input", "")
    report = SessionReport.model_validate(state["report"]) if state.get("report") else None
    drill_number = state.get("reanswer")
    if drill_number and report:
        text = await _compare_reanswer(deps, report, drill_number, message)
        return {"messages": [_message("coach", text, data_kind="reanswer")], "reanswer": None}
    if report and wants_reanswer(message):
        ref = referenced_question(message, report)
        if ref:
            number, question = ref
            text = f"Re-answer Q{number}: {question.question.text}\nType your new answer; I'll compare it with the first one."
            return {"messages": [_message("coach", text)], "reanswer": number}
    reply = await run_coach(deps, user_id=state["user_id"], message=message, report=report)
    messages = [
        _message("coach", reply.text, None, grounded_on=reply.grounded_on, drill=reply.drill, engine=reply.engine)
    ]
    if reply.engine_note:
        messages.append(_message("system", reply.engine_note))
    return {"messages": messages}


def end_session(state: InterviewState) -> dict[str, Any]:
    """Close the session politely."""
    return {
        "phase": "ended",
        "messages": [_message("coach", "Good work today. Your report and progress are saved; come back any time.")],
    }


def build_graph() -> StateGraph[InterviewState, AppDeps, InterviewState, InterviewState]:
    """Wire the supervisor graph (compile it with a checkpointer)."""
    builder = StateGraph(InterviewState, context_schema=AppDeps)
    for node in (
        plan_interview,
        ask_question,
        await_answer,
        status_reply,
        analyze_answer,
        evaluate_answer,
        prepare_follow_up,
        skip_question,
        next_question,
        write_report,
        remember,
        await_coach,
        coach_reply,
        end_session,
    ):
        builder.add_node(node.__name__, node)
    builder.add_edge(START, "plan_interview")
    builder.add_edge("plan_interview", "ask_question")
    builder.add_edge("ask_question", "await_answer")
    builder.add_conditional_edges("await_answer", route_after_answer)
    builder.add_edge("status_reply", "await_answer")
    builder.add_edge("analyze_answer", "evaluate_answer")
    builder.add_conditional_edges("evaluate_answer", route_after_evaluation)
    builder.add_edge("prepare_follow_up", "ask_question")
    builder.add_edge("skip_question", "next_question")
    builder.add_conditional_edges("next_question", route_after_next)
    builder.add_edge("write_report", "remember")
    builder.add_edge("remember", "await_coach")
    builder.add_conditional_edges("await_coach", route_after_coach_input)
    builder.add_edge("coach_reply", "await_coach")
    builder.add_edge("end_session", END)
    return builder
