"""REST routes over the same interview service as the chat room (OpenAPI at ``/docs``).

Every route needs ``Authorization: Bearer <token>``; tokens map to user ids through the
``api_tokens`` setting. A session id that belongs to someone else answers 404, exactly like
an unknown one.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Path, Query, UploadFile, status
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from interview_coach.assessment.progress import describe_progress
from interview_coach.assessment.rendering import EXPORT_MIME, question_refs, render_export
from interview_coach.core.settings import Settings
from interview_coach.domain import AnswerInput, CoachReply, SessionReport
from interview_coach.graphs.service import InterviewService, Turn, TurnConflictError
from interview_coach.memory.feedback import FeedbackCreate, FeedbackPublic
from interview_coach.memory.sessions import SessionNotFoundError, SessionPublic
from interview_coach.tools.media.decode import MediaError
from interview_coach.ui import files, registry
from interview_coach.ui.api.schemas import (
    IDEMPOTENCY_KEY_HELP,
    AnswerCreate,
    AnswerFeedback,
    CoachMessage,
    DeletionReport,
    ErrorPublic,
    NextQuestion,
    ProgressPoint,
    ProgressPublic,
    QuestionPublic,
    RatingCreate,
    TurnConflictPublic,
    TurnPublic,
)
from interview_coach.ui.auth import user_for_token
from interview_coach.ui.options import SessionCreate


def get_app_settings() -> Settings:
    """Return the settings of this app."""
    return registry.get_settings()


def get_service() -> InterviewService:
    """Return the shared interview service (503 while starting)."""
    try:
        return registry.get_service()
    except registry.ServiceNotReadyError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc


_bearer = HTTPBearer(auto_error=False, description="Per-user API token (INTERVIEW_COACH_API_TOKENS).")


def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    settings: Annotated[Settings, Depends(get_app_settings)],
) -> str:
    """Resolve the bearer token to a user id (401 when missing or unknown)."""
    user_id = user_for_token(settings, credentials.credentials) if credentials else None
    if user_id is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Missing or invalid bearer token.", headers={"WWW-Authenticate": "Bearer"}
        )
    return user_id


CurrentUser = Annotated[str, Depends(get_current_user)]
ServiceDep = Annotated[InterviewService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Session id.")]
Expected = Literal["answer", "coach"]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200, description=IDEMPOTENCY_KEY_HELP)
]


def _not_found(exc: Exception) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))


async def _current(service: InterviewService, session_id: str, user_id: str) -> Turn:
    try:
        return await service.resume(session_id, user_id)
    except SessionNotFoundError as exc:
        raise _not_found(exc) from exc


async def _report(service: InterviewService, session_id: str, user_id: str) -> SessionReport:
    try:
        report = await service.report(session_id, user_id)
    except SessionNotFoundError as exc:
        raise _not_found(exc) from exc
    if report is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "The interview is still running; the report comes at the end.")
    return report


def _turn_conflict(exc: TurnConflictError) -> JSONResponse:
    """Answer 409 naming what the session waits for (``detail`` as in every other error)."""
    body = TurnConflictPublic(
        detail=str(exc), waiting_for=exc.waiting, question=QuestionPublic.from_question(exc.question, exc.ref)
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status.HTTP_409_CONFLICT)


async def _send_expecting(
    service: InterviewService,
    session_id: str,
    user_id: str,
    answer: AnswerInput,
    expected: Expected,
    *,
    question_id: str | None = None,
    idempotency_key: str | None = None,
) -> TurnPublic | JSONResponse:
    """Run one turn; the service refuses (409) an input the session does not take now, once, under its lock."""
    try:
        turn = await service.send(
            session_id, user_id, answer, expect=expected, question_id=question_id, idempotency_key=idempotency_key
        )
    except SessionNotFoundError as exc:
        raise _not_found(exc) from exc
    except TurnConflictError as exc:
        return _turn_conflict(exc)
    return TurnPublic.from_turn(turn)


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "The body is not valid JSON or multipart data."},
    401: {"model": ErrorPublic, "description": "Missing or invalid bearer token."},
    404: {"model": ErrorPublic, "description": "No such session for this user."},
    413: {"model": ErrorPublic, "description": "The body is over the size limit."},
    415: {"model": ErrorPublic, "description": "The body has the wrong content type."},
}
router = APIRouter(prefix="/api", tags=["interviews"], responses=_ERRORS)


@router.post("/sessions", status_code=status.HTTP_201_CREATED, response_model=TurnPublic)
async def create_session(body: SessionCreate, user: CurrentUser, service: ServiceDep) -> TurnPublic:
    """Create a session: plan the questions and ask the first one."""
    turn = await service.start(user, body.to_request())
    return TurnPublic.from_turn(turn)


@router.get("/sessions", response_model=list[SessionPublic])
async def list_sessions(user: CurrentUser, service: ServiceDep) -> list[SessionPublic]:
    """List my sessions, newest first."""
    return service.list_sessions(user)


@router.get("/sessions/{session_id}", response_model=TurnPublic)
async def get_session(session_id: SessionId, user: CurrentUser, service: ServiceDep) -> TurnPublic:
    """Reopen a session: the whole conversation so far and what it waits for."""
    async with service.session_lock(session_id):
        return TurnPublic.from_turn(await _current(service, session_id, user))


@router.get("/sessions/{session_id}/question", response_model=NextQuestion)
async def next_question(session_id: SessionId, user: CurrentUser, service: ServiceDep) -> NextQuestion:
    """Get the question waiting for an answer (``question`` is null after the interview)."""
    async with service.session_lock(session_id):
        turn = await _current(service, session_id, user)
    return NextQuestion(
        session_id=session_id,
        waiting_for=turn.waiting_for,
        question=QuestionPublic.from_question(turn.question, turn.ref),
        phase=turn.phase,
    )


_REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"model": TurnConflictPublic, "description": "The session waits for another question or input."}
}


@router.post("/sessions/{session_id}/answers", response_model=TurnPublic, responses=_REFUSED)
async def submit_answer(
    session_id: SessionId, body: AnswerCreate, user: CurrentUser, service: ServiceDep, key: IdempotencyKey = None
) -> TurnPublic | JSONResponse:
    """Answer the current question by text (commands such as /skip, /repeat, /end work too).

    With ``question_id`` an answer for a question that no longer waits gets 409 naming the
    current one; a repeated idempotency key returns the stored turn (``replayed``).
    """
    answer = AnswerInput(text=body.text)
    key = key or body.idempotency_key
    return await _send_expecting(
        service, session_id, user, answer, "answer", question_id=body.question_id, idempotency_key=key
    )


@router.post(
    "/sessions/{session_id}/answers/media",
    response_model=TurnPublic,
    responses={
        **_REFUSED,
        413: {"model": ErrorPublic, "description": "File over the upload limit."},
        415: {"model": ErrorPublic, "description": "Not an accepted audio or video type."},
    },
)
async def submit_media_answer(
    session_id: SessionId,
    file: Annotated[UploadFile, File(description="Audio or video recording of the answer.")],
    user: CurrentUser,
    service: ServiceDep,
    settings: SettingsDep,
    question_id: Annotated[str | None, Form(min_length=1, max_length=200, description="The question answered.")] = None,
    idempotency_key: Annotated[str | None, Form(min_length=1, max_length=200, description=IDEMPOTENCY_KEY_HELP)] = None,
    key: IdempotencyKey = None,
) -> TurnPublic | JSONResponse:
    """Answer the current question with an audio or video recording (multipart upload).

    ``question_id`` and the idempotency key work as for typed answers.
    """
    key = key or idempotency_key
    async with service.session_lock(session_id):
        # Checked before the upload is stored: a refused or replayed answer leaves no file behind.
        try:
            turn = await service.check(session_id, user, expect="answer", question_id=question_id, idempotency_key=key)
        except SessionNotFoundError as exc:
            raise _not_found(exc) from exc
        except TurnConflictError as exc:
            return _turn_conflict(exc)
        if turn.replayed:
            return TurnPublic.from_turn(turn)
        try:
            suffix = files.media_suffix(file.filename or "", file.content_type)
        except files.UploadRejectedError as exc:
            raise HTTPException(exc.status, str(exc)) from exc
        # The recording is filed under the waiting question's id.
        filed_under = turn.question.id if turn.question else "answer"
        path, kind = await asyncio.to_thread(_store_upload, settings, user, session_id, filed_under, file, suffix)
        answer = AnswerInput(audio_path=str(path)) if kind == "audio" else AnswerInput(video_path=str(path))
        return await _send_expecting(
            service, session_id, user, answer, "answer", question_id=filed_under, idempotency_key=key
        )


def _store_upload(
    settings: Settings, user: str, session_id: str, question_id: str, upload: UploadFile, suffix: str
) -> tuple[FilePath, files.MediaKind]:
    # Stored under server-chosen names only (a temp name, then the question id and the sniffed
    # extension); the upload's own file name appears in messages and nowhere else.
    incoming = files.private_dir(settings.data_dir / "uploads")
    with tempfile.NamedTemporaryFile(dir=incoming, suffix=suffix, delete=False) as handle:
        temp = FilePath(handle.name)
    try:
        files.save_stream(upload.file, temp, settings.max_upload_mb * 1024 * 1024)
        return files.store_answer_file(settings, user, session_id, question_id, temp)
    except files.UploadRejectedError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    except MediaError as exc:
        message = str(exc).replace(temp.name, files.display_name(upload.filename or "the upload"))
        # Shaped like FastAPI's validation errors so the 422 response keeps one schema.
        detail = [{"loc": ["body", "file"], "msg": message, "type": "value_error"}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from exc
    finally:
        temp.unlink(missing_ok=True)


@router.get("/sessions/{session_id}/feedback", response_model=list[AnswerFeedback])
async def answer_feedback(session_id: SessionId, user: CurrentUser, service: ServiceDep) -> list[AnswerFeedback]:
    """List the feedback given so far, one item per answered question or follow-up.

    In realistic mode the per-answer feedback appears once the report is written.
    """
    async with service.session_lock(session_id):
        turn = await _current(service, session_id, user)
    if turn.report is not None:
        refs = question_refs(turn.report)
        return [
            AnswerFeedback.from_report(item, ref)
            for item, ref in zip(turn.report.questions, refs, strict=True)
            if item.input_mode != "skipped"
        ]
    return [
        AnswerFeedback.from_event(event, event.evaluation)
        for event in turn.messages
        if event.kind == "feedback" and event.evaluation is not None
    ]


@router.post("/sessions/{session_id}/ratings", status_code=status.HTTP_201_CREATED, response_model=FeedbackPublic)
async def rate(session_id: SessionId, body: RatingCreate, user: CurrentUser, service: ServiceDep) -> FeedbackPublic:
    """Rate a feedback message, score or report (thumbs up/down, comment, correction)."""
    try:
        service.sessions.get(session_id, user)
    except SessionNotFoundError as exc:
        raise _not_found(exc) from exc
    return service.feedback.add(user, FeedbackCreate(session_id=session_id, **body.model_dump()))


@router.get(
    "/sessions/{session_id}/report",
    responses={
        200: {
            # "model" puts SessionReport in the schema's components; a bare $ref to it dangled (ReDoc refused it).
            "model": SessionReport,
            "description": "The report as JSON, Markdown or HTML.",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        409: {"model": ErrorPublic, "description": "The interview is still running."},
    },
    response_model=None,
)
async def get_report(
    session_id: SessionId,
    user: CurrentUser,
    service: ServiceDep,
    format: Annotated[Literal["json", "markdown", "html"], Query(description="Output format.")] = "json",
) -> Response:
    """Get the session report as JSON, Markdown or a self-contained HTML page."""
    async with service.session_lock(session_id):
        report = await _report(service, session_id, user)
    if format == "json":
        return JSONResponse(report.model_dump(mode="json"))
    summaries = await asyncio.to_thread(service.session_summaries, user) if format == "html" else []
    body = render_export(report, format, summaries)
    if format == "html":
        return HTMLResponse(body)
    return PlainTextResponse(body, media_type=EXPORT_MIME["markdown"])


@router.post("/sessions/{session_id}/coach", response_model=TurnPublic, responses=_REFUSED)
async def coach_in_session(
    session_id: SessionId, body: CoachMessage, user: CurrentUser, service: ServiceDep, key: IdempotencyKey = None
) -> TurnPublic | JSONResponse:
    """Chat with the coach about this session (after its report); a repeated idempotency key returns the stored turn."""
    return await _send_expecting(service, session_id, user, AnswerInput(text=body.text), "coach", idempotency_key=key)


@router.post("/coach", response_model=CoachReply)
async def coach(body: CoachMessage, user: CurrentUser, service: ServiceDep) -> CoachReply:
    """Chat with the coach outside a session, grounded in my latest report and long-term memory."""
    from interview_coach.graphs.coach_focus import coach_outside_session

    return await coach_outside_session(service, user, body.text)


@router.get("/me/progress", response_model=ProgressPublic)
async def my_progress(user: CurrentUser, service: ServiceDep) -> ProgressPublic:
    """My headline numbers per finished session, oldest first, and the trends between them."""
    summaries = await asyncio.to_thread(service.session_summaries, user)
    ordered = sorted(summaries, key=lambda r: r.created_at)
    return ProgressPublic(
        sessions=[ProgressPoint(session_id=r.session_id, created_at=r.created_at, metrics=r.metrics) for r in ordered],
        trends=describe_progress(ordered),
    )


@router.delete("/me", response_model=DeletionReport)
async def delete_my_data(user: CurrentUser, service: ServiceDep, settings: SettingsDep) -> DeletionReport:
    """Delete all my data: sessions, checkpoints, memory, feedback, files and chat history."""

    async def delete_files(user_id: str) -> dict[str, int]:
        return {"files": await asyncio.to_thread(files.delete_user_files, settings, user_id)}

    extra = [delete_files, *registry.user_data_deleters()]
    return DeletionReport(deleted=await service.delete_user_everywhere(user, extra))
