# mypy: disable-error-code="no-untyped-call"
"""Show a turn's structured events in the Chainlit room: questions, feedback cards, the report."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import chainlit as cl

from interview_coach.assessment.rendering import (
    EXPORT_MIME,
    EXPORT_SUFFIX,
    EvidenceItem,
    ExportFormat,
    evidence_items,
    evidence_markdown,
    question_refs,
    render_export,
    render_feedback_card,
    render_report_markdown,
    transcript_markdown,
)
from interview_coach.domain import MemoryRecord, SessionReport, TurnEvent
from interview_coach.graphs.service import Turn
from interview_coach.ui import files, registry
from interview_coach.ui.chainlit import camera, voice_out
from interview_coach.ui.chainlit.ratings import rating_actions
from interview_coach.ui.chainlit.session import AUTHORS, SETTINGS, remember_target, say
from interview_coach.ui.render import delivery_figure, progress_figure

RATING_METADATA = "rating"
EVIDENCE_LIMIT = 12


def rating_metadata(actions: list[cl.Action]) -> dict[str, Any]:
    """Keep what a message's rating buttons rate in its stored metadata (Chainlit does not store actions)."""
    payload = {k: v for k, v in (actions[0].payload if actions else {}).items() if k != "rating"}
    return {RATING_METADATA: payload} if payload else {}


async def restore_rating_buttons(thread: Any) -> int:
    """Send the rating buttons again for a reopened thread's cards and report; return how many messages got them."""
    restored = 0
    for step in thread.get("steps") or []:
        metadata = step.get("metadata") or {}
        if isinstance(metadata, str):
            metadata = json.loads(metadata or "{}")
        payload = metadata.get(RATING_METADATA) if isinstance(metadata, dict) else None
        if not isinstance(payload, dict) or "target" not in payload or "ref" not in payload:
            continue
        step_id = str(step["id"])
        actions = rating_actions(
            payload["target"], str(payload["ref"]), label=str(payload.get("label") or ""), score=payload.get("score")
        )
        for action in actions:
            await action.send(for_id=step_id)
        remember_target(step_id, payload["target"], str(payload["ref"]))
        restored += 1
    return restored


def evidence_player(label: str, items: list[EvidenceItem]) -> cl.CustomElement:
    """Return the evidence list whose timestamps play the answer's recording from that moment."""
    rows = [
        {
            "seconds": item.start_s,
            "stamp": item.timestamp,
            "text": item.text,
        }
        for item in items
    ]
    props = {"answer": label, "items": rows}
    # The content is only there so the chat store keeps the element (it stores no element without one).
    return cl.CustomElement(
        name="EvidencePlayer", props=props, display="inline", content=json.dumps(props), mime="application/json"
    )


def coach_text(text: str, drill: str | None) -> str:
    """Return a coach reply with its drill, if any."""
    return text + (f"\n\n**Drill:** {drill}" if drill else "")


async def render_turn(turn: Turn) -> None:
    """Send each event of a turn as a chat message, by its kind."""
    for event in turn.messages:
        await _render_event(event, turn)
    voice_out.prepare([question.text for question in turn.upcoming])


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
        voice_out.speak(message, event.text)
        await camera.offer_camera(message.id)
        remember_target(message.id, "interviewer_question", event.question.question_id if event.question else "")
    elif event.kind == "feedback" and event.evaluation is not None and event.question is not None:
        question_id = event.evaluation.question_id
        card = render_feedback_card(event.evaluation, event.question)
        quality = event.evaluation.scores.get("answer_quality")
        actions = rating_actions(
            "question_feedback", question_id, label=event.question.label, score=quality.value if quality else None
        )
        message = cl.Message(author=AUTHORS["feedback"], content=card, actions=actions)
        message.metadata = rating_metadata(actions)
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
        actions=rating_actions("report", report.session_id, label="the report"),
    )
    message.metadata = rating_metadata(message.actions)
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
            elements: list[Any] = [element_type(name=f"{ref.label} answer", path=str(recording), display="inline")]
            content = f"{heading}\n\n{transcript_markdown(question)}\n\n**Evidence**"
            timed = [item for item in evidence_items(question)[:EVIDENCE_LIMIT] if item.start_s is not None]
            if timed:
                elements.append(evidence_player(ref.label, timed))
            else:
                content += "\n" + evidence_markdown(question, limit=EVIDENCE_LIMIT)
            await cl.Message(author="Playback", content=content, elements=elements).send()
        else:
            typed.append(f"{heading}\n\n{transcript_markdown(question)}")
    if typed:
        await cl.Message(
            author="Transcript", content="Your answers with filler words in **bold**:\n\n" + "\n\n".join(typed)
        ).send()
