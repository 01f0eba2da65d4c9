"""What each agent was asked and answered in a saved session, and the feedback that refers to it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from interview_coach.agents import prompts
from interview_coach.agents.evaluator import FeedbackDraft, builtin_feedback, evidence_prompt
from interview_coach.agents.interviewer import question_prompt
from interview_coach.agents.llm import delimit_untrusted
from interview_coach.domain import Question, QuestionReport, SessionReport, TurnEvent
from interview_coach.memory.feedback import FeedbackPublic

AgentName = Literal["interviewer", "evaluator", "coach"]
SYSTEM_PROMPTS: dict[str, str] = {
    "interviewer": prompts.INTERVIEWER,
    "evaluator": prompts.EVALUATOR,
    "coach": prompts.COACH,
}


@dataclass(frozen=True)
class AgentTurn:
    """One agent call that can become a training example.

    Attributes:
        agent: interviewer, evaluator or coach.
        prompt: the user prompt the agent builds for this turn.
        output: the structured output shown to the user (JSON-shaped).
        target: the feedback target that refers to this turn.
        refs: the ``target_ref`` values that refer to this turn.
        alternative: the builtin engine's output for the same input when the LLM wrote ``output``.

    """

    agent: AgentName
    prompt: str
    output: dict[str, Any]
    target: str
    refs: frozenset[str]
    alternative: dict[str, Any] | None = None


def _questions_by_id(values: dict[str, Any]) -> dict[str, Question]:
    found = {q["id"]: Question.model_validate(q) for q in values.get("plan") or []}
    for result in values.get("results") or []:
        question = result.get("question") or {}
        if question.get("id"):
            found[question["id"]] = Question.model_validate(question)
    current = values.get("current")
    if current and current.get("id"):
        found.setdefault(current["id"], Question.model_validate(current))
    return found


def _events(values: dict[str, Any]) -> list[TurnEvent]:
    return [TurnEvent.model_validate(m) for m in values.get("messages") or []]


def interviewer_turns(values: dict[str, Any]) -> list[AgentTurn]:
    """List the questions the interviewer asked, with the prompt that phrases each one."""
    questions = _questions_by_id(values)
    turns: list[AgentTurn] = []
    for index, event in enumerate(_events(values)):
        question_id = event.question.question_id if event.question else None
        if event.role != "interviewer" or question_id not in questions:
            continue
        question = questions[question_id]
        alternative = {"text": question.text} if event.text != question.text else None
        turns.append(
            AgentTurn(
                agent="interviewer",
                prompt=question_prompt(question),
                output={"text": event.text},
                target="interviewer_question",
                refs=frozenset({question_id, str(index)}),
                alternative=alternative,
            )
        )
    return turns


def evaluator_turns(values: dict[str, Any]) -> list[AgentTurn]:
    """List the answer evaluations, rebuilding each evaluator prompt from the stored evidence."""
    turns: list[AgentTurn] = []
    for raw in values.get("results") or []:
        result = QuestionReport.model_validate(raw)
        evaluation, analysis = result.evaluation, result.analysis
        if result.input_mode == "skipped" or evaluation is None or analysis is None:
            continue
        findings = evaluation.findings
        draft = FeedbackDraft(
            explanation=evaluation.explanation,
            strengths=evaluation.strengths[:3],
            improvements=evaluation.improvements[:3],
            flags=evaluation.flags[:3],
        )
        alternative = None
        if evaluation.engine != "builtin":
            builtin = builtin_feedback(result.question, analysis, evaluation.scores, findings)
            alternative = builtin.model_dump(mode="json")
        turns.append(
            AgentTurn(
                agent="evaluator",
                prompt=evidence_prompt(result.question, analysis, evaluation.scores, findings),
                output=draft.model_dump(mode="json"),
                target="question_feedback",
                refs=frozenset({result.question.id}),
                alternative=alternative,
            )
        )
    return turns


def coach_prompt(report: SessionReport | None, message: str) -> str:
    """Build the coach prompt from what a saved session keeps: the report and the message.

    The live prompt also carries long-term memories and the rules engine's draft, which are not
    reproducible later; the rest of its layout is the same.
    """
    parts: list[str] = []
    if report is not None:
        from interview_coach.assessment.rendering import render_report_markdown

        parts.append(delimit_untrusted("REPORT", render_report_markdown(report)[:8000]))
    parts.append(delimit_untrusted("CANDIDATE MESSAGE", message))
    return "\n\n".join(parts)


def coach_turns(values: dict[str, Any]) -> list[AgentTurn]:
    """List the coach's replies with the candidate message each one answered."""
    report = SessionReport.model_validate(values["report"]) if values.get("report") else None
    turns: list[AgentTurn] = []
    last_candidate: str | None = None
    for index, event in enumerate(_events(values)):
        if event.role == "candidate":
            last_candidate = event.text
            continue
        # Only replies written by the coach agent carry an engine; intros and fixed texts do not.
        if event.role != "coach" or event.engine is None or not last_candidate:
            continue
        turns.append(
            AgentTurn(
                agent="coach",
                prompt=coach_prompt(report, last_candidate),
                output={"text": event.text},
                target="coach_reply",
                refs=frozenset({str(index)}),
            )
        )
        last_candidate = None
    return turns


def session_turns(values: dict[str, Any]) -> list[AgentTurn]:
    """List every agent turn of a session."""
    return [*interviewer_turns(values), *evaluator_turns(values), *coach_turns(values)]


# --------------------------------------------------------------------------------------------
# Feedback applied to turns
# --------------------------------------------------------------------------------------------


def feedback_for(turn: AgentTurn, items: Iterable[FeedbackPublic]) -> list[FeedbackPublic]:
    """Return the feedback items that refer to a turn."""
    return [f for f in items if f.target == turn.target and f.target_ref in turn.refs]


def corrected_output(turn: AgentTurn, correction: str) -> dict[str, Any]:
    """Return the turn's output with the user's correction in place of the written text."""
    if turn.agent == "evaluator":
        return {**turn.output, "explanation": correction}
    return {**turn.output, "text": correction}


def latest_correction(items: Sequence[FeedbackPublic]) -> str | None:
    """Return the most recent non-empty correction among feedback items, if any."""
    corrections = [f.correction.strip() for f in items if f.correction and f.correction.strip()]
    return corrections[-1] if corrections else None


def turn_messages(turn: AgentTurn, output: dict[str, Any] | None) -> list[dict[str, str]]:
    """Return the turn as chat messages: system prompt, user prompt and, when given, the output."""
    messages = [{"role": "system", "content": SYSTEM_PROMPTS[turn.agent]}, {"role": "user", "content": turn.prompt}]
    if output is not None:
        messages.append({"role": "assistant", "content": json.dumps(output, ensure_ascii=False)})
    return messages
