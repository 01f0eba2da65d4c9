# mypy: disable-error-code="no-untyped-call"
"""Show a turn's structured events in the Chainlit room: questions, feedback cards, the report."""

from __future__ import annotations

import asyncio
from typing import Any

import chainlit as cl

from interview_coach.assessment.rendering import (
    EXPORT_MIME,
    EXPORT_SUFFIX,
    ExportFormat,
    evidence_markdown,
    question_refs,
    render_export,
    render_feedback_card,
    render_report_markdown,
    transcript_markdown,
)
from interview_coach.domain import MemoryRecord, SessionReport, TurnEvent
from interview_coach.graphs.service import Turn
from interview_coach.memory.feedback import FeedbackTarget
from interview_coach.ui import files, registry
from interview_coach.ui.chainlit.session import AUTHORS, SETTINGS, remember_target, say
from interview_coach.ui.render import delivery_figure, progress_figure


def rating_actions(target: FeedbackTarget, ref: str) -> list[cl.Action]:
    """Thumbs on a feedback card or report (Chainlit's own thumbs only show on a turn's last message)."""
    payload = {"target": target, "ref": ref}
    return [
        cl.Action(name="rate", payload={**payload, "rating": 1}, label="👍 Helpful", tooltip="This feedback is useful"),
        cl.Action(
            name="rate",
            payload={**payload, "rating": -1},
            label="👎 Not right",
            tooltip="This feedback is wrong or unhelpful",
        ),
    ]


def coach_text(text: str, drill: str | None) -> str:
    """Return a coach reply with its drill, if any."""
    return text + (f"\n\n**Drill:** {drill}" if drill else "")


async def render_turn(turn: Turn) -> None:
    """Send each event of a turn as a chat message, by its kind."""
    for event in turn.messages:
        await _render_event(event, turn)


async def _render_event(event: TurnEvent, turn: Turn) -> None:
    if event.kind == "candidate":
        return
    if event.kind == "report":
        if turn.report is not None:
            await render_report(turn.report)
        else:
            await say(event.text, "Report")
    elif event.kind == "question":
        label = f"**{event.question.progress}** " if event.question else ""
        message = await say(label + event.text, AUTHORS["interviewer"])
        remember_target(message.id, "interviewer_question", event.question.question_id if event.question else "")
    elif event.kind == "feedback" and event.evaluation is not None and event.question is not None:
        question_id = event.evaluation.question_id
        card = render_feedback_card(event.evaluation, event.question)
        message = cl.Message(
            author=AUTHORS["feedback"], content=card, actions=rating_actions("question_feedback", question_id)
        )
        await message.send()
        remember_target(message.id, "question_feedback", question_id)
    elif event.kind == "coach":
        message = await say(coach_text(event.text, event.drill), AUTHORS["coach"])
        remember_target(message.id, "coach_reply", str(len(turn.messages)))
    elif event.kind == "transcript":
        await say(f"**Transcript:** {event.text}", "Transcript")
    else:
        await say(event.text, AUTHORS.get(event.role, AUTHORS["system"]))


def _write_exports(report: SessionReport, summaries: list[MemoryRecord]) -> list[cl.File]:
    folder = files.export_dir(SETTINGS, report.user_id, report.session_id)
    elements = []
    fmt: ExportFormat
    for fmt in ("markdown", "html", "json"):
        path = folder / f"interview-report-{report.session_id}{EXPORT_SUFFIX[fmt]}"
        files.write_private(path, render_export(report, fmt, summaries).encode("utf-8"))
        elements.append(cl.File(name=path.name, path=str(path), mime=EXPORT_MIME[fmt], display="inline"))
    return elements


async def render_report(report: SessionReport) -> None:
    """Show the full report with its charts, the export files and the answers' playback."""
    service = registry.get_service()
    summaries = await asyncio.to_thread(service.session_summaries, report.user_id)
    charts: list[Any] = [cl.Plotly(name="delivery per question", figure=delivery_figure(report), display="inline")]
    progress = progress_figure(summaries)
    if progress is not None:
        charts.append(cl.Plotly(name="progress across sessions", figure=progress, display="inline"))
    message = cl.Message(
        author="Report",
        content=render_report_markdown(report),
        elements=charts,
        actions=rating_actions("report", report.session_id),
    )
    await message.send()
    remember_target(message.id, "report", report.session_id)
    exports = await asyncio.to_thread(_write_exports, report, summaries)
    await cl.Message(author="Report", content="Download your report: Markdown, HTML or JSON.", elements=exports).send()
    await _render_playback(report)


async def _render_playback(report: SessionReport) -> None:
    recordings = files.answer_media(SETTINGS, report.user_id, report.session_id)
    typed: list[str] = []
    for ref, question in zip(question_refs(report), report.questions, strict=True):
        if question.input_mode == "skipped":
            continue
        heading = f"**{ref.label}: {question.question.text}**"
        recording = recordings.get(question.question.id)
        if question.input_mode in {"audio", "video"} and recording is not None:
            element_type = cl.Video if question.input_mode == "video" else cl.Audio
            element = element_type(name=f"{ref.label} answer", path=str(recording), display="inline")
            content = f"{heading}\n\n{transcript_markdown(question)}\n\n**Evidence**\n{evidence_markdown(question)}"
            await cl.Message(author="Playback", content=content, elements=[element]).send()
        else:
            typed.append(f"{heading}\n\n{transcript_markdown(question)}")
    if typed:
        await cl.Message(
            author="Transcript", content="Your answers with filler words in **bold**:\n\n" + "\n\n".join(typed)
        ).send()
