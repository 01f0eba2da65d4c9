"""One server per data folder: a lock held for the server's lifetime, taken before anything is touched.

Embedded Qdrant, the SQLite checkpointer and the Chainlit folder all live in the data folder,
and a second ``serve`` on it would rewrite the running server's Chainlit files before failing
on the Qdrant lock. The lock file names the holder's pid and address, so the second process
can say which server is in the way. The lock is an ``fcntl`` lock on an open file, so the
kernel releases it when the holder dies, even under ``kill -9``; a stale file never blocks.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ValidationError

LOCK_NAME = "serve.lock"


class DataDirInUseError(RuntimeError):
    """Another server process holds the data folder."""


class LockHolder(BaseModel):
    """What the lock file says about the server holding it."""

    pid: int
    url: str


def _holder(path: Path) -> LockHolder | None:
    try:
        return LockHolder.model_validate(json.loads(path.read_text()))
    except (OSError, ValueError, ValidationError):
        return None


@contextlib.contextmanager
def hold_data_dir(data_dir: Path, url: str) -> Iterator[Path]:
    """Hold the data folder's server lock for the duration of the ``with`` block.

    Args:
        data_dir: the server's data folder (created if missing; nothing else in it is touched).
        url: the address this server will serve, recorded for a second server's message.

    Yields:
        The lock file's path.

    Raises:
        DataDirInUseError: another live process holds the lock; the message names its pid and address.

    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(path)
            who = f"pid {holder.pid}, serving {holder.url}" if holder else "another process"
            raise DataDirInUseError(
                f"Another interview-coach server ({who}) is already using the data folder {data_dir}; "
                "stop it first, or set INTERVIEW_COACH_DATA_DIR to another folder."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, LockHolder(pid=os.getpid(), url=url).model_dump_json().encode(), 0)
        # The file is left in place when the server stops (uvicorn re-raises SIGTERM, so no clean-up
        # code is sure to run); its content is read only while its lock is held, so it is never stale.
        yield path
    finally:
        os.close(fd)
