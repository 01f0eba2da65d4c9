"""Reviewer corrections as labelled grading examples (continuous learning for the grader)."""

from __future__ import annotations

from interview_coach.core.settings import Settings
from interview_coach.graphs.state import results_of
from interview_coach.learning.export.common import load_feedback, load_sessions
from interview_coach.learning.saf_data import LabelledExample


async def correction_examples(settings: Settings, *, accepted_only: bool = False) -> list[LabelledExample]:
    """Turn every feedback item with a corrected score into a labelled example.

    The question, the answer and the key points come from the saved session the feedback
    refers to (``target_ref`` is the question id); the label is the corrected score / 100.

    Args:
        settings: where the feedback store and the checkpoints live.
        accepted_only: use only corrections a reviewer accepted.

    Returns:
        One example per correction whose session and question could be found.
    """
    corrections = [f for f in load_feedback(settings, accepted_only=accepted_only) if f.corrected_score is not None]
    if not corrections:
        return []
    sessions = {s.info.session_id: s for s in await load_sessions(settings)}
    examples: list[LabelledExample] = []
    for item in corrections:
        saved = sessions.get(item.session_id)
        if saved is None or item.corrected_score is None:
            continue
        for result in results_of(saved.values):
            if result.question.id != item.target_ref or not result.answer_text.strip():
                continue
            reference = "\n".join(result.question.key_points)
            if not reference:
                continue
            examples.append(
                LabelledExample(
                    question=result.question.text,
                    answer=result.answer_text,
                    reference=reference,
                    score=item.corrected_score / 100,
                    question_id=f"feedback:{result.question.id}",
                    verdict=None,
                )
            )
    return examples
