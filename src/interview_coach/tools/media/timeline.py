"""Turn per-frame booleans sampled over time into timed spans (events with start and end)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from interview_coach.domain.intervals import TimeSpan as Span
from interview_coach.domain.intervals import format_timestamp

__all__ = ["Span", "format_timestamp", "spans_from_mask", "to_spans", "true_runs"]


def true_runs(mask: Sequence[bool] | NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Return ``(first, last)`` index pairs of consecutive ``True`` values (inclusive)."""
    flags = np.asarray(mask, dtype=bool)
    if flags.size == 0:
        return []
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def spans_from_mask(
    times: Sequence[float] | NDArray[np.float64],
    mask: Sequence[bool] | NDArray[np.bool_],
    *,
    end_time: float,
    min_duration: float = 0.0,
    max_gap: float = 0.0,
) -> list[tuple[float, float]]:
    """Convert a sampled boolean series into ``(start, end)`` time ranges.

    A boundary between two samples is placed halfway between them, so its error is at
    most half a sampling period; a run touching the first or last sample extends to 0 or
    ``end_time``.

    Args:
        times: sample times in seconds, increasing.
        mask: whether the condition holds at each sample.
        end_time: end of the recording in seconds.
        min_duration: drop ranges shorter than this (after merging).
        max_gap: merge ranges separated by a gap shorter than this.

    Returns:
        Time ranges, in order.

    """
    stamps = np.asarray(times, dtype=np.float64)
    if stamps.size != len(mask):
        raise ValueError("times and mask must have the same length")
    last = stamps.size - 1
    ranges: list[tuple[float, float]] = []
    for first, final in true_runs(mask):
        start = 0.0 if first == 0 else float(stamps[first - 1] + stamps[first]) / 2.0
        end = max(end_time, float(stamps[final])) if final == last else float(stamps[final] + stamps[final + 1]) / 2.0
        if ranges and start - ranges[-1][1] < max_gap:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return [(round(s, 3), round(e, 3)) for s, e in ranges if e - s >= min_duration - 1e-9]


def to_spans(ranges: list[tuple[float, float]]) -> list[Span]:
    """Wrap ``(start, end)`` pairs as :class:`Span` models."""
    return [Span(start=start, end=end) for start, end in ranges]
