"""The live nudge policy: sustained patterns only, one nudge per 15 s, practice mode with the switch on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import pairwise

import pytest

from interview_coach.assessment.nudges import PACE_MIN_WORDS, NudgePolicy
from interview_coach.domain import InterviewMode, LiveNudge
from interview_coach.domain.live import NUDGE_TEXTS
from interview_coach.domain.targets import (
    NUDGE_FAST_PACE_S,
    NUDGE_FILLER_BURST,
    NUDGE_FILLER_WINDOW_S,
    NUDGE_LOOK_AWAY_S,
    NUDGE_MIN_GAP_S,
    NUDGE_SILENCE_S,
    PACE,
)
from interview_coach.tools.voice.streaming import LiveVoiceStats

HIGH = PACE.high or 0.0
FAST = HIGH + 40
STEADY = ((PACE.low or 0.0) + HIGH) / 2


def speaking(t: float, *, wpm: float | None = STEADY, fillers: int = 0, silence: float = 0.0) -> LiveVoiceStats:
    """Running measures at ``t`` seconds of an answer that started speaking at 1 s."""
    return LiveVoiceStats(
        elapsed_s=t,
        speech_s=max(0.0, t - 1 - silence),
        response_delay_s=1.0,
        silence_s=silence,
        word_count=int((wpm or STEADY) * t / 60),
        wpm=wpm,
        filler_count=fillers,
    )


def run(
    policy: NudgePolicy,
    seconds: Iterable[float],
    stats: Callable[[float], LiveVoiceStats],
    away: Callable[[float], float | None] = lambda t: None,
) -> list[LiveNudge]:
    """Tick the policy once per given second and return what it showed."""
    shown = [policy.observe(stats(t), away(t)) for t in seconds]
    return [n for n in shown if n is not None]


def practice() -> NudgePolicy:
    return NudgePolicy(mode=InterviewMode.PRACTICE)


def test_a_pace_above_the_band_for_the_whole_hold_gets_one_slow_down() -> None:
    nudges = run(practice(), range(4, 30), lambda t: speaking(t, wpm=FAST))
    assert [n.kind for n in nudges] == ["fast_pace"]
    assert nudges[0].at_s == 4 + NUDGE_FAST_PACE_S
    assert nudges[0].text == NUDGE_TEXTS["fast_pace"] == "Slow down a little"


def test_a_fast_stretch_shorter_than_the_hold_is_not_nudged() -> None:
    blip = int(NUDGE_FAST_PACE_S) - 2
    nudges = run(practice(), range(4, 60), lambda t: speaking(t, wpm=FAST if 10 <= t < 10 + blip else STEADY))
    assert nudges == []


def test_pace_inside_the_band_or_too_few_words_is_never_nudged() -> None:
    assert run(practice(), range(1, 120), lambda t: speaking(t, wpm=HIGH)) == []
    few = lambda t: speaking(t, wpm=FAST).model_copy(update={"word_count": PACE_MIN_WORDS - 1})  # noqa: E731
    assert run(practice(), range(1, 60), few) == []


def test_a_filler_burst_is_nudged_and_the_same_fillers_only_once() -> None:
    # Three hesitations arrive within a few seconds (two transcribed segments) and nothing after.
    nudges = run(practice(), range(1, 60), lambda t: speaking(t, fillers=0 if t < 8 else 1 if t < 12 else 3))
    assert [(n.kind, n.at_s) for n in nudges] == [("filler_burst", 12)]
    assert nudges[0].text == "Pause instead of saying um"


def test_fillers_spread_out_below_the_burst_rate_are_not_nudged() -> None:
    # One "um" every window: a normal speaker's rate never adds up to a burst.
    spacing = NUDGE_FILLER_WINDOW_S + 1
    nudges = run(practice(), range(1, 180), lambda t: speaking(t, fillers=int(t // spacing)))
    assert nudges == []
    # Just under the burst within the window is also left alone.
    below = NUDGE_FILLER_BURST - 1
    assert run(practice(), range(1, 60), lambda t: speaking(t, fillers=below if t >= 5 else 0)) == []


def test_five_seconds_of_silence_after_a_started_answer_is_nudged_once() -> None:
    def stats(t: float) -> LiveVoiceStats:
        return speaking(t, silence=max(0.0, t - 10.0))

    nudges = run(practice(), range(1, 40), stats)
    assert [(n.kind, n.at_s) for n in nudges] == [("silence", 10 + NUDGE_SILENCE_S)]
    assert nudges[0].text == "Carry on, or stop when you're done"


def test_a_short_pause_or_a_slow_start_is_not_nudged() -> None:
    short = NUDGE_SILENCE_S - 1.5
    assert run(practice(), range(1, 40), lambda t: speaking(t, silence=min(max(0.0, t - 10.0), short))) == []

    def not_started(t: float) -> LiveVoiceStats:
        return LiveVoiceStats(elapsed_s=t, silence_s=t)

    assert run(practice(), range(1, 20), not_started) == []


def test_looking_away_longer_than_the_limit_is_nudged_and_a_glance_is_not() -> None:
    def away(t: float) -> float | None:
        return t - 5.0 if 5 <= t <= 12 else None

    nudges = run(practice(), range(1, 30), speaking, away)
    assert [n.kind for n in nudges] == ["looking_away"]
    assert nudges[0].at_s == 5 + NUDGE_LOOK_AWAY_S + 1  # first tick strictly past the limit
    assert nudges[0].text == "Look back at the camera"

    def glance(t: float) -> float | None:
        return min(t - 5.0, NUDGE_LOOK_AWAY_S) if 5 <= t <= 20 else 0.0

    assert run(practice(), range(1, 30), speaking, glance) == []


def test_nudges_are_at_least_the_minimum_gap_apart_even_when_patterns_pile_up() -> None:
    # Fast from the start, a filler burst at 14 s, silence from 22 s, looking away from 24 s.
    def stats(t: float) -> LiveVoiceStats:
        return speaking(t, wpm=FAST, fillers=0 if t < 14 else 3, silence=max(0.0, t - 22.0))

    policy = practice()
    nudges = run(policy, range(1, 90), stats, lambda t: max(0.0, t - 24.0))
    times = [n.at_s for n in nudges]
    assert len(nudges) >= 3
    assert all(b - a >= NUDGE_MIN_GAP_S for a, b in pairwise(times))
    assert policy.nudges == nudges
    # The filler burst came first; a pending silence and look-away waited for the gap.
    assert nudges[0].kind == "filler_burst"
    assert {"silence", "looking_away"} <= {n.kind for n in nudges}


@pytest.mark.parametrize(
    ("mode", "enabled"),
    [(InterviewMode.REALISTIC, True), (InterviewMode.REALISTIC, False), (InterviewMode.PRACTICE, False)],
)
def test_realistic_mode_or_the_switch_off_never_nudges(mode: InterviewMode, enabled: bool) -> None:
    def everything(t: float) -> LiveVoiceStats:
        return speaking(t, wpm=FAST, fillers=int(t), silence=max(0.0, t - 30.0))

    policy = NudgePolicy(mode=mode, enabled=enabled)
    assert not policy.active
    assert run(policy, range(1, 120), everything, lambda t: t) == []
    assert policy.nudges == []
    # The same answer in practice mode with the switch on is nudged.
    assert run(practice(), range(1, 120), everything, lambda t: t)
