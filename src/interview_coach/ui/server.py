"""One process serves everything: the REST API (``/api``, ``/docs``), the Chainlit room (``/chat``), ``/healthz``.

One process because embedded Qdrant locks its folder and the service is opened once. The
FastAPI lifespan opens the dependencies and the :class:`InterviewService` and registers them
in :mod:`interview_coach.ui.registry`, where the Chainlit callbacks (same event loop) find them.
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
from interview_coach.deps import AppDeps, build_deps
from interview_coach.graphs.service import InterviewService
from interview_coach.ui import registry
from interview_coach.ui.api import install_api

logger = logging.getLogger(__name__)
CHAT_PATH = "/chat"


def _warm_up(deps: AppDeps) -> None:
    """Load the embedding, grading and speech models so the first answer does not pay for it."""
    from interview_coach.assessment.correctness import load_grader

    try:
        deps.embedder.encode(["warm up"])
        load_grader(deps.settings.models_dir, deps.embedder)
        # Only local transcribers have a model to load; the Transcriber protocol does not require it.
        load = getattr(deps.transcriber, "load", None)
        if callable(load):
            load()
    except Exception as exc:  # a missing model is reported when it is first needed
        logger.warning("Model warm-up skipped: %s", exc)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    deps = await asyncio.to_thread(build_deps, settings)
    warm_up: asyncio.Task[None] | None = None
    try:
        async with InterviewService.open(deps) as service:
            registry.register(deps, service)
            if app.state.warm_up:
                warm_up = asyncio.create_task(asyncio.to_thread(_warm_up, deps))
            try:
                yield
            finally:
                registry.unregister()
                if warm_up is not None:
                    await asyncio.gather(warm_up, return_exceptions=True)
                for hook in app.state.shutdown_hooks:
                    await hook()
    finally:
        deps.close()


def create_app(settings: Settings, *, chat: bool = True, warm_up: bool = True) -> FastAPI:
    """Build the FastAPI app: REST API, health check and (optionally) the Chainlit room.

    Args:
        settings: process settings.
        chat: mount the Chainlit room at ``/chat``. Chainlit keeps global state, so only one
            app per process may mount it; API-only apps (tests) pass ``False``.
        warm_up: load the speech and embedding models in the background at start.

    Returns:
        The app; its lifespan opens the dependencies and the interview service once.

    """
    registry.configure(settings)
    app = FastAPI(
        title="interview-coach",
        summary="Mock interviews with evidence-based feedback and a coach that remembers.",
        version="0.1.0",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.warm_up = warm_up
    app.state.shutdown_hooks = []
    install_api(app, settings)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        """Report whether the interview service is open."""
        ready = registry.is_ready()
        return JSONResponse({"status": "ok" if ready else "starting", "chat": chat}, status_code=200 if ready else 503)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(CHAT_PATH if chat else "/docs")

    if chat:
        from interview_coach.ui.chat_setup import mount_chat

        mount_chat(app, settings, path=CHAT_PATH)
    return app


def run_server(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, **uvicorn_options: Any) -> None:
    """Serve the app with uvicorn in this process (one worker: embedded Qdrant is single-process)."""
    import uvicorn

    app = create_app(settings)
    print(
        f"interview-coach is serving http://{host}:{port}{CHAT_PATH} (API docs: http://{host}:{port}/docs)", flush=True
    )
    uvicorn.run(app, host=host, port=port, log_level=uvicorn_options.pop("log_level", "warning"), **uvicorn_options)
