"""Render reports and feedback as Markdown and HTML from Jinja templates (the one renderer).

Everything here only reads the typed ``SessionReport``/``AnswerEvaluation`` and the measured
analyses inside them; no score is computed here. Questions are numbered from their
``QuestionRef`` and a follow-up is shown inside its main question, never as its own number.
The agents read the Markdown report as LLM context, so it lives in this layer and not in ``ui/``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape

from interview_coach.assessment import labels
from interview_coach.assessment.progress import TRACKED_METRICS
from interview_coach.domain import AnswerEvaluation, MemoryRecord, QuestionRef, QuestionReport, Score, SessionReport
from interview_coach.domain.live import NUDGE_LABEL
from interview_coach.domain.scores import Evidence

LONG_PAUSE_S = 2.0
ExportFormat = Literal["markdown", "html", "json"]
EXPORT_SUFFIX: dict[ExportFormat, str] = {"markdown": ".md", "html": ".html", "json": ".json"}
EXPORT_MIME: dict[ExportFormat, str] = {"markdown": "text/markdown", "html": "text/html", "json": "application/json"}


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
    """One timestamped observation shown next to an answer."""

    timestamp: str
    start_s: float | None
    kind: str
    detail: str

    @property
    def text(self) -> str:
        """Say the observation once: "hand at face: 3.0-4.0 s", not "hand at face: hand at face 3.0-4.0 s"."""
        rest = self.detail[len(self.kind) :].strip() if self.detail.startswith(self.kind + " ") else self.detail
        return f"{self.kind}: {rest}" if rest else self.kind


@dataclass(frozen=True)
class ChartSeries:
    """A bar chart's values for the HTML export (inline SVG)."""

    title: str
    unit: str
    values: list[tuple[str, float | None]]
    maximum: float = 1.0


@dataclass(frozen=True)
class QuestionView:
    """One asked question as a template shows it: its identity, result, transcript and evidence."""

    ref: QuestionRef
    report: QuestionReport
    transcript: str
    evidence: list[EvidenceItem]


def clock(seconds: float | None) -> str:
    """Format seconds as ``m:ss`` (``-`` when unknown)."""
    if seconds is None:
        return "-"
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _get(source: object, name: str) -> Any:
    # Perception results are typed models; checkpoints written before that hold their JSON dicts.
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def _number(source: object, name: str) -> float | None:
    value = _get(source, name) if source is not None else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def question_refs(report: SessionReport) -> list[QuestionRef]:
    """Return each question's identity, deriving it for reports written before refs existed."""
    total = sum(1 for q in report.questions if not q.question.follow_up_of) or len(report.questions)
    refs: list[QuestionRef] = []
    number = follow_up = 0
    for question in report.questions:
        if question.ref is not None:
            refs.append(question.ref)
            number, follow_up = question.ref.number, question.ref.follow_up
            continue
        if question.question.follow_up_of and number:
            follow_up += 1
        else:
            number, follow_up = number + 1, 0
        refs.append(QuestionRef(number=number, total=total, follow_up=follow_up, question_id=question.question.id))
    return refs


def question_metrics(report: SessionReport) -> list[QuestionMetrics]:
    """Collect the per-question delivery numbers (pace, fillers, pauses, eye contact, quality)."""
    rows: list[QuestionMetrics] = []
    for ref, question in zip(question_refs(report), report.questions, strict=True):
        analysis = question.analysis
        voice = analysis.voice if analysis else None
        text = analysis.text if analysis else None
        fillers = _number(voice, "filler_count")
        if fillers is None and text is not None:
            fillers = float(len(_get(text, "fillers_in_text") or []))
        eye = _number(analysis.face if analysis else None, "eye_contact_ratio")
        quality = question.scores.get("answer_quality")
        rows.append(
            QuestionMetrics(
                label=ref.label,
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


def _filler_terms(question: QuestionReport) -> set[str]:
    text = question.analysis.text if question.analysis else None
    found = (_get(text, "fillers_in_text") or []) if text is not None else []
    return {str(_get(f, "text")).lower() for f in found if _get(f, "text")}


def _timed_tokens(voice: object) -> list[TranscriptToken]:
    filler_starts = {
        round(float(_get(f, "start")), 2) for f in _get(voice, "fillers") or [] if _get(f, "start") is not None
    }
    pauses = sorted(
        (p for p in _get(voice, "pauses") or [] if float(_get(p, "duration_s") or 0) >= LONG_PAUSE_S),
        key=lambda p: float(_get(p, "start")),
    )
    tokens: list[TranscriptToken] = []
    for word in _get(voice, "words"):
        start = float(_get(word, "start") or 0.0)
        while pauses and float(_get(pauses[0], "start")) <= start:
            pause = pauses.pop(0)
            tokens.append(TranscriptToken("pause", "", float(_get(pause, "start")), float(_get(pause, "duration_s"))))
        kind: Literal["word", "filler"] = "filler" if round(start, 2) in filler_starts else "word"
        tokens.append(TranscriptToken(kind, str(_get(word, "word") or "").strip(), start))
    tokens += [TranscriptToken("pause", "", float(_get(p, "start")), float(_get(p, "duration_s"))) for p in pauses]
    return tokens


def transcript_tokens(question: QuestionReport) -> list[TranscriptToken]:
    """Split an answer into words, fillers and long pauses (timed for spoken answers)."""
    voice = question.analysis.voice if question.analysis else None
    if voice is not None and _get(voice, "words"):
        return _timed_tokens(voice)
    terms = _filler_terms(question)
    answer = question.answer_text
    if not answer:
        return []
    if not terms:
        return [TranscriptToken("word", answer)]
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\b", re.I)
    tokens: list[TranscriptToken] = []
    position = 0
    for match in pattern.finditer(answer):
        if match.start() > position:
            tokens.append(TranscriptToken("word", answer[position : match.start()]))
        tokens.append(TranscriptToken("filler", match.group(0)))
        position = match.end()
    if position < len(answer):
        tokens.append(TranscriptToken("word", answer[position:]))
    return tokens


def md_escape(text: str) -> str:
    """Escape Markdown control characters in untrusted text (answers, evidence quotes)."""
    return re.sub(r"([*_`\[\]<>#|~])", r"\\\1", text)


def transcript_markdown(question: QuestionReport) -> str:
    """Render an answer transcript in Markdown with **fillers** and ⏸ long-pause markers."""
    parts: list[str] = []
    for token in transcript_tokens(question):
        if token.kind == "pause":
            parts.append(f"`⏸ {token.duration_s:.1f} s pause at {clock(token.start_s)}`")
        elif token.kind == "filler":
            parts.append(f"**{md_escape(token.text)}**")
        else:
            parts.append(md_escape(token.text))
    timed = bool(question.analysis and question.analysis.voice)
    return (" " if timed else "").join(parts).strip()


def transcript_html(question: QuestionReport) -> str:
    """Render an answer transcript as HTML with ``<mark>`` fillers and long-pause badges."""
    parts: list[str] = []
    for token in transcript_tokens(question):
        if token.kind == "pause":
            parts.append(f'<span class="pause">⏸ {token.duration_s:.1f} s at {clock(token.start_s)}</span>')
        elif token.kind == "filler":
            parts.append(f'<mark class="filler">{html.escape(token.text)}</mark>')
        else:
            parts.append(html.escape(token.text))
    timed = bool(question.analysis and question.analysis.voice)
    return (" " if timed else "").join(parts).strip()


def evidence_words(evidence: Evidence) -> tuple[str, str]:
    """Say one piece of evidence in words: its kind's label and its detail, with the quote it rests on."""
    if evidence.kind == "quote":
        # A quote's detail says what the sentence shows ("closest to the question", "situation").
        return evidence.detail, f"“{evidence.quote}”" if evidence.quote else ""
    detail = evidence.detail
    if evidence.quote and evidence.quote.strip().lower() not in detail.lower():
        detail = f"{detail} — “{evidence.quote}”"
    return labels.evidence_label(evidence.kind), detail


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
                stamp = clock(evidence.start_s) if evidence.start_s is not None else ""
                items.append(EvidenceItem(stamp, evidence.start_s, *evidence_words(evidence)))
    for nudge in question.analysis.nudges if question.analysis is not None else []:
        items.append(EvidenceItem(clock(nudge.at_s), nudge.at_s, NUDGE_LABEL, nudge.text))
    items.sort(key=lambda e: (e.start_s is None, e.start_s or 0.0))
    return items


def evidence_markdown(question: QuestionReport, limit: int = 12) -> str:
    """Render an answer's evidence as a Markdown list ("0:42 long pause: ...")."""
    return _environment().get_template("evidence.md.j2").render(items=evidence_items(question)[:limit]).strip()


def _score_text(score: Score | None) -> str:
    if score is None:
        return "-"
    return f"{score.value}/100" if score.value is not None else f"not measured ({score.not_measured_reason})"


def _moved_by(score: Score) -> str:
    moved = sorted((s for s in score.signals if abs(s.effect) >= 0.5), key=lambda s: -abs(s.effect))
    return "; ".join(f"{labels.signal_label(s.name)} {s.effect:+.0f}" for s in moved[:3])


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("interview_coach", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        clock=clock,
        md=md_escape,
        score_label=labels.score_label,
        score_text=_score_text,
        moved_by=_moved_by,
        words=_words,
        answer_mode=labels.answer_mode_label,
        direction=labels.score_direction,
        counted=labels.counted,
    )
    return env


def _words(text: str) -> str:
    return text.replace("_", " ")


def question_groups(report: SessionReport, *, fmt: Literal["markdown", "html"]) -> list[list[QuestionView]]:
    """Group each main question with its follow-ups, in the order they were asked."""
    groups: dict[int, list[QuestionView]] = {}
    for ref, question in zip(question_refs(report), report.questions, strict=True):
        transcript = transcript_html(question) if fmt == "html" else transcript_markdown(question)
        view = QuestionView(ref, question, transcript, evidence_items(question))
        groups.setdefault(ref.number, []).append(view)
    return list(groups.values())


def render_feedback_card(evaluation: AnswerEvaluation, ref: QuestionRef) -> str:
    """Render one answer's feedback card in Markdown: scores with what moved them, strengths, fixes."""
    return _environment().get_template("feedback_card.md.j2").render(evaluation=evaluation, ref=ref).strip()


def render_report_markdown(report: SessionReport, *, appendix: bool = False) -> str:
    """Render the report as Markdown (for chat, files and LLM context).

    Args:
        report: the session report.
        appendix: add every answer's transcript and timestamped evidence (the export file).
    """
    template = _environment().get_template("report.md.j2")
    groups = question_groups(report, fmt="markdown")
    body = template.render(report=report, groups=groups, appendix=appendix, glossary=labels.glossary(report))
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


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


def render_report_html(report: SessionReport, summaries: Sequence[MemoryRecord] = ()) -> str:
    """Render the self-contained HTML report (inline SVG charts, no scripts, no remote assets)."""
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            groups=question_groups(report, fmt="html"),
            charts=_chart_series(report),
            progress=progress_series(summaries) if len(summaries) >= 2 else {},
            glossary=labels.glossary(report),
        )
    )


def render_export(report: SessionReport, fmt: ExportFormat, summaries: Sequence[MemoryRecord] = ()) -> str:
    """Render the report in one export format (the Markdown export carries transcripts and evidence)."""
    if fmt == "json":
        return report.model_dump_json(indent=2)
    if fmt == "html":
        return render_report_html(report, summaries)
    return render_report_markdown(report, appendix=True)
