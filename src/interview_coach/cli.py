"""The one command-line entry point: ``interview-coach demo | chat | analyze | serve | eval | export``."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy.exc
import typer
from rich.console import Console
from rich.markdown import Markdown

from interview_coach.assessment.question_bank import infer_role_families, seniority_from_text
from interview_coach.core.embedding import ModelUnavailableError
from interview_coach.core.settings import Settings, get_settings
from interview_coach.deps import AppDeps, build_deps
from interview_coach.domain import (
    AnswerInput,
    CandidateProfile,
    InterviewMode,
    InterviewPlanRequest,
    Question,
    QuestionKind,
    Seniority,
)
from interview_coach.graphs.service import InterviewService, Turn
from interview_coach.memory.sessions import SessionNotFoundError
from interview_coach.memory.sql import StoreUnavailableError
from interview_coach.memory.store import MemoryUnavailableError

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Private, offline AI mock interviews with evidence-based feedback."
)
console = Console()
err_console = Console(stderr=True)

EXPECTED_ERRORS = (
    MemoryUnavailableError,
    ModelUnavailableError,
    SessionNotFoundError,
    StoreUnavailableError,
    sqlite3.DatabaseError,
    sqlalchemy.exc.DatabaseError,
    FileNotFoundError,
    PermissionError,
    ValueError,
)


class CliError(Exception):
    """A failure to report as one clear line, without a traceback."""


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn expected failures into a one-line message and exit code 2."""
    try:
        yield
    except (CliError, *EXPECTED_ERRORS) as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None


def _open_deps(settings: Settings, *, with_memory: bool = True) -> AppDeps:
    try:
        return build_deps(settings, with_memory=with_memory)
    except MemoryUnavailableError:
        raise
    except OSError as exc:
        raise CliError(f"Cannot use the data folder {settings.data_dir}: {exc}. Set INTERVIEW_COACH_DATA_DIR.") from exc


def _profile(role: str, seniority: str | None, name: str, jd: Path | None, resume: Path | None) -> CandidateProfile:
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


def print_turn(turn: Turn, *, show_report: bool = True) -> None:
    """Print the messages of a turn with a style per speaker."""
    styles = {
        "interviewer": "bold cyan",
        "coach": "bold green",
        "feedback": "yellow",
        "system": "dim",
        "candidate": "white",
    }
    for message in turn.messages:
        role, text = message.get("role", "system"), message.get("text", "")
        if role == "candidate":
            continue
        if (message.get("data") or {}).get("report"):
            if show_report:
                console.print(Markdown(text))
            continue
        label = {"interviewer": "Interviewer", "coach": "Coach", "feedback": "Feedback", "system": "·"}.get(role, role)
        data = message.get("data") or {}
        if role == "interviewer" and data.get("number"):
            label = (
                "Interviewer (follow-up)"
                if data.get("follow_up")
                else f"Interviewer [Q{data['number']}/{data['total']}]"
            )
        console.print(f"[{styles.get(role, 'white')}]{label}:[/] {text}")


@app.command()
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
        deps = _open_deps(settings)
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


async def _chat_loop(service: InterviewService, turn: Turn, user: str) -> None:
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
        answer = AnswerInput(text=line)
        for command, field in (("/audio ", "audio_path"), ("/video ", "video_path")):
            if stripped.startswith(command):
                path = Path(stripped[len(command) :].strip()).expanduser()
                if not path.is_file():
                    console.print(f"[red]No such file: {path}[/]")
                    break
                answer = AnswerInput(**{field: str(path.resolve())})
        else:
            with console.status("Analysing…" if turn.waiting_for == "answer" else "Thinking…"):
                turn = await service.send(turn.session_id, user, answer)
            print_turn(turn)


@app.command()
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
) -> None:
    """Hold an interactive interview in the terminal, then chat with the coach.

    Type answers; '/audio PATH' or '/video PATH' answers with a recording; /repeat, /skip,
    /end, /help during the interview; /quit pauses (resume with --session).
    """
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
            await _chat_loop(service, turn, user)

    with clear_errors():
        deps = _open_deps(settings)
        try:
            asyncio.run(run(deps))
        finally:
            deps.close()


@app.command()
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


@app.command()
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
    from interview_coach.agents.evaluator import compute_scores
    from interview_coach.assessment.findings import find_patterns
    from interview_coach.assessment.pipeline import analyze_answer as run_perception
    from interview_coach.assessment.question_bank import question_from_text
    from interview_coach.tools.media.decode import MediaError, probe_media

    settings = get_settings()
    with clear_errors():
        deps = _open_deps(settings, with_memory=user is not None)
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
            analysis = run_perception(deps, target, answer, analyze_content=asked is not None)
            scores = compute_scores(analysis)
            findings = find_patterns(analysis, target.kind)
            baseline = _baseline(deps, user, analysis.voice) if user else {}
        finally:
            deps.close()
    result = {
        "file": path,
        "question": asked.model_dump(mode="json") if asked else None,
        "scores": {k: v.model_dump(mode="json") for k, v in scores.items()},
        "findings": [f.model_dump(mode="json") for f in findings],
        "baseline_deltas": baseline,
        "analysis": analysis.model_dump(mode="json"),
    }
    if as_json:
        sys.stdout.write(dump_json(result) + "\n")
        return
    _print_analysis(analysis, scores, findings, baseline)


def _baseline(deps: AppDeps, user: str | None, voice: dict[str, Any] | None) -> dict[str, float]:
    from interview_coach.assessment.progress import voice_baseline_deltas

    if not user or deps.memory is None:
        return {}
    return voice_baseline_deltas(voice, deps.memory.list(user, kinds=["session_summary"], limit=20))


def _print_analysis(analysis: Any, scores: dict[str, Any], findings: list[Any], baseline: dict[str, float]) -> None:
    for name, score in scores.items():
        value = f"{score.value}/100" if score.value is not None else f"not measured ({score.not_measured_reason})"
        console.print(f"[bold]{name.replace('_', ' ')}[/]: {value}")
    voice = analysis.voice or {}
    if voice:
        console.print(
            f"[cyan]voice[/]: {voice.get('wpm', 0):.0f} wpm, {voice.get('filler_count', 0)} fillers "
            f"({voice.get('fillers_per_min', 0):.1f}/min), {voice.get('long_pause_count', 0)} long pauses, "
            f"first word after {voice.get('response_delay_s') or 0:.1f} s"
        )
        console.print(f"[dim]transcript:[/] {voice.get('transcript', '')}")
    face = analysis.face or {}
    if face:
        console.print(
            f"[cyan]face[/]: present {face.get('face_present_ratio', 0):.0%}, eye contact "
            f"{(face.get('eye_contact_ratio') or 0):.0%}, blinks {(face.get('blink_rate_per_min') or 0):.0f}/min"
        )
    for finding in findings:
        mark = "✔" if finding.polarity == "strength" else "✘"
        stamps = "; ".join(e.detail for e in finding.evidence[:3] if e.start_s is not None)
        console.print(f"{mark} {finding.message}" + (f" [dim]({stamps})[/]" if stamps else ""))
    for error in analysis.errors:
        console.print(f"[yellow]{error}[/]")
    if baseline:
        from interview_coach.assessment.progress import describe_deltas

        console.print("[cyan]vs. your earlier sessions[/]: " + describe_deltas(baseline))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the Chainlit interview room (/chat), the REST API (/api, /docs) and /healthz in one process."""
    from interview_coach.ui.server import run_server

    with clear_errors():
        run_server(get_settings(), host=host, port=port)


@app.command(name="eval")
def evaluate(
    suite: Annotated[
        list[str] | None,
        typer.Option(
            "--suite",
            help="Suites to run (voice, face, evaluator, injection, stability, feedback_cases); all by default.",
        ),
    ] = None,
    quick: Annotated[bool, typer.Option(help="Run the small CI slice.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the JSON results here.")] = None,
) -> None:
    """Measure perception and evaluation accuracy against labelled data."""
    settings = get_settings()
    with clear_errors():
        runner = _load_eval_runner()
        names = suite or list(runner.SUITES)
        unknown = sorted(set(names) - set(runner.SUITES))
        if unknown:
            raise CliError(f"Unknown suite(s) {', '.join(unknown)}; choose from {', '.join(runner.SUITES)}.")
        results = runner.run_suites(names, settings, quick)
    payload = [r.to_dict() for r in results]
    target = out or settings.data_dir / "eval-results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_json(payload))
    if as_json:
        sys.stdout.write(dump_json(payload) + "\n")
    else:
        sys.stdout.write(runner.render_table(results) + "\n")
        console.print(f"[dim]JSON written to {target}[/]")
    if not all(r.passed or r.skipped for r in results):
        raise typer.Exit(1)


@app.command()
def export(
    fmt: Annotated[
        str, typer.Option("--format", help="openai-chat-jsonl, preference-jsonl (chosen/rejected) or eval-cases.")
    ] = "openai-chat-jsonl",
    out: Annotated[Path, typer.Option(help="Output folder (train.jsonl, validation.jsonl, manifest.json).")] = Path(
        "exports"
    ),
    accepted_only: Annotated[
        bool, typer.Option("--accepted-only", help="Use only feedback a reviewer accepted.")
    ] = False,
    val_fraction: Annotated[
        float, typer.Option(min=0.0, max=0.9, help="Share of sessions held out for validation.")
    ] = 0.1,
    seed: Annotated[int, typer.Option(help="Seed of the train/validation split.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Export sessions and feedback as fine-tuning data or eval cases (PII-scrubbed, deduplicated, validated)."""
    from interview_coach.learning.export import run_export

    with clear_errors():
        summary = run_export(
            get_settings(), fmt, out, accepted_only=accepted_only, val_fraction=val_fraction, seed=seed
        )
    if as_json:
        sys.stdout.write(summary.model_dump_json(indent=2) + "\n")
        return
    console.print(
        f"{summary.examples} examples ({summary.train} train, {summary.validation} validation) from "
        f"{summary.sessions} sessions and {summary.feedback_items} feedback items; "
        f"{summary.duplicates_removed} duplicates removed."
    )
    if summary.skipped:
        console.print("Left out: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.skipped.items())))
    if summary.pii_replacements:
        console.print("PII replaced: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.pii_replacements.items())))
    for path in summary.files:
        console.print(f"[dim]wrote {path}[/]")
    if summary.invalid_lines:
        err_console.print(f"[bold red]error:[/] {summary.invalid_lines} lines failed format validation.")
        raise typer.Exit(1)


def _load_eval_runner() -> Any:
    """Import ``evals.runner`` from the source checkout (the harness is not part of the wheel)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "evals" / "runner.py").is_file():
        raise CliError("`interview-coach eval` needs a source checkout (the evals/ folder next to src/).")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    import importlib

    return importlib.import_module("evals.runner")


def main() -> None:
    """Run the CLI with quiet third-party logging."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


def _json_default(value: object) -> str:
    return str(value)


def dump_json(data: object) -> str:
    """Serialise CLI output as JSON."""
    return json.dumps(data, indent=2, default=_json_default)
