"""REST API over the same interview service as the chat room (OpenAPI at ``/docs``).

Every route needs ``Authorization: Bearer <token>``; tokens map to user ids through the
``api_tokens`` setting. A session id that belongs to someone else answers 404, exactly like
an unknown one. Body size and type limits are enforced by :class:`BodyLimitMiddleware`
before the body is read.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, File, HTTPException, Path, Query, Request, UploadFile, status
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interview_coach.assessment.progress import describe_progress
from interview_coach.core.settings import Settings
from interview_coach.domain import AnswerInput, CoachReply, Score, SessionReport
from interview_coach.graphs.service import InterviewService, Turn
from interview_coach.memory.feedback import FeedbackCreate, FeedbackPublic, FeedbackTarget
from interview_coach.memory.sessions import SessionNotFoundError, SessionPublic
from interview_coach.tools.media.decode import MediaError
from interview_coach.ui import files, registry
from interview_coach.ui.auth import user_for_token
from interview_coach.ui.options import SessionCreate
from interview_coach.ui.render import EXPORT_MIME, render_export

JSON_BODY_LIMIT = 1024 * 1024
MEDIA_PATH_SUFFIX = "/answers/media"

# ----------------------------------------------------------------------------- schemas


class MessagePublic(BaseModel):
    """One message of the conversation."""

    role: str
    text: str
    question_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class QuestionPublic(BaseModel):
    """The question waiting for an answer."""

    id: str
    text: str
    kind: str
    competency: str
    time_budget_s: int
    follow_up_of: str | None = None


class TurnPublic(BaseModel):
    """The state of a session after a step, with the messages produced by that step."""

    session_id: str
    messages: list[MessagePublic]
    waiting_for: Literal["answer", "coach"] | None
    question: QuestionPublic | None = None
    number: int = 0
    total: int = 0
    phase: str
    report_ready: bool

    @classmethod
    def from_turn(cls, turn: Turn) -> TurnPublic:
        """Convert a service turn."""
        return cls(
            session_id=turn.session_id,
            messages=[
                MessagePublic(
                    role=str(m.get("role", "system")),
                    text=str(m.get("text", "")),
                    question_id=m.get("question_id"),
                    data=_public_data(m.get("data") or {}),
                )
                for m in turn.messages
            ],
            waiting_for=turn.waiting_for,
            question=_question(turn.question),
            number=turn.number,
            total=turn.total,
            phase=turn.phase,
            report_ready=turn.report is not None,
        )


class NextQuestion(BaseModel):
    """What the session waits for now."""

    session_id: str
    waiting_for: Literal["answer", "coach"] | None
    question: QuestionPublic | None
    number: int
    total: int
    phase: str


class AnswerCreate(BaseModel):
    """A typed answer (or a command such as ``/skip``, ``/repeat``, ``/end``)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=50_000)


class CoachMessage(BaseModel):
    """A message to the coach."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4_000)


class AnswerFeedback(BaseModel):
    """Scores and written feedback for one answered question."""

    number: int
    question_id: str
    question: str
    input_mode: str
    scores: dict[str, Score]
    strengths: list[str]
    improvements: list[str]
    explanation: str


class RatingCreate(BaseModel):
    """A thumbs up/down and comment on a message, score or report."""

    model_config = ConfigDict(extra="forbid")

    target: FeedbackTarget
    target_ref: str = Field(min_length=1, max_length=200)
    rating: Literal[-1, 0, 1] = 0
    comment: str = Field(default="", max_length=4000)
    correction: str | None = Field(default=None, max_length=4000)


class ProgressPoint(BaseModel):
    """One finished session's headline numbers."""

    session_id: str | None
    created_at: datetime
    metrics: dict[str, float]


class ProgressPublic(BaseModel):
    """The user's progress across sessions."""

    sessions: list[ProgressPoint]
    trends: list[str]


class DeletionReport(BaseModel):
    """How many items were deleted, per store."""

    deleted: dict[str, int]


class ErrorPublic(BaseModel):
    """An error response."""

    detail: str


# ----------------------------------------------------------------------------- helpers


def _public_data(data: dict[str, Any]) -> dict[str, Any]:
    # The report message carries the whole report; clients fetch it from /report instead.
    return {k: v for k, v in data.items() if k != "report"} | ({"report": True} if data.get("report") else {})


def _question(data: dict[str, Any] | None) -> QuestionPublic | None:
    if not data:
        return None
    return QuestionPublic(
        id=str(data.get("id", "")),
        text=str(data.get("text", "")),
        kind=str(data.get("kind", "")),
        competency=str(data.get("competency", "")),
        time_budget_s=int(data.get("time_budget_s", 120)),
        follow_up_of=data.get("follow_up_of"),
    )


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


def _not_found(exc: Exception) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))


async def _current(service: InterviewService, session_id: str, user_id: str) -> Turn:
    try:
        return await service.resume(session_id, user_id)
    except SessionNotFoundError as exc:
        raise _not_found(exc) from exc


async def _send(service: InterviewService, session_id: str, user_id: str, answer: AnswerInput | str) -> Turn:
    try:
        return await service.send(session_id, user_id, answer)
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


def _require_waiting(turn: Turn, expected: Literal["answer", "coach"]) -> None:
    if turn.waiting_for != expected:
        what = {"answer": "an answer", "coach": "a coach message"}[expected]
        now = {"answer": "an interview answer", "coach": "a coach message", None: "nothing (the session ended)"}[
            turn.waiting_for
        ]
        raise HTTPException(status.HTTP_409_CONFLICT, f"This session does not take {what} now; it waits for {now}.")


def _summaries(service: InterviewService, user_id: str) -> list[Any]:
    memory = service.deps.memory
    return list(memory.list(user_id, kinds=["session_summary"], limit=200)) if memory else []


# ----------------------------------------------------------------------------- routes

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
    async with registry.session_lock(session_id):
        return TurnPublic.from_turn(await _current(service, session_id, user))


@router.get("/sessions/{session_id}/question", response_model=NextQuestion)
async def next_question(session_id: SessionId, user: CurrentUser, service: ServiceDep) -> NextQuestion:
    """Get the question waiting for an answer (``question`` is null after the interview)."""
    async with registry.session_lock(session_id):
        turn = await _current(service, session_id, user)
    return NextQuestion(
        session_id=session_id,
        waiting_for=turn.waiting_for,
        question=_question(turn.question),
        number=turn.number,
        total=turn.total,
        phase=turn.phase,
    )


@router.post("/sessions/{session_id}/answers", response_model=TurnPublic, responses={409: {"model": ErrorPublic}})
async def submit_answer(
    session_id: SessionId, body: AnswerCreate, user: CurrentUser, service: ServiceDep
) -> TurnPublic:
    """Answer the current question by text (commands such as /skip, /repeat, /end work too)."""
    async with registry.session_lock(session_id):
        turn = await _current(service, session_id, user)
        _require_waiting(turn, "answer")
        return TurnPublic.from_turn(await _send(service, session_id, user, AnswerInput(text=body.text)))


@router.post(
    "/sessions/{session_id}/answers/media",
    response_model=TurnPublic,
    responses={
        409: {"model": ErrorPublic},
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
) -> TurnPublic:
    """Answer the current question with an audio or video recording (multipart upload)."""
    async with registry.session_lock(session_id):
        turn = await _current(service, session_id, user)
        try:
            suffix = files.media_suffix(file.filename or "", file.content_type)
        except files.UploadRejectedError as exc:
            raise HTTPException(exc.status, str(exc)) from exc
        _require_waiting(turn, "answer")
        question_id = str((turn.question or {}).get("id", "answer"))
        path, kind = await asyncio.to_thread(_store_upload, settings, user, session_id, question_id, file, suffix)
        answer = AnswerInput(audio_path=str(path)) if kind == "audio" else AnswerInput(video_path=str(path))
        return TurnPublic.from_turn(await _send(service, session_id, user, answer))


def _store_upload(
    settings: Settings, user: str, session_id: str, question_id: str, upload: UploadFile, suffix: str
) -> tuple[FilePath, files.MediaKind]:
    incoming = settings.data_dir / "uploads"
    incoming.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=incoming, suffix=suffix, delete=False) as handle:
        temp = FilePath(handle.name)
    try:
        files.save_stream(upload.file, temp, settings.max_upload_mb * 1024 * 1024)
        return files.store_answer_file(settings, user, session_id, question_id, temp)
    except files.UploadRejectedError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    except MediaError as exc:
        # Shaped like FastAPI's validation errors so the 422 response keeps one schema.
        detail = [{"loc": ["body", "file"], "msg": str(exc), "type": "value_error"}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from exc
    finally:
        temp.unlink(missing_ok=True)


@router.get("/sessions/{session_id}/feedback", response_model=list[AnswerFeedback])
async def answer_feedback(session_id: SessionId, user: CurrentUser, service: ServiceDep) -> list[AnswerFeedback]:
    """List the feedback given so far, one item per answered question.

    In realistic mode the per-answer feedback appears once the report is written.
    """
    async with registry.session_lock(session_id):
        turn = await _current(service, session_id, user)
    if turn.report is not None:
        return [
            AnswerFeedback(
                number=i,
                question_id=q.question.id,
                question=q.question.text,
                input_mode=q.input_mode,
                scores=q.scores,
                strengths=q.evaluation.strengths if q.evaluation else [],
                improvements=q.evaluation.improvements if q.evaluation else [],
                explanation=q.evaluation.explanation if q.evaluation else "",
            )
            for i, q in enumerate(turn.report.questions, 1)
            if q.input_mode != "skipped"
        ]
    items: list[AnswerFeedback] = []
    for message in turn.messages:
        evaluation = (message.get("data") or {}).get("evaluation")
        if message.get("role") != "feedback" or not evaluation:
            continue
        items.append(
            AnswerFeedback(
                number=len(items) + 1,
                question_id=str(message.get("question_id") or evaluation.get("question_id", "")),
                question="",
                input_mode="",
                scores={k: Score.model_validate(v) for k, v in (evaluation.get("scores") or {}).items()},
                strengths=list(evaluation.get("strengths") or []),
                improvements=list(evaluation.get("improvements") or []),
                explanation=str(evaluation.get("explanation") or ""),
            )
        )
    return items


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
            "description": "The report as JSON, Markdown or HTML.",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/SessionReport"}},
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
    async with registry.session_lock(session_id):
        report = await _report(service, session_id, user)
    if format == "json":
        return JSONResponse(report.model_dump(mode="json"))
    body = render_export(report, format, _summaries(service, user) if format == "html" else ())
    if format == "html":
        return HTMLResponse(body)
    return PlainTextResponse(body, media_type=EXPORT_MIME["markdown"])


@router.post("/sessions/{session_id}/coach", response_model=TurnPublic, responses={409: {"model": ErrorPublic}})
async def coach_in_session(
    session_id: SessionId, body: CoachMessage, user: CurrentUser, service: ServiceDep
) -> TurnPublic:
    """Chat with the coach about this session (after its report)."""
    async with registry.session_lock(session_id):
        turn = await _current(service, session_id, user)
        _require_waiting(turn, "coach")
        return TurnPublic.from_turn(await _send(service, session_id, user, body.text))


@router.post("/coach", response_model=CoachReply)
async def coach(body: CoachMessage, user: CurrentUser, service: ServiceDep) -> CoachReply:
    """Chat with the coach outside a session, grounded in my long-term memory."""
    from interview_coach.agents.coach import coach_reply

    return await coach_reply(service.deps, user_id=user, message=body.text, report=None)


@router.get("/me/progress", response_model=ProgressPublic)
async def my_progress(user: CurrentUser, service: ServiceDep) -> ProgressPublic:
    """My headline numbers per finished session, oldest first, and the trends between them."""
    summaries = await asyncio.to_thread(_summaries, service, user)
    ordered = sorted(summaries, key=lambda r: r.created_at)
    return ProgressPublic(
        sessions=[ProgressPoint(session_id=r.session_id, created_at=r.created_at, metrics=r.metrics) for r in ordered],
        trends=describe_progress(ordered),
    )


@router.delete("/me", response_model=DeletionReport)
async def delete_my_data(user: CurrentUser, service: ServiceDep, settings: SettingsDep) -> DeletionReport:
    """Delete all my data: sessions, checkpoints, memory, feedback, files and chat history."""
    return DeletionReport(deleted=await delete_user_everywhere(service, settings, user))


async def delete_user_everywhere(service: InterviewService, settings: Settings, user_id: str) -> dict[str, int]:
    """Delete a user's sessions, memory, feedback, files and chat threads."""
    counts = dict(await service.delete_user_data(user_id))
    counts["files"] = await asyncio.to_thread(files.delete_user_files, settings, user_id)
    for deleter in registry.user_data_deleters():
        counts.update(await deleter(user_id))
    return counts


# ----------------------------------------------------------------------------- limits


class BodyLimitMiddleware:
    """Refuse oversized (413) or wrongly typed (415) API bodies before reading them.

    The declared ``Content-Length`` is checked first; bodies without one (chunked) are
    counted while they stream and cut off at the limit.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        media_limit: int,
        json_limit: int = JSON_BODY_LIMIT,
        media_suffix: str = MEDIA_PATH_SUFFIX,
    ) -> None:
        """Wrap an ASGI app; ``media_limit`` applies to multipart uploads to paths ending in ``media_suffix``."""
        self.app = app
        self.prefix = prefix
        self.media_limit = media_limit
        self.json_limit = json_limit
        self.media_suffix = media_suffix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then pass it on with a counting ``receive``."""
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = str(scope["path"]).rstrip("/")
        is_media = path.endswith(self.media_suffix)
        limit = self.media_limit if is_media else self.json_limit
        length_header = headers.get("content-length")
        has_body = scope.get("method") in {"POST", "PUT", "PATCH"} and (
            (length_header not in (None, "0")) or "transfer-encoding" in headers
        )
        if length_header is not None:
            try:
                declared = int(length_header)
            except ValueError:
                await _error(send, 400, "Invalid Content-Length header.")
                return
            if declared > limit:
                await _error(send, 413, f"The request body is larger than the {_size(limit)} limit.")
                return
        if has_body:
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            expected = "multipart/form-data" if is_media else "application/json"
            if content_type != expected:
                await _error(send, 415, f"Send this request as {expected}.")
                return
        await self._forward(scope, receive, send, limit)

    async def _forward(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused, started
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer now and make the app see a disconnect; whatever it replies is dropped.
                    refused = True
                    if not started:
                        started = True
                        await _error(send, 413, f"The request body is larger than the {_size(limit)} limit.")
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, tracking_send)


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


async def _error(send: Send, status_code: int, detail: str) -> None:
    response = JSONResponse({"detail": detail}, status_code=status_code, headers={"Connection": "close"})
    await send({"type": "http.response.start", "status": status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def install_api(app: FastAPI, settings: Settings) -> None:
    """Add the REST routes, their error handlers and the body limits to an app."""
    app.include_router(router)
    app.add_middleware(
        BodyLimitMiddleware, prefix="/api/", media_limit=settings.max_upload_mb * 1024 * 1024 + 64 * 1024
    )

    async def not_ready(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    app.add_exception_handler(registry.ServiceNotReadyError, not_ready)
    app.add_exception_handler(405, method_not_allowed)


async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """Answer 405 with every method the path supports (Starlette lists only one route's methods)."""
    path = request.url.path
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, APIRoute) and route.path_regex.match(path):
            methods |= set(route.methods or ())
    return JSONResponse(
        {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": ", ".join(sorted(methods))}
    )
