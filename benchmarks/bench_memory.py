"""Memory of one ``serve`` process across many video answers: does RSS level off?

Starts a live server in a fresh data folder, opens one 20-question interview over the REST API
and answers every question (and any follow-up) with the same generated video answer: the
astronaut sample video (:mod:`interview_coach.demo.sample_video`) muxed with an espeak-ng
recording. After each answer it records the server's resident memory (``VmRSS``) and the
answer's latency.

Usage: ``python benchmarks/bench_memory.py --label after [--answers 20] [--seconds 20]``.
Results are merged into ``benchmarks/results/memory.json`` under ``runs.<label>``, so a run
before a fix and one after it sit side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from interview_coach.core.settings import Settings  # noqa: E402
from interview_coach.demo.sample_video import make_sample_video  # noqa: E402
from interview_coach.demo.tts import synthesize_speech  # noqa: E402
from live_server import start_server, stop_server  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "memory.json"
TOKEN = {"Authorization": "Bearer bench-token"}
SPOKEN = (
    "In my last role I owned the billing service. A retry change double charged three hundred customers. "
    "I rolled the change back within forty minutes, wrote the refund script and added idempotency keys. "
    "As a result every refund was done within a day and we have had zero duplicate charges since then."
)


def rss_mb(pid: int) -> float:
    """Return the resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(float(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for pid {pid}")


def make_video(folder: Path, seconds: float) -> Path:
    """Write a video answer of about ``seconds`` with a spoken answer as its audio."""
    speech = synthesize_speech(SPOKEN, folder / "answer.wav", wpm=150, leading_silence_s=0.5)
    return make_sample_video(
        speech, folder / "answer.mp4", duration_s=seconds, look_away_at=(3.0, 4.0), settings=Settings()
    )


def wait_ready(base: str, timeout_s: float = 300) -> None:
    """Wait until ``/readyz`` says the models are warm (servers without it: ``/healthz``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = httpx.get(base + "/readyz", timeout=5)
        if response.status_code == 200 or (response.status_code == 404 and httpx.get(base + "/healthz").is_success):
            return
        time.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def run(answers: int, seconds: float) -> dict[str, Any]:
    """Answer ``answers`` questions with a video and return the RSS series."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        workdir = Path(tmp)
        video = make_video(workdir, seconds)
        env = {"INTERVIEW_COACH_AUTH_MODE": "none", "INTERVIEW_COACH_API_TOKENS": json.dumps({"bench-token": "bench"})}
        server = start_server(workdir, env)
        try:
            wait_ready(server.base_url)
            pid = server.process.pid
            series = [rss_mb(pid)]
            latencies: list[float] = []
            with httpx.Client(base_url=server.base_url, headers=TOKEN, timeout=600) as client:
                while len(latencies) < answers:
                    created = client.post("/api/sessions", json={"question_count": 20, "kinds": ["behavioral"]})
                    turn = created.raise_for_status().json()
                    while turn["waiting_for"] == "answer" and len(latencies) < answers:
                        started = time.perf_counter()
                        with video.open("rb") as handle:
                            response = client.post(
                                f"/api/sessions/{turn['session_id']}/answers/media",
                                files={"file": ("answer.mp4", handle, "video/mp4")},
                            )
                        latencies.append(round(time.perf_counter() - started, 2))
                        turn = response.raise_for_status().json()
                        series.append(rss_mb(pid))
                        print(
                            f"answer {len(latencies):2d}: {latencies[-1]:6.2f} s, RSS {series[-1]:7.1f} MB", flush=True
                        )
        finally:
            stop_server(server)
    half = len(series) // 2
    return {
        "answers": answers,
        "video_seconds": seconds,
        "rss_mb_after_each_answer": series,
        "rss_mb_ready": series[0],
        "rss_mb_end": series[-1],
        "growth_mb_per_answer_first_half": round((series[half] - series[1]) / max(1, half - 1), 1),
        "growth_mb_per_answer_second_half": round((series[-1] - series[half]) / max(1, len(series) - 1 - half), 1),
        "answer_latency_s_median": statistics.median(latencies),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--label", default="current", help="Name of this run in the results file (e.g. before, after).")
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="Length of the video answer.")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = run(args.answers, args.seconds)
    result["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing.setdefault("runs", {})[args.label] = result
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rss_mb_after_each_answer"}, indent=2))
    print(f"JSON written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
