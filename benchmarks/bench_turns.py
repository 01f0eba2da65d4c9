"""Benchmark typed turns through the interview service: latency, CPU and checkpoint loads per turn.

Runs N concurrent typed interviews in one process with the real pieces: the bundled MiniLM, the
SQLite checkpointer and embedded Qdrant. It reports per-turn latency (p50/p95), CPU seconds per
turn, and how many times the checkpoint was loaded per turn.

It only uses ``InterviewService.start/send``, so it also runs against an older checkout for a
side-by-side comparison: ``PYTHONPATH=<old>/src python benchmarks/bench_turns.py``.

Usage: ``python benchmarks/bench_turns.py [--sessions 20] [--answers 3]``; writes
``benchmarks/results/turns.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "turns.json"
ANSWERS = [
    "An index is a sorted B-tree over the column, so lookups take log n page reads instead of a full scan; "
    "it costs write amplification and storage, so I index the columns our slow queries filter on.",
    "Idempotency means running the request twice has the same effect as once; the client sends an "
    "idempotency key and the server stores the result under a unique constraint so retries return it.",
    "I don't know.",
    "Honestly I would ask a colleague and read the documentation before deciding.",
]


def _service_class() -> Any:
    for name in ("interview_coach.graphs.service", "interview_coach.graphs.runner"):
        try:
            return importlib.import_module(name).InterviewService
        except ImportError:
            continue
    raise SystemExit("no InterviewService found")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _interview(service: Any, user: str, request: Any, answers: int, latencies: list[float]) -> None:
    turn = await service.start(user, request)
    for i in range(answers):
        if turn.waiting_for != "answer":
            break
        started = time.perf_counter()
        turn = await service.send(turn.session_id, user, ANSWERS[i % len(ANSWERS)])
        latencies.append(time.perf_counter() - started)


async def run(sessions: int, answers: int) -> dict[str, Any]:
    from interview_coach.deps import build_deps
    from interview_coach.domain import InterviewPlanRequest

    try:
        from interview_coach.core.settings import Settings
    except ImportError:
        from interview_coach.settings import Settings  # type: ignore[no-redef]

    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        settings = Settings(data_dir=Path(tmp), _env_file=None)  # type: ignore[call-arg]
        deps = build_deps(settings)
        request = InterviewPlanRequest(
            question_ids=["tech-db-001", "tech-api-003", "beh-ownership-001"], question_count=3
        )
        async with _service_class().open(deps) as service:
            # One warm-up interview loads every model (embedder, grader) before anything is timed.
            await _interview(service, "warm-up", request, len(ANSWERS), [])
            loads = 0
            original = service.graph.aget_state

            async def counting(*args: Any, **kwargs: Any) -> Any:
                nonlocal loads
                loads += 1
                return await original(*args, **kwargs)

            service.graph.aget_state = counting
            latencies: list[float] = []
            cpu, wall = _cpu(), time.perf_counter()
            await asyncio.gather(
                *(_interview(service, f"user{i}", request, answers, latencies) for i in range(sessions))
            )
            cpu, wall = _cpu() - cpu, time.perf_counter() - wall
        deps.close()
    turns = len(latencies)
    ordered = sorted(latencies)
    return {
        "sessions": sessions,
        "turns": turns,
        "p50_s": round(statistics.median(ordered), 3),
        "p95_s": round(ordered[max(0, int(0.95 * turns) - 1)], 3),
        "cpu_s_per_turn": round(cpu / max(turns, 1), 3),
        "cores_used": round(cpu / wall, 2),
        "checkpoint_loads_per_turn": round(loads / max(turns, 1), 2),
        "wall_s": round(wall, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = asyncio.run(run(args.sessions, args.answers))
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
