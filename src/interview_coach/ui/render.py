"""Plotly charts of a session report for the chat room (the export files come from :mod:`interview_coach.assessment.rendering`).

Only reads the ``SessionReport`` and the session summaries; no score is computed here. Points
are labelled with each question's ``QuestionRef`` label (``Q2``, ``Q2 · follow-up``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from interview_coach.assessment.rendering import progress_series, question_metrics
from interview_coach.domain import MemoryRecord, SessionReport

if TYPE_CHECKING:
    import plotly.graph_objects as go


def delivery_figure(report: SessionReport) -> go.Figure:
    """Build the per-question chart: pace, filler words, long pauses and eye contact."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = question_metrics(report)
    labels = [r.label for r in rows]
    panels = (
        ("Pace (words/min)", [r.wpm for r in rows], "#4c78a8"),
        ("Filler words", [r.fillers for r in rows], "#f58518"),
        ("Long pauses (≥ 2 s)", [r.long_pauses for r in rows], "#e45756"),
        ("Eye contact (%)", [r.eye_contact_pct for r in rows], "#54a24b"),
    )
    figure = make_subplots(
        rows=2, cols=2, subplot_titles=[p[0] for p in panels], vertical_spacing=0.18, horizontal_spacing=0.14
    )
    for index, (title, values, color) in enumerate(panels):
        hover = [
            f"{r.label}: {r.text[:80]}<br>{title}: {v:.1f}"
            if v is not None
            else f"{r.label}: not measured ({r.input_mode})"
            for r, v in zip(rows, values, strict=True)
        ]
        figure.add_trace(
            go.Bar(x=labels, y=values, name=title, marker_color=color, hovertext=hover, hoverinfo="text"),
            row=index // 2 + 1,
            col=index % 2 + 1,
        )
        if all(v is None for v in values):
            figure.add_annotation(
                text="not measured<br>(needs a spoken<br>or video answer)",
                showarrow=False,
                xref=f"x{index + 1 if index else ''} domain",
                yref=f"y{index + 1 if index else ''} domain",
                x=0.5,
                y=0.5,
                font={"color": "#8a92a3"},
            )
    figure.update_yaxes(rangemode="tozero")
    # Small enough type that the two panels of a row keep their titles apart in a phone-wide message.
    figure.update_annotations(font_size=12)
    figure.update_layout(
        height=520,
        showlegend=False,
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
        title="Delivery per question",
        font={"size": 11},
    )
    return figure


def progress_figure(summaries: Sequence[MemoryRecord]) -> go.Figure | None:
    """Build the progress-across-sessions chart (score lines), or ``None`` with fewer than 2 sessions."""
    import plotly.graph_objects as go

    if len(summaries) < 2:
        return None
    series = progress_series(summaries)
    figure = go.Figure()
    for label in ("answer quality", "fluency", "confidence", "fillers/min"):
        points = series.get(label)
        if points:
            figure.add_trace(
                go.Scatter(
                    x=[p[0] for p in points],
                    y=[p[1] for p in points],
                    mode="lines+markers",
                    name=label,
                    yaxis="y2" if label == "fillers/min" else "y",
                )
            )
    figure.update_layout(
        title="Progress across sessions",
        height=360,
        yaxis={"title": "score (0-100)", "range": [0, 100]},
        yaxis2={"title": "fillers/min", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        margin={"l": 50, "r": 50, "t": 60, "b": 40},
        legend={"orientation": "h"},
    )
    return figure
