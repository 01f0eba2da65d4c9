"""The Dramatiq broker on Redis shared by serve processes (senders) and workers (consumers)."""

from __future__ import annotations

from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker

from interview_coach.core.settings import Settings

QUEUE = "interview_coach_perception"
ACTOR = "interview_coach_perception_job"
# Out of a million broker commands: how often a worker checks for dead workers' messages. Workers
# poll about every second when idle, so a crashed worker's job is picked up within seconds of
# ``perception_worker_lost_s`` instead of Dramatiq's default (about one check in 1,000 polls).
MAINTENANCE_CHANCE = 200_000


def make_broker(settings: Settings) -> RedisBroker:
    """Build the broker for ``perception_broker_url`` (connects lazily)."""
    return RedisBroker(  # type: ignore[no-untyped-call]
        url=settings.perception_broker_url,
        heartbeat_timeout=int(settings.perception_worker_lost_s * 1000),
        maintenance_chance=MAINTENANCE_CHANCE,
    )


def job_options(settings: Settings) -> dict[str, int]:
    """Dramatiq options of a perception job: one retry after an exception, a hard time limit."""
    return {
        "max_retries": 1,
        "min_backoff": 200,
        "max_backoff": 1000,
        "time_limit": int(settings.perception_job_time_limit_s * 1000),
    }


def job_message(key: str, job_id: str) -> Message[None]:
    """Return the message that asks a worker to run (or look at) the stored job ``key``."""
    return Message(queue_name=QUEUE, actor_name=ACTOR, args=(key, job_id), kwargs={}, options={})
