# mypy: disable-error-code="no-untyped-call"
"""Turn chat messages, uploads and microphone audio into interview answers or coach messages."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import chainlit as cl

from interview_coach.assessment.pipeline import planned_modalities
from interview_coach.domain import AnswerInput, InterviewPlanRequest, TurnEvent
from interview_coach.graphs.service import SessionConflictError, SessionFailedError, Turn, TurnConflictError
from interview_coach.memory.sessions import SessionNotFoundError
from interview_coach.tools.media.decode import MediaError, pcm16_to_wav
from interview_coach.tools.voice.streaming import BackgroundVoiceAnalysis
from interview_coach.ui import files, registry
from interview_coach.ui.chainlit.answering import CLAIMS, refusal
from interview_coach.ui.chainlit.mic_stream import (
    announce_device_loss,
    finish_voice_stream,
    hint_replay,
    mic_rate,
    start_live_hints,
    start_voice_stream,
    stop_live_hints,
    take_chunk,
)
from interview_coach.ui.chainlit.rendering import coach_text, render_turn
from interview_coach.ui.chainlit.session import (
    AUTHORS,
    HELP,
    SETTINGS,
    apply_turn,
    chat_state,
    remember_target,
    say,
    thread_id,
    user_id,
    waiting_question_id,
)
from interview_coach.ui.documents import DocumentError, read_document
from interview_coach.ui.options import SessionCreate, start_command_role

logger = logging.getLogger(__name__)
JOB_DESCRIPTION_MIN_CHARS = 300
SCORING_STEP = "Scoring the answer against the evidence"


@cl.on_message
async def on_message(message: cl.Message) -> None:
    """Route a chat message by phase: setup, interview answer, or coach chat."""
    state = chat_state()
    documents, media = _split_elements(message.elements or [])
    text = message.content or ""
    phase = state["phase"]
    if phase == "setup":
        await _handle_setup(state, text, documents, media)
    elif phase == "interview":
        if documents:
            await say("Documents only shape the interview before it starts; answer by text, voice or a recording.")
        if media:
            await _answer_with_file(state, media[0])
        elif text.strip():
            await submit(state, AnswerInput(text=text))
    elif phase == "coaching":
        if media or documents:
            await say("The interview is over; type your question for the coach.")
        if text.strip():
            await submit(state, AnswerInput(text=text))
    else:
        await _coach_outside_session(text)


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


async def _handle_setup(state: dict[str, Any], text: str, documents: list[Any], media: list[Any]) -> None:
    for document in documents:
        await _read_document(state, document)
    if media:
        await say("Recordings are answers: start an interview first, then upload your answer.")
    role = start_command_role(text)
    if role is not None:
        await _start_interview(state, role or "Backend Software Engineer")
    elif len(text) >= JOB_DESCRIPTION_MIN_CHARS:
        state["job_description"] = text[:50_000]
        await say(
            "Saved this job description; the questions will follow it. Now choose a role with a starter "
            "or type `/start <role>`.",
        )
    elif text.strip():
        await _coach_outside_session(text)
    elif documents:
        await say("Now type `/start <role>` (e.g. `/start Backend Software Engineer`) to begin.")


async def _read_document(state: dict[str, Any], element: Any) -> None:
    name = files.display_name(str(getattr(element, "name", "") or "document"))
    path = Path(str(getattr(element, "path", "") or ""))
    try:
        text = await asyncio.to_thread(read_document, path)
    except DocumentError as exc:
        # The error names Chainlit's copy of the file; the user knows it by its own name.
        detail = str(exc).replace(path.name, name) if path.name else str(exc)
        await say(f"I could not use {name}: {detail}")
        return
    is_jd = any(word in name.lower() for word in ("job", "jd", "description", "posting"))
    state["job_description" if is_jd else "resume_text"] = text
    what = "job description" if is_jd else "resume"
    await say(f"Read your {what} **{name}** ({len(text.split())} words). It will shape the questions.")


def session_options(options: dict[str, Any], role: str, state: dict[str, Any]) -> SessionCreate:
    """Build the interview options from the chat settings and what the user pasted or uploaded."""
    from interview_coach.domain import InterviewMode, QuestionKind, Seniority

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


async def _start_interview(state: dict[str, Any], role: str) -> None:
    options = session_options(cl.user_session.get("options") or {}, role, state)
    service = registry.get_service()
    session_id = thread_id()
    request = options.to_request()
    state["request"] = request
    async with cl.Step(name=f"Planning a {options.mode.value} interview for {options.role}", type="tool") as step:
        try:
            async with service.session_lock(session_id):
                turn = await service.start(user_id(), request, session_id=session_id)
        except (SessionNotFoundError, SessionConflictError):
            step.output = "refused"
            await cl.Message(content="This chat cannot hold a new interview. Start a new chat to begin one.").send()
            return
        step.output = f"{turn.ref.total if turn.ref else 0} questions planned."
    state["session_id"] = turn.session_id
    apply_turn(state, turn)
    await render_turn(turn)


def _planned_tools(answer: AnswerInput, request: InterviewPlanRequest | None) -> list[str]:
    planned = planned_modalities(
        answer,
        camera_off=bool(request and request.camera_off),
        opted_out=set(request.opted_out_metrics) if request else set(),
    )
    tools = []
    if "voice" in planned:
        tools.append("Transcribing speech and measuring the voice")
    if "face" in planned:
        tools.append("Analysing face and gestures")
    tools.append(SCORING_STEP)
    return tools


async def submit(state: dict[str, Any], answer: AnswerInput) -> None:
    """Send an answer, command or coach message to the session and show the turn."""
    service = registry.get_service()
    session_id = state["session_id"]
    # Another window recording an answer holds the interview; this input must not overtake it.
    other = CLAIMS.held_by_other(session_id, cl.context.session.id) if state["phase"] == "interview" else None
    if other is not None:
        await say(refusal(other))
        return
    is_answer = state["phase"] == "interview" and (answer.audio_path or answer.video_path or not _is_command(answer))
    # Naming the question this input answers makes a double-sent answer or /skip apply once:
    # the second copy finds another question waiting and is refused.
    question = state.get("question")
    question_id = question.id if state["phase"] == "interview" and question is not None else None
    started = time.perf_counter()
    try:
        if is_answer:
            turn = await _run_with_steps(session_id, answer, state.get("request"), question_id)
        else:
            async with service.session_lock(session_id):
                turn = await service.send(session_id, user_id(), answer, question_id=question_id)
    except SessionNotFoundError as exc:
        reason = str(exc) if isinstance(exc, SessionFailedError) else "its data may have been deleted"
        await say(f"This interview is no longer available ({reason}). Start a new chat.")
        state["phase"] = "ended"
        return
    except TurnConflictError as exc:
        now = f"{exc.ref.label} is waiting now." if exc.ref is not None else "The interview has moved on."
        await say(f"That message was not used: it was meant for a question that is no longer open. {now}")
        turn = await service.resume(session_id, user_id())
    logger.info("turn of %s took %.2f s", session_id, time.perf_counter() - started)
    apply_turn(state, turn)
    await render_turn(turn)


def _is_command(answer: AnswerInput) -> bool:
    from interview_coach.graphs.intents import classify_input

    return classify_input(answer) != "answer"


async def _run_with_steps(
    session_id: str, answer: AnswerInput, request: InterviewPlanRequest | None, question_id: str | None = None
) -> Turn:
    service = registry.get_service()
    async with cl.Step(name="Analysing your answer", type="run") as parent:
        children: dict[str, cl.Step] = {}
        for name in _planned_tools(answer, request):
            # No input text: Chainlit shows a step's input as a code block even after the step ends.
            child = cl.Step(name=name, type="tool", parent_id=parent.id, show_input=False)
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
                await close([n for n in children if n != SCORING_STEP])
            elif node == "evaluate_answer":
                await close([n for n in children if n == SCORING_STEP])

        async with service.session_lock(session_id):
            turn = await service.send(session_id, user_id(), answer, on_progress=on_progress, question_id=question_id)
        for child_name, child in children.items():
            child.output = tool_summary(child_name, turn.messages)
            await child.update()
        parent.output = "Done."
    return turn


def tool_summary(step: str, events: list[TurnEvent]) -> str:
    """Say what one analysis step produced, from the turn's events (transcript, not-measured notices, feedback)."""

    def not_measured(*modalities: str) -> str:
        found = [e.text for e in events if e.notice == "not_measured" and e.modality in modalities]
        return "; ".join(found) or "done"

    if step.startswith("Transcribing"):
        transcript = next((e for e in events if e.kind == "transcript"), None)
        return transcript.text[:400] if transcript else not_measured("voice")
    if step.startswith("Analysing face"):
        return not_measured("face", "gesture")
    feedback = next((e for e in events if e.kind == "feedback"), None)
    return feedback.text.split("\n")[0] if feedback else "done (feedback comes at the end in realistic mode)"


async def _coach_outside_session(text: str) -> None:
    from interview_coach.graphs.coach_focus import coach_outside_session

    if not text.strip():
        return
    service = registry.get_service()
    async with cl.Step(name="Reading your coaching history", type="tool") as step:
        reply = await coach_outside_session(service, user_id(), text)
        step.output = ", ".join(reply.grounded_on[:5]) or "no earlier sessions yet"
    content = coach_text(reply.text, reply.drill)
    if chat_state()["phase"] == "setup" and reply.intent in {"help", "unknown"}:
        content += f"\n\n_{HELP}_"
    message = await say(content, AUTHORS["coach"])
    remember_target(message.id, "coach_reply", "outside_session")


async def _answer_with_file(state: dict[str, Any], element: Any) -> None:
    """Store an uploaded recording under the waiting question's id and answer with it.

    The upload's name is shown back to the user and used for nothing else: the stored file's
    name is the question id and its extension comes from the container found in its bytes.
    """
    name = files.display_name(str(getattr(element, "name", "") or "answer"))
    source = Path(str(getattr(element, "path", "") or ""))
    incoming: Path | None = None
    try:
        suffix = files.media_suffix(name, getattr(element, "mime", None))
        incoming = await asyncio.to_thread(_copy, source, suffix)
        stored, kind = await asyncio.to_thread(
            files.store_answer_file, SETTINGS, user_id(), state["session_id"], waiting_question_id(state), incoming
        )
    except (files.UploadRejectedError, MediaError, OSError, ValueError) as exc:
        # Media errors name the server's copy; the user knows the file by its own name.
        detail = str(exc).replace(incoming.name, name) if incoming is not None else str(exc)
        await say(f"I can't use {name}: {detail}")
        return
    finally:
        if incoming is not None:
            incoming.unlink(missing_ok=True)  # already moved when stored; a refused copy is not kept
    answer = AnswerInput(video_path=str(stored)) if kind == "video" else AnswerInput(audio_path=str(stored))
    await submit(state, answer)


def _copy(source: Path, suffix: str) -> Path:
    """Copy Chainlit's temporary upload to a private file named by the server (``suffix`` is already checked)."""
    import shutil
    import tempfile

    incoming = files.private_dir(SETTINGS.data_dir / "uploads")
    with tempfile.NamedTemporaryFile(dir=incoming, suffix=suffix, delete=False) as handle:
        target = Path(handle.name)
    shutil.copyfile(source, target)
    return target


@cl.on_audio_start
async def audio_start() -> bool:
    """Accept microphone answers only while a question waits for one."""
    if chat_state()["phase"] != "interview":
        await say("The microphone answers interview questions; start an interview first.")
        return False
    other = CLAIMS.claim(chat_state()["session_id"], cl.context.session.id, "a spoken answer")
    if other is not None:
        await say(refusal(other))
        return False
    cl.user_session.set("audio", bytearray())
    stream = start_voice_stream(chat_state())
    cl.user_session.set("voice_stream", stream)
    cl.user_session.set("live_hints", start_live_hints(chat_state(), stream))
    return True


@cl.on_audio_chunk
async def audio_chunk(chunk: Any) -> None:
    """Collect raw PCM16 microphone audio and queue it for the streaming analysis."""
    buffer: bytearray | None = cl.user_session.get("audio")
    if buffer is not None:
        CLAIMS.touch(chat_state()["session_id"], cl.context.session.id)
        stream: BackgroundVoiceAnalysis | None = cl.user_session.get("voice_stream")
        await take_chunk(buffer, stream, chunk.data)  # up to the answer-length limit


@cl.on_audio_end
async def audio_end() -> None:
    """Turn the recording into a 16 kHz WAV answer and submit it."""
    for _ in range(3):  # let chunk tasks scheduled before the end event finish
        await asyncio.sleep(0.05)
    buffer: bytearray = cl.user_session.get("audio") or bytearray()
    cl.user_session.set("audio", None)
    stream: BackgroundVoiceAnalysis | None = cl.user_session.get("voice_stream")
    cl.user_session.set("voice_stream", None)
    nudges = await stop_live_hints(cl.user_session.get("live_hints"))
    cl.user_session.set("live_hints", None)
    state = chat_state()
    if state["phase"] != "interview":
        if stream is not None:
            stream.cancel()
        return
    rate = mic_rate()
    owner = cl.context.session.id
    target = files.answer_path(SETTINGS, user_id(), state["session_id"], waiting_question_id(state), ".wav")
    try:
        await asyncio.to_thread(pcm16_to_wav, bytes(buffer), rate, target)
        target.chmod(files.PRIVATE_FILE_MODE)
    except MediaError as exc:
        if stream is not None:
            stream.cancel()
        CLAIMS.release(state["session_id"], owner)
        await say(f"No answer recorded: {exc}")
        return
    seconds = len(buffer) / 2 / rate
    await announce_device_loss(buffer)
    await cl.Message(
        author="You",
        type="user_message",
        content=f"🎙️ Spoken answer ({seconds:.0f} s)",
        elements=[
            cl.Audio(name="your answer", path=str(target), mime="audio/wav", display="inline"),
            *hint_replay(nudges),
        ],
    ).send()
    voice = await finish_voice_stream(stream)
    try:
        await submit(state, AnswerInput(audio_path=str(target), voice=voice, nudges=nudges))
    finally:
        CLAIMS.release(state["session_id"], owner)
