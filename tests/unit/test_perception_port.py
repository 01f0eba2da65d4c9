"""The perception port in the graph, with fake runners: failure turns, stage progress, wiring, job keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from test_graph_routing import MAIN, HashEmbedder

from interview_coach.core.deps import AppDeps
from interview_coach.core.settings import Settings
from interview_coach.deps import make_deps
from interview_coach.domain import AnswerAssessment, AnswerInput, InterviewPlanRequest
from interview_coach.domain.perception import (
    RESUBMIT_TEXT,
    PerceptionFailedError,
    PerceptionRequest,
    PerceptionStage,
    PerceptionUnavailableError,
)
from interview_coach.graphs.service import InterviewService
from interview_coach.jobs.inline import InlinePerceptionRunner
from interview_coach.jobs.stages import StageTracker

ANSWER = (
    "Idempotency means a request can be repeated safely: the server stores a key per request and returns "
    "the first result again, so a retried payment charges once."
)


class FlakyRunner:
    """Fails the first ``failures`` answers with ``error``, then analyses in process (reporting stages)."""

    def __init__(self, deps: AppDeps, failures: int, error: PerceptionFailedError) -> None:
        self.inline = InlinePerceptionRunner(deps)
        self.failures, self.error = failures, error
        self.requests: list[PerceptionRequest] = []

    def assess(
        self, request: PerceptionRequest, *, on_stage: Callable[[PerceptionStage], None] | None = None
    ) -> AnswerAssessment:
        self.requests.append(request)
        if len(self.requests) <= self.failures:
            raise self.error
        return self.inline.assess(request, on_stage=on_stage)


def _deps(tmp_path: Path, runner: list[FlakyRunner], failures: int, error: PerceptionFailedError) -> AppDeps:
    def factory(deps: AppDeps) -> FlakyRunner:
        runner.append(FlakyRunner(deps, failures, error))
        return runner[0]

    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    return AppDeps(settings=settings, embedder=HashEmbedder(), perception_factory=factory)


@pytest.mark.parametrize(
    "error",
    [
        PerceptionFailedError("the analysis stopped its worker 2 times"),
        PerceptionUnavailableError("the analysis service is unavailable (job broker 127.0.0.1:1 cannot be reached)"),
    ],
)
async def test_a_failed_job_keeps_the_question_open_and_a_resubmit_is_analysed(
    tmp_path: Path, error: PerceptionFailedError
) -> None:
    runners: list[FlakyRunner] = []
    deps = _deps(tmp_path, runners, failures=1, error=error)
    request = InterviewPlanRequest(question_ids=["tech-api-003", "tech-db-001"], question_count=2)
    async with InterviewService.open(deps) as service:
        turn = await service.start("u1", request)
        first = turn.ref
        turn = await service.send(turn.session_id, "u1", ANSWER)
        statuses = [m.text for m in turn.messages if m.kind == "status"]
        assert statuses == [f"{RESUBMIT_TEXT} ({error})"]
        assert not [m for m in turn.messages if m.kind == "feedback"]
        assert turn.waiting_for == "answer" and turn.ref == first
        progress: list[str] = []

        async def on_progress(node: str) -> None:
            progress.append(node)

        turn = await service.send(turn.session_id, "u1", ANSWER, on_progress=on_progress)
        assert [m for m in turn.messages if m.kind == "feedback"]
        assert [p for p in progress if p.startswith("perception:")] == ["perception:content"]
        assert progress.index("perception:content") < progress.index("analyze_answer")
    runner = runners[0]
    assert len(runner.requests) == 2 and runner.requests[0] == runner.requests[1]
    assert runner.requests[0].question_id == "tech-api-003" and runner.requests[0].answer.text == ANSWER


def test_stages_only_move_forward_and_content_follows_the_last_engine() -> None:
    seen: list[PerceptionStage] = []
    tracker = StageTracker(seen.append)
    tracker.started("voice")
    tracker.started("face")
    tracker.finished()
    tracker.started("voice")  # a late voice call does not move a video job back
    tracker.finished()
    assert seen == ["voice", "face"]
    tracker.finished()
    assert seen == ["voice", "face", "content"] and tracker.stage == "content"


def test_the_setting_picks_the_runner(tmp_path: Path) -> None:
    from interview_coach.jobs.client import WorkerPerceptionRunner

    inline = make_deps(Settings(data_dir=tmp_path, _env_file=None), HashEmbedder())  # type: ignore[call-arg]
    assert isinstance(inline.perception, InlinePerceptionRunner)
    settings = Settings(
        data_dir=tmp_path, perception="workers", perception_broker_url="redis://127.0.0.1:1/0", _env_file=None
    )  # type: ignore[call-arg]
    assert isinstance(make_deps(settings, HashEmbedder()).perception, WorkerPerceptionRunner)
    assert AppDeps(settings=settings, embedder=HashEmbedder()).perception is None


def test_the_job_key_names_session_question_and_answer_bytes(tmp_path: Path) -> None:
    recording = tmp_path / "answer.wav"
    recording.write_bytes(b"RIFF first take")
    request = PerceptionRequest(
        session_id="s1", question_id=MAIN.id, question=MAIN, answer=AnswerInput(audio_path=str(recording))
    )
    key = request.job_key()
    assert key.startswith(f"s1:{MAIN.id}:") and key == request.model_copy(deep=True).job_key()
    assert request.model_copy(update={"history": []}).job_key() == key
    assert request.model_copy(update={"question_id": "q-two"}).job_key() != key
    assert request.model_copy(update={"camera_off": True}).job_key() != key
    recording.write_bytes(b"RIFF second take")  # same path, new recording: a new job
    assert request.job_key() != key
    recording.unlink()
    with pytest.raises(OSError):
        request.job_key()
