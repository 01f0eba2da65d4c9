"""Evaluation cases (``eval-cases``): one case per corrected score, feedback or report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from interview_coach.agents import prompts
from interview_coach.domain import QuestionReport
from interview_coach.learning.export.common import BuildResult, Candidate, SavedSession, scrubber_for
from interview_coach.learning.pii import PiiScrubber, scrub_value
from interview_coach.memory.feedback import FeedbackPublic

_HIGHER = re.compile(
    r"\b(too (?:low|harsh|strict)|should be higher|(?:deserve[sd]?|worth) (?:more|higher)|underrated|higher)\b", re.I
)
_LOWER = re.compile(
    r"\b(too (?:high|generous|lenient)|should be lower|(?:deserve[sd]?|worth) (?:less|lower)|overrated|lower)\b", re.I
)


def expected_direction(correction: str) -> Literal["higher", "lower"] | None:
    """Read which way the user says a score should move ("too low" → higher)."""
    higher, lower = bool(_HIGHER.search(correction)), bool(_LOWER.search(correction))
    if higher == lower:
        return None
    return "higher" if higher else "lower"


def _score_ref(item: FeedbackPublic) -> tuple[str | None, str | None]:
    question_id = item.evidence.get("question_id")
    if item.target == "score":
        if ":" in item.target_ref:
            qid, name = item.target_ref.rsplit(":", 1)
            return qid, name
        return (str(question_id) if question_id else None), item.target_ref
    if item.target == "question_feedback":
        return item.target_ref, None
    return (str(question_id) if question_id else None), None


def eval_case(
    session: SavedSession, item: FeedbackPublic, scrubber: PiiScrubber, result: BuildResult
) -> dict[str, Any] | None:
    """Turn one corrected feedback item into an evaluation case (``None`` without a correction)."""
    correction = (item.correction or "").strip()
    if not correction:
        return None
    question_id, score_name = _score_ref(item)
    results = [QuestionReport.model_validate(r) for r in session.values.get("results") or []]
    match = next((r for r in results if r.question.id == question_id), None)
    case: dict[str, Any] = {
        "id": f"feedback-{item.id[:12]}",
        "source": "user_feedback",
        "session": session.group,
        "target": item.target,
        "score_name": score_name,
        "rating": item.rating,
        "correction": correction,
        "expected_direction": expected_direction(correction),
        "question": match.question.model_dump(mode="json") if match else None,
        "answer_text": match.answer_text if match else None,
        "input_mode": match.input_mode if match else None,
        "scores": {k: v.value for k, v in match.scores.items()} if match else {},
        "prompt_version": prompts.PROMPT_VERSION,
    }
    if item.target in {"score", "question_feedback"} and match is None:
        result.skipped["case_question_not_found"] += 1
    clean = scrub_value(case, scrubber, result.pii)
    assert isinstance(clean, dict)
    return clean


def build_eval_cases(sessions: Sequence[SavedSession], feedback: Sequence[FeedbackPublic]) -> BuildResult:
    """Turn corrected feedback on scores, feedback and reports into evaluation cases."""
    result = BuildResult()
    by_id = {s.info.session_id: s for s in sessions}
    scrubber = scrubber_for(sessions)
    for item in feedback:
        session = by_id.get(item.session_id)
        if session is None:
            result.skipped["feedback_without_session"] += 1
            continue
        case = eval_case(session, item, scrubber, result)
        if case is None:
            result.skipped["no_correction"] += 1
            continue
        result.candidates.append(Candidate(group=session.group, agent="evaluator", record=case))
    return result
