"""Live hints in the room: poll the streaming analysis while the candidate answers, show sparse nudges.

While a microphone answer is recorded in a practice interview, :class:`LiveHints` reads the
streaming voice analysis's running measures about once a second (off the event loop), asks
the :class:`~interview_coach.assessment.nudges.NudgePolicy` whether a nudge is due, and hands
it to ``show`` (in the room: a window message that ``public/room.js`` turns into a small
transient hint in the header, away from the question). Every nudge is logged with its time
and returned by :meth:`LiveHints.stop`, so it travels with the answer into the replay.
Imports nothing from Chainlit, so the loop is tested with a fake stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from interview_coach.assessment.nudges import NudgePolicy
from interview_coach.domain import InterviewMode, InterviewPlanRequest, LiveNudge
from interview_coach.tools.voice.streaming import LiveVoiceStats

logger = logging.getLogger(__name__)

POLL_INTERVAL_S = 1.0
STALL_POLLS = 300
"""Polls without new audio after which the loop ends by itself (the answer's connection is gone).

Long on purpose: while a segment is transcribed on a busy machine no new audio is counted either.
"""
HINT_MESSAGE = "interview-coach-live-hint"
"""The ``type`` of the window message ``room.js`` shows as a hint."""


class LiveSource(Protocol):
    """What the hints read: :class:`~interview_coach.tools.voice.streaming.BackgroundVoiceAnalysis`."""

    @property
    def live(self) -> LiveVoiceStats:
        """The running measures after the last processed chunk."""
        ...


ShowNudge = Callable[[LiveNudge], Awaitable[None]]


class LiveHints:
    """Poll one answer's running measures and show the nudges the policy gives."""

    def __init__(
        self,
        source: LiveSource,
        policy: NudgePolicy,
        show: ShowNudge,
        *,
        interval_s: float = POLL_INTERVAL_S,
        looking_away: Callable[[], float | None] | None = None,
    ) -> None:
        """Prepare the loop; :meth:`start` runs it.

        Args:
            source: the answer's streaming analysis.
            policy: the nudge policy for this answer (mode and switch already applied).
            show: shows one nudge to the candidate; a failure is logged, never raised.
            interval_s: seconds between polls.
            looking_away: how long the candidate has looked away from the camera, read after
                ``source`` on each poll (camera answers); ``None`` without a camera.

        """
        self._looking_away = looking_away
        self._source = source
        self._policy = policy
        self._show = show
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start polling in the background (on the running event loop)."""
        if self._task is None and self._policy.active:
            self._task = asyncio.create_task(self._run(), name="live-hints")

    async def stop(self) -> list[LiveNudge]:
        """Stop polling and return every nudge shown during the answer, in time order."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        return self._policy.nudges

    async def _run(self) -> None:
        stalled, heard = 0, -1.0
        while stalled < STALL_POLLS:
            await asyncio.sleep(self._interval_s)
            elapsed, nudge = await asyncio.to_thread(self._tick)
            stalled, heard = (stalled + 1, heard) if elapsed <= heard else (0, elapsed)
            if nudge is None:
                continue
            logger.info("live nudge %s at %.1f s: %s", nudge.kind, nudge.at_s, nudge.text)
            try:
                await self._show(nudge)
            except Exception as exc:  # a hint that cannot be shown must not stop the recording
                logger.warning("live nudge not shown: %s", exc)

    def _tick(self) -> tuple[float, LiveNudge | None]:
        stats = self._source.live
        away = self._looking_away() if self._looking_away is not None else None
        return stats.elapsed_s, self._policy.observe(stats, away)


def hint_message(nudge: LiveNudge) -> dict[str, str | float]:
    """Return the window message ``room.js`` shows as a hint."""
    return {"type": HINT_MESSAGE, "kind": nudge.kind, "text": nudge.text, "at_s": nudge.at_s}


def interview_mode(request: InterviewPlanRequest | None, options: dict[str, Any]) -> InterviewMode | None:
    """Return the mode of the interview being answered (a reopened chat knows only its settings).

    ``None`` when neither says: the room then stays silent, as a realistic interview would.
    """
    if request is not None:
        return request.mode
    try:
        return InterviewMode(str(options.get("mode")))
    except ValueError:
        return None
