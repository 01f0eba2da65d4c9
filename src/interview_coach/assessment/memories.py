"""What a finished session teaches long-term memory: summary, weaknesses, strengths, STAR stories."""

from __future__ import annotations

from typing import Literal

from interview_coach.domain import MemoryRecord, QuestionKind, QuestionReport, SessionReport
from interview_coach.memory.store import new_record


def _story_text(result: QuestionReport) -> str | None:
    text = result.analysis.text if result.analysis else None
    if text is None or text.star_missing or not text.star:
        return None
    situation, outcome = text.star.situation or "", text.star.result or ""
    return f"Story for '{result.question.text}': {situation[:160]} … Result: {outcome[:160]}"


def memories_for_report(report: SessionReport) -> list[MemoryRecord]:
    """Turn a report into memory records, each keyed so that re-running never duplicates one."""
    user, session = report.user_id, report.session_id
    records: list[MemoryRecord] = []
    weakness_ids: list[str] = []
    for i, result in enumerate(report.questions):
        if result.evaluation is None:
            continue
        for finding in result.evaluation.findings:
            kind: Literal["weakness", "strength"] = "weakness" if finding.polarity == "weakness" else "strength"
            if kind == "weakness":
                weakness_ids.append(finding.pattern_id)
            metrics = {finding.metric: finding.value} if finding.value is not None else {}
            records.append(
                new_record(
                    user,
                    kind,
                    f"{finding.message} (question: {result.question.text})",
                    session_id=session,
                    competencies=[result.question.competency],
                    metrics=metrics,
                    data={"pattern_id": finding.pattern_id, "question_id": result.question.id},
                    stable_key=f"{session}:{i}:{finding.pattern_id}",
                )
            )
        quality = result.evaluation.quality_1_5
        story = _story_text(result)
        if story and quality and quality >= 4 and result.question.kind == QuestionKind.BEHAVIORAL:
            records.append(
                new_record(
                    user,
                    "star_story",
                    story,
                    session_id=session,
                    competencies=[result.question.competency],
                    stable_key=f"{session}:{i}:story",
                )
            )
    quality_score = report.overall_scores.get("answer_quality")
    summary = (
        f"Mock interview for {report.profile.role} on {report.created_at:%Y-%m-%d}: answer quality "
        f"{quality_score.value if quality_score else None}; weaknesses: {'; '.join(report.weaknesses[:3]) or 'none'}; "
        f"strengths: {'; '.join(report.strengths[:3]) or 'none'}."
    )
    records.append(
        new_record(
            user,
            "session_summary",
            summary,
            session_id=session,
            metrics=report.metrics,
            data={
                "role": report.profile.role,
                "question_ids": [q.question.id for q in report.questions],
                "weakness_patterns": sorted(set(weakness_ids)),
            },
            stable_key=f"{session}:summary",
        )
    )
    return records
