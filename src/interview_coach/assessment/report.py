"""Build the session report from per-question results, and render it as Markdown."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from statistics import mean

from interview_coach.assessment.findings import STRENGTH_TITLES, Finding, find_patterns
from interview_coach.assessment.knowledge import find_pattern
from interview_coach.domain import CandidateProfile, QuestionReport, Score, SessionReport, Signal

OVERALL_SCORES = ("answer_quality", "fluency", "confidence", "stress")


def _overall(name: str, questions: list[QuestionReport]) -> Score:
    values = [
        (i, q.scores[name].value)
        for i, q in enumerate(questions, 1)
        if name in q.scores and q.scores[name].value is not None
    ]
    if not values:
        reasons = {
            q.scores[name].not_measured_reason
            for q in questions
            if name in q.scores and q.scores[name].not_measured_reason
        }
        return Score.not_measured("; ".join(sorted(r for r in reasons if r)) or "no answers")
    signals = [Signal(name=f"Q{i}", value=float(v or 0)) for i, v in values]
    return Score(value=round(mean(v or 0 for _, v in values)), signals=signals)


def question_findings(question: QuestionReport) -> list[Finding]:
    """List the findings for one answered question (none for skipped ones)."""
    if question.analysis is None:
        return []
    return find_patterns(question.analysis, question.question.kind)


def session_metrics(questions: list[QuestionReport]) -> dict[str, float]:
    """Flat session-level numbers used for progress tracking and charts."""
    metrics: dict[str, float] = {}
    for name in OVERALL_SCORES:
        scores = [q.scores[name].value for q in questions if name in q.scores]
        measured = [float(v) for v in scores if v is not None]
        if measured:
            metrics[name] = mean(measured)
    sources = {
        "fillers_per_min": "voice",
        "wpm": "voice",
        "long_pause_count": "voice",
        "response_delay_s": "voice",
        "eye_contact_ratio": "face",
        "key_point_coverage": "text",
        "relevance": "text",
    }
    for key, modality in sources.items():
        values = []
        for q in questions:
            data = getattr(q.analysis, modality, None) if q.analysis else None
            if data and isinstance(data.get(key), int | float):
                values.append(float(data[key]))
        if values:
            metrics[key] = float(mean(values))
    metrics["questions_answered"] = float(sum(1 for q in questions if q.input_mode != "skipped"))
    return metrics


def time_management_summary(questions: list[QuestionReport]) -> str:
    """Describe how answer lengths compared with each question's time budget."""
    timed = [q for q in questions if q.duration_s is not None and q.input_mode != "skipped"]
    if not timed:
        return "Not measured: answers were typed, so speaking time is unknown."
    over = [i for i, q in enumerate(questions, 1) if q.duration_s is not None and q.duration_s > q.time_budget_s * 1.15]
    under = [
        i for i, q in enumerate(questions, 1) if q.duration_s is not None and q.duration_s < q.time_budget_s * 0.25
    ]
    total = sum(q.duration_s or 0 for q in timed)
    budget = sum(q.time_budget_s for q in timed)
    text = f"{total:.0f} s spoken against a budget of {budget} s over {len(timed)} timed answers."
    if over:
        text += " Over time on " + ", ".join(f"Q{i}" for i in over) + "."
    if under:
        text += " Very brief on " + ", ".join(f"Q{i}" for i in under) + "."
    if not over and not under:
        text += " Every timed answer fit its budget."
    return text


def build_session_report(
    *,
    session_id: str,
    user_id: str,
    profile: CandidateProfile,
    questions: list[QuestionReport],
    created_at: datetime,
    progress: list[str],
) -> SessionReport:
    """Assemble the report: overall scores, recurring strengths and weaknesses, suggestions."""
    weakness_counts: Counter[str] = Counter()
    strength_counts: Counter[str] = Counter()
    examples: dict[str, Finding] = {}
    where: dict[str, list[str]] = {}
    for number, question in enumerate(questions, 1):
        for finding in question_findings(question):
            counter = weakness_counts if finding.polarity == "weakness" else strength_counts
            counter[finding.pattern_id] += 1
            examples.setdefault(finding.pattern_id, finding)
            where.setdefault(finding.pattern_id, []).append(f"Q{number}")
    skipped = sum(1 for q in questions if q.input_mode == "skipped")

    def label(pattern_id: str, count: int) -> str:
        example = examples[pattern_id]
        places = ", ".join(where[pattern_id])
        if count == 1:
            return f"{example.message} ({places})"
        # One answer's wording ("Not covered: X") would misdescribe the others: name the pattern.
        pattern = find_pattern(pattern_id, example.metric) if example.polarity == "weakness" else None
        title = pattern.title if pattern else STRENGTH_TITLES.get(pattern_id, example.message)
        return f"{title} ({count} of {len(questions)} answers: {places})"

    weaknesses = [label(pid, n) for pid, n in weakness_counts.most_common(5)]
    if skipped:
        weaknesses.append(f"Skipped {skipped} question(s).")
    strengths = [label(pid, n) for pid, n in strength_counts.most_common(5)]
    suggestions: list[str] = []
    for pattern_id, _ in weakness_counts.most_common(4):
        pattern = find_pattern(pattern_id, examples[pattern_id].metric)
        if pattern and pattern.drill:
            suggestions.append(
                f"{pattern.title}: {pattern.drill.name} ({pattern.drill.duration_min} min). {pattern.drill.success_metric}".strip()
            )
        elif pattern and pattern.tips:
            suggestions.append(f"{pattern.title}: {pattern.tips[0]}")
    if not suggestions:
        suggestions.append("Keep practising with harder questions: raise the seniority level or add a job description.")
    return SessionReport(
        session_id=session_id,
        user_id=user_id,
        profile=profile,
        created_at=created_at,
        questions=questions,
        overall_scores={name: _overall(name, questions) for name in OVERALL_SCORES},
        strengths=strengths,
        weaknesses=weaknesses,
        time_management=time_management_summary(questions),
        suggestions=suggestions,
        progress=progress,
        metrics=session_metrics(questions),
    )


def _fmt_score(score: Score | None) -> str:
    if score is None:
        return "-"
    return f"{score.value}/100" if score.value is not None else f"not measured ({score.not_measured_reason})"


def render_markdown(report: SessionReport) -> str:
    """Render the report as Markdown for the terminal, files and chat."""
    lines = [f"# Interview report: {report.profile.role} ({report.profile.seniority})", ""]
    lines.append(f"Session `{report.session_id}`, {report.created_at:%Y-%m-%d %H:%M} UTC")
    lines += ["", "## Overall", ""]
    lines += [
        f"- **{name.replace('_', ' ').title()}**: {_fmt_score(score)}" for name, score in report.overall_scores.items()
    ]
    for title, items in (
        ("Strengths", report.strengths),
        ("Weaknesses", report.weaknesses),
        ("Suggestions", report.suggestions),
        ("Progress across sessions", report.progress),
    ):
        if items:
            lines += ["", f"## {title}", ""] + [f"- {item}" for item in items]
    lines += ["", "## Time management", "", report.time_management, "", "## Questions", ""]
    for i, q in enumerate(report.questions, 1):
        tag = " (follow-up)" if q.question.follow_up_of else ""
        lines.append(f"### Q{i}{tag}: {q.question.text}")
        lines.append(f"*{q.question.kind} · {q.question.competency.replace('_', ' ')} · answered by {q.input_mode}*")
        if q.input_mode == "skipped":
            lines += ["", "Skipped.", ""]
            continue
        lines.append("")
        lines += [f"- {name.replace('_', ' ')}: {_fmt_score(score)}" for name, score in q.scores.items()]
        if q.evaluation:
            lines += ["", q.evaluation.explanation]
            lines += [f"- ✔ {s}" for s in q.evaluation.strengths]
            lines += [f"- ✘ {s}" for s in q.evaluation.improvements]
            if q.evaluation.engine_note:
                lines.append(f"- note: {q.evaluation.engine_note}")
        excerpt = q.answer_text if len(q.answer_text) < 400 else q.answer_text[:400] + "…"
        lines += ["", f"> {excerpt}", ""]
    return "\n".join(lines).rstrip() + "\n"
