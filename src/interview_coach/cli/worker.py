"""``interview-coach worker``: a perception worker process for ``INTERVIEW_COACH_PERCEPTION=workers``.

It loads the models once (Whisper, MiniLM, the grader; mediapipe on the first video), then runs
answers sent by any number of ``serve`` processes through the Redis broker at
``INTERVIEW_COACH_PERCEPTION_BROKER_URL``. Media paths in a job are read as they are, so workers
and serve processes must share the data folder (same machine, or NFS/another shared filesystem
mounted at the same path). Stop with Ctrl-C or SIGTERM: the running job finishes first.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from interview_coach.cli.common import CliError, clear_errors, err_console, open_deps
from interview_coach.core.settings import get_settings


def worker(
    threads: Annotated[int, typer.Option(min=1, max=16, help="Jobs this process runs at once.")] = 1,
    warm_up: Annotated[bool, typer.Option(help="Load the models before taking jobs.")] = True,
) -> None:
    """Run a perception worker: analyse answers sent by serve processes (needs the 'scale' extra)."""
    settings = get_settings()
    with clear_errors():
        try:
            import redis

            from interview_coach.jobs.worker import run_worker
        except ImportError as exc:
            raise CliError(
                f"the worker needs the 'scale' extra: pip install 'interview-coach[scale]' ({exc})"
            ) from None
        client = redis.Redis.from_url(settings.perception_broker_url, socket_connect_timeout=3)
        where = settings.perception_broker_url.rsplit("@", 1)[-1]
        try:
            client.ping()
        except redis.ConnectionError as exc:
            raise CliError(
                f"the perception broker {where} cannot be reached ({exc}); start Redis or set "
                "INTERVIEW_COACH_PERCEPTION_BROKER_URL"
            ) from None
        finally:
            client.close()
        logging.getLogger("interview_coach.jobs").setLevel(logging.INFO)
        deps = open_deps(settings, with_memory=False)
        if warm_up:
            # Imports that hold the GIL for seconds would stall the lease and broker heartbeats mid-job.
            deps.face_analyzer  # noqa: B018
            from interview_coach.deps import warm_up_steps

            for step in warm_up_steps(deps):
                note = step.run()
                if note:
                    err_console.print(f"{step.name}: {note}")
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        err_console.print(f"perception worker ready: broker {where}, {threads} thread(s)")
        run_worker(deps, threads=threads, until=stopping.is_set)
