"""The process-wide registry that lets the REST API and the Chainlit room share one service.

Embedded Qdrant locks its folder and the SQLite checkpointer is opened once, so a process
holds exactly one :class:`InterviewService`. The FastAPI lifespan opens it and registers it
here; the Chainlit callbacks (mounted in the same event loop) and the API routes read it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from interview_coach.core.deps import AppDeps
from interview_coach.core.settings import Settings
from interview_coach.graphs.service import InterviewService, UserDataDeleter


class ServiceNotReadyError(RuntimeError):
    """The server has not finished starting (or is shutting down)."""


@dataclass
class _Registry:
    settings: Settings | None = None
    deps: AppDeps | None = None
    service: InterviewService | None = None


_REGISTRY = _Registry()


def configure(settings: Settings) -> None:
    """Record the settings the app was created with (before Chainlit loads its module)."""
    _REGISTRY.settings = settings


def register(deps: AppDeps, service: InterviewService) -> None:
    """Make the opened dependencies and service available to every surface of the process."""
    _REGISTRY.deps = deps
    _REGISTRY.service = service


def unregister() -> None:
    """Forget the service when the lifespan closes it."""
    _REGISTRY.deps = None
    _REGISTRY.service = None


def get_settings() -> Settings:
    """Return the settings the app was created with.

    Raises:
        ServiceNotReadyError: no app has been created in this process.

    """
    if _REGISTRY.settings is None:
        raise ServiceNotReadyError("The interview-coach app has not been created in this process.")
    return _REGISTRY.settings


def get_service() -> InterviewService:
    """Return the process's interview service.

    Raises:
        ServiceNotReadyError: the server is still starting or already stopping.

    """
    if _REGISTRY.service is None:
        raise ServiceNotReadyError("The interview service is not running yet; try again in a moment.")
    return _REGISTRY.service


_USER_DATA_DELETERS: list[UserDataDeleter] = []


def add_user_data_deleter(deleter: UserDataDeleter) -> None:
    """Register an extra store (e.g. the chat history) to purge when a user deletes their data."""
    if deleter not in _USER_DATA_DELETERS:
        _USER_DATA_DELETERS.append(deleter)


def user_data_deleters() -> list[UserDataDeleter]:
    """Return the registered extra deleters."""
    return list(_USER_DATA_DELETERS)
