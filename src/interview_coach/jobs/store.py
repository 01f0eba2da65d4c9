"""Perception job records in Redis: idempotency, attempts, a lease per running job, results.

One hash per job key (session, question, answer hash) holds the job's state; the Dramatiq
message carries only the key and the job's id. Every change is one Lua script, so two serve
processes submitting the same answer, and two workers handed the same message (a worker
wrongly presumed dead), agree on one execution.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, cast

import redis

PREFIX = "interview_coach:perception"
MAX_ATTEMPTS = 2
"""One run and one retry: a job that crashes or raises twice fails for good (no poison loops)."""
RECORD_TTL_S = 24 * 3600
"""Finished jobs answer repeated submits for a day."""

JobState = Literal["queued", "running", "done", "failed"]
ClaimOutcome = Literal["run", "stale", "finished", "busy", "exhausted"]

_SUBMIT = """
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'queued' or state == 'running' or state == 'done' then
  return {0, redis.call('HGET', KEYS[1], 'job_id')}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', 'queued', 'stage', 'queued', 'job_id', ARGV[1], 'request', ARGV[2],
  'attempts', 0)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, ARGV[1]}
"""

# KEYS: record, lease. ARGV: job_id, worker, lease_ms, max_attempts, channel.
_CLAIM = """
if redis.call('HGET', KEYS[1], 'job_id') ~= ARGV[1] then return {'stale', 0} end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'done' or state == 'failed' then return {'finished', 0} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'busy', 0} end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if attempts > tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'state', 'failed', 'error',
    'the analysis stopped its worker ' .. (attempts - 1) .. ' times')
  redis.call('PUBLISH', ARGV[5], 'failed')
  return {'exhausted', attempts}
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('HSET', KEYS[1], 'state', 'running', 'worker', ARGV[2])
redis.call('PUBLISH', ARGV[5], 'running')
return {'run', attempts}
"""

# KEYS: record, lease. ARGV: job_id, new state, field, value, channel, only-if-state (or '').
_SET_STATE = """
if redis.call('HGET', KEYS[1], 'job_id') ~= ARGV[1] then return 0 end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'done' or state == 'failed' then return 0 end
if ARGV[6] ~= '' and state ~= ARGV[6] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], ARGV[3], ARGV[4])
if ARGV[2] ~= 'running' then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[5], ARGV[2])
return 1
"""

# A lease that lapsed while its worker was stalled (not dead) is taken back if no one else took it.
_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class JobRecord:
    """A job's stored state as one reader saw it."""

    job_id: str
    state: JobState
    stage: str
    attempts: int
    request: str
    result: str | None
    error: str | None
    worker: str | None


class JobStore:
    """The job records of one Redis database (shared by serve processes and workers)."""

    def __init__(self, client: redis.Redis) -> None:
        """Use a Redis client (``decode_responses`` is not required)."""
        self.client = client
        self._submit = client.register_script(_SUBMIT)
        self._claim = client.register_script(_CLAIM)
        self._set_state = client.register_script(_SET_STATE)
        self._renew = client.register_script(_RENEW)

    @staticmethod
    def record_key(key: str) -> str:
        """Return the hash holding job ``key``."""
        return f"{PREFIX}:job:{key}"

    @staticmethod
    def lease_key(key: str) -> str:
        """Return the lease a running worker holds (and renews) for job ``key``."""
        return f"{PREFIX}:lease:{key}"

    @staticmethod
    def channel(key: str) -> str:
        """Return the pub/sub channel announcing job ``key``'s changes."""
        return f"{PREFIX}:events:{key}"

    def submit(self, key: str, job_id: str, request_json: str) -> tuple[bool, str]:
        """Create the job unless one is queued, running or done for ``key``.

        Returns:
            Whether a new job was created (and must be enqueued), and the job id to wait for.
        """
        created, current = cast(
            list[object], self._submit(keys=[self.record_key(key)], args=[job_id, request_json, RECORD_TTL_S])
        )
        return bool(created), _text(current)

    def claim(self, key: str, job_id: str, worker: str, lease_ms: int) -> tuple[ClaimOutcome, int]:
        """Start an attempt on the job: ``run`` (lease taken) or why not.

        ``stale``: the job was replaced by a re-submit; ``finished``: done or failed already;
        ``busy``: another live worker holds the lease; ``exhausted``: out of attempts (marked failed).
        """
        keys = [self.record_key(key), self.lease_key(key)]
        outcome, attempts = cast(
            list[object], self._claim(keys=keys, args=[job_id, worker, lease_ms, MAX_ATTEMPTS, self.channel(key)])
        )
        return cast(ClaimOutcome, _text(outcome)), int(cast(int, attempts))

    def renew(self, key: str, worker: str, lease_ms: int) -> bool:
        """Extend the worker's lease (or take it back if it lapsed); ``False`` once another worker holds it."""
        return bool(self._renew(keys=[self.lease_key(key)], args=[worker, lease_ms]))

    def set_stage(self, key: str, job_id: str, stage: str) -> None:
        """Record the running job's stage and announce it."""
        self._change(key, job_id, "running", "stage", stage, only_if="running")

    def finish(self, key: str, job_id: str, result_json: str) -> bool:
        """Store the result; ``False`` if the job was finished or replaced meanwhile."""
        return self._change(key, job_id, "done", "result", result_json)

    def fail(self, key: str, job_id: str, error: str, *, only_if: JobState | None = None) -> bool:
        """Mark the job failed for good with a reason."""
        return self._change(key, job_id, "failed", "error", error, only_if=only_if)

    def release(self, key: str, job_id: str, error: str) -> bool:
        """Give a failed attempt back to the queue (its retry comes as a new message)."""
        return self._change(key, job_id, "queued", "error", error, only_if="running")

    def _change(self, key: str, job_id: str, state: str, field: str, value: str, only_if: str | None = None) -> bool:
        keys = [self.record_key(key), self.lease_key(key)]
        return bool(self._set_state(keys=keys, args=[job_id, state, field, value, self.channel(key), only_if or ""]))

    def read(self, key: str) -> JobRecord | None:
        """Return the job's record, or ``None`` if there is none."""
        raw = cast(dict[bytes, bytes], self.client.hgetall(self.record_key(key)))
        if not raw:
            return None
        data = {k.decode(): v.decode() for k, v in raw.items()}
        return JobRecord(
            job_id=data.get("job_id", ""),
            state=cast(JobState, data.get("state", "queued")),
            stage=data.get("stage", "queued"),
            attempts=int(data.get("attempts", "0")),
            request=data.get("request", ""),
            result=data.get("result"),
            error=data.get("error"),
            worker=data.get("worker"),
        )

    def events(self, key: str, poll_s: float) -> Iterator[None]:
        """Yield after every announced change of the job, and at least every ``poll_s`` seconds."""
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
        pubsub.subscribe(self.channel(key))
        try:
            while True:
                yield None
                pubsub.get_message(timeout=poll_s)
        finally:
            pubsub.close()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
