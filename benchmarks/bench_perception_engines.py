"""Which established engine runs perception jobs best on this machine (issue 16)?

For each candidate — Dramatiq + Redis, Celery + Redis, procrastinate on PostgreSQL — this starts
a real broker (Debian ``redis-server`` / a throwaway PostgreSQL cluster) and one worker process
with one worker thread through the engine's own command, then measures:

* enqueue → result round trip of a trivial ``echo`` job (sequential, after a warm-up), p50/p95/max;
* the worker's memory idle and with the perception models loaded (Whisper tiny.en, mediapipe
  face + hand landmarkers, MiniLM, the grader): RSS and PSS summed over the worker's process
  tree (PSS splits pages shared after a fork, so a forking pool is not counted twice).

Usage: ``python benchmarks/bench_perception_engines.py [--jobs 200] [--engines dramatiq celery procrastinate]``.
Results: ``benchmarks/results/perception_engines.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from conftest import as_cluster_owner, free_port, give_to_cluster_owner, postgres_bin_dir, run_as_cluster_owner  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "perception_engines.json"
BIN = Path(sys.executable).parent


def tree_memory_mb(pid: int) -> dict[str, float]:
    """Sum RSS and PSS (MB) over a process and its descendants."""
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        children = Path(f"/proc/{parent}/task/{parent}/children")
        kids = [int(c) for c in children.read_text().split()] if children.exists() else []
        pids += kids
        frontier += kids
    rss = pss = 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += float(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss += float(line.split()[1]) / 1024
        except FileNotFoundError:
            continue
    return {"rss_mb": round(rss, 1), "pss_mb": round(pss, 1), "processes": len(pids)}


@contextmanager
def redis_server() -> Iterator[str]:
    """Run a throwaway redis-server on a free port."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise SystemExit("redis-server not found: apt-get install redis-server")
    port, folder = free_port(), tempfile.mkdtemp(prefix="ic-redis-")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis.from_url(f"redis://127.0.0.1:{port}/0")
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres() -> Iterator[str]:
    """Run a throwaway PostgreSQL cluster (as tests/integration/conftest.py does)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL binaries not found")
    root = Path(tempfile.mkdtemp(prefix="ic-pg-"))
    data, sockets, log = root / "data", root / "sock", root / "server.log"
    sockets.mkdir()
    give_to_cluster_owner(root, sockets)
    port = free_port()
    run_as_cluster_owner(bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync")
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1"
    run_as_cluster_owner(bin_dir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start")
    try:
        run_as_cluster_owner(bin_dir / "createdb", "-h", sockets, "-p", port, "-U", "postgres", "bench")
        yield f"postgresql://postgres@127.0.0.1:{port}/bench"
    finally:
        subprocess.run(as_cluster_owner(bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"), check=False)
        shutil.rmtree(root, ignore_errors=True)


def worker_command(engine: str) -> list[str]:
    """The engine's own worker command: one process, one worker thread, queue ``bench``."""
    if engine == "dramatiq":
        return [str(BIN / "dramatiq"), "engines.bench_apps", "--processes", "1", "--threads", "1", "--queues", "bench"]
    if engine == "celery":
        return [
            str(BIN / "celery"), "-A", "engines.bench_apps:celery_app", "worker", "-c", "1", "-P", "prefork",
            "-Q", "bench", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING",
        ]  # fmt: skip
    return [str(BIN / "procrastinate"), "--app=engines.bench_apps.proc_app", "worker", "-q", "bench", "-c", "1"]


def client(engine: str) -> tuple[Callable[[int], int], Callable[[], None]]:
    """Return ``submit_and_wait(value) -> value`` for the engine and a closer."""
    import importlib

    apps = importlib.reload(importlib.import_module("engines.bench_apps"))
    if engine == "dramatiq":
        from dramatiq.results import ResultTimeout

        def send(value: int) -> int:
            message = apps.echo.send(value)
            for _ in range(300):  # the first job waits for the worker to load the models
                try:
                    return int(message.get_result(block=True, timeout=2_000))
                except ResultTimeout:
                    continue
            raise TimeoutError("no result in 600 s")

        return send, (lambda: None)
    if engine == "celery":
        return (lambda v: apps.celery_echo.apply_async((v,)).get(timeout=300)), (lambda: None)
    import psycopg

    apps.proc_app.open()
    conn = psycopg.connect(apps.PG_DSN, autocommit=True)

    def run(value: int) -> int:
        job_id = apps.proc_echo.defer(value=value)
        while True:
            row = conn.execute("select status from procrastinate_jobs where id = %s", (job_id,)).fetchone()
            if row and row[0] in ("succeeded", "failed"):
                return value
            time.sleep(0.001)

    def close() -> None:
        conn.close()
        apps.proc_app.close()

    return run, close


def measure(engine: str, url: str, jobs: int) -> dict[str, Any]:
    """Round trips and worker memory for one engine."""
    env = {**os.environ, "BENCH_ENGINE": engine, "PYTHONPATH": str(ROOT / "benchmarks"), "HF_HUB_OFFLINE": "1"}
    env["BENCH_REDIS_URL" if engine != "procrastinate" else "BENCH_PG_DSN"] = url
    os.environ.update({k: env[k] for k in ("BENCH_ENGINE", "BENCH_REDIS_URL", "BENCH_PG_DSN") if k in env})
    if engine == "procrastinate":
        import procrastinate

        app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))
        with app.open():
            app.schema_manager.apply_schema()
    out: dict[str, Any] = {}
    for loaded in (False, True):
        env["BENCH_LOAD_MODELS"] = "1" if loaded else "0"
        proc = subprocess.Popen(worker_command(engine), env=env, cwd=ROOT / "benchmarks", start_new_session=True)
        try:
            submit, close = client(engine)
            started = time.perf_counter()
            submit(0)  # waits for the worker to boot (and load the models)
            boot_s = time.perf_counter() - started
            for i in range(10):
                submit(i)
            times = []
            for i in range(jobs if not loaded else max(jobs // 4, 20)):
                t0 = time.perf_counter()
                assert submit(i) == i or engine == "procrastinate"
                times.append((time.perf_counter() - t0) * 1000)
            time.sleep(1.0)
            key = "models_loaded" if loaded else "idle"
            out[key] = {
                "first_job_incl_boot_s": round(boot_s, 2),
                "round_trip_ms": {
                    "p50": round(statistics.median(times), 2),
                    "p95": round(sorted(times)[int(0.95 * len(times)) - 1], 2),
                    "max": round(max(times), 2),
                    "n": len(times),
                },
                "worker_memory": tree_memory_mb(proc.pid),
            }
            close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        print(engine, key, json.dumps(out[key]), flush=True)
    return out


def main() -> None:
    """Run the comparison and write the results JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--engines", nargs="+", default=["dramatiq", "celery", "procrastinate"])
    args = parser.parse_args()
    from importlib.metadata import version

    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "note": "one worker process, one worker thread; trivial echo job; a LoRA training job shared the 2 cores",
        "engines": {},
    }
    for engine in args.engines:
        context = postgres() if engine == "procrastinate" else redis_server()
        with context as url:
            results["engines"][engine] = {"version": version(engine), **measure(engine, url, args.jobs)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["engines"] = {**previous.get("engines", {}), **results["engines"]}
    previous.update(results)
    RESULTS.write_text(json.dumps(previous, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
