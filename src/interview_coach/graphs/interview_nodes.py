"""Interview nodes: plan, ask, wait, analyse, evaluate, follow up, skip, move on.

Nodes that wait for the candidate (``await_*``) only call ``interrupt()`` and classify the
input: resuming re-runs a node from its start, so model calls live in other nodes.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from interview_coach.agents.evaluator import evaluate_answer as word_evaluation
from interview_coach.agents.interviewer import build_follow_up, follow_up_reason, phrase_question, plan_questions
from interview_coach.agents.interviewer import should_follow_up as wants_follow_up
from interview_coach.agents.llm import track_llm_usage
from interview_coach.assessment.pipeline import answer_again_reason
from interview_coach.assessment.progress import describe_deltas
from interview_coach.core.deps import AppDeps
from interview_coach.domain import (
    AnswerAssessment,
    AnswerEvaluation,
    AnswerInput,
    InterviewMode,
    InterviewPlanRequest,
    Question,
    QuestionRef,
    QuestionReport,
)
from interview_coach.domain.perception import RESUBMIT_TEXT, PerceptionFailedError
from interview_coach.graphs import events
from interview_coach.graphs.intents import HELP_TEXT, classify_input
from interview_coach.graphs.perception import perceive
from interview_coach.graphs.state import (
    TURN_KEY,
    InterviewState,
    current_question,
    current_ref,
    request_of,
    results_of,
    turn_record,
)
from interview_coach.memory.store import session_summaries


async def plan_interview(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Choose the questions and greet the candidate."""
    deps = runtime.context
    request, notes = screen_documents(request_of(state))
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
        "messages": [events.notice(note, "documents") for note in notes]
        + [events.event("system", "greeting", greeting)],
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
            kinds = ", ".join(sorted({flag.kind.replace("_", " ") for flag in cleaned.flags}))
            notes.append(
                f"Your {label} contains text aimed at an AI grader ({kinds}); it was removed and flagged, and it cannot affect any score."
            )
    if not updates:
        return request, []
    return request.model_copy(update={"profile": profile.model_copy(update=updates)}), notes


def _ref(state: InterviewState) -> QuestionRef:
    ref = current_ref(state)
    if ref is None:
        raise RuntimeError("No question is being asked.")
    return ref


def _question(state: InterviewState) -> Question:
    question = current_question(state)
    if question is None:
        raise RuntimeError("No question is being asked.")
    return question


async def ask_question(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Say the current question (LLM wording when configured, the curated text otherwise)."""
    question = _question(state)
    with track_llm_usage() as usage:
        text, note = await phrase_question(runtime.context, question)
    messages = [
        events.event(
            "interviewer",
            "question",
            text,
            question=_ref(state),
            time_budget_s=question.time_budget_s,
            repeat=state.get("intent") == "repeat",
        )
    ]
    if note:
        messages.append(events.notice(note, "engine"))
    return {"messages": messages, "intent": "answer", "pending": None, "llm_usage": usage.totals()}


def await_answer(state: InterviewState) -> dict[str, Any]:
    """Wait for the candidate's input and classify it (no model calls: this node re-runs on resume)."""
    ref = _ref(state)
    raw = interrupt({"type": "answer", "question": state.get("current"), "ref": ref.model_dump(mode="json")})
    data = dict(raw) if isinstance(raw, dict) else {"text": str(raw or "")}
    key = str(data.pop(TURN_KEY, "") or "")
    answer = AnswerInput.model_validate(data)
    intent = classify_input(answer)
    shown = answer.text.strip() or (
        "(video answer)" if answer.video_path else "(spoken answer)" if answer.audio_path else ""
    )
    messages = [events.event("candidate", "candidate", shown[:2000], question=ref)] if shown else []
    pending = answer.model_dump(mode="json") if intent == "answer" else None
    turn = turn_record(key, ref.question_id, len(state.get("messages", [])))
    return {"pending": pending, "intent": intent, "messages": messages, "turns": [turn]}


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
        text = "I didn't catch an answer. Type or record your answer, or say /skip."
        return {"messages": [events.event("system", "status", text)]}
    if intent == "help":
        return {"messages": [events.event("system", "status", HELP_TEXT)]}
    from interview_coach.assessment.labels import counted

    answered = [r for r in results_of(state) if r.input_mode != "skipped"]
    qualities = [
        r.scores["answer_quality"].value
        for r in answered
        if "answer_quality" in r.scores and r.scores["answer_quality"].value is not None
    ]
    ref, left = _ref(state), len(state["plan"]) - state["index"]
    main_answered = len({r.ref.number for r in answered if r.ref})
    if not answered:
        text = f"No answers yet. You're on question {ref.number} of {ref.total}."
    elif request_of(state).mode == InterviewMode.REALISTIC:
        text = (
            f"{counted(main_answered, 'question')} answered, {left} to go. Feedback comes at the end in realistic mode."
        )
    else:
        average = sum(q or 0 for q in qualities) / len(qualities) if qualities else None
        avg_text = f"average answer quality {average:.0f}/100" if average is not None else "no quality scores yet"
        text = f"{counted(main_answered, 'question')} answered, {avg_text}; {counted(left, 'question')} left."
    return {"messages": [events.event("system", "status", text)]}


async def analyze_answer(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Measure and judge the answer through the one assessment pipeline."""
    deps = runtime.context
    question, ref = _question(state), _ref(state)
    answer = AnswerInput.model_validate(state["pending"])
    request = request_of(state)
    history = []
    if (answer.audio_path or answer.video_path) and deps.memory is not None:
        history = await asyncio.to_thread(session_summaries, deps.memory, state["user_id"], limit=20)
    try:
        assessment = await perceive(
            deps,
            question,
            ref.question_id,
            answer,
            camera_off=request.camera_off,
            opted_out=request.opted_out_metrics,
            history=history,
            session_id=state["session_id"],
        )
    except PerceptionFailedError as exc:
        # The question stays open: the candidate re-submits, and the same answer runs as a new job.
        text = f"{RESUBMIT_TEXT} ({exc})"
        return {"analysis": None, "pending": None, "messages": [events.event("system", "status", text, question=ref)]}
    analysis = assessment.analysis
    messages = [events.not_measured(item, ref) for item in analysis.not_measured]
    if analysis.truncated:
        limit = deps.settings.max_answer_chars
        text = f"Your answer was longer than {limit:,} characters; only the first part was analysed."
        messages.append(events.notice(text, "truncated", question=ref))
    if analysis.input_mode != "text" and analysis.answer_text:
        messages.append(events.event("system", "transcript", analysis.answer_text[:1500], question=ref))
    again = answer_again_reason(assessment)
    if again:
        text = f"I couldn't judge that answer: {again} Please answer again, or say /skip."
        messages.append(events.event("system", "status", text, question=ref))
        return {"analysis": None, "pending": None, "messages": messages}
    return {"analysis": assessment.model_dump(mode="json"), "messages": messages}


def route_after_analysis(state: InterviewState) -> Literal["evaluate_answer", "await_answer"]:
    """Keep the question open when a recording had nothing to judge (damaged or silent)."""
    return "evaluate_answer" if state.get("analysis") else "await_answer"


def feedback_text(ref: QuestionRef, evaluation: AnswerEvaluation) -> str:
    """Return the plain-text feedback every text surface shows (the rich card renders the same evaluation)."""
    from interview_coach.assessment.labels import score_phrase

    scores = ", ".join(score_phrase(k, v.value) for k, v in evaluation.scores.items() if v.value is not None)
    lines = [f"Feedback on {ref.label}: {scores or 'no measurable scores'}."]
    lines += [f"✔ {s}" for s in evaluation.strengths[:2]]
    lines += [f"✘ {s}" for s in evaluation.improvements[:2]]
    if evaluation.baseline_deltas:
        lines.append("Compared with your earlier sessions: " + describe_deltas(evaluation.baseline_deltas) + ".")
    return "\n".join(lines)


def _assessment(state: InterviewState) -> AnswerAssessment:
    return AnswerAssessment.model_validate(state["analysis"])


async def evaluate_answer(state: InterviewState, runtime: Runtime[AppDeps]) -> dict[str, Any]:
    """Word the assessment as feedback and record the question's result."""
    deps = runtime.context
    question, ref = _question(state), _ref(state)
    assessment = _assessment(state)
    with track_llm_usage() as usage:
        evaluation = await word_evaluation(deps, question, assessment)
    analysis = assessment.analysis
    result = QuestionReport(
        question=question,
        ref=ref,
        answer_text=analysis.answer_text,
        input_mode=analysis.input_mode,
        analysis=analysis,
        evaluation=evaluation,
        scores=evaluation.scores,
        duration_s=analysis.voice.duration_s if analysis.voice is not None else None,
        time_budget_s=question.time_budget_s,
    )
    messages: list[dict[str, Any]] = []
    if evaluation.engine_note:
        messages.append(events.notice(evaluation.engine_note, "engine", question=ref))
    if request_of(state).mode == InterviewMode.PRACTICE:
        messages.append(events.feedback(feedback_text(ref, evaluation), ref, evaluation))
    return {
        "results": [result.model_dump(mode="json")],
        "messages": messages,
        "llm_usage": usage.totals(),
    }


def route_after_evaluation(
    state: InterviewState, runtime: Runtime[AppDeps]
) -> Literal["prepare_follow_up", "next_question"]:
    """Follow up on a weak answer (at most ``max_follow_ups`` per question), else move on."""
    assessment = _assessment(state)
    quality = assessment.scores.get("answer_quality")
    reason = wants_follow_up(assessment.follow_up_reasons, quality.value if quality else None)
    if reason and state.get("follow_ups", 0) < runtime.context.settings.max_follow_ups:
        return "prepare_follow_up"
    return "next_question"


def prepare_follow_up(state: InterviewState) -> dict[str, Any]:
    """Turn the weakest point of the answer into a follow-up question."""
    parent = Question.model_validate(state["plan"][state["index"]])
    assessment = _assessment(state)
    reason = follow_up_reason(assessment.follow_up_reasons) or "vague"
    text = assessment.analysis.text
    missing = list(text.missing_key_points) if text is not None else []
    number = state.get("follow_ups", 0) + 1
    follow_up = build_follow_up(parent, reason, missing, number)
    return {"current": follow_up.model_dump(mode="json"), "follow_ups": number}


def skip_question(state: InterviewState) -> dict[str, Any]:
    """Record the current question as skipped."""
    question, ref = _question(state), _ref(state)
    result = QuestionReport(question=question, ref=ref, input_mode="skipped", time_budget_s=question.time_budget_s)
    return {
        "results": [result.model_dump(mode="json")],
        "messages": [events.event("system", "status", "Skipped. Moving on.", question=ref)],
    }


def next_question(state: InterviewState) -> dict[str, Any]:
    """Advance to the next main question."""
    index = state["index"] + 1
    if index < len(state["plan"]):
        return {"index": index, "current": state["plan"][index], "follow_ups": 0}
    return {"index": index, "current": None}


def route_after_next(state: InterviewState) -> Literal["ask_question", "write_report"]:
    """Ask the next question, or write the report when the plan is done."""
    return "ask_question" if state.get("current") else "write_report"
