"""Coach: a conversation grounded in the session report and the user's long-term memory."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field
from pydantic_ai import Agent

from interview_coach.agents import prompts
from interview_coach.agents.llm import delimit_untrusted, run_with_fallback
from interview_coach.assessment.knowledge import CoachingPattern, find_pattern, search_patterns
from interview_coach.assessment.labels import score_label, signal_label
from interview_coach.assessment.progress import describe_progress
from interview_coach.assessment.report import number_results, question_findings
from interview_coach.core.deps import AppDeps
from interview_coach.domain import CoachReply, MemoryRecord, QuestionReport, SessionReport
from interview_coach.memory.store import new_record, session_summaries


class CoachMessage(BaseModel):
    """The coach's reply to the candidate."""

    text: str = Field(
        description="The reply, under 180 words, citing question numbers and numbers from the report.", max_length=2000
    )


coach_agent: Agent[AppDeps, CoachMessage] = Agent(
    output_type=CoachMessage, deps_type=AppDeps, instructions=prompts.COACH, name="coach"
)

_QUESTION_REF = re.compile(r"\b(?:q|question|#)\s*(\d{1,2})\b", re.IGNORECASE)
_GOAL = re.compile(
    r"\b(?:my goal is|i want to|i'd like to|i would like to|i'm aiming to|i am aiming to)\b(.+)", re.IGNORECASE
)
_PLAN = re.compile(r"\b(?:plan|schedule|roadmap)\b", re.IGNORECASE)
_REANSWER = re.compile(r"\b(re-?answer|retry|try again|redo|answer again)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CoachContext:
    """What the coach may ground a reply on."""

    user_id: str
    report: SessionReport | None
    memories: list[MemoryRecord]
    summaries: list[MemoryRecord]
    stories: list[MemoryRecord]


def referenced_question(message: str, report: SessionReport | None) -> tuple[int, QuestionReport] | None:
    """Find 'question 3' / 'Q3' in a message and return that main question of the report (not a follow-up)."""
    if report is None:
        return None
    match = _QUESTION_REF.search(message)
    if not match:
        return None
    number = int(match.group(1))
    for result in number_results(report.questions):
        if result.ref is not None and result.ref.number == number and not result.ref.follow_up:
            return number, result
    return None


def follow_ups_of(report: SessionReport, number: int) -> list[QuestionReport]:
    """Return the follow-ups asked for main question ``number``, in order."""
    return [r for r in number_results(report.questions) if r.ref and r.ref.number == number and r.ref.follow_up]


def wants_reanswer(message: str) -> bool:
    """Whether the user asks to re-answer a question (the re-answer-and-compare drill)."""
    return bool(_REANSWER.search(message))


def load_context(deps: AppDeps, user_id: str, message: str, report: SessionReport | None) -> CoachContext:
    """Gather report and memory for a reply; memory failures degrade to an empty context."""
    memory = deps.memory
    if memory is None:
        return CoachContext(user_id, report, [], [], [])
    return CoachContext(
        user_id=user_id,
        report=report,
        memories=memory.search(user_id, message, limit=5),
        summaries=session_summaries(memory, user_id, limit=20),
        stories=memory.list(user_id, kinds=["star_story"], limit=10),
    )


def _explain_question(number: int, question: QuestionReport) -> str:
    if question.input_mode == "skipped":
        return f"Question {number} was skipped, so there is nothing to score. Want to answer it now? Say 're-answer question {number}'."
    scores = ", ".join(f"{score_label(k).lower()} {v.value}" for k, v in question.scores.items() if v.value is not None)
    lines = [f"Question {number} ({question.question.text}) scored: {scores or 'nothing measurable'}."]
    quality = question.scores.get("answer_quality")
    if quality:
        drivers = sorted((s for s in quality.signals if s.effect), key=lambda s: s.effect)
        negatives = [f"{signal_label(s.name)} ({s.effect:+.0f})" for s in drivers if s.effect < 0][:3]
        positives = [f"{signal_label(s.name)} ({s.effect:+.0f})" for s in reversed(drivers) if s.effect > 0][:2]
        if negatives:
            lines.append("What pulled it down: " + ", ".join(negatives) + ".")
        if positives:
            lines.append("What helped: " + ", ".join(positives) + ".")
    weaknesses = [f for f in question_findings(question) if f.polarity == "weakness"]
    for finding in weaknesses[:3]:
        cited = "; ".join(
            e.detail if e.start_s is not None else f'"{e.quote}"'
            for e in finding.evidence[:2]
            if e.start_s is not None or e.quote
        )
        lines.append(f"- {finding.message}" + (f" Evidence: {cited}." if cited else ""))
    lines.append(f"Say 're-answer question {number}' to try it again and compare.")
    return "\n".join(lines)


def _drill_text(pattern: CoachingPattern) -> str:
    text = f"**{pattern.title}**. {pattern.why}".strip()
    if pattern.drill:
        steps = "\n".join(f"{i}. {step}" for i, step in enumerate(pattern.drill.steps, 1))
        text += f"\n\nDrill: *{pattern.drill.name}* ({pattern.drill.duration_min} min)\n{steps}"
        if pattern.drill.success_metric:
            text += f"\nYou're there when: {pattern.drill.success_metric}"
    return text


def _top_weakness_patterns(context: CoachContext, limit: int = 3) -> list[CoachingPattern]:
    ids: list[tuple[str, str]] = []
    if context.report:
        for question in context.report.questions:
            ids.extend((f.pattern_id, f.metric) for f in question_findings(question) if f.polarity == "weakness")
    for record in context.memories + context.summaries:
        ids.extend((str(pid), "") for pid in record.data.get("weakness_patterns", []))
    seen: dict[str, CoachingPattern] = {}
    for pattern_id, metric in ids:
        pattern = find_pattern(pattern_id, metric or None)
        if pattern and pattern.id not in seen:
            seen[pattern.id] = pattern
    return list(seen.values())[:limit]


def _practice_plan(context: CoachContext) -> str:
    patterns = _top_weakness_patterns(context, limit=3)
    if not patterns:
        return "I don't see recurring weaknesses yet. Plan: 3 sessions this week at a higher seniority level, one with a pasted job description."
    lines = ["A one-week practice plan built from your measured weak spots:"]
    for day, pattern in zip(("Mon/Tue", "Wed/Thu", "Fri"), patterns, strict=False):
        drill = pattern.drill.name if pattern.drill else pattern.tips[0] if pattern.tips else pattern.title
        lines.append(f"- {day}: {pattern.title}: {drill}")
    lines.append("- Weekend: a full mock interview; compare the numbers with this one.")
    return "\n".join(lines)


def _story_bank(context: CoachContext) -> str:
    if not context.stories:
        return "Your story bank is empty so far. Strong behavioural answers with a full STAR structure are saved here automatically."
    lines = ["Your strongest stories and what they prove:"]
    for story in context.stories[:5]:
        lines.append(f"- {story.text} (competencies: {', '.join(story.competencies) or 'general'})")
    return "\n".join(lines)


def _overview(context: CoachContext) -> str:
    report = context.report
    lines: list[str] = []
    if report:
        scores = ", ".join(
            f"{k.replace('_', ' ')} {v.value}" for k, v in report.overall_scores.items() if v.value is not None
        )
        lines.append(f"Overall: {scores or 'no measured scores yet'}.")
        if report.weaknesses:
            lines.append("Biggest thing to work on: " + report.weaknesses[0])
        if report.strengths:
            lines.append("Keep doing: " + report.strengths[0])
    progress = describe_progress(context.summaries)
    if progress:
        lines.append("Across sessions: " + "; ".join(progress[:3]) + ".")
    patterns = _top_weakness_patterns(context, limit=1)
    if patterns:
        lines.append("\n" + _drill_text(patterns[0]))
    return "\n".join(lines) or "Finish an interview first and I'll have measured evidence to coach you on."


def builtin_coach_reply(deps: AppDeps, context: CoachContext, message: str) -> CoachReply:
    """Answer with the builtin engine: intent keywords, the report, memory and the knowledge base."""
    lowered = message.lower()
    question = referenced_question(message, context.report)
    if question and not wants_reanswer(message):
        number, main = question
        text = _explain_question(number, main)
        assert context.report is not None
        for follow_up in follow_ups_of(context.report, number):
            label = follow_up.ref.label if follow_up.ref else "follow-up"
            quality = follow_up.scores.get("answer_quality")
            value = quality.value if quality and quality.value is not None else "not measured"
            text += f"\nIts {label} ({follow_up.question.text}) scored answer quality {value}."
        return CoachReply(text=text, grounded_on=[f"report:Q{number}"])
    goal = _GOAL.search(message)
    if goal and deps.memory is not None and len(goal.group(1).strip()) > 3:
        text = goal.group(1).strip().rstrip(".!")
        deps.memory.add([new_record(context.user_id, "goal", f"Goal: {text}")])
        return CoachReply(
            text=f"Noted your goal: {text}. I'll keep it in mind in later sessions.\n\n{_overview(context)}",
            grounded_on=["memory:goal"],
        )
    if _PLAN.search(message):
        return CoachReply(text=_practice_plan(context), grounded_on=["report", "memory"])
    if any(w in lowered for w in ("progress", "trend", "improv", "better than", "over time")):
        lines = describe_progress(context.summaries)
        text = (
            ("Your progress:\n" + "\n".join(f"- {line}" for line in lines))
            if lines
            else "I need at least two sessions to show a trend. Do another interview and ask again."
        )
        return CoachReply(text=text, grounded_on=["memory:session_summary"])
    if "story" in lowered or "stories" in lowered:
        return CoachReply(text=_story_bank(context), grounded_on=["memory:star_story"])
    patterns = (
        search_patterns(message, deps.embedder, limit=1)
        if any(w in lowered for w in ("drill", "exercise", "practice", "tip", "help", "how do i", "how can i"))
        else []
    )
    if patterns:
        return CoachReply(
            text=_drill_text(patterns[0]),
            grounded_on=[f"kb:{patterns[0].id}"],
            drill=patterns[0].drill.name if patterns[0].drill else None,
        )
    overview = _overview(context)
    hint = "\n\nAsk me: 'why was question 2 rated low?', 'give me a drill for fillers', 'make me a practice plan', 'show my progress', 're-answer question 1'."
    return CoachReply(text=overview + hint, grounded_on=["report", "memory"])


def _llm_prompt(context: CoachContext, message: str, builtin: CoachReply) -> str:
    parts = []
    if context.report:
        from interview_coach.assessment.rendering import render_report_markdown

        parts.append(delimit_untrusted("REPORT", render_report_markdown(context.report)[:8000]))
    memories = "\n".join(f"- [{m.kind}] {m.text}" for m in context.memories + context.stories[:3])
    if memories:
        parts.append(delimit_untrusted("MEMORIES", memories))
    progress = describe_progress(context.summaries)
    if progress:
        parts.append("Progress: " + "; ".join(progress))
    parts.append("Evidence-based draft from the rules engine (use its facts):\n" + builtin.text)
    parts.append(delimit_untrusted("CANDIDATE MESSAGE", message))
    return "\n\n".join(parts)


async def coach_reply(deps: AppDeps, *, user_id: str, message: str, report: SessionReport | None) -> CoachReply:
    """Reply to a coach-chat message (LLM when configured, builtin otherwise or on failure)."""
    context = load_context(deps, user_id, message, report)
    builtin = builtin_coach_reply(deps, context, message)
    if not deps.settings.uses_llm:
        return builtin
    outcome = await run_with_fallback(coach_agent, _llm_prompt(context, message, builtin), deps)
    if outcome.output is None:
        return builtin.model_copy(update={"engine_note": outcome.note})
    return CoachReply(text=outcome.output.text, grounded_on=builtin.grounded_on, drill=builtin.drill, engine="llm")
