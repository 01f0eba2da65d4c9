"""Build the session report from per-question results (rendering lives in :mod:`.rendering`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from statistics import mean

from interview_coach.assessment.findings import STRENGTH_TITLES
from interview_coach.assessment.knowledge import find_pattern
from interview_coach.assessment.labels import OVERALL_SCORES, counted
from interview_coach.domain import CandidateProfile, Finding, QuestionRef, QuestionReport, Score, SessionReport, Signal


def question_label(question: QuestionReport, position: int) -> str:
    """Label a result by its question identity (``Q2``, ``Q2 · follow-up``); position is the fallback."""
    return question.ref.label if question.ref is not None else f"Q{position}"


def _overall(name: str, questions: list[QuestionReport]) -> Score:
    values = [
        (question_label(q, i), q.scores[name].value)
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
    signals = [Signal(name=label, value=float(v or 0)) for label, v in values]
    return Score(value=round(mean(v or 0 for _, v in values)), signals=signals)


def question_findings(question: QuestionReport) -> list[Finding]:
    """List the findings for one answered question (none for skipped ones)."""
    return question.evaluation.findings if question.evaluation is not None else []


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
            value = getattr(data, key, None) if data is not None else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.append(float(value))
        if values:
            metrics[key] = float(mean(values))
    metrics["questions_answered"] = float(sum(1 for q in questions if q.input_mode != "skipped"))
    return metrics


def time_management_summary(questions: list[QuestionReport]) -> str:
    """Describe how answer lengths compared with each question's time budget."""
    timed = [q for q in questions if q.duration_s is not None and q.input_mode != "skipped"]
    if not timed:
        return "Not measured: answers were typed, so speaking time is unknown."
    over = [
        question_label(q, i)
        for i, q in enumerate(questions, 1)
        if q.duration_s is not None and q.duration_s > q.time_budget_s * 1.15
    ]
    under = [
        question_label(q, i)
        for i, q in enumerate(questions, 1)
        if q.duration_s is not None and q.duration_s < q.time_budget_s * 0.25
    ]
    total = sum(q.duration_s or 0 for q in timed)
    budget = sum(q.time_budget_s for q in timed)
    text = f"{total:.0f} s spoken against a budget of {budget} s over {counted(len(timed), 'spoken answer')}."
    if over:
        text += " Over time on " + ", ".join(over) + "."
    if under:
        text += " Very brief on " + ", ".join(under) + "."
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
            places = where.setdefault(finding.pattern_id, [])
            main = f"Q{question.ref.number}" if question.ref is not None else f"Q{number}"
            if main not in places:
                places.append(main)
    skipped = sum(1 for q in questions if q.input_mode == "skipped")

    def label(pattern_id: str, count: int) -> str:
        example = examples[pattern_id]
        places = ", ".join(where[pattern_id])
        if count == 1:
            return f"{example.message} ({places})"
        # One answer's wording ("Not covered: X") would misdescribe the others: name the pattern.
        pattern = find_pattern(pattern_id, example.metric) if example.polarity == "weakness" else None
        title = pattern.title if pattern else STRENGTH_TITLES.get(pattern_id, example.message)
        return f"{title} ({count} of {counted(len(questions) - skipped, 'answer')}: {places})"

    weaknesses = [label(pid, n) for pid, n in weakness_counts.most_common(5)]
    if skipped:
        weaknesses.append(f"Skipped {counted(skipped, 'question')}.")
    strengths = [label(pid, n) for pid, n in strength_counts.most_common(5)]
    suggestions: list[str] = []
    for pattern_id, _ in weakness_counts.most_common(4):
        pattern = find_pattern(pattern_id, examples[pattern_id].metric)
        if pattern and pattern.drill:
            goal = pattern.drill.success_metric.strip().rstrip(".")
            done = f" You're there when: {goal}." if goal else ""
            suggestions.append(f"{pattern.title}: {pattern.drill.name} ({pattern.drill.duration_min} min).{done}")
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
        grader_versions=sorted(
            {
                q.analysis.text.grader_version
                for q in questions
                if q.analysis is not None and q.analysis.text is not None and q.analysis.text.grader_version
            }
        ),
    )


def number_results(results: list[QuestionReport]) -> list[QuestionReport]:
    """Give results saved before question identities existed their main-question number."""
    if all(r.ref is not None for r in results):
        return results
    total = sum(1 for r in results if r.question.follow_up_of is None) or 1
    numbered: list[QuestionReport] = []
    number, follow_up = 0, 0
    for result in results:
        if result.question.follow_up_of is None:
            number, follow_up = number + 1, 0
        else:
            follow_up += 1
        ref = result.ref or QuestionRef(
            number=max(number, 1), total=total, follow_up=follow_up, question_id=result.question.id
        )
        numbered.append(result if result.ref else result.model_copy(update={"ref": ref}))
    return numbered
