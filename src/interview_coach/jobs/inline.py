"""The default perception runner: the assessment pipeline in the serving process (no broker)."""

from __future__ import annotations

from interview_coach.assessment.pipeline import assess_answer
from interview_coach.core.deps import AppDeps
from interview_coach.domain.perception import PerceptionRequest
from interview_coach.domain.reports import AnswerAssessment
from interview_coach.jobs.stages import StageCallback, StageTracker, staged_deps


def run_request(deps: AppDeps, request: PerceptionRequest, on_stage: StageCallback | None = None) -> AnswerAssessment:
    """Run ``assess_answer`` on a request, reporting stages; the one code path of inline runs and workers."""
    tracker = StageTracker(on_stage)
    answer = request.answer
    if not (answer.audio_path or answer.video_path):
        tracker.advance("content")
    return assess_answer(
        staged_deps(deps, tracker),
        request.question,
        answer,
        camera_off=request.camera_off,
        opted_out=set(request.opted_out),
        history=request.history,
        session_id=request.session_id,
    )


class InlinePerceptionRunner:
    """Analyse answers in this process, on the caller's thread."""

    def __init__(self, deps: AppDeps) -> None:
        """Use the process's deps (models load on first use and stay loaded)."""
        self._deps = deps

    def assess(self, request: PerceptionRequest, *, on_stage: StageCallback | None = None) -> AnswerAssessment:
        """Measure and judge one answer here and now."""
        return run_request(self._deps, request, on_stage)
