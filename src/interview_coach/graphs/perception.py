"""Run an answer's perception through the deps' runner and stream its stage to the surfaces.

Surfaces that pass ``on_progress`` to the service see ``perception:<stage>`` (``queued``,
``voice``, ``face``, ``content``) while the answer is analysed, before ``analyze_answer`` itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from langgraph.config import get_stream_writer

from interview_coach.assessment.pipeline import assess_answer
from interview_coach.core.deps import AppDeps
from interview_coach.domain import AnswerAssessment, AnswerInput, MemoryRecord, Question
from interview_coach.domain.perception import PerceptionRequest, PerceptionStage

STAGE_EVENT = "perception_stage"
"""Key of the custom stream chunk carrying the stage."""


async def perceive(
    deps: AppDeps,
    question: Question,
    question_id: str,
    answer: AnswerInput,
    *,
    camera_off: bool,
    opted_out: Sequence[str],
    history: Sequence[MemoryRecord],
    session_id: str,
) -> AnswerAssessment:
    """Measure and judge an answer with the configured runner (the pipeline itself without one).

    Raises:
        interview_coach.domain.perception.PerceptionFailedError: the runner gave up on the answer.
    """
    runner = deps.perception
    if runner is None:
        return await asyncio.to_thread(
            assess_answer,
            deps,
            question,
            answer,
            camera_off=camera_off,
            opted_out=set(opted_out),
            history=list(history),
            session_id=session_id,
        )
    request = PerceptionRequest(
        session_id=session_id,
        question_id=question_id,
        question=question,
        answer=answer,
        camera_off=camera_off,
        opted_out=list(opted_out),
        history=list(history),
    )
    loop = asyncio.get_running_loop()
    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a graph run
        writer = None

    def on_stage(stage: PerceptionStage) -> None:
        if writer is not None:
            loop.call_soon_threadsafe(writer, {STAGE_EVENT: stage})

    return await asyncio.to_thread(runner.assess, request, on_stage=on_stage)
