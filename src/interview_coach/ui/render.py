"""Turn a session report into what people look at: charts, transcripts, evidence and export files.

Everything here only reads the ``SessionReport`` and the measured analyses inside it; no score
is computed here. Plotly figures feed the chat room, and jinja2 templates in
``interview_coach/templates`` produce the self-contained HTML export (inline SVG charts, no
script and no network access) and the Markdown export.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape

from interview_coach.assessment.progress import TRACKED_METRICS
from interview_coach.assessment.report import render_markdown
from interview_coach.domain import MemoryRecord, QuestionReport, SessionReport

if TYPE_CHECKING:
    import plotly.graph_objects as go

LONG_PAUSE_S = 2.0
ExportFormat = Literal["markdown", "html", "json"]
EXPORT_SUFFIX: dict[ExportFormat, str] = {"markdown": ".md", "html": ".html", "json": ".json"}
EXPORT_MIME: dict[ExportFormat, str] = {
    "markdown": "text/markdown",
    "html": "text/html",
    "json": "application/json",
}


@dataclass(frozen=True)
class QuestionMetrics:
    """Delivery numbers of one question for the charts; ``None`` means not measured."""

    label: str
    text: str
    input_mode: str
    wpm: float | None
    fillers: float | None
    long_pauses: float | None
    eye_contact_pct: float | None
    quality: float | None


@dataclass(frozen=True)
class TranscriptToken:
    """One piece of a transcript: a word, a filler, or a long pause marker."""

    kind: Literal["word", "filler", "pause"]
    text: str
    start_s: float | None = None
    duration_s: float | None = None


@dataclass(frozen=True)
class EvidenceItem:
    """One timestamped observation shown next to an answer's playback."""

    timestamp: str
    start_s: float | None
    kind: str
    detail: str


@dataclass(frozen=True)
class ChartSeries:
    """A bar chart's values for the HTML export (inline SVG)."""

    title: str
    unit: str
    values: list[tuple[str, float | None]]
    maximum: float = field(default=1.0)


def clock(seconds: float | None) -> str:
    """Format seconds as ``m:ss`` (``-`` when unknown)."""
    if seconds is None:
        return "-"
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _number(data: dict[str, Any] | None, key: str) -> float | None:
    value = (data or {}).get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def question_metrics(report: SessionReport) -> list[QuestionMetrics]:
    """Collect the per-question delivery numbers (pace, fillers, pauses, eye contact, quality)."""
    rows: list[QuestionMetrics] = []
    for i, question in enumerate(report.questions, 1):
        analysis = question.analysis
        voice = analysis.voice if analysis else None
        face = analysis.face if analysis else None
        text = analysis.text if analysis else None
        fillers: float | None = _number(voice, "filler_count")
        if fillers is None and text is not None:
            fillers = float(len(text.get("fillers_in_text") or []))
        eye = _number(face, "eye_contact_ratio")
        quality = question.scores.get("answer_quality")
        rows.append(
            QuestionMetrics(
                label=f"Q{i}" + ("*" if question.question.follow_up_of else ""),
                text=question.question.text,
                input_mode=question.input_mode,
                wpm=_number(voice, "wpm"),
                fillers=fillers,
                long_pauses=_number(voice, "long_pause_count"),
                eye_contact_pct=eye * 100 if eye is not None else None,
                quality=float(quality.value) if quality and quality.value is not None else None,
            )
        )
    return rows


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
    figure = make_subplots(rows=2, cols=2, subplot_titles=[p[0] for p in panels], vertical_spacing=0.18)
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
                text="not measured<br>(needs a spoken or video answer)",
                showarrow=False,
                xref=f"x{index + 1 if index else ''} domain",
                yref=f"y{index + 1 if index else ''} domain",
                x=0.5,
                y=0.5,
                font={"color": "#8a92a3"},
            )
    figure.update_yaxes(rangemode="tozero")
    figure.update_layout(
        height=520, showlegend=False, margin={"l": 40, "r": 20, "t": 60, "b": 40}, title="Delivery per question"
    )
    return figure


def progress_series(summaries: Sequence[MemoryRecord]) -> dict[str, list[tuple[str, float]]]:
    """Order session summaries by time and list each tracked metric's values by session date."""
    ordered = sorted(summaries, key=lambda r: r.created_at)
    series: dict[str, list[tuple[str, float]]] = {}
    for metric, (label, _, _) in TRACKED_METRICS.items():
        points = [
            (r.created_at.strftime("%Y-%m-%d %H:%M"), float(r.metrics[metric])) for r in ordered if metric in r.metrics
        ]
        if points:
            series[label] = points
    return series


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


def _filler_terms(question: QuestionReport) -> set[str]:
    text = (question.analysis.text or {}) if question.analysis else {}
    return {str(f.get("text", "")).lower() for f in text.get("fillers_in_text") or [] if f.get("text")}


def transcript_tokens(question: QuestionReport) -> list[TranscriptToken]:
    """Split an answer into words, fillers and long pauses (timed for spoken answers)."""
    voice = question.analysis.voice if question.analysis else None
    if voice and voice.get("words"):
        filler_starts = {round(float(f["start"]), 2) for f in voice.get("fillers") or [] if "start" in f}
        pauses = sorted(
            (p for p in voice.get("pauses") or [] if float(p.get("duration_s", 0)) >= LONG_PAUSE_S),
            key=lambda p: float(p["start"]),
        )
        tokens: list[TranscriptToken] = []
        for word in voice["words"]:
            start = float(word.get("start", 0.0))
            while pauses and float(pauses[0]["start"]) <= start:
                pause = pauses.pop(0)
                tokens.append(TranscriptToken("pause", "", float(pause["start"]), float(pause["duration_s"])))
            kind: Literal["word", "filler"] = "filler" if round(start, 2) in filler_starts else "word"
            tokens.append(TranscriptToken(kind, str(word.get("word", "")).strip(), start))
        tokens += [TranscriptToken("pause", "", float(p["start"]), float(p["duration_s"])) for p in pauses]
        return tokens
    terms = _filler_terms(question)
    if not question.answer_text:
        return []
    if not terms:
        return [TranscriptToken("word", question.answer_text)]
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\b", re.I)
    tokens = []
    position = 0
    for match in pattern.finditer(question.answer_text):
        if match.start() > position:
            tokens.append(TranscriptToken("word", question.answer_text[position : match.start()]))
        tokens.append(TranscriptToken("filler", match.group(0)))
        position = match.end()
    if position < len(question.answer_text):
        tokens.append(TranscriptToken("word", question.answer_text[position:]))
    return tokens


def _md_escape(text: str) -> str:
    return re.sub(r"([*_`\[\]<>#|~])", r"\\\1", text)


def transcript_markdown(question: QuestionReport) -> str:
    """Render an answer transcript in Markdown with **fillers** and ⏸ long-pause markers."""
    parts: list[str] = []
    timed = bool(question.analysis and question.analysis.voice)
    for token in transcript_tokens(question):
        if token.kind == "pause":
            parts.append(f"`⏸ {token.duration_s:.1f} s pause at {clock(token.start_s)}`")
        elif token.kind == "filler":
            parts.append(f"**{_md_escape(token.text)}**")
        else:
            parts.append(_md_escape(token.text))
    return (" " if timed else "").join(parts).strip()


def transcript_html(question: QuestionReport) -> str:
    """Render an answer transcript as HTML with ``<mark>`` fillers and long-pause badges."""
    parts: list[str] = []
    timed = bool(question.analysis and question.analysis.voice)
    for token in transcript_tokens(question):
        if token.kind == "pause":
            parts.append(f'<span class="pause">⏸ {token.duration_s:.1f} s at {clock(token.start_s)}</span>')
        elif token.kind == "filler":
            parts.append(f'<mark class="filler">{html.escape(token.text)}</mark>')
        else:
            parts.append(html.escape(token.text))
    return (" " if timed else "").join(parts).strip()


def evidence_items(question: QuestionReport) -> list[EvidenceItem]:
    """List the evidence behind an answer's scores, timestamped items first, in time order."""
    seen: set[tuple[str, str, float | None]] = set()
    items: list[EvidenceItem] = []
    for score in question.scores.values():
        for signal in score.signals:
            for evidence in signal.evidence:
                key = (evidence.kind, evidence.detail, evidence.start_s)
                if key in seen:
                    continue
                seen.add(key)
                items.append(
                    EvidenceItem(
                        timestamp=clock(evidence.start_s) if evidence.start_s is not None else "",
                        start_s=evidence.start_s,
                        kind=evidence.kind.replace("_", " "),
                        detail=evidence.detail,
                    )
                )
    items.sort(key=lambda e: (e.start_s is None, e.start_s or 0.0))
    return items


def evidence_markdown(question: QuestionReport, limit: int = 12) -> str:
    """Render an answer's evidence as a Markdown list ("0:42 long pause: ...")."""
    lines = []
    for item in evidence_items(question)[:limit]:
        stamp = f"**{item.timestamp}** " if item.timestamp else ""
        lines.append(f"- {stamp}{item.kind}: {_md_escape(item.detail)}")
    return "\n".join(lines) or "- no evidence recorded"


def feedback_card(number: int, evaluation: dict[str, Any]) -> str:
    """Render one answer's feedback card in Markdown from its evaluation (scores with evidence)."""
    lines = [f"### Feedback on Q{number}"]
    scores = evaluation.get("scores") or {}
    for name, score in scores.items():
        value = score.get("value")
        label = name.replace("_", " ")
        if value is None:
            lines.append(f"- **{label}**: not measured — {score.get('not_measured_reason') or 'no data'}")
            continue
        moved = [s for s in score.get("signals") or [] if abs(float(s.get("effect") or 0.0)) >= 0.5]
        why = "; ".join(f"{s['name'].replace('_', ' ')} {s['effect']:+.0f}" for s in moved[:3])
        lines.append(f"- **{label}**: {value}/100" + (f" ({why})" if why else ""))
    strengths = evaluation.get("strengths") or []
    improvements = evaluation.get("improvements") or []
    if strengths:
        lines += ["", "**What worked**"] + [f"- ✔ {s}" for s in strengths[:3]]
    if improvements:
        lines += ["", "**To improve**"] + [f"- ✘ {s}" for s in improvements[:3]]
    if evaluation.get("explanation"):
        lines += ["", str(evaluation["explanation"])]
    return "\n".join(lines)


def _chart_series(report: SessionReport) -> list[ChartSeries]:
    rows = question_metrics(report)
    charts = [
        ChartSeries("Answer quality", "/100", [(r.label, r.quality) for r in rows], 100.0),
        ChartSeries("Pace", " wpm", [(r.label, r.wpm) for r in rows]),
        ChartSeries("Filler words", "", [(r.label, r.fillers) for r in rows]),
        ChartSeries("Long pauses", "", [(r.label, r.long_pauses) for r in rows]),
        ChartSeries("Eye contact", "%", [(r.label, r.eye_contact_pct) for r in rows], 100.0),
    ]
    result = []
    for chart in charts:
        measured = [v for _, v in chart.values if v is not None]
        top = max([chart.maximum if chart.maximum > 1 else 0.0, *measured, 1.0])
        result.append(ChartSeries(chart.title, chart.unit, chart.values, top))
    return result


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("interview_coach", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    return env


def render_html(report: SessionReport, summaries: Sequence[MemoryRecord] = ()) -> str:
    """Render the self-contained HTML report (inline SVG charts, no scripts, no remote assets)."""
    questions = [
        {
            "number": i,
            "report": q,
            "transcript": transcript_html(q),
            "evidence": evidence_items(q),
        }
        for i, q in enumerate(report.questions, 1)
    ]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            questions=questions,
            charts=_chart_series(report),
            progress=progress_series(summaries) if len(summaries) >= 2 else {},
        )
    )


def render_markdown_export(report: SessionReport) -> str:
    """Render the Markdown export: the report plus transcripts and timestamped evidence."""
    return (
        _environment()
        .get_template("report_appendix.md.j2")
        .render(
            body=render_markdown(report).rstrip(),
            questions=[
                {"number": i, "report": q, "transcript": transcript_markdown(q), "evidence": evidence_markdown(q)}
                for i, q in enumerate(report.questions, 1)
                if q.input_mode != "skipped"
            ],
        )
    )


def render_export(report: SessionReport, fmt: ExportFormat, summaries: Sequence[MemoryRecord] = ()) -> str:
    """Render the report in one export format."""
    if fmt == "json":
        return report.model_dump_json(indent=2)
    if fmt == "html":
        return render_html(report, summaries)
    return render_markdown_export(report)
