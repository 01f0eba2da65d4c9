"""When to nudge a candidate while they answer: sparse, sustained-pattern hints for practice mode.

The room calls :meth:`NudgePolicy.observe` about once a second with the streaming voice
analysis's running measures (and, for camera answers, how long the candidate has been
looking away). The policy is deterministic: the same ticks give the same nudges. Time is the
answer's own clock (``LiveVoiceStats.elapsed_s``, audio received), never the wall clock, so a
slow machine delays a hint but does not change it.

Rules (thresholds in :mod:`interview_coach.domain.targets`):

* at most one nudge per ``NUDGE_MIN_GAP_S`` and the same kind at most once per ``NUDGE_REPEAT_S``;
* pace: the running pace stays above the pace band for ``NUDGE_FAST_PACE_S``;
* filler burst: ``NUDGE_FILLER_BURST`` hesitations counted within ``NUDGE_FILLER_WINDOW_S``;
* silence: ``NUDGE_SILENCE_S`` without speech after the answer has started (once per silence);
* looking away: continuously for more than ``NUDGE_LOOK_AWAY_S`` (once per look-away).

Realistic mode, or the candidate's "Live hints during practice" switch off, never nudges.
"""

from __future__ import annotations

from collections import deque

from interview_coach.domain import InterviewMode, LiveNudge
from interview_coach.domain.live import NUDGE_TEXTS, NudgeKind
from interview_coach.domain.targets import (
    NUDGE_FAST_PACE_S,
    NUDGE_FILLER_BURST,
    NUDGE_FILLER_WINDOW_S,
    NUDGE_LOOK_AWAY_S,
    NUDGE_MIN_GAP_S,
    NUDGE_REPEAT_S,
    NUDGE_SILENCE_S,
    PACE,
)
from interview_coach.tools.voice.streaming import LiveVoiceStats

__all__ = ["PACE_MIN_WORDS", "NudgePolicy"]

PACE_MIN_WORDS = 10
"""A running pace over fewer transcribed words is too noisy to judge (one short sentence)."""

# When several patterns hold at once, the one the candidate can act on soonest wins.
_PRIORITY: tuple[NudgeKind, ...] = ("silence", "looking_away", "fast_pace", "filler_burst")


class NudgePolicy:
    """Decide, tick by tick, whether the candidate gets a live nudge (one policy per answer)."""

    def __init__(self, *, mode: InterviewMode, enabled: bool = True) -> None:
        """Start an answer with no nudges yet.

        Args:
            mode: the interview's mode; only practice interviews are nudged.
            enabled: the candidate's "Live hints during practice" switch.

        """
        self.active = enabled and mode == InterviewMode.PRACTICE
        self._nudges: list[LiveNudge] = []
        self._last_by_kind: dict[NudgeKind, float] = {}
        self._fast_since: float | None = None
        self._fillers: deque[tuple[float, int]] = deque()
        self._fillers_nudged_at = 0
        self._silence_nudged = False
        self._look_away_nudged = False

    @property
    def nudges(self) -> list[LiveNudge]:
        """Every nudge given so far, in time order."""
        return list(self._nudges)

    def observe(self, stats: LiveVoiceStats, looking_away_s: float | None = None) -> LiveNudge | None:
        """Take one tick of running measures and return the nudge to show now, if any.

        Args:
            stats: the streaming voice analysis's measures so far.
            looking_away_s: how long the candidate has continuously looked away from the
                camera (``None`` or 0 while looking at it, or without a camera).

        Returns:
            At most one nudge; ``None`` most of the time.

        """
        if not self.active:
            return None
        now = stats.elapsed_s
        due = self._due(stats, looking_away_s, now)
        last = self._nudges[-1].at_s if self._nudges else None
        if last is not None and now - last < NUDGE_MIN_GAP_S:
            return None
        for kind in _PRIORITY:
            if kind not in due:
                continue
            previous = self._last_by_kind.get(kind)
            if previous is not None and now - previous < NUDGE_REPEAT_S:
                continue
            return self._give(kind, now, stats)
        return None

    def _due(self, stats: LiveVoiceStats, looking_away_s: float | None, now: float) -> set[NudgeKind]:
        """Update every rule's state with this tick and return the kinds whose pattern holds."""
        due: set[NudgeKind] = set()
        high = PACE.high
        fast = stats.wpm is not None and high is not None and stats.wpm > high and stats.word_count >= PACE_MIN_WORDS
        if not fast:
            self._fast_since = None
        elif self._fast_since is None:
            self._fast_since = now
        if self._fast_since is not None and now - self._fast_since >= NUDGE_FAST_PACE_S:
            due.add("fast_pace")

        self._fillers.append((now, stats.filler_count))
        # Keep one tick at or before the window's start: its count is the window's baseline.
        while len(self._fillers) > 1 and self._fillers[1][0] <= now - NUDGE_FILLER_WINDOW_S:
            self._fillers.popleft()
        first_t, first_count = self._fillers[0]
        baseline = first_count if first_t <= now - NUDGE_FILLER_WINDOW_S else 0
        if stats.filler_count - max(baseline, self._fillers_nudged_at) >= NUDGE_FILLER_BURST:
            due.add("filler_burst")

        started = stats.response_delay_s is not None
        if stats.silence_s < NUDGE_SILENCE_S:
            self._silence_nudged = False
        elif started and not self._silence_nudged:
            due.add("silence")

        away = looking_away_s or 0.0
        if away <= NUDGE_LOOK_AWAY_S:
            self._look_away_nudged = False
        elif not self._look_away_nudged:
            due.add("looking_away")
        return due

    def _give(self, kind: NudgeKind, now: float, stats: LiveVoiceStats) -> LiveNudge:
        nudge = LiveNudge(kind=kind, at_s=round(now, 1), text=NUDGE_TEXTS[kind])
        self._nudges.append(nudge)
        self._last_by_kind[kind] = now
        # Each nudge answers one stretch of its pattern; the next one needs a new stretch.
        if kind == "fast_pace":
            self._fast_since = now
        elif kind == "filler_burst":
            self._fillers_nudged_at = stats.filler_count
        elif kind == "silence":
            self._silence_nudged = True
        else:
            self._look_away_nudged = True
        return nudge
