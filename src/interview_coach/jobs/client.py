"""Send perception jobs to the workers and wait for their result (one per answer, however often sent)."""

from __future__ import annotations

import logging
import time
import uuid

import redis

from interview_coach.core.ports import PerceptionRunner
from interview_coach.core.settings import Settings
from interview_coach.domain.perception import (
    PerceptionFailedError,
    PerceptionRequest,
    PerceptionStage,
    PerceptionUnavailableError,
)
from interview_coach.domain.reports import AnswerAssessment
from interview_coach.jobs.broker import job_message, make_broker
from interview_coach.jobs.stages import StageCallback
from interview_coach.jobs.store import JobStore

logger = logging.getLogger(__name__)

_POLL_S = 0.5
_STAGES: frozenset[str] = frozenset({"queued", "voice", "face", "content"})


class WorkerPerceptionRunner:
    """Run answers as jobs on ``interview-coach worker`` processes through Redis.

    Several serve processes may share the workers: a job is keyed by session, question and
    answer hash, so a repeated submit (a retried turn, a second process) waits for the same job
    and a finished one answers at once.
    """

    def __init__(self, settings: Settings, *, fallback: PerceptionRunner | None = None) -> None:
        """Connect lazily to ``perception_broker_url``; ``fallback`` runs answers when it is down."""
        self._settings = settings
        self._fallback = fallback
        self._client = redis.Redis.from_url(settings.perception_broker_url, socket_connect_timeout=3)
        self.store = JobStore(self._client)
        self._broker = make_broker(settings)

    def assess(self, request: PerceptionRequest, *, on_stage: StageCallback | None = None) -> AnswerAssessment:
        """Submit the answer (unless it is already submitted) and wait for its assessment.

        Raises:
            PerceptionFailedError: the job failed twice, or no result came within ``perception_timeout_s``.
            PerceptionUnavailableError: the broker is down and no fallback is configured.
        """
        try:
            key = request.job_key()
        except OSError as exc:
            raise PerceptionFailedError(f"the answer's recording cannot be read ({exc})") from exc
        try:
            return self._run(key, request, on_stage)
        except redis.ConnectionError as exc:
            where = self._settings.perception_broker_url.rsplit("@", 1)[-1]
            if self._fallback is not None:
                logger.warning("perception broker %s unreachable (%s); analysing in this process", where, exc)
                return self._fallback.assess(request, on_stage=on_stage)
            raise PerceptionUnavailableError(
                f"the analysis service is unavailable (job broker {where} cannot be reached)"
            ) from exc

    def _run(self, key: str, request: PerceptionRequest, on_stage: StageCallback | None) -> AnswerAssessment:
        created, job_id = self.store.submit(key, uuid.uuid4().hex, request.model_dump_json())
        if created:
            self.send(key, job_id)
            logger.info("perception job %s submitted as %s", key, job_id)
        else:
            logger.info("perception job %s already submitted (%s); waiting for it", key, job_id)
        return self.wait(key, job_id, on_stage)

    def send(self, key: str, job_id: str) -> None:
        """Put a message for the stored job on the queue (``assess`` does it for new jobs)."""
        self._broker.enqueue(job_message(key, job_id))

    def wait(self, key: str, job_id: str, on_stage: StageCallback | None = None) -> AnswerAssessment:
        """Wait for a stored job's assessment, reporting its stage changes.

        Raises:
            PerceptionFailedError: the job failed, was replaced, or did not finish within ``perception_timeout_s``.
        """
        deadline = time.monotonic() + self._settings.perception_timeout_s
        reported: str | None = None
        for _ in self.store.events(key, _POLL_S):
            record = self.store.read(key)
            if record is None or record.job_id != job_id:
                raise PerceptionFailedError("the analysis job was replaced or expired")
            if record.state == "done" and record.result:
                return AnswerAssessment.model_validate_json(record.result)
            if record.state == "failed":
                raise PerceptionFailedError(record.error or "the analysis failed")
            if on_stage is not None and record.stage != reported and record.stage in _STAGES:
                reported = record.stage
                on_stage(_stage(record.stage))
            if time.monotonic() >= deadline:
                reason = f"no analysis worker answered within {self._settings.perception_timeout_s:g} s"
                if self.store.fail(key, job_id, reason):
                    raise PerceptionFailedError(reason)
        raise AssertionError("unreachable: the event stream is endless")


def _stage(name: str) -> PerceptionStage:
    for stage in ("queued", "voice", "face", "content"):
        if stage == name:
            return stage
    return "queued"
