"""Checkpoints that survive Ctrl-C and a full disk, and the trainer callbacks that report progress."""

from __future__ import annotations

import errno
import json
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

CHECKPOINT_PREFIX = "checkpoint-"
TRAINER_STATE = "trainer_state.json"
DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class TrainingInterrupted(RuntimeError):
    """Training stopped early (Ctrl-C or a full disk); the last complete checkpoint can be resumed."""

    def __init__(self, message: str, checkpoint: Path | None) -> None:
        """Keep the message and the checkpoint a rerun resumes from."""
        super().__init__(message)
        self.checkpoint = checkpoint


def _step(path: Path) -> int:
    suffix = path.name.removeprefix(CHECKPOINT_PREFIX)
    return int(suffix) if suffix.isdigit() else -1


def is_complete(checkpoint: Path) -> bool:
    """Whether a checkpoint was written to the end (the trainer writes its state file last)."""
    try:
        json.loads((checkpoint / TRAINER_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


def last_complete_checkpoint(folder: Path) -> Path | None:
    """Return the newest checkpoint under ``folder`` that was written completely, if any."""
    if not folder.is_dir():
        return None
    found = sorted((p for p in folder.glob(f"{CHECKPOINT_PREFIX}*") if _step(p) >= 0), key=_step, reverse=True)
    return next((p for p in found if is_complete(p)), None)


def remove_incomplete(folder: Path) -> list[Path]:
    """Delete checkpoints a failed save left half-written, so a resume never picks one; return them."""
    removed = [p for p in folder.glob(f"{CHECKPOINT_PREFIX}*") if p.is_dir() and not is_complete(p)]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def is_disk_full(exc: BaseException) -> bool:
    """Whether an exception (or one it wraps) is a full disk or quota."""
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, OSError) and current.errno in DISK_FULL_ERRNOS:
            return True
        if "No space left on device" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


@dataclass
class StopFlag:
    """Set by the first Ctrl-C; the trainer then saves a checkpoint and stops after the current step."""

    requested: bool = False


@contextmanager
def graceful_interrupt(flag: StopFlag) -> Iterator[StopFlag]:
    """Turn the first Ctrl-C into a stop request; a second one interrupts at once."""
    previous = signal.getsignal(signal.SIGINT)

    def handle(signum: int, frame: FrameType | None) -> None:
        if flag.requested:
            raise KeyboardInterrupt
        flag.requested = True

    signal.signal(signal.SIGINT, handle)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass(frozen=True)
class Progress:
    """One progress report: step, loss and time left.

    Attributes:
        step: optimizer steps done.
        max_steps: optimizer steps of the whole run.
        loss: the latest training loss (``None`` between logging steps).
        eta_s: estimated seconds left.
        elapsed_s: seconds since this run (or resume) started.
    """

    step: int
    max_steps: int
    loss: float | None
    eta_s: float
    elapsed_s: float


@dataclass
class ProgressCallback(TrainerCallback):
    """Report progress, keep the loss curve, and honour a stop request at the end of a step."""

    report: Callable[[Progress], None]
    stop: StopFlag
    losses: list[tuple[int, float]] = field(default_factory=list)
    _started: float = 0.0
    _first_step: int = 0

    def on_train_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any
    ) -> None:
        """Start the clock (a resumed run estimates its ETA from its own steps)."""
        self._started, self._first_step = time.perf_counter(), state.global_step

    def on_step_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        """Save and stop after this step when a stop was requested."""
        if self.stop.requested:
            control.should_save = True
            control.should_training_stop = True

    def on_log(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        logs: dict[str, float] | None = None,
        **kwargs: Any,
    ) -> None:
        """Record the loss and report the step, loss and ETA."""
        loss = (logs or {}).get("loss")
        if loss is not None:
            self.losses.append((state.global_step, float(loss)))
        elapsed = time.perf_counter() - self._started
        done = max(state.global_step - self._first_step, 1)
        eta = elapsed / done * max(state.max_steps - state.global_step, 0)
        self.report(Progress(state.global_step, state.max_steps, loss, eta, elapsed))
