# mypy: disable-error-code="no-untyped-call"
# (Chainlit ships py.typed but leaves user_session, Message.send and friends unannotated.)
"""The Chainlit interview room: a thin adapter from chat events to the shared interview service.

Loaded by ``chainlit.utils.mount_chainlit`` from :mod:`interview_coach.ui.chat_setup`, in the
same process and event loop as the FastAPI app, so it uses the one ``InterviewService`` that
the FastAPI lifespan registered in :mod:`interview_coach.ui.registry`. One Chainlit thread is
one interview session (the thread id is the session id), followed by coach chat.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.types import ThreadDict
from starlette.datastructures import Headers

from interview_coach.domain import AnswerInput, InterviewMode, QuestionKind, Seniority, SessionReport
from interview_coach.graphs.service import Turn
from interview_coach.memory.feedback import FeedbackCreate, FeedbackTarget
from interview_coach.memory.sessions import SessionNotFoundError
from interview_coach.tools.media.decode import MediaError, pcm16_to_wav
from interview_coach.ui import files, registry
from interview_coach.ui.auth import AuthConfigError, check_login
from interview_coach.ui.chat_setup import chat_database_url, chat_root
from interview_coach.ui.chat_store import PortableSQLAlchemyDataLayer, build_data_layer
from interview_coach.ui.documents import DocumentError, read_document
from interview_coach.ui.options import SessionCreate, start_command_role
from interview_coach.ui.render import (
    EXPORT_MIME,
    EXPORT_SUFFIX,
    ExportFormat,
    delivery_figure,
    evidence_markdown,
    feedback_card,
    progress_figure,
    render_export,
    transcript_markdown,
)

logger = logging.getLogger(__name__)
SETTINGS = registry.get_settings()

ROLE_STARTERS = (
    "Backend Software Engineer",
    "Frontend Engineer",
    "Data Scientist",
    "Product Manager",
    "Engineering Manager",
)
JOB_DESCRIPTION_MIN_CHARS = 300
AUTHORS = {
    "interviewer": "Interviewer",
    "feedback": "Feedback",
    "coach": "Coach",
    "system": "Interview Coach",
}
HELP = (
    "Start an interview with a starter button, or type `start <role>` (e.g. `start Data Scientist`). "
    "Paste a job description or upload your resume (PDF, DOCX, TXT) first to tailor the questions. "
    "Mode, length, camera and metric opt-outs are in the settings (⚙). Any other message goes to your coach."
)


# ----------------------------------------------------------------------------- auth and storage

if SETTINGS.auth_mode == "password":

    @cl.password_auth_callback
    async def password_login(username: str, password: str) -> cl.User | None:
        """Check a login against the users file."""
        try:
            ok = await asyncio.to_thread(check_login, SETTINGS, username, password)
        except AuthConfigError as exc:
            logger.error("Password login is not configured: %s", exc)
            return None
        return cl.User(identifier=username, metadata={"provider": "password"}) if ok else None

elif SETTINGS.auth_mode == "header":

    @cl.header_auth_callback
    async def header_login(headers: Headers) -> cl.User | None:
        """Trust the user name set by the reverse proxy in ``X-Forwarded-User``."""
        name = (headers.get("x-forwarded-user") or "").strip()
        return cl.User(identifier=name, metadata={"provider": "header"}) if name else None

else:
    logger.warning("INTERVIEW_COACH_AUTH_MODE=none: every visitor is the local user 'local' (dev only).")

    @cl.header_auth_callback
    async def dev_login(headers: Headers) -> cl.User | None:
        """Log every visitor in as the local user (dev mode without login)."""
        return cl.User(identifier="local", metadata={"provider": "none"})


@cl.data_layer
def chat_history() -> PortableSQLAlchemyDataLayer:
    """Keep each user's threads (SQLite by default) so past sessions can be reopened."""
    return build_data_layer(chat_database_url(SETTINGS), chat_root(SETTINGS) / "elements")


async def _delete_chat_threads(user_id: str) -> dict[str, int]:
    from chainlit.data import get_data_layer

    layer = get_data_layer()
    if isinstance(layer, PortableSQLAlchemyDataLayer):
        return {"chat_threads": await layer.delete_user_threads(user_id)}
    return {}


registry.add_user_data_deleter(_delete_chat_threads)


# ----------------------------------------------------------------------------- session state


def _user_id() -> str:
    user = cl.user_session.get("user")
    identifier = getattr(user, "identifier", None)
    return str(identifier) if identifier else "local"


def _thread_id() -> str:
    return str(cl.context.session.thread_id)


def _state() -> dict[str, Any]:
    state: dict[str, Any] | None = cl.user_session.get("interview")
    if state is None:
        state = {"phase": "setup", "session_id": None, "question": None, "resume_text": "", "job_description": ""}
        cl.user_session.set("interview", state)
    return state


def _options() -> dict[str, Any]:
    options: dict[str, Any] = cl.user_session.get("options") or {}
    return options


def _remember_target(message_id: str, target: FeedbackTarget, ref: str) -> None:
    targets: dict[str, tuple[str, str]] = cl.user_session.get("feedback_targets") or {}
    targets[message_id] = (target, ref)
    cl.user_session.set("feedback_targets", targets)


def _rating_actions(target: FeedbackTarget, ref: str) -> list[cl.Action]:
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


@cl.action_callback("rate")
async def rate(action: cl.Action) -> None:
    """Store a thumbs up/down from a feedback card or the report for the learning loop."""
    payload = action.payload or {}
    item = FeedbackCreate(
        session_id=_state().get("session_id") or _thread_id(),
        target=payload.get("target", "question_feedback"),
        target_ref=str(payload.get("ref", ""))[:200] or "unknown",
        rating=1 if payload.get("rating") == 1 else -1,
        comment="",
        evidence={"message_id": action.forId, "source": "chat_action"},
    )
    await asyncio.to_thread(registry.get_service().feedback.add, _user_id(), item)
    await cl.context.emitter.send_toast("Thanks, noted for the coach's learning loop.", "success")


def _settings_widgets() -> list[Any]:
    from chainlit.input_widget import Select, Slider, Switch, TextInput

    return [
        TextInput(id="name", label="Your name", initial="Candidate"),
        Select(
            id="mode",
            label="Mode",
            values=[m.value for m in InterviewMode],
            initial_value=InterviewMode.PRACTICE.value,
            description="practice: feedback after each answer; realistic: feedback at the end",
        ),
        Slider(id="question_count", label="Questions", initial=SETTINGS.default_question_count, min=1, max=10, step=1),
        Select(
            id="seniority", label="Seniority", values=[s.value for s in Seniority], initial_value=Seniority.MID.value
        ),
        Switch(id="behavioral", label="Behavioural questions", initial=True),
        Switch(id="technical", label="Technical questions", initial=True),
        Switch(id="situational", label="Situational questions", initial=True),
        Switch(id="camera_off", label="Camera off (never analyse video frames)", initial=False),
        Switch(id="opt_out_voice", label="Opt out of voice metrics", initial=False),
        Switch(id="opt_out_face", label="Opt out of face metrics (gaze, expressions)", initial=False),
        Switch(id="opt_out_gesture", label="Opt out of gesture metrics", initial=False),
    ]


def session_options(options: dict[str, Any], role: str, state: dict[str, Any]) -> SessionCreate:
    """Build the interview options from the chat settings and what the user pasted or uploaded."""
    kinds = [k for k in QuestionKind if options.get(k.value, True)] or list(QuestionKind)
    return SessionCreate(
        name=str(options.get("name") or "Candidate")[:100],
        role=role[:200] or "Backend Software Engineer",
        seniority=Seniority(options.get("seniority") or Seniority.MID.value),
        job_description=state.get("job_description", "")[:50_000],
        resume_text=state.get("resume_text", "")[:50_000],
        question_count=int(options.get("question_count") or SETTINGS.default_question_count),
        kinds=kinds,
        mode=InterviewMode(options.get("mode") or InterviewMode.PRACTICE.value),
        camera_off=bool(options.get("camera_off")),
        opted_out_metrics=[m for m in ("voice", "face", "gesture") if options.get(f"opt_out_{m}")],
    )


# ----------------------------------------------------------------------------- lifecycle


@cl.set_starters
async def starters(user: cl.User | None = None, language: str | None = None) -> list[cl.Starter]:
    """Offer one-click interviews for common roles, and the coach."""
    items = [cl.Starter(label=role, message=f"Interview me for: {role}") for role in ROLE_STARTERS]
    items.append(cl.Starter(label="Ask my coach", message="How am I progressing across my sessions?"))
    return items


@cl.on_chat_start
async def start_chat() -> None:
    """Show the interview settings; outside the web page, explain how to start."""
    _state()
    cl.user_session.set("options", await cl.ChatSettings(_settings_widgets()).send())
    if cl.context.session.client_type != "webapp":
        await cl.Message(author=AUTHORS["system"], content=HELP).send()


@cl.on_settings_update
async def update_settings(options: dict[str, Any]) -> None:
    """Keep the chosen options for the next interview."""
    cl.user_session.set("options", options)
    if _state()["phase"] == "interview":
        await cl.Message(author=AUTHORS["system"], content="Saved; new settings apply to your next interview.").send()


@cl.on_chat_resume
async def resume_chat(thread: ThreadDict) -> None:
    """Reopen a past thread where its interview or coach chat stopped."""
    state = _state()
    cl.user_session.set("options", await cl.ChatSettings(_settings_widgets()).send())
    try:
        turn = await registry.get_service().resume(str(thread["id"]), _user_id())
    except SessionNotFoundError:
        return
    state["session_id"] = turn.session_id
    _apply_turn_state(state, turn)


def _apply_turn_state(state: dict[str, Any], turn: Turn) -> None:
    state["question"] = turn.question
    state["phase"] = {"answer": "interview", "coach": "coaching"}.get(turn.waiting_for or "", "ended")


@cl.on_feedback
async def store_feedback(feedback: Any) -> None:
    """Keep thumbs and comments on feedback, reports and coach replies for the learning loop."""
    targets: dict[str, tuple[str, str]] = cl.user_session.get("feedback_targets") or {}
    target, ref = targets.get(str(feedback.forId), ("coach_reply", str(feedback.forId)))
    service = registry.get_service()
    item = FeedbackCreate(
        session_id=_state().get("session_id") or _thread_id(),
        target=target,
        target_ref=ref,
        rating=1 if int(feedback.value) == 1 else -1,
        comment=(feedback.comment or "")[:4000],
        evidence={"message_id": str(feedback.forId), "thread_id": feedback.threadId},
    )
    await asyncio.to_thread(service.feedback.add, _user_id(), item)


# ----------------------------------------------------------------------------- messages


@cl.on_message
async def on_message(message: cl.Message) -> None:
    """Route a chat message by phase: setup, interview answer, or coach chat."""
    state = _state()
    documents, media = _split_elements(message.elements or [])
    phase = state["phase"]
    if phase == "setup":
        await _handle_setup(state, message.content or "", documents, media)
    elif phase == "interview":
        if documents:
            await _say("Documents only shape the interview before it starts; answer by text, voice or a recording.")
        if media:
            await _answer_with_file(state, media[0])
        elif (message.content or "").strip():
            await _submit(state, AnswerInput(text=message.content))
    elif phase == "coaching":
        if media or documents:
            await _say("The interview is over; type your question for the coach.")
        if (message.content or "").strip():
            await _submit(state, AnswerInput(text=message.content))
    else:
        await _coach_outside_session(message.content or "")


def _split_elements(elements: list[Any]) -> tuple[list[Any], list[Any]]:
    documents, media = [], []
    for element in elements:
        mime = (getattr(element, "mime", "") or "").lower()
        suffix = Path(getattr(element, "name", "") or "").suffix.lower()
        if mime in files.DOCUMENT_TYPES or suffix in {".pdf", ".docx", ".txt", ".md"}:
            documents.append(element)
        else:
            media.append(element)
    return documents, media


async def _say(text: str, author: str = AUTHORS["system"]) -> cl.Message:
    message = cl.Message(author=author, content=text)
    await message.send()
    return message


async def _handle_setup(state: dict[str, Any], text: str, documents: list[Any], media: list[Any]) -> None:
    for document in documents:
        await _read_document(state, document)
    if media:
        await _say("Recordings are answers: start an interview first, then upload your answer.")
    role = start_command_role(text)
    if role is not None:
        await _start_interview(state, role or "Backend Software Engineer")
    elif len(text) >= JOB_DESCRIPTION_MIN_CHARS:
        state["job_description"] = text[:50_000]
        await _say(
            "Saved this job description; the questions will follow it. Now choose a role with a starter "
            "or type `/start <role>`.",
        )
    elif text.strip():
        await _coach_outside_session(text)
    elif documents:
        await _say("Now type `/start <role>` (e.g. `/start Backend Software Engineer`) to begin.")


async def _read_document(state: dict[str, Any], element: Any) -> None:
    name = str(getattr(element, "name", "document"))
    path = Path(str(getattr(element, "path", "") or ""))
    try:
        text = await asyncio.to_thread(read_document, path)
    except DocumentError as exc:
        await _say(f"I could not use {name}: {exc}")
        return
    is_jd = any(word in name.lower() for word in ("job", "jd", "description", "posting"))
    state["job_description" if is_jd else "resume_text"] = text
    what = "job description" if is_jd else "resume"
    await _say(f"Read your {what} **{name}** ({len(text.split())} words). It will shape the questions.")


async def _start_interview(state: dict[str, Any], role: str) -> None:
    options = session_options(_options(), role, state)
    service = registry.get_service()
    session_id = _thread_id()
    request = options.to_request()
    state["request"] = request.model_dump(mode="json")
    async with cl.Step(name=f"Planning a {options.mode.value} interview for {options.role}", type="tool") as step:
        async with registry.session_lock(session_id):
            turn = await service.start(_user_id(), request, session_id=session_id)
        step.output = f"{turn.total} questions planned."
    state["session_id"] = turn.session_id
    _apply_turn_state(state, turn)
    await _render_turn(turn)


def _planned_tools(answer: AnswerInput, request: dict[str, Any]) -> list[str]:
    opted = set(request.get("opted_out_metrics") or [])
    tools = []
    if (answer.audio_path or answer.video_path) and "voice" not in opted:
        tools.append("Transcribing speech and measuring the voice")
    if answer.video_path and not request.get("camera_off") and "face" not in opted:
        tools.append("Analysing face and gestures")
    tools.append("Scoring the answer against the evidence")
    return tools


async def _submit(state: dict[str, Any], answer: AnswerInput) -> None:
    service = registry.get_service()
    session_id = state["session_id"]
    is_answer = state["phase"] == "interview" and (answer.audio_path or answer.video_path or not _is_command(answer))
    started = time.perf_counter()
    try:
        if is_answer:
            turn = await _run_with_steps(session_id, answer, state.get("request") or {})
        else:
            async with registry.session_lock(session_id):
                turn = await service.send(session_id, _user_id(), answer)
    except SessionNotFoundError:
        await _say("This interview is no longer available (its data may have been deleted). Start a new chat.")
        state["phase"] = "ended"
        return
    logger.info("turn of %s took %.2f s", session_id, time.perf_counter() - started)
    _apply_turn_state(state, turn)
    await _render_turn(turn)


def _is_command(answer: AnswerInput) -> bool:
    from interview_coach.graphs.supervisor import classify_input

    return classify_input(answer) != "answer"


async def _run_with_steps(session_id: str, answer: AnswerInput, request: dict[str, Any]) -> Turn:
    service = registry.get_service()
    async with cl.Step(name="Analysing your answer", type="run") as parent:
        children: dict[str, cl.Step] = {}
        for name in _planned_tools(answer, request):
            child = cl.Step(name=name, type="tool", parent_id=parent.id)
            child.input = "running…"
            await child.send()
            children[name] = child

        async def close(names: list[str]) -> None:
            for name in names:
                children[name].output = "done"
                await children[name].update()

        async def on_progress(node: str) -> None:
            # Perception finishes in analyze_answer and scoring in evaluate_answer: close each
            # step when its node is done instead of all at the end.
            if node == "analyze_answer":
                await close([n for n in children if not n.startswith("Scoring")])
            elif node == "evaluate_answer":
                await close([n for n in children if n.startswith("Scoring")])

        async with registry.session_lock(session_id):
            turn = await service.send(session_id, _user_id(), answer, on_progress=on_progress)
        for child_name, child in children.items():
            child.output = _tool_summary(child_name, turn)
            await child.update()
        parent.output = "Done."
    return turn


def _tool_summary(name: str, turn: Turn) -> str:
    errors = [m["text"] for m in turn.messages if m.get("role") == "system" and "not measured" in m.get("text", "")]
    if name.startswith("Transcribing"):
        transcript = next((m for m in turn.messages if (m.get("data") or {}).get("transcript")), None)
        if transcript:
            return str(transcript.get("text", ""))[:400]
        return "; ".join(e for e in errors if e.startswith("Voice")) or "done"
    if name.startswith("Analysing face"):
        return "; ".join(e for e in errors if e.startswith("Face")) or "done"
    card = next((m for m in turn.messages if m.get("role") == "feedback"), None)
    return str(card.get("text", "")).split("\n")[0] if card else "done (feedback comes at the end in realistic mode)"


async def _coach_outside_session(text: str) -> None:
    from interview_coach.agents.coach import coach_reply

    if not text.strip():
        return
    service = registry.get_service()
    async with cl.Step(name="Reading your coaching history", type="tool") as step:
        reply = await coach_reply(service.deps, user_id=_user_id(), message=text, report=None)
        step.output = ", ".join(reply.grounded_on[:5]) or "no earlier sessions yet"
    content = reply.text + (f"\n\n**Drill:** {reply.drill}" if reply.drill else "")
    if _state()["phase"] == "setup":
        content += f"\n\n_{HELP}_"
    message = await _say(content, AUTHORS["coach"])
    _remember_target(message.id, "coach_reply", "outside_session")


# ----------------------------------------------------------------------------- answers by voice or file


async def _answer_with_file(state: dict[str, Any], element: Any) -> None:
    name = str(getattr(element, "name", "answer"))
    source = Path(str(getattr(element, "path", "") or ""))
    try:
        files.media_suffix(name, getattr(element, "mime", None))
        stored, kind = await asyncio.to_thread(
            files.store_answer_file, SETTINGS, _user_id(), state["session_id"], _question_id(state), _copy(source, name)
        )
    except (files.UploadRejectedError, MediaError, OSError) as exc:
        await _say(f"I can't use {name}: {exc}")
        return
    answer = AnswerInput(video_path=str(stored)) if kind == "video" else AnswerInput(audio_path=str(stored))
    await _submit(state, answer)


def _copy(source: Path, name: str) -> Path:
    """Copy Chainlit's temporary upload so the answer keeps its own file."""
    import shutil
    import tempfile

    incoming = SETTINGS.data_dir / "uploads"
    incoming.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=incoming, suffix=Path(name).suffix.lower(), delete=False) as handle:
        target = Path(handle.name)
    shutil.copyfile(source, target)
    return target


def _question_id(state: dict[str, Any]) -> str:
    return str((state.get("question") or {}).get("id") or "answer")


@cl.on_audio_start
async def audio_start() -> bool:
    """Accept microphone answers only while a question waits for one."""
    if _state()["phase"] != "interview":
        await _say("The microphone answers interview questions; start an interview first.")
        return False
    cl.user_session.set("audio", bytearray())
    return True


@cl.on_audio_chunk
async def audio_chunk(chunk: Any) -> None:
    """Collect raw PCM16 microphone audio."""
    buffer: bytearray | None = cl.user_session.get("audio")
    if buffer is not None:
        buffer.extend(chunk.data)


@cl.on_audio_end
async def audio_end() -> None:
    """Turn the recording into a 16 kHz WAV answer and submit it."""
    for _ in range(3):  # let chunk tasks scheduled before the end event finish
        await asyncio.sleep(0.05)
    buffer: bytearray = cl.user_session.get("audio") or bytearray()
    cl.user_session.set("audio", None)
    state = _state()
    if state["phase"] != "interview":
        return
    from chainlit.config import config

    rate = config.features.audio.sample_rate if config.features.audio else 24000
    target = files.answer_path(SETTINGS, _user_id(), state["session_id"], _question_id(state), ".wav")
    try:
        await asyncio.to_thread(pcm16_to_wav, bytes(buffer), rate, target)
    except MediaError as exc:
        await _say(f"No answer recorded: {exc}")
        return
    seconds = len(buffer) / 2 / rate
    await cl.Message(
        author="You",
        type="user_message",
        content=f"🎙️ Spoken answer ({seconds:.0f} s)",
        elements=[cl.Audio(name="your answer", path=str(target), mime="audio/wav", display="inline")],
    ).send()
    await _submit(state, AnswerInput(audio_path=str(target)))


# ----------------------------------------------------------------------------- rendering


async def _render_turn(turn: Turn) -> None:
    for chat_message in turn.messages:
        role = chat_message.get("role", "system")
        data = chat_message.get("data") or {}
        text = chat_message.get("text", "")
        if role == "candidate":
            continue
        if data.get("report") and turn.report is not None:
            await _render_report(turn.report, text)
            continue
        if role == "interviewer":
            prefix = "**Follow-up:** " if data.get("follow_up") else f"**Q{data.get('number')}/{data.get('total')}** "
            message = await _say(prefix + text, AUTHORS["interviewer"])
            _remember_target(message.id, "interviewer_question", str(chat_message.get("question_id")))
        elif role == "feedback" and data.get("evaluation"):
            number = re.search(r"Q(\d+)", text)
            card = feedback_card(int(number.group(1)) if number else 0, data["evaluation"])
            question_id = str(chat_message.get("question_id"))
            message = cl.Message(
                author=AUTHORS["feedback"], content=card, actions=_rating_actions("question_feedback", question_id)
            )
            await message.send()
            _remember_target(message.id, "question_feedback", question_id)
        elif role == "coach":
            drill = data.get("drill")
            message = await _say(text + (f"\n\n**Drill:** {drill}" if drill else ""), AUTHORS["coach"])
            _remember_target(message.id, "coach_reply", str(len(turn.messages)))
        elif data.get("transcript"):
            await _say(text, "Transcript")
        else:
            await _say(text, AUTHORS.get(role, AUTHORS["system"]))


def _write_exports(report: SessionReport, summaries: list[Any]) -> list[cl.File]:
    folder = files.export_dir(SETTINGS, report.user_id, report.session_id)
    elements = []
    fmt: ExportFormat
    for fmt in ("markdown", "html", "json"):
        path = folder / f"interview-report-{report.session_id}{EXPORT_SUFFIX[fmt]}"
        path.write_text(render_export(report, fmt, summaries), "utf-8")
        elements.append(cl.File(name=path.name, path=str(path), mime=EXPORT_MIME[fmt], display="inline"))
    return elements


def _summaries(user_id: str) -> list[Any]:
    memory = registry.get_service().deps.memory
    return list(memory.list(user_id, kinds=["session_summary"], limit=200)) if memory else []


async def _render_report(report: SessionReport, markdown: str) -> None:
    summaries = await asyncio.to_thread(_summaries, report.user_id)
    charts: list[Any] = [cl.Plotly(name="delivery per question", figure=delivery_figure(report), display="inline")]
    progress = progress_figure(summaries)
    if progress is not None:
        charts.append(cl.Plotly(name="progress across sessions", figure=progress, display="inline"))
    message = cl.Message(
        author="Report", content=markdown, elements=charts, actions=_rating_actions("report", report.session_id)
    )
    await message.send()
    _remember_target(message.id, "report", report.session_id)
    exports = await asyncio.to_thread(_write_exports, report, summaries)
    await cl.Message(author="Report", content="Download your report: Markdown, HTML or JSON.", elements=exports).send()
    await _render_playback(report)


async def _render_playback(report: SessionReport) -> None:
    recordings = files.answer_media(SETTINGS, report.user_id, report.session_id)
    typed: list[str] = []
    for number, question in enumerate(report.questions, 1):
        if question.input_mode == "skipped":
            continue
        heading = f"**Q{number}: {question.question.text}**"
        recording = recordings.get(question.question.id)
        if question.input_mode in {"audio", "video"} and recording is not None:
            element_type = cl.Video if question.input_mode == "video" else cl.Audio
            element = element_type(name=f"Q{number} answer", path=str(recording), display="inline")
            content = f"{heading}\n\n{transcript_markdown(question)}\n\n**Evidence**\n{evidence_markdown(question)}"
            await cl.Message(author="Playback", content=content, elements=[element]).send()
        else:
            typed.append(f"{heading}\n\n{transcript_markdown(question)}")
    if typed:
        await cl.Message(
            author="Transcript", content="Your answers with filler words in **bold**:\n\n" + "\n\n".join(typed)
        ).send()
