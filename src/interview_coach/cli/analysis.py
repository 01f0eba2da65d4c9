"""``interview-coach analyze FILE``: measure and score one recorded answer.

It runs the deterministic answer pipeline only (perception, scores, findings; no interview graph,
no agents, no LLM), so it imports none of LangGraph, pydantic-ai, SQLAlchemy or the web stack.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from interview_coach.cli.common import CliError, clear_errors, console, dump_json, open_deps
from interview_coach.core.settings import get_settings
from interview_coach.domain import AnswerInput, Question, QuestionKind
from interview_coach.memory.store import session_summaries

if TYPE_CHECKING:
    from interview_coach.domain import AnswerAssessment


def analyze(
    file: Annotated[Path, typer.Argument(help="An audio or video recording of one answer.")],
    question: Annotated[
        str | None, typer.Option(help="The question that was answered (enables content scoring).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as JSON.")] = False,
    user: Annotated[
        str | None, typer.Option(help="Compare with this user's earlier sessions (personal baseline).")
    ] = None,
) -> None:
    """Analyse one recorded answer: voice, face and gestures (video), and the answer's content."""
    from interview_coach.assessment.pipeline import assess_answer
    from interview_coach.assessment.question_bank import question_from_text
    from interview_coach.tools.media.decode import MediaError, probe_media

    settings = get_settings()
    with clear_errors():
        deps = open_deps(settings, with_memory=user is not None)
        try:
            try:
                info = probe_media(file.expanduser(), settings)
            except MediaError as exc:
                raise CliError(str(exc)) from exc
            path = str(file.expanduser().resolve())
            answer = AnswerInput(video_path=path) if info.has_video else AnswerInput(audio_path=path)
            asked = question_from_text(question, deps.embedder) if question else None
            target = asked or Question(
                id="adhoc", text="(no question given)", kind=QuestionKind.TECHNICAL, competency="general"
            )
            history = session_summaries(deps.memory, user, limit=20) if user else []
            assessment = assess_answer(deps, target, answer, analyze_content=asked is not None, history=history)
        finally:
            deps.close()
    result = {
        "file": path,
        "question": asked.model_dump(mode="json") if asked else None,
        "scores": {k: v.model_dump(mode="json") for k, v in assessment.scores.items()},
        "findings": [f.model_dump(mode="json") for f in assessment.findings],
        "baseline_deltas": assessment.baseline_deltas,
        "analysis": assessment.analysis.model_dump(mode="json"),
    }
    if as_json:
        sys.stdout.write(dump_json(result) + "\n")
        return
    _print_assessment(assessment)


def _print_assessment(assessment: AnswerAssessment) -> None:
    from interview_coach.assessment.labels import counted, score_direction, score_label

    analysis = assessment.analysis
    for name, score in assessment.scores.items():
        if score.value is None:
            value = f"not measured ({score.not_measured_reason})"
        else:
            direction = score_direction(name)
            value = f"{score.value}/100" + (f" ({direction})" if direction else "")
        console.print(f"[bold]{score_label(name)}[/]: {value}")
    voice = analysis.voice
    if voice is not None:
        console.print(
            f"[cyan]voice[/]: {voice.wpm or 0:.0f} words per minute, {counted(voice.filler_count, 'filler word')} "
            f"({voice.fillers_per_min or 0:.1f}/min), {counted(voice.long_pause_count, 'long pause')}, "
            f"first word after {voice.response_delay_s or 0:.1f} s"
        )
        console.print(f"[dim]transcript:[/] {voice.transcript}")
    face = analysis.face
    if face is not None:
        eye = f"{face.eye_contact_ratio:.0%}" if face.eye_contact_ratio is not None else "not measured"
        blinks = f"{face.blink_rate_per_min:.0f}" if face.blink_rate_per_min is not None else "not measured"
        console.print(
            f"[cyan]face[/]: visible {face.face_present_ratio:.0%} of the time, eye contact {eye}, blinks per minute {blinks}"
        )
    for finding in assessment.findings:
        mark = "✔" if finding.polarity == "strength" else "✘"
        stamps = "; ".join(e.detail for e in finding.evidence[:3] if e.start_s is not None)
        console.print(f"{mark} {finding.message}" + (f" [dim]({stamps})[/]" if stamps else ""))
    for missing in analysis.not_measured:
        console.print(f"[yellow]{missing.text}[/]")
    if assessment.baseline_deltas:
        from interview_coach.assessment.progress import describe_deltas

        console.print("[cyan]vs. your earlier sessions[/]: " + describe_deltas(assessment.baseline_deltas))
