"""Blinks, smiles, frowns, micro-expressions and the expression timeline from blendshape series."""

from __future__ import annotations

import numpy as np

from interview_coach.domain.face import ExpressionWindow, MicroExpressionEvent
from interview_coach.tools.face.frames import FaceSeries, IndexArray
from interview_coach.tools.face.geometry import count_blinks, expression_bursts

MICRO_CHANNELS = ("smile", "brow_down", "brow_raise", "frown", "mouth_press", "sneer")
TIMELINE_CHANNELS = ("smile", "brow_down", "brow_raise", "frown", "mouth_press", "jaw_open")

SMILE_THRESHOLD = 0.5
FROWN_THRESHOLD = 0.4
MIN_BLINK_FPS = 8.0
MIN_BLINK_FACE_S = 5.0
MIN_MICRO_FPS = 6.0
TIMELINE_MAX_WINDOWS = 60


def blink_rate(series: FaceSeries, fps: float, period: float, reasons: dict[str, str]) -> float | None:
    """Return blinks per minute of visible face, or ``None`` (with a reason) when it cannot be seen."""
    face_seconds = float(series.present.sum()) * period
    if fps < MIN_BLINK_FPS:
        reasons["blink_rate_per_min"] = f"sampling at {fps:g} fps is too slow to see blinks (needs {MIN_BLINK_FPS:g})"
        return None
    if face_seconds < MIN_BLINK_FACE_S:
        reasons["blink_rate_per_min"] = (
            f"the face was visible for only {face_seconds:.1f} s (needs {MIN_BLINK_FACE_S:g} s)"
        )
        return None
    blinks = count_blinks(series.channel("blink"), series.present)
    return round(len(blinks) / face_seconds * 60.0, 1)


def micro_expressions(
    series: FaceSeries, stretches: list[IndexArray], fps: float, period: float, reasons: dict[str, str]
) -> list[MicroExpressionEvent]:
    """Find expressions that flash for under half a second; none (with a reason) when sampling is too slow."""
    if fps < MIN_MICRO_FPS:
        reasons["micro_expression_events"] = (
            f"sampling at {fps:g} fps cannot resolve expressions shorter than 0.5 s (needs {MIN_MICRO_FPS:g})"
        )
        return []
    events = []
    for name in MICRO_CHANNELS:
        values = series.channel(name)
        for indices in stretches:
            for burst in expression_bursts(values[indices], period_s=period):
                start = float(series.times[indices[burst.first]]) - period / 2
                end = float(series.times[indices[burst.last]]) + period / 2
                events.append(
                    MicroExpressionEvent(
                        start=round(max(0.0, start), 3), end=round(end, 3), expression=name, peak=round(burst.peak, 3)
                    )
                )
    return sorted(events, key=lambda e: e.start)


def expression_timeline(series: FaceSeries, duration: float) -> list[ExpressionWindow]:
    """Average the timeline channels over at most :data:`TIMELINE_MAX_WINDOWS` windows of at least 1 s."""
    if series.times.size == 0 or duration <= 0:
        return []
    width = max(1.0, duration / TIMELINE_MAX_WINDOWS)
    windows = []
    for k in range(int(np.ceil(duration / width - 1e-9))):
        start, end = k * width, min(duration, (k + 1) * width)
        inside = (series.times >= start) & (series.times < end)
        if not inside.any():
            continue
        visible = inside & series.present
        values: dict[str, float | None] = dict.fromkeys(TIMELINE_CHANNELS)
        dominant: str | None = None
        if visible.any():
            values = {name: round(float(series.channel(name)[visible].mean()), 3) for name in TIMELINE_CHANNELS}
            strongest = max((n for n in TIMELINE_CHANNELS if n != "jaw_open"), key=lambda n: values[n] or 0.0)
            dominant = strongest if (values[strongest] or 0.0) >= 0.3 else "neutral"
        windows.append(
            ExpressionWindow(
                start=round(start, 3),
                end=round(end, 3),
                face_present_ratio=round(float(visible.sum() / inside.sum()), 3),
                dominant=dominant,
                **values,
            )
        )
    return windows


def expression_ratios(series: FaceSeries) -> tuple[float | None, float | None, float | None]:
    """Return smile ratio, frown ratio and mean brow tension over face-visible frames."""
    visible = series.present
    if not visible.any():
        return None, None, None
    smile = float((series.channel("smile")[visible] >= SMILE_THRESHOLD).mean())
    tension = (series.channel("brow_down") >= FROWN_THRESHOLD) | (series.channel("frown") >= FROWN_THRESHOLD)
    brow = float(series.channel("brow_down")[visible].mean())
    return round(smile, 3), round(float(tension[visible].mean()), 3), round(brow, 3)
