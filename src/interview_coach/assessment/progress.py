"""Progress across sessions, computed from the metrics stored with each session summary.

Which way is better comes from :mod:`interview_coach.domain.targets`: for a metric with a
target band (pace) better means closer to the band, so 135 -> 201 wpm is worse, not "more".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from interview_coach.domain import MemoryRecord
from interview_coach.domain.targets import TARGETS, Direction, Verdict, compare, direction_of
from interview_coach.domain.voice import VoiceAnalysis

# metric -> (label, unit format, which way is better)
TRACKED_METRICS: dict[str, tuple[str, str, Direction]] = {
    "answer_quality": ("answer quality", "{:.0f}", direction_of("answer_quality")),
    "fluency": ("fluency", "{:.0f}", direction_of("fluency")),
    "confidence": ("confidence", "{:.0f}", direction_of("confidence")),
    "fillers_per_min": ("fillers/min", "{:.1f}", direction_of("fillers_per_min")),
    "wpm": ("pace (wpm)", "{:.0f}", direction_of("wpm")),
    "long_pause_count": ("long pauses", "{:.1f}", direction_of("long_pause_count")),
    "eye_contact_ratio": ("eye contact", "{:.0%}", direction_of("eye_contact_ratio")),
    "key_point_coverage": ("key points covered", "{:.0%}", direction_of("key_point_coverage")),
}


@dataclass(frozen=True)
class MetricTrend:
    """How one metric moved from the first to the latest session."""

    metric: str
    label: str
    first: float
    latest: float
    sessions: int
    direction: Direction
    fmt: str

    @property
    def verdict(self) -> Verdict:
        """Whether the latest value is better, the same or worse than the first (per the metric's target)."""
        return compare(self.metric, self.first, self.latest)

    @property
    def improved(self) -> bool:
        """Whether the latest value is better than the first."""
        return self.verdict == "better"

    def describe(self) -> str:
        """Human text such as 'fillers/min 9.1 → 4.3 (better, 3 sessions)'.

        A metric with a target band says where the latest value stands
        ('pace (wpm) 135 → 201 (worse, above the 110-170 wpm target, 2 sessions)').
        """
        change = "same" if self.latest == self.first else self.verdict
        target = TARGETS.get(self.metric)
        where = ""
        if target is not None and target.direction == "band" and not target.on_target(self.latest):
            side = "above" if self.latest > (target.high or 0.0) else "below"
            where = f", {side} the {target.describe()} target"
        first, latest = self.fmt.format(self.first), self.fmt.format(self.latest)
        return f"{self.label} {first} → {latest} ({change}{where}, {self.sessions} sessions)"


def metric_trends(summaries: Sequence[MemoryRecord]) -> list[MetricTrend]:
    """Trends of the tracked metrics over session summaries (any order)."""
    ordered = sorted(summaries, key=lambda r: r.created_at)
    trends: list[MetricTrend] = []
    for metric, (label, fmt, direction) in TRACKED_METRICS.items():
        values = [r.metrics[metric] for r in ordered if metric in r.metrics]
        if len(values) >= 2:
            trends.append(MetricTrend(metric, label, values[0], values[-1], len(values), direction, fmt))
    return trends


def describe_progress(summaries: Sequence[MemoryRecord]) -> list[str]:
    """Readable progress lines, most changed metrics first."""
    trends = metric_trends(summaries)
    trends.sort(key=lambda t: abs(t.latest - t.first) / (abs(t.first) + 1e-6), reverse=True)
    return [t.describe() for t in trends]


BASELINE_VOICE_METRICS = ("wpm", "fillers_per_min", "long_pause_count", "response_delay_s")


def voice_baseline_deltas(
    voice: VoiceAnalysis | None, summaries: Sequence[MemoryRecord], *, exclude_session: str | None = None
) -> dict[str, float]:
    """Compare one spoken answer with the user's earlier sessions (their personal baseline).

    Args:
        voice: the answer's voice analysis.
        summaries: the user's session-summary memories.
        exclude_session: the current session, which must not be its own baseline.

    Returns:
        Metric -> this answer minus the mean of earlier sessions (empty without history).
    """
    from interview_coach.assessment.voice_scores import baseline_deltas

    if voice is None:
        return {}
    current = {k: float(v) for k in BASELINE_VOICE_METRICS if isinstance(v := getattr(voice, k), int | float)}
    history = [r.metrics for r in summaries if r.session_id != exclude_session]
    return baseline_deltas(current, history)


def describe_deltas(deltas: Mapping[str, float]) -> str:
    """Human text such as 'pace (wpm) +12, fillers/min -2.1'."""
    parts = []
    for metric, delta in deltas.items():
        target = TARGETS.get(metric)
        label = TRACKED_METRICS[metric][0] if metric in TRACKED_METRICS else target.label if target else metric
        parts.append(f"{label} {delta:+.1f}")
    return ", ".join(parts)
