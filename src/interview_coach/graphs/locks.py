"""Per-session locks that the task holding them may take again."""

from __future__ import annotations

import asyncio
from types import TracebackType


class SessionLock:
    """An ``asyncio.Lock`` the holding task may re-enter.

    The service takes a session's lock inside every call, and surfaces also hold it around a
    turn (to read the state and then answer without another request slipping in between);
    re-entry lets both hold without a deadlock, while other tasks wait their turn.
    """

    def __init__(self) -> None:
        """Create an unlocked lock."""
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    def locked(self) -> bool:
        """Tell whether some task holds the lock."""
        return self._lock.locked()

    async def __aenter__(self) -> SessionLock:
        """Take the lock, or enter it again when this task already holds it."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            self._depth += 1
            return self
        await self._lock.acquire()
        self._owner, self._depth = task, 1
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Leave one level; release the lock when the outermost level is left."""
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()
