"""One trivial ``echo`` job per candidate engine, selected by ``BENCH_ENGINE``.

Imported by the engine's own worker command (``dramatiq``, ``celery``, ``procrastinate``).
With ``BENCH_LOAD_MODELS=1`` the worker loads the perception models a real perception
worker keeps in memory (Whisper, mediapipe face and hand landmarkers, MiniLM, the grader)
so its resident memory can be read with them loaded.
"""

from __future__ import annotations

import os
from typing import Any

ENGINE = os.environ.get("BENCH_ENGINE", "")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_DSN = os.environ.get("BENCH_PG_DSN", "")


def _load_models() -> None:
    from interview_coach.core.settings import Settings
    from interview_coach.deps import build_deps, warm_up_steps

    deps = build_deps(Settings(), with_memory=False)
    for step in warm_up_steps(deps):
        step.run()
    analyzer: Any = deps.face_analyzer
    paths = analyzer._model_paths(True)
    with analyzer._landmarkers(paths):
        pass
    globals()["_DEPS"] = deps


if os.environ.get("BENCH_LOAD_MODELS") == "1":
    _load_models()

if ENGINE == "dramatiq":
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.results import Results
    from dramatiq.results.backends.redis import RedisBackend

    broker = RedisBroker(url=REDIS_URL)
    broker.add_middleware(Results(backend=RedisBackend(url=REDIS_URL)))
    dramatiq.set_broker(broker)

    @dramatiq.actor(store_results=True, queue_name="bench")
    def echo(value: int) -> int:
        """Return the value."""
        return value

elif ENGINE == "celery":
    from celery import Celery

    celery_app = Celery("bench", broker=REDIS_URL, backend=REDIS_URL)
    celery_app.conf.task_default_queue = "bench"

    @celery_app.task(name="echo")
    def celery_echo(value: int) -> int:
        """Return the value."""
        return value

elif ENGINE == "procrastinate":
    import procrastinate

    proc_app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=PG_DSN))

    @proc_app.task(name="echo", queue="bench")
    def proc_echo(value: int) -> int:
        """Return the value."""
        return value
