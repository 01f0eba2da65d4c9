"""The REST API: typed schemas, routes over the interview service, and body limits."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from interview_coach.core.settings import Settings
from interview_coach.ui import registry
from interview_coach.ui.api.limits import JSON_BODY_LIMIT, MEDIA_PATH_SUFFIX, BodyLimitMiddleware, method_not_allowed
from interview_coach.ui.api.routes import router
from interview_coach.ui.auth import api_upload_authorizer

__all__ = ["JSON_BODY_LIMIT", "MEDIA_PATH_SUFFIX", "BodyLimitMiddleware", "install_api", "router"]


def install_api(app: FastAPI, settings: Settings) -> None:
    """Add the REST routes, their error handlers and the body limits to an app."""
    app.include_router(router)
    app.add_middleware(
        BodyLimitMiddleware,
        prefix="/api/",
        media_limit=settings.max_upload_mb * 1024 * 1024 + 64 * 1024,
        authorize=api_upload_authorizer(settings),
    )

    async def not_ready(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    app.add_exception_handler(registry.ServiceNotReadyError, not_ready)
    app.add_exception_handler(405, method_not_allowed)
