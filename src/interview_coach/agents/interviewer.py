"""Interviewer: plans the questions, phrases them, and decides what to follow up on."""

from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_ai import Agent

from interview_coach.agents import prompts
from interview_coach.agents.llm import delimit_untrusted, run_with_fallback
from interview_coach.assessment.question_bank import load_question_bank, select_questions
from interview_coach.core.deps import AppDeps
from interview_coach.domain import InterviewPlanRequest, Question, QuestionKind
from interview_coach.memory.store import session_summaries


class QuestionWording(BaseModel):
    """How the interviewer says the question out loud."""

    text: str = Field(description="The question as the interviewer asks it, one or two sentences.", max_length=600)


interviewer_agent: Agent[AppDeps, QuestionWording] = Agent(
    output_type=QuestionWording, deps_type=AppDeps, instructions=prompts.INTERVIEWER, name="interviewer"
)

_FOLLOW_UP_TEMPLATES: dict[str, str] = {
    "too_short": "Could you walk me through that in more detail: what was the situation, and what exactly did you do?",
    "off_topic": "Let me bring us back to the question: {question}",
    "vague": "Can you make that concrete? A specific example, with numbers or tools you used, would help.",
    "missing_star:situation": "Can you set the scene first: where were you working and what was going on?",
    "missing_star:task": "What exactly was your responsibility there, and what was at stake?",
    "missing_star:action": "What did you personally do, step by step?",
    "missing_star:result": "How did it turn out? Can you put a number on the result, and what did you learn?",
    "missing_key_points": "You did not cover this key point: “{point}”. How would you address it?",
}
_TECHNICAL_TEMPLATES: dict[str, str] = {
    "too_short": "Could you go deeper? Define it in your own words, give a concrete example, and tell me the trade-offs.",
    "vague": "Can you make that concrete with an example from a system you worked on?",
}
FOLLOW_UP_PRIORITY = (
    "off_topic",
    "too_short",
    "missing_star:result",
    "missing_star:action",
    "missing_key_points",
    "vague",
    "missing_star:situation",
    "missing_star:task",
)


def weak_competencies(deps: AppDeps, user_id: str) -> list[str]:
    """Competencies the user was weak in during past sessions (from long-term memory)."""
    if deps.memory is None:
        return []
    records = deps.memory.list(user_id, kinds=["weakness"], limit=50)
    return [c for r in records for c in r.competencies]


def recently_asked(deps: AppDeps, user_id: str) -> set[str]:
    """Question ids asked in the user's last sessions, to avoid repeats."""
    if deps.memory is None:
        return set()
    summaries = session_summaries(deps.memory, user_id, limit=3)
    return {qid for r in summaries for qid in r.data.get("question_ids", [])}


def plan_questions(deps: AppDeps, request: InterviewPlanRequest, *, user_id: str, seed: str) -> list[Question]:
    """Choose the interview's main questions from the bank, the profile and memory."""
    bank = load_question_bank()
    if request.question_ids:
        return [bank.by_id(question_id) for question_id in request.question_ids]
    chosen = select_questions(
        bank,
        request.profile,
        count=request.question_count,
        kinds=request.kinds,
        weak_competencies=weak_competencies(deps, user_id),
        exclude_ids=recently_asked(deps, user_id),
        seed=seed,
    )
    if len(chosen) < request.question_count:
        # Repeats are better than a short interview when the user has exhausted the pool.
        chosen = select_questions(bank, request.profile, count=request.question_count, kinds=request.kinds, seed=seed)
    return chosen


FOLLOW_UP_BELOW_QUALITY = 60
ALWAYS_FOLLOW_UP = frozenset({"too_short", "off_topic"})


def should_follow_up(reasons: list[str], answer_quality: int | None) -> str | None:
    """Return the follow-up trigger when an answer is weak enough to probe, else ``None``.

    Like a human interviewer, probe only short or off-topic answers and those that scored
    below ``FOLLOW_UP_BELOW_QUALITY``; a good answer that misses a detail is left alone.
    """
    reason = follow_up_reason(reasons)
    if reason is None:
        return None
    if reason in ALWAYS_FOLLOW_UP or answer_quality is None or answer_quality < FOLLOW_UP_BELOW_QUALITY:
        return reason
    return None


def follow_up_reason(reasons: list[str]) -> str | None:
    """Pick the most useful follow-up trigger among those the analysis found."""
    for wanted in FOLLOW_UP_PRIORITY:
        for reason in reasons:
            if reason == wanted or reason.startswith(wanted + ":"):
                return reason
    return None


def build_follow_up(parent: Question, reason: str, missing_points: list[str], number: int) -> Question:
    """Create the follow-up question for a weak answer."""
    key = reason if reason in _FOLLOW_UP_TEMPLATES else reason.split(":", maxsplit=1)[0]
    if parent.kind == QuestionKind.TECHNICAL and key in _TECHNICAL_TEMPLATES:
        template = _TECHNICAL_TEMPLATES[key]
    else:
        template = _FOLLOW_UP_TEMPLATES.get(key, _FOLLOW_UP_TEMPLATES["vague"])
    point = missing_points[0].rstrip(".") if missing_points else "the key trade-offs"
    text = template.format(question=parent.text, point=point)
    return Question(
        id=f"{parent.id}~fu{number}",
        text=text,
        kind=parent.kind,
        competency=parent.competency,
        role_families=parent.role_families,
        seniority=parent.seniority,
        key_points=missing_points or list(parent.key_points),
        time_budget_s=max(60, parent.time_budget_s // 2),
        tags=[*parent.tags, "follow_up", reason],
        follow_up_of=parent.id,
    )


def question_prompt(question: Question, *, context: str = "") -> str:
    """Build the interviewer agent's prompt for one question (also used by the dataset export)."""
    prompt = f"Question to ask: {question.text}\nWhy (follow-up reason, may be empty): {', '.join(question.tags[-1:]) if question.follow_up_of else ''}"
    if context:
        prompt += "\n" + delimit_untrusted("PREVIOUS ANSWER", context[:2000])
    return prompt


async def phrase_question(deps: AppDeps, question: Question, *, context: str = "") -> tuple[str, str | None]:
    """Return the interviewer's wording of a question and an engine note (LLM failures).

    The builtin engine asks the curated text as written.
    """
    if not deps.settings.uses_llm:
        return question.text, None
    outcome = await run_with_fallback(interviewer_agent, question_prompt(question, context=context), deps)
    if outcome.output is None or not outcome.output.text.strip():
        return question.text, outcome.note
    return outcome.output.text.strip(), None
