"""One process serves everything: the REST API (``/api``, ``/docs``), the Chainlit room (``/chat``), health checks.

One process because embedded Qdrant locks its folder and the service is opened once. The
FastAPI lifespan opens the dependencies and the :class:`InterviewService` and registers them
in :mod:`interview_coach.ui.registry`, where the Chainlit callbacks (same event loop) find them.
Then it loads the models in the background: ``/healthz`` (liveness) answers as soon as the
process serves, ``/readyz`` (readiness) only once the models are warm (:mod:`~interview_coach.ui.readiness`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse

from interview_coach.core.settings import Settings
from interview_coach.deps import build_deps, warm_up_steps
from interview_coach.graphs.service import InterviewService
from interview_coach.ui import registry
from interview_coach.ui.api import install_api
from interview_coach.ui.api.docs import install_docs
from interview_coach.ui.instance_lock import hold_data_dir
from interview_coach.ui.readiness import SERVICE, ComponentState, Readiness, ReadinessPublic

logger = logging.getLogger(__name__)
CHAT_PATH = "/chat"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # A fresh record per start: a stopped app started again (tests) is not ready before it warms up.
    readiness = app.state.readiness = Readiness()
    deps = await asyncio.to_thread(build_deps, settings)
    steps = warm_up_steps(deps) if app.state.warm_up else []
    readiness.expect(steps)
    warm_up: asyncio.Task[None] | None = None
    try:
        async with InterviewService.open(deps) as service:
            registry.register(deps, service)
            readiness.set(SERVICE, ComponentState.READY)
            if steps:
                warm_up = asyncio.create_task(asyncio.to_thread(readiness.run_steps, steps))
            try:
                yield
            finally:
                readiness.stop()
                registry.unregister()
                if warm_up is not None:
                    await asyncio.gather(warm_up, return_exceptions=True)
                for hook in app.state.shutdown_hooks:
                    await hook()
    finally:
        readiness.stop()
        deps.close()


def create_app(settings: Settings, *, chat: bool = True, warm_up: bool = True) -> FastAPI:
    """Build the FastAPI app: REST API, health check and (optionally) the Chainlit room.

    Args:
        settings: process settings.
        chat: mount the Chainlit room at ``/chat``. Chainlit keeps global state, so only one
            app per process may mount it; API-only apps (tests) pass ``False``.
        warm_up: load the models in the background at start; ``/readyz`` waits for them.
            Without it the app is ready once the service is open and models load on first use.

    Returns:
        The app; its lifespan opens the dependencies and the interview service once.

    """
    registry.configure(settings)
    app = FastAPI(
        title="interview-coach",
        summary="Mock interviews with evidence-based feedback and a coach that remembers.",
        version="0.1.0",
        lifespan=_lifespan,
        # The stock pages load Swagger UI and ReDoc from a CDN; install_docs serves them locally.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.warm_up = warm_up
    app.state.readiness = Readiness()
    app.state.shutdown_hooks = []
    install_api(app, settings)
    install_docs(app)

    @app.get("/healthz", tags=["health"])
    @app.get("/livez", tags=["health"], include_in_schema=False)
    async def healthz() -> JSONResponse:
        """Liveness: the process is up and answering (it may still be loading its models)."""
        return JSONResponse({"status": "ok", "chat": chat})

    @app.get("/readyz", tags=["health"], response_model=ReadinessPublic, responses={503: {"model": ReadinessPublic}})
    async def readyz() -> JSONResponse:
        """Readiness: 200 once the service is open and the models are warm; 503 naming what is still loading."""
        report = app.state.readiness.report()
        return JSONResponse(report.model_dump(mode="json"), status_code=200 if report.ready else 503)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(CHAT_PATH if chat else "/docs")

    if chat:
        from interview_coach.ui.chat_setup import mount_chat

        mount_chat(app, settings, path=CHAT_PATH)
    return app


def run_server(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, **uvicorn_options: Any) -> None:
    """Serve the app with uvicorn in this process (one worker: embedded Qdrant is single-process).

    Raises:
        DataDirInUseError: another server holds the data folder; nothing in it was touched.

    """
    import os

    import uvicorn

    # Everything the server writes (databases, Chainlit's upload copies, recordings) is the user's data: 0600/0700.
    os.umask(0o077)
    url = f"http://{host}:{port}"
    # Taken before the app is built: mounting the chat room rewrites the Chainlit folder in the data dir.
    with hold_data_dir(settings.data_dir, url):
        app = create_app(settings)
        print(f"interview-coach is serving {url}{CHAT_PATH} (API docs: {url}/docs)", flush=True)
        uvicorn.run(app, host=host, port=port, log_level=uvicorn_options.pop("log_level", "warning"), **uvicorn_options)
