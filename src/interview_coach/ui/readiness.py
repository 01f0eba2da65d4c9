"""Readiness of a server process: which of its models are loaded, as ``/readyz`` reports it.

Liveness (``/healthz``) only says the process answers. Readiness says it can assess an answer
at full speed: the interview service (checkpointer and session database) is open and every
warm-up step of :func:`interview_coach.deps.warm_up_steps` has finished. A load balancer
should send traffic only to a ready process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from interview_coach.deps import WarmUpStep

logger = logging.getLogger(__name__)

SERVICE = "service"


class ComponentState(StrEnum):
    """Where one component of the process is in its start-up."""

    PENDING = "pending"
    LOADING = "loading"
    READY = "ready"
    UNAVAILABLE = "unavailable"
    FAILED = "failed"


FINISHED = frozenset({ComponentState.READY, ComponentState.UNAVAILABLE, ComponentState.FAILED})


class ComponentStatus(BaseModel):
    """One component of the readiness check."""

    name: str
    state: ComponentState
    required: bool = Field(description="Without it the server stays not ready.")
    detail: str | None = Field(default=None, description="Why it is unavailable or failed.")
    seconds: float | None = Field(default=None, description="How long it took to load.")


class ReadinessPublic(BaseModel):
    """The body of ``/readyz``."""

    status: Literal["ready", "starting", "failed", "stopped"]
    ready: bool
    waiting_for: list[str] = Field(description="Components still pending or loading.")
    components: list[ComponentStatus]


class Readiness:
    """Thread-safe record of the start-up of one server process."""

    def __init__(self) -> None:
        """Expect the interview service (pending)."""
        self._lock = threading.Lock()
        self._stopped = False
        self._components: dict[str, ComponentStatus] = {
            SERVICE: ComponentStatus(name=SERVICE, state=ComponentState.PENDING, required=True)
        }

    def expect(self, steps: Sequence[WarmUpStep]) -> None:
        """Add warm-up steps that must finish before the process is ready (all pending)."""
        for step in steps:
            self.set(step.name, ComponentState.PENDING, required=step.required)

    def set(
        self,
        name: str,
        state: ComponentState,
        *,
        required: bool = True,
        detail: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Record the state of a component."""
        with self._lock:
            self._components[name] = ComponentStatus(
                name=name,
                state=state,
                required=required,
                detail=detail,
                seconds=None if seconds is None else round(seconds, 2),
            )

    def stop(self) -> None:
        """Mark the process as shutting down: never ready again."""
        with self._lock:
            self._stopped = True

    def run_steps(self, steps: Sequence[WarmUpStep]) -> None:
        """Run warm-up steps in order in this thread, recording each one's outcome.

        A failed required step leaves the process not ready; a failed optional step is recorded
        as unavailable (its feature reports the problem when it is used).
        """
        self.expect(steps)
        for step in steps:
            with self._lock:
                if self._stopped:
                    return
            self.set(step.name, ComponentState.LOADING, required=step.required)
            started = time.perf_counter()
            try:
                note = step.run()
            except Exception as exc:  # the model's own error names the setting to change
                state = ComponentState.FAILED if step.required else ComponentState.UNAVAILABLE
                logger.warning("Warm-up of %s failed: %s", step.name, exc)
                self.set(
                    step.name, state, required=step.required, detail=str(exc), seconds=time.perf_counter() - started
                )
                continue
            state = ComponentState.READY if note is None else ComponentState.UNAVAILABLE
            self.set(step.name, state, required=step.required, detail=note, seconds=time.perf_counter() - started)

    def report(self) -> ReadinessPublic:
        """Return the current readiness."""
        with self._lock:
            components = list(self._components.values())
            stopped = self._stopped
        waiting = [c.name for c in components if c.state not in FINISHED]
        failed = any(c.required and c.state is ComponentState.FAILED for c in components)
        if stopped:
            status: Literal["ready", "starting", "failed", "stopped"] = "stopped"
        elif failed:
            status = "failed"
        elif waiting:
            status = "starting"
        else:
            status = "ready"
        return ReadinessPublic(status=status, ready=status == "ready", waiting_for=waiting, components=components)
