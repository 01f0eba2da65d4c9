"""Progress across sessions, computed from the metrics stored with each session summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from interview_coach.domain import MemoryRecord
from interview_coach.domain.voice import VoiceAnalysis

# (label, unit format, True when a higher value is better)
TRACKED_METRICS: dict[str, tuple[str, str, bool]] = {
    "answer_quality": ("answer quality", "{:.0f}", True),
    "fluency": ("fluency", "{:.0f}", True),
    "confidence": ("confidence", "{:.0f}", True),
    "fillers_per_min": ("fillers/min", "{:.1f}", False),
    "wpm": ("pace (wpm)", "{:.0f}", True),
    "long_pause_count": ("long pauses", "{:.1f}", False),
    "eye_contact_ratio": ("eye contact", "{:.0%}", True),
    "key_point_coverage": ("key points covered", "{:.0%}", True),
}


@dataclass(frozen=True)
class MetricTrend:
    """How one metric moved from the first to the latest session."""

    metric: str
    label: str
    first: float
    latest: float
    sessions: int
    higher_is_better: bool
    fmt: str

    @property
    def improved(self) -> bool:
        """Whether the latest value is better than the first."""
        return self.latest > self.first if self.higher_is_better else self.latest < self.first

    def describe(self) -> str:
        """Human text such as 'fillers/min 9.1 → 4.3 (better, 3 sessions)'."""
        verdict = "better" if self.improved else ("same" if self.latest == self.first else "worse")
        return f"{self.label} {self.fmt.format(self.first)} → {self.fmt.format(self.latest)} ({verdict}, {self.sessions} sessions)"


def metric_trends(summaries: Sequence[MemoryRecord]) -> list[MetricTrend]:
    """Trends of the tracked metrics over session summaries (any order)."""
    ordered = sorted(summaries, key=lambda r: r.created_at)
    trends: list[MetricTrend] = []
    for metric, (label, fmt, higher_better) in TRACKED_METRICS.items():
        values = [r.metrics[metric] for r in ordered if metric in r.metrics]
        if len(values) >= 2:
            trends.append(MetricTrend(metric, label, values[0], values[-1], len(values), higher_better, fmt))
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
        label = TRACKED_METRICS.get(metric, (metric.replace("_", " "), "", True))[0]
        parts.append(f"{label} {delta:+.1f}")
    return ", ".join(parts)
