"""One window answers at a time: which room window is recording an answer for an interview.

An interview can be open in two tabs (the thread reopened, or the same chat in two windows);
each tab is its own Chainlit websocket session with its own copy of the waiting question. The
interview service takes whichever answer arrives first, so a typed answer in the second tab
would silently win over a camera or microphone answer still being recorded in the first, which
would then be refused as meant for a question no longer open. So the first window to *start*
answering holds the interview until it submits (or stops sending for ``STALE_AFTER_S``: a
closed tab must not block the interview for ever), and every other window's interview input
is refused with :func:`refusal` meanwhile. The holder is the websocket session, which Chainlit
keeps across a dropped and reconnected socket, so a reconnect does not lose the hold.

In-process: with several ``serve`` workers, sticky sessions put one user's tabs on one
worker only by chance; the service's own turn check still refuses the later answer then.
Imports nothing from Chainlit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CLAIMS", "STALE_AFTER_S", "AnswerClaims", "Claim", "refusal"]

STALE_AFTER_S = 30.0
"""A hold with no recording activity for this long is given up (recordings send every second)."""


@dataclass(frozen=True)
class Claim:
    """A window recording an answer for an interview."""

    owner: str
    """The Chainlit websocket session id of the window."""
    what: str
    """What it records, in words (``a camera answer``, ``a spoken answer``)."""
    question_id: str | None
    started: float
    last_seen: float


class AnswerClaims:
    """Holds, per interview session, the one window allowed to answer; thread-safe."""

    def __init__(self, *, stale_after_s: float = STALE_AFTER_S, clock: Callable[[], float] = time.monotonic) -> None:
        """Start with no holds.

        Args:
            stale_after_s: seconds without activity after which a hold is given up.
            clock: monotonic seconds (a test clock in tests).

        """
        self._stale_after_s = stale_after_s
        self._clock = clock
        self._lock = threading.Lock()
        self._claims: dict[str, Claim] = {}

    def _live(self, session_id: str) -> Claim | None:
        claim = self._claims.get(session_id)
        if claim is not None and self._clock() - claim.last_seen > self._stale_after_s:
            del self._claims[session_id]
            return None
        return claim

    def claim(self, session_id: str, owner: str, what: str, question_id: str | None = None) -> Claim | None:
        """Hold ``session_id`` for ``owner``; return the other window's hold instead if there is one.

        The same owner may claim again (a restarted recording), which renews its hold.
        """
        with self._lock:
            current = self._live(session_id)
            if current is not None and current.owner != owner:
                return current
            now = self._clock()
            self._claims[session_id] = Claim(owner, what, question_id, now, now)
            return None

    def touch(self, session_id: str, owner: str) -> None:
        """Note recording activity of ``owner`` (a chunk or frame arrived), keeping its hold alive."""
        with self._lock:
            current = self._claims.get(session_id)
            if current is not None and current.owner == owner:
                self._claims[session_id] = Claim(
                    owner, current.what, current.question_id, current.started, self._clock()
                )

    def release(self, session_id: str, owner: str) -> None:
        """Give up ``owner``'s hold (no-op if another window holds the session, or nobody)."""
        with self._lock:
            current = self._claims.get(session_id)
            if current is not None and current.owner == owner:
                del self._claims[session_id]

    def held_by_other(self, session_id: str, owner: str) -> Claim | None:
        """Return another window's live hold on ``session_id``, or ``None`` if ``owner`` may answer."""
        with self._lock:
            current = self._live(session_id)
            return current if current is not None and current.owner != owner else None

    def age_s(self, claim: Claim) -> float:
        """Seconds since ``claim`` started."""
        return max(0.0, self._clock() - claim.started)


CLAIMS = AnswerClaims()
"""The process's holds (one room process serves all of a user's tabs)."""


def refusal(claim: Claim, claims: AnswerClaims = CLAIMS) -> str:
    """Return the message a second window gets while ``claim`` holds the interview."""
    return (
        f"This interview is being answered in another window or tab: {claim.what} started "
        f"{claims.age_s(claim):.0f} s ago is still recording there. Nothing from this window was used; "
        "finish or stop that recording first (or close it: the hold ends after "
        f"{STALE_AFTER_S:.0f} s without recording)."
    )
