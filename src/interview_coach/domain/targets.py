"""The targets every score, finding, progress line and coaching tip reads: one number each.

A :class:`Target` says where a measured metric should be and which way is better:

* ``band``: inside ``low..high`` is on target; better means closer to the band (pace);
* ``lower``: at most ``high`` is on target; lower is better (fillers per minute);
* ``higher``: at least ``low`` is on target; higher is better (eye contact).

The thresholds follow common public-speaking and interview-coaching guidance (a
conversational pace, few hesitations, a prompt start, a varied pitch, eye contact for most
of the time the face is on camera). Changing a number here changes every surface at once:
scores, findings, feedback cards, reports, progress lines and the coaching tips, whose texts
name the targets as placeholders (see :func:`placeholders`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Direction = Literal["band", "lower", "higher"]
Verdict = Literal["better", "same", "worse"]


class Target(BaseModel):
    """Where a metric should be, and which way is better.

    Attributes:
        metric: the measured key (``wpm``, ``fillers_per_min``...).
        label: what people call the metric ("pace").
        unit: the unit shown after a number (``wpm``, ``/min``, ``s``, ``%``).
        direction: ``band``, ``lower`` (lower is better) or ``higher`` (higher is better).
        low: the lower edge (``band`` and ``higher``).
        high: the upper edge (``band`` and ``lower``).
        percent: the metric is a 0-1 ratio shown as a percentage.
    """

    model_config = ConfigDict(frozen=True)

    metric: str
    label: str
    unit: str = ""
    direction: Direction
    low: float | None = None
    high: float | None = None
    percent: bool = False

    def distance(self, value: float) -> float:
        """Return how far ``value`` is from the target (0 when on target), in the metric's units."""
        below = (self.low - value) if self.low is not None and self.direction != "lower" else 0.0
        above = (value - self.high) if self.high is not None and self.direction != "higher" else 0.0
        return max(below, above, 0.0)

    def on_target(self, value: float) -> bool:
        """Tell whether ``value`` meets the target."""
        return self.distance(value) == 0.0

    def compare(self, first: float, latest: float) -> Verdict:
        """Say whether ``latest`` is better than ``first`` (toward the band, or per the direction)."""
        if self.direction == "band":
            before, after = self.distance(first), self.distance(latest)
            return "same" if after == before else "better" if after < before else "worse"
        if latest == first:
            return "same"
        return "better" if (latest > first) == (self.direction == "higher") else "worse"

    def number(self, value: float) -> str:
        """Format a value of this metric with its unit ("150 wpm", "60%", "3.5/min")."""
        text = self._plain(value)
        if self.percent or not self.unit:
            return text
        return f"{text}{self.unit}" if self.unit.startswith("/") else f"{text} {self.unit}"

    def describe(self) -> str:
        """Say the target in words ("110-170 wpm", "at most 3/min", "at least 60%")."""
        if self.direction == "band" and self.low is not None and self.high is not None:
            return f"{self._plain(self.low)}-{self.number(self.high)}"
        if self.direction == "lower" and self.high is not None:
            return f"at most {self.number(self.high)}"
        if self.low is not None:
            return f"at least {self.number(self.low)}"
        return ""

    def _plain(self, value: float) -> str:
        if self.percent:
            return f"{value:.0%}"
        return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 10 else f"{value:.1f}"


PACE = Target(metric="wpm", label="pace", unit="wpm", direction="band", low=110.0, high=170.0)
"""Speaking pace over the answer (words per minute from the first to the last word)."""

TYPICAL_WPM = round(((PACE.low or 0.0) + (PACE.high or 0.0)) / 2)
"""The middle of the pace band: how fast a written answer is assumed to be spoken."""

FILLERS_PER_MIN = Target(metric="fillers_per_min", label="fillers", unit="/min", direction="lower", high=3.0)
"""Hesitation fillers (um, uh, er, ah, hmm) per minute of speech."""

DISCOURSE_MARKERS_PER_MIN = Target(
    metric="discourse_markers_per_min", label="discourse markers", unit="/min", direction="lower", high=6.0
)
"""Mid-sentence discourse markers (like, you know, basically...) per minute: only a gentle note above it."""

LONG_PAUSE_S = 2.0
"""A silence at least this long is a long pause."""

LONG_PAUSES = Target(metric="long_pause_count", label="long pauses", direction="lower", high=1.0)
"""Long pauses in one answer."""

RESPONSE_DELAY = Target(
    metric="response_delay_s", label="delay before the first word", unit="s", direction="lower", high=3.0
)
"""Silence before the first word; a finding is raised only well past it (see ``SLOW_START_S``)."""

SLOW_START_S = 5.0
"""A delay this long before the first word is worth a coaching note."""

PITCH_VARIATION = Target(
    metric="pitch_variation_st", label="pitch variation", unit="semitones", direction="higher", low=2.0
)
"""Spread of the voice's pitch; below it the delivery sounds monotone."""

EYE_CONTACT = Target(metric="eye_contact_ratio", label="eye contact", direction="higher", low=0.6, percent=True)
"""Share of the frames with the face visible (eyes open) where the gaze is towards the camera."""

FACE_ABSENT_MAX_SHARE = 0.25
"""With the face out of view for this share of the answer or more, eye contact cannot be called steady."""

BLINK_RATE = Target(metric="blink_rate_per_min", label="blink rate", unit="/min", direction="lower", high=35.0)
"""Blinks per minute; well above the resting range it adds to an impression of stress."""

NUDGE_MIN_GAP_S = 15.0
"""Live nudges (practice mode) are at least this far apart, so a hint never becomes a distraction."""

NUDGE_REPEAT_S = 45.0
"""The same nudge is not repeated sooner: the candidate needs time to act on it."""

NUDGE_FAST_PACE_S = 15.0
"""The running pace must stay above ``PACE.high`` this long before a "slow down" nudge."""

NUDGE_FILLER_BURST = 3
NUDGE_FILLER_WINDOW_S = 20.0
"""A filler burst: ``NUDGE_FILLER_BURST`` hesitations within this window, i.e. 9/min, three times
``FILLERS_PER_MIN`` (a single "um" or two in a sentence is normal speech and never nudged)."""

NUDGE_SILENCE_S = 5.0
"""Silence this long after the answer has started earns a gentle "carry on" nudge."""

NUDGE_LOOK_AWAY_S = 3.0
"""Looking away from the camera for longer than this earns a "look back" nudge."""

SCORE_DIRECTIONS: dict[str, Direction] = {
    "answer_quality": "higher",
    "fluency": "higher",
    "confidence": "higher",
    "stress": "lower",
    "key_point_coverage": "higher",
}
"""Which way is better for the 0-100 scores and the other tracked ratios."""

TARGETS: dict[str, Target] = {
    t.metric: t
    for t in (PACE, FILLERS_PER_MIN, DISCOURSE_MARKERS_PER_MIN, LONG_PAUSES, RESPONSE_DELAY, PITCH_VARIATION,
              EYE_CONTACT, BLINK_RATE)
}  # fmt: skip
"""Every metric with a target, by metric key."""


def direction_of(metric: str) -> Direction:
    """Return which way is better for a metric (``higher`` when nothing says otherwise)."""
    if metric in TARGETS:
        return TARGETS[metric].direction
    return SCORE_DIRECTIONS.get(metric, "higher")


def compare(metric: str, first: float, latest: float) -> Verdict:
    """Say whether a metric moved the right way from ``first`` to ``latest``."""
    target = TARGETS.get(metric)
    if target is not None:
        return target.compare(first, latest)
    plain = Target(metric=metric, label=metric, direction=direction_of(metric))
    return plain.compare(first, latest)


def placeholders() -> dict[str, str]:
    """Numbers for texts written around the targets (the coaching knowledge base uses ``{pace_low}``...)."""

    def plain(value: float | None) -> str:
        return f"{value:g}" if value is not None else ""

    return {
        "pace_low": plain(PACE.low),
        "pace_high": plain(PACE.high),
        "typical_wpm": plain(TYPICAL_WPM),
        "fillers_per_min_max": plain(FILLERS_PER_MIN.high),
        "long_pause_s": plain(LONG_PAUSE_S),
        "response_delay_max_s": plain(RESPONSE_DELAY.high),
        "slow_start_s": plain(SLOW_START_S),
        "pitch_variation_min_st": plain(PITCH_VARIATION.low),
        "eye_contact_min": plain(EYE_CONTACT.low),
        "eye_contact_min_pct": f"{(EYE_CONTACT.low or 0.0):.0%}",
        "blink_rate_max": plain(BLINK_RATE.high),
    }
