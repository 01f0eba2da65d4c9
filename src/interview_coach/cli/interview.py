"""Interview commands: ``demo``, ``chat``, ``sessions`` and ``serve``.

The interview graph, its checkpointer and the web stack are imported inside the commands that
run them, so other commands start without them.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markdown import Markdown

from interview_coach.cli.common import clear_errors, console, open_deps
from interview_coach.core.settings import get_settings
from interview_coach.domain import AnswerInput, CandidateProfile, InterviewMode, InterviewPlanRequest, Seniority

if TYPE_CHECKING:
    from interview_coach.core.deps import AppDeps
    from interview_coach.graphs.service import InterviewService, Turn


def _profile(role: str, seniority: str | None, name: str, jd: Path | None, resume: Path | None) -> CandidateProfile:
    from interview_coach.assessment.question_bank import infer_role_families, seniority_from_text
    from interview_coach.ui.documents import read_document

    profile = CandidateProfile(
        name=name,
        role=role,
        seniority=Seniority(seniority) if seniority else seniority_from_text(role),
        job_description=read_document(jd) if jd else "",
        resume_text=read_document(resume) if resume else "",
    )
    families = infer_role_families(profile)
    primary = next((f for f in families if f != "software_engineering"), "software_engineering")
    return profile.model_copy(update={"role_family": primary})


STYLES = {"interviewer": "bold cyan", "coach": "bold green", "feedback": "yellow", "system": "dim"}
LABELS = {"interviewer": "Interviewer", "coach": "Coach", "feedback": "Feedback", "system": "·"}


def print_turn(turn: Turn, *, show_report: bool = True) -> None:
    """Print the events of a turn with a style per speaker, and the full report once it is written."""
    from interview_coach.assessment.rendering import render_report_markdown

    for event in turn.messages:
        if event.role == "candidate":
            continue
        if event.kind == "report":
            if show_report:
                console.print(Markdown(render_report_markdown(turn.report) if turn.report else event.text))
            continue
        label = LABELS.get(event.role, event.role)
        ref = event.question
        if event.role == "interviewer" and ref is not None and ref.number:
            label = f"Interviewer [{ref.progress}]"
        console.print(f"[{STYLES.get(event.role, 'white')}]{label}:[/] {event.text}")


def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print the SessionReport as JSON.")] = False,
    user: Annotated[str, typer.Option(help="User id that owns the demo session.")] = "demo",
    no_media: Annotated[
        bool, typer.Option("--no-media", help="Typed answers only (skip generated speech and video).")
    ] = False,
) -> None:
    """Run a complete scripted mock interview, the report, and two coach turns."""
    from interview_coach.demo.script import run_demo

    settings = get_settings()
    with clear_errors():
        deps = open_deps(settings)
        try:
            report, transcript = asyncio.run(
                run_demo(deps, user_id=user, with_media=not no_media, echo=None if as_json else print_turn)
            )
        finally:
            deps.close()
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        console.print(
            f"\n[dim]Session {report.session_id} saved. Resume it with: interview-coach chat --session {report.session_id} --user {user}[/]"
        )
        del transcript


async def _record_answer(service: InterviewService, turn: Turn, user: str, mic: str) -> AnswerInput | None:
    """Record an answer from the microphone until Enter; None (the question stays open) when that fails."""
    from interview_coach.tools.media.microphone import MicrophoneError, MicrophoneRecorder
    from interview_coach.ui.files import answer_path

    if turn.waiting_for != "answer" or turn.question is None:
        console.print("[yellow]/record answers a question; the coach reads typed messages.[/]")
        return None
    settings = service.deps.settings
    target = answer_path(settings, user, turn.session_id, turn.question.id, ".wav")
    recorder = MicrophoneRecorder(target, device=mic, max_seconds=settings.max_media_duration_s)
    try:
        await asyncio.to_thread(recorder.start)
        console.print(
            f"[bold red]● Recording[/] from {mic!r} (at most {settings.max_media_duration_s:g} s). Press Enter to stop."
        )
        try:
            await asyncio.to_thread(console.input, "")
        finally:
            recording = await asyncio.to_thread(recorder.stop)
    except MicrophoneError as exc:
        console.print(f"[red]{exc}[/] The question is still open.")
        return None
    if recording.capped:
        console.print(f"[yellow]The recording stopped at the limit of {settings.max_media_duration_s:g} s.[/]")
    console.print(f"[dim]Recorded {recording.duration_s:.1f} s.[/]")
    return AnswerInput(audio_path=str(recording.path))


async def _chat_loop(service: InterviewService, turn: Turn, user: str, mic: str = "default") -> None:
    print_turn(turn)
    while turn.waiting_for is not None:
        prompt = "you (answer)" if turn.waiting_for == "answer" else "you (coach)"
        try:
            line = await asyncio.to_thread(console.input, f"[bold]{prompt}>[/] ")
        except (EOFError, KeyboardInterrupt):
            console.print(
                f"\n[dim]Paused. Resume with: interview-coach chat --session {turn.session_id} --user {user}[/]"
            )
            return
        stripped = line.strip()
        if stripped in {"/quit", "/exit"}:
            console.print(
                f"[dim]Paused. Resume with: interview-coach chat --session {turn.session_id} --user {user}[/]"
            )
            return
        if stripped == "/record":
            recorded = await _record_answer(service, turn, user, mic)
            if recorded is not None:
                turn = await _send(service, turn, user, recorded)
            continue
        answer = AnswerInput(text=line)
        for command, field in (("/audio ", "audio_path"), ("/video ", "video_path")):
            if stripped.startswith(command):
                path = Path(stripped[len(command) :].strip()).expanduser()
                if not path.is_file():
                    console.print(f"[red]No such file: {path}[/]")
                    break
                answer = AnswerInput(**{field: str(path.resolve())})
        else:
            turn = await _send(service, turn, user, answer)


async def _send(service: InterviewService, turn: Turn, user: str, answer: AnswerInput) -> Turn:
    """Answer the question shown; if the session moved on meanwhile (another window), show where it is."""
    from interview_coach.graphs.service import TurnConflictError

    question_id = turn.question.id if turn.waiting_for == "answer" and turn.question else None
    try:
        with console.status("Analysing…" if turn.waiting_for == "answer" else "Thinking…"):
            turn = await service.send(turn.session_id, user, answer, expect=turn.waiting_for, question_id=question_id)
    except TurnConflictError as exc:
        console.print(f"[yellow]{exc}[/]")
        latest = await service.resume(turn.session_id, user)
        if latest.waiting_for == "answer":
            print_turn(replace(latest, messages=[m for m in latest.messages if m.kind == "question"][-1:]))
        return latest
    print_turn(turn)
    return turn


def chat(
    session: Annotated[str | None, typer.Option("--session", help="Resume this session id.")] = None,
    user: Annotated[str, typer.Option(help="Your user id (sessions and memory are per user).")] = "local",
    role: Annotated[str, typer.Option(help="Target role.")] = "Backend Software Engineer",
    seniority: Annotated[str | None, typer.Option(help="junior, mid, senior or lead (guessed from the role).")] = None,
    name: Annotated[str, typer.Option(help="Your name.")] = "Candidate",
    questions: Annotated[int, typer.Option(min=1, max=20, help="Number of main questions.")] = 5,
    mode: Annotated[
        InterviewMode, typer.Option(help="practice: feedback after each answer; realistic: at the end.")
    ] = InterviewMode.PRACTICE,
    jd: Annotated[Path | None, typer.Option(help="Job description file (txt, pdf, docx).")] = None,
    resume: Annotated[Path | None, typer.Option(help="Resume file (txt, pdf, docx).")] = None,
    mic: Annotated[str, typer.Option(help="ALSA capture device for /record (see 'arecord -L').")] = "default",
) -> None:
    """Hold an interactive interview in the terminal, then chat with the coach.

    Type answers; '/record' answers from the microphone (Enter stops); '/audio PATH' or
    '/video PATH' answers with a recording; /repeat, /skip, /end, /help during the interview;
    /quit pauses (resume with --session).
    """
    from interview_coach.graphs.service import InterviewService

    settings = get_settings()

    async def run(deps: AppDeps) -> None:
        async with InterviewService.open(deps) as service:
            if session:
                turn = await service.resume(session, user)
            else:
                request = InterviewPlanRequest(
                    profile=_profile(role, seniority, name, jd, resume), question_count=questions, mode=mode
                )
                turn = await service.start(user, request)
                console.print(f"[dim]Session {turn.session_id}[/]")
            await _chat_loop(service, turn, user, mic)

    with clear_errors():
        deps = open_deps(settings)
        try:
            asyncio.run(run(deps))
        finally:
            deps.close()


def sessions(user: Annotated[str, typer.Option(help="Your user id.")] = "local") -> None:
    """List your sessions."""
    from interview_coach.memory.sessions import SessionStore

    with clear_errors():
        store = SessionStore.from_settings(get_settings())
        try:
            rows = store.for_user(user)
        finally:
            store.close()
    if not rows:
        console.print("No sessions yet. Start one with: interview-coach chat")
    for row in rows:
        quality = f"{row.overall_quality:.0f}" if row.overall_quality is not None else "-"
        console.print(
            f"{row.session_id}  {row.created_at:%Y-%m-%d %H:%M}  {row.status:<10} quality {quality:>3}  {row.role}"
        )


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the Chainlit interview room (/chat), the REST API (/api, /docs) and /healthz in one process."""
    from interview_coach.ui.server import run_server

    with clear_errors():
        run_server(get_settings(), host=host, port=port)
