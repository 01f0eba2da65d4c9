"""Coach: a conversation grounded in the session report and the user's long-term memory.

Each message is resolved first (:mod:`interview_coach.assessment.coach_nlu`): what the candidate
wants and which question or session they mean, whatever the phrasing. The builtin engine
answers from that resolution; with an LLM configured, the same resolution and the builtin
draft are the model's context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field
from pydantic_ai import Agent

from interview_coach.agents import coach_replies as replies
from interview_coach.agents import prompts
from interview_coach.agents.llm import delimit_untrusted, run_with_fallback
from interview_coach.assessment.coach_nlu import Resolution, ResolutionContext, SessionInfo, resolve_message
from interview_coach.assessment.coach_nlu.models import question_topics
from interview_coach.assessment.coach_nlu.skills import named_skill
from interview_coach.assessment.progress import describe_progress
from interview_coach.assessment.question_bank import load_question_bank
from interview_coach.core.deps import AppDeps
from interview_coach.domain import CoachReply, MemoryRecord, Question, QuestionReport, SessionReport, TurnEvent
from interview_coach.memory.store import new_record, session_summaries

_GOAL_TEXT = re.compile(
    r"(?:my (?:goal|aim|target|objective) is|(?:my )?goal:|i want to|i'd like to|i would like to|i'?m aiming (?:to|for)|"
    r"i am aiming (?:to|for)|i'?m hoping to|i'?m targeting|i want|remember that i want|note that i'?m)\s*(?P<goal>.+)",
    re.IGNORECASE,
)


class CoachMessage(BaseModel):
    """The coach's reply to the candidate."""

    text: str = Field(
        description="The reply, under 180 words, citing question numbers and numbers from the report.", max_length=2000
    )


coach_agent: Agent[AppDeps, CoachMessage] = Agent(
    output_type=CoachMessage, deps_type=AppDeps, instructions=prompts.COACH, name="coach"
)


@dataclass(frozen=True)
class CoachContext:
    """What the coach may ground a reply on, and what the message was resolved to."""

    user_id: str
    report: SessionReport | None
    memories: list[MemoryRecord]
    summaries: list[MemoryRecord]
    stories: list[MemoryRecord]
    sessions: list[SessionInfo]
    resolution: Resolution

    @property
    def session(self) -> SessionInfo | None:
        """The session the message refers to, if any."""
        return next((s for s in self.sessions if s.session_id == self.resolution.session_id), None)


def _bank_question(question_id: str) -> Question | None:
    try:
        return load_question_bank().by_id(question_id)
    except KeyError:
        return None


def sessions_from_memory(
    summaries: Sequence[MemoryRecord], report: SessionReport | None, *, in_session: bool
) -> list[SessionInfo]:
    """Describe the user's sessions from their summaries (and the report in focus), newest first."""
    sessions: dict[str, SessionInfo] = {}
    for record in summaries:
        if not record.session_id:
            continue
        ids = record.data.get("question_ids", [])
        questions = [q for qid in (ids if isinstance(ids, list) else [ids]) if (q := _bank_question(qid))]
        weak = record.data.get("weakness_patterns", [])
        sessions[record.session_id] = SessionInfo(
            session_id=record.session_id,
            role=str(record.data.get("role", "")) or "mock",
            created_at=record.created_at,
            questions=[q.text for q in questions],
            question_topics=[question_topics(q.competency, q.tags) for q in questions],
            metrics=record.metrics,
            weakness_patterns=list(weak) if isinstance(weak, list) else [weak],
        )
    if report is not None:
        main = [q.question for q in replies.main_questions(report)]
        sessions[report.session_id] = SessionInfo(
            session_id=report.session_id,
            role=report.profile.role,
            created_at=report.created_at,
            questions=[q.text for q in main],
            question_topics=[question_topics(q.competency, q.tags) for q in main],
            metrics=report.metrics,
            weakness_patterns=sessions[report.session_id].weakness_patterns if report.session_id in sessions else [],
            is_current=in_session,
        )
    return sorted(sessions.values(), key=lambda s: s.created_at, reverse=True)


def resolution_context(deps: AppDeps, sessions: list[SessionInfo], report: SessionReport | None) -> ResolutionContext:
    """Build what a message can refer to: the report's questions (else the latest session's) and every session."""
    focus = next((s for s in sessions if report and s.session_id == report.session_id), None)
    focus = focus or (sessions[0] if sessions else None)
    return ResolutionContext(
        now=deps.clock(),
        questions=focus.questions if focus else [],
        question_topics=focus.question_topics if focus else [],
        sessions=sessions,
    )


def load_context(
    deps: AppDeps,
    user_id: str,
    message: str,
    report: SessionReport | None,
    *,
    history: Sequence[str] = (),
    in_session: bool = True,
) -> CoachContext:
    """Gather report and memory for a reply and resolve the message against them."""
    memory = deps.memory
    summaries = session_summaries(memory, user_id, limit=50) if memory is not None else []
    sessions = sessions_from_memory(summaries, report, in_session=in_session and report is not None)
    resolution = resolve_message(message, resolution_context(deps, sessions, report), deps.embedder, history)
    return CoachContext(
        user_id=user_id,
        report=report,
        memories=memory.search(user_id, message, limit=5) if memory is not None else [],
        summaries=summaries,
        stories=memory.list(user_id, kinds=["star_story"], limit=10) if memory is not None else [],
        sessions=sessions,
        resolution=resolution,
    )


def reanswer_target(
    deps: AppDeps, message: str, report: SessionReport, history: Sequence[str] = ()
) -> tuple[int, QuestionReport] | None:
    """Return the main question the candidate asks to re-answer ("let me redo the queue one"), if any."""
    sessions = sessions_from_memory([], report, in_session=True)
    resolution = resolve_message(message, resolution_context(deps, sessions, report), deps.embedder, history)
    question = replies.question_of(report, resolution.question) if resolution.intent == "reanswer" else None
    return (question.ref.number, question) if question is not None and question.ref is not None else None


def coach_history(events: Sequence[TurnEvent]) -> list[str]:
    """Return the candidate's earlier coach-chat messages (after the report), oldest first, without the latest."""
    start = max((i for i, e in enumerate(events) if e.kind == "report"), default=-1) + 1
    said = [e.text for e in events[start:] if e.role == "candidate" and e.text.strip()]
    return said[:-1]


def _improve(deps: AppDeps, context: CoachContext, message: str) -> replies.Draft:
    skill = named_skill(message, deps.embedder)
    question = replies.question_of(context.report, context.resolution.question)
    lead = ""
    if question is not None and question.ref is not None:
        draft = replies.improve_question(question, skill)
        if draft is not None:
            return draft
        lead = f"Q{question.ref.number} ({question.question.text}) shows no measured weak spot. "
    if skill is not None:
        text = lead + replies.drill_text(skill)
        return replies.Draft(text, [f"kb:{skill.id}"], skill.drill.name if skill.drill else None)
    patterns, sources = replies.top_weaknesses(context.report, context.summaries, limit=1)
    if patterns:
        pattern = patterns[0]
        text = lead + "Your most frequent measured weak spot:\n\n" + replies.drill_text(pattern)
        return replies.Draft(text, [*sources, f"kb:{pattern.id}"], pattern.drill.name if pattern.drill else None)
    return replies.Draft(
        "I don't see a measured weak spot yet. Tell me the skill (fillers, pace, structure...) and I'll give you a drill."
    )


def _explain(context: CoachContext) -> replies.Draft:
    report, number = context.report, context.resolution.question
    question = replies.question_of(report, number)
    if report is not None and question is not None:
        return replies.explain_question(report, question)
    if report is None:
        return replies.Draft("Finish an interview first and I'll explain each question's score from measured evidence.")
    lead = (
        f"There is no question {number} in this session. Its questions:"
        if number is not None
        else "Which question? Its scores:"
    )
    return replies.question_list(report, lead)


def _recap(context: CoachContext) -> replies.Draft:
    session = context.session
    if session is None:
        return replies.session_not_found(context.resolution, context.sessions)
    if context.report is not None and session.session_id == context.report.session_id:
        return replies.recap_report(context.report, session)
    return replies.recap_past_session(session)


def _goal(deps: AppDeps, context: CoachContext, message: str) -> replies.Draft:
    match = _GOAL_TEXT.search(message)
    goal = (match.group("goal") if match else message).strip().rstrip(".!")
    if deps.memory is None:
        return replies.Draft(f"Your goal: {goal}. Long-term memory is off, so I can't keep it for later sessions.")
    deps.memory.add([new_record(context.user_id, "goal", f"Goal: {goal}")])
    return replies.Draft(f"Noted your goal: {goal}. I'll keep it in mind in later sessions.", ["memory:goal"])


def _progress(context: CoachContext) -> replies.Draft:
    lines = describe_progress(context.summaries)
    if not lines:
        return replies.Draft("I need at least two sessions to show a trend. Do another interview and ask again.")
    return replies.Draft("Your progress:\n" + "\n".join(f"- {line}" for line in lines), ["memory:session_summary"])


def builtin_coach_reply(deps: AppDeps, context: CoachContext, message: str) -> CoachReply:
    """Answer with the builtin engine from the resolved intent and reference."""
    intent = context.resolution.intent
    if intent == "explain":
        draft = _explain(context)
    elif intent == "improve":
        draft = _improve(deps, context, message)
    elif intent == "session_recap":
        draft = _recap(context)
    elif intent == "progress":
        draft = _progress(context)
    elif intent == "plan":
        draft = replies.practice_plan(context.report, context.summaries)
    elif intent == "stories":
        draft = replies.story_bank(context.stories)
    elif intent == "goal":
        draft = _goal(deps, context, message)
    elif intent == "reanswer":
        where = "in a finished session's coach chat" if context.report is None else "here"
        draft = replies.Draft(f"Name the question to re-answer {where}, e.g. 're-answer question 2'.")
    elif intent == "smalltalk":
        draft = replies.smalltalk(message)
    else:
        lead = "I can only help with interview practice. " if intent == "unknown" else ""
        draft = replies.Draft(lead + replies.HELP)
    return CoachReply(text=draft.text, grounded_on=draft.grounded_on, drill=draft.drill, intent=intent)


def _resolution_note(context: CoachContext) -> str:
    """Say in words what the message was resolved to, for the LLM."""
    resolution = context.resolution
    parts = [f"The candidate asks for: {resolution.intent.replace('_', ' ')}."]
    question = replies.question_of(context.report, resolution.question)
    if question is not None:
        parts.append(f"They mean question {resolution.question}: {question.question.text}")
    session = context.session
    if session is not None:
        numbers = replies.session_numbers(session.metrics)
        parts.append(f"They mean {replies.session_title(session)}" + (f" ({numbers})." if numbers else "."))
    if resolution.unresolved:
        parts.append(f"No session matches '{resolution.unresolved}'.")
    return " ".join(parts)


def _llm_prompt(context: CoachContext, message: str, builtin: CoachReply) -> str:
    parts = [_resolution_note(context)]
    if context.report and builtin.intent in {"explain", "improve", "session_recap", "plan", "reanswer"}:
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


async def coach_reply(
    deps: AppDeps,
    *,
    user_id: str,
    message: str,
    report: SessionReport | None,
    history: Sequence[str] = (),
    in_session: bool = True,
) -> CoachReply:
    """Reply to a coach-chat message (LLM when configured, builtin otherwise or on failure).

    Args:
        deps: the app dependencies.
        user_id: whose memory to read.
        message: the candidate's message.
        report: the report in focus: the session's own in its coach chat, the latest one outside.
        history: the candidate's earlier messages in this chat, oldest first (for follow-ups).
        in_session: whether the chat belongs to ``report``'s session ("last session" then means the one before).
    """
    context = load_context(deps, user_id, message, report, history=history, in_session=in_session)
    builtin = builtin_coach_reply(deps, context, message)
    if not deps.settings.uses_llm:
        return builtin
    outcome = await run_with_fallback(coach_agent, _llm_prompt(context, message, builtin), deps)
    if outcome.output is None:
        return builtin.model_copy(update={"engine_note": outcome.note})
    return builtin.model_copy(update={"text": outcome.output.text, "engine": "llm"})
