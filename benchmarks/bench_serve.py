"""Benchmark ``interview-coach serve``: page-ready time, answer-to-feedback latency, memory.

Runs one live server on 127.0.0.1 in a fresh data folder and measures
- page ready: time from navigation to the chat input being usable (Chromium, cold then warm);
- typed answer → feedback: POST of a typed answer until the response with the feedback card
  (REST API), and in the browser from clicking send until the feedback card is shown;
- 30-s spoken answer → feedback: multipart upload of a 30-s espeak-ng recording (REST API);
- RSS of the serve process: idle after start, after the models are warm, and the peak (VmHWM).

Usage: ``python benchmarks/bench_serve.py [--runs 3]``; writes ``benchmarks/results/serve.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the tests' Chromium flags

from chromium_flags import CHROMIUM_ARGS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "serve.json"
TOKEN = {"Authorization": "Bearer bench-token"}
TYPED_ANSWER = (
    "In my last role I owned the billing service. A retry change double-charged 300 customers. "
    "My task was to stop the damage: I rolled back within 40 minutes, wrote the refund script and added "
    "idempotency keys. As a result every refund was done within 24 hours and we had zero duplicates afterwards."
)
SPOKEN_TEXT = (
    "Um, first I would tell the product manager and the teams that depend on the launch, the same day. "
    "I would estimate how late the feature is, for example two extra weeks, and explain why. "
    "Then I would offer options: cut scope, launch the rest behind a feature flag, or delay the launch. "
    "We would agree on one decision together, and I would write a new plan with clear owners and dates. "
    "After that I would check progress every two days and tell everyone early if anything slips again, "
    "so that nobody is surprised on launch day and support is ready for customers."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            fields[key] = float(value.split()[0]) / 1024
    return fields


def make_spoken_answer(folder: Path, seconds: float = 30.0) -> Path:
    raw = folder / "spoken_raw.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "185", "-w", str(raw), SPOKEN_TEXT], check=True)
    out = folder / "spoken_30s.wav"
    subprocess.run(
        [
            "sox",
            str(raw),
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            str(out),
            "pad",
            "0.5",
            "10",
            "trim",
            "0",
            str(seconds),
        ],
        check=True,
    )
    return out


def start_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "INTERVIEW_COACH_DATA_DIR": str(workdir / "data"),
        "INTERVIEW_COACH_AUTH_MODE": "none",
        "INTERVIEW_COACH_API_TOKENS": json.dumps({"bench-token": "bench"}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "interview_coach", "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=(workdir / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((workdir / "serve.log").read_text()[-3000:])
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    process.kill()
    raise RuntimeError("serve did not start")


def api_answer_latency(client: httpx.Client, *, spoken: Path | None) -> float:
    turn = client.post("/api/sessions", json={"question_count": 2, "kinds": ["situational"]}).json()
    url = f"/api/sessions/{turn['session_id']}/answers"
    started = time.perf_counter()
    if spoken is None:
        response = client.post(url, json={"text": TYPED_ANSWER})
    else:
        with spoken.open("rb") as handle:
            response = client.post(url + "/media", files={"file": (spoken.name, handle, "audio/wav")})
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    assert any(m["role"] == "feedback" for m in response.json()["messages"]), "feedback card expected"
    return elapsed


def browser_timings(base: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    ready: list[float] = []
    typed: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort(),
            )
            page = context.new_page()
            page.set_default_timeout(120_000)
            started = time.perf_counter()
            page.goto(base + "/chat")
            page.wait_for_selector("#chat-input:not([disabled])")
            page.get_by_text("Backend Software Engineer", exact=True).first.wait_for()
            ready.append(time.perf_counter() - started)
            page.get_by_text("Backend Software Engineer", exact=True).first.click()
            page.get_by_text("Q1/").first.wait_for()
            page.locator("#chat-input").fill(TYPED_ANSWER)
            started = time.perf_counter()
            page.locator("#chat-submit").click()
            page.get_by_text("Feedback on Q1").first.wait_for()
            typed.append(time.perf_counter() - started)
            context.close()
        browser.close()
    return {"page_ready_s": ready, "typed_feedback_browser_s": typed}


def summarise(values: list[float]) -> dict[str, float]:
    return {
        "first": round(values[0], 3),
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        workdir = Path(tmp)
        spoken = make_spoken_answer(workdir)
        started = time.perf_counter()
        process, base = start_server(workdir)
        startup_s = time.perf_counter() - started
        try:
            rss_idle = rss_mb(process.pid)
            client = httpx.Client(base_url=base, headers=TOKEN, timeout=300)
            typed = [api_answer_latency(client, spoken=None) for _ in range(args.runs)]
            spoken_times = [api_answer_latency(client, spoken=spoken) for _ in range(args.runs)]
            rss_warm = rss_mb(process.pid)
            browser = browser_timings(base, args.runs)
            rss_end = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    result = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "startup_to_healthy_s": round(startup_s, 2),
        "page_ready_s": summarise(browser["page_ready_s"]),
        "typed_answer_to_feedback_api_s": summarise(typed),
        "typed_answer_to_feedback_browser_s": summarise(browser["typed_feedback_browser_s"]),
        "spoken_30s_answer_to_feedback_api_s": summarise(spoken_times),
        "rss_mb": {
            "idle_after_start": round(rss_idle["VmRSS"], 1),
            "after_answers": round(rss_warm["VmRSS"], 1),
            "end": round(rss_end["VmRSS"], 1),
            "peak": round(rss_end["VmHWM"], 1),
        },
        "runs": args.runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    rows = [
        ("serve start → /healthz", f"{result['startup_to_healthy_s']:.2f} s"),
        *[
            (name, f"first {v['first']:.2f} s, median {v['median']:.2f} s")
            for name, v in (
                ("page ready (chat input usable)", result["page_ready_s"]),
                ("typed answer → feedback (API)", result["typed_answer_to_feedback_api_s"]),
                ("typed answer → feedback (browser)", result["typed_answer_to_feedback_browser_s"]),
                ("30-s spoken answer → feedback (API)", result["spoken_30s_answer_to_feedback_api_s"]),
            )
        ],
        *[(f"RSS {k.replace('_', ' ')}", f"{v:.0f} MB") for k, v in result["rss_mb"].items()],
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"JSON written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
