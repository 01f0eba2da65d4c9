"""A perception worker: Dramatiq consumer threads that run answers through the loaded models.

Each message names a job key and id; the job's request lives in its Redis record
(:mod:`interview_coach.jobs.store`). A worker leases the job while it runs and renews the lease,
so a crashed worker's job is run again (Dramatiq re-delivers the unacknowledged message once the
worker is presumed dead) and a job is never run by two live workers at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Interrupt

from interview_coach.core.deps import AppDeps
from interview_coach.domain.perception import PerceptionRequest, PerceptionStage
from interview_coach.jobs.broker import ACTOR, QUEUE, job_message, job_options, make_broker
from interview_coach.jobs.inline import run_request
from interview_coach.jobs.store import MAX_ATTEMPTS, JobStore

logger = logging.getLogger(__name__)


class PerceptionWorker:
    """Runs perception jobs of one broker with the models of one process."""

    def __init__(self, deps: AppDeps, broker: RedisBroker | None = None) -> None:
        """Bind the job actor to the broker (built from the settings unless given)."""
        self.deps = deps
        settings = deps.settings
        self.broker = broker if broker is not None else make_broker(settings)
        self.store = JobStore(redis.Redis.from_url(settings.perception_broker_url))
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_ms = int(settings.perception_worker_lost_s * 1000)
        self.actor = dramatiq.Actor(
            self.run_job,
            broker=self.broker,
            actor_name=ACTOR,
            queue_name=QUEUE,
            priority=0,
            options=job_options(settings),
        )

    def run_job(self, key: str, job_id: str) -> None:
        """Run one attempt of a job; raise to have Dramatiq retry it (once).

        Raises:
            Exception: the first attempt failed (Dramatiq retries it); a last attempt's error is
                stored as the job's failure instead.
        """
        outcome, attempt = self.store.claim(key, job_id, self.name, self.lease_ms)
        if outcome == "busy":
            # Another worker holds the lease (it was presumed dead while busy). Look again once the lease
            # would have expired, so the job still runs if that worker has really died.
            logger.info("perception job %s is leased by another worker; checking again later", key)
            self.broker.enqueue(job_message(key, job_id), delay=self.lease_ms)
            return
        if outcome != "run":
            logger.info("perception job %s not run: %s", key, outcome)
            return
        logger.info("perception job %s: attempt %d on %s", key, attempt, self.name)
        stop = threading.Event()
        keeper = threading.Thread(target=self._keep_lease, args=(key, stop), daemon=True, name="perception-lease")
        keeper.start()
        try:
            record = self.store.read(key)
            if record is None:
                raise RuntimeError("the job's record expired before it ran")
            request = PerceptionRequest.model_validate_json(record.request)

            def on_stage(stage: PerceptionStage) -> None:
                self.store.set_stage(key, job_id, stage)

            assessment = run_request(self.deps, request, on_stage)
            self.store.finish(key, job_id, assessment.model_dump_json())
            logger.info("perception job %s done on attempt %d", key, attempt)
        except (Exception, Interrupt) as exc:
            reason = f"{type(exc).__name__}: {exc}"[:500]
            if attempt >= MAX_ATTEMPTS:
                logger.error("perception job %s failed for good on attempt %d: %s", key, attempt, reason)
                self.store.fail(key, job_id, reason)
                return
            logger.warning("perception job %s failed on attempt %d, retrying: %s", key, attempt, reason)
            self.store.release(key, job_id, reason)
            raise
        finally:
            stop.set()

    def _keep_lease(self, key: str, stop: threading.Event) -> None:
        while not stop.wait(self.lease_ms / 4000):
            try:
                if not self.store.renew(key, self.name, self.lease_ms):
                    logger.warning("perception job %s: lease lost", key)
                    return
            except redis.RedisError as exc:
                logger.warning("perception job %s: lease not renewed: %s", key, exc)


def run_worker(deps: AppDeps, *, threads: int = 1, until: Callable[[], bool]) -> None:
    """Consume perception jobs until ``until()`` is true (checked every 0.5 s), then stop cleanly.

    Raises:
        redis.ConnectionError: the broker cannot be reached at start.
    """
    perception = PerceptionWorker(deps)
    perception.store.client.ping()
    worker = dramatiq.Worker(perception.broker, queues={QUEUE, f"{QUEUE}.DQ"}, worker_threads=threads)
    # One message per thread: a busy worker must not sit on a job another worker could start.
    worker.queue_prefetch = threads
    worker.start()
    logger.info("perception worker %s consuming %s with %d thread(s)", perception.name, QUEUE, threads)
    try:
        stop = threading.Event()
        while not until():
            stop.wait(0.5)
    finally:
        worker.stop()
        perception.broker.close()
