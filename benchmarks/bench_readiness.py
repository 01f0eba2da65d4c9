"""What readiness buys: the first typed answer sent as soon as the server is live vs once it is ready.

Starts ``interview-coach serve`` twice in fresh data folders. In the first run the client
starts an interview and sends a typed answer as soon as ``/healthz`` (liveness) answers, the
way a load balancer that only checks liveness would route it; in the second it waits for
``/readyz`` (models loaded and warm). Each run then sends a second answer, already warm, for
reference.

Usage: ``python benchmarks/bench_readiness.py``; writes ``benchmarks/results/readiness.json``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from live_server import start_server, stop_server  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "readiness.json"
TOKEN = {"Authorization": "Bearer bench-token"}
ENV = {"INTERVIEW_COACH_AUTH_MODE": "none", "INTERVIEW_COACH_API_TOKENS": json.dumps({"bench-token": "bench"})}
ANSWER = (
    "In my last role I owned the billing service. A retry change double-charged 300 customers. "
    "My task was to stop the damage: I rolled back within 40 minutes, wrote the refund script and added "
    "idempotency keys. As a result every refund was done within 24 hours and we had zero duplicates afterwards."
)


def _timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response: httpx.Response = call()
    return response.raise_for_status(), round(time.perf_counter() - started, 3)


def one_run(wait_for_ready: bool) -> dict[str, Any]:
    """Start a server, send the first answer when live (or ready), and time it."""
    with tempfile.TemporaryDirectory(prefix="bench-ready-") as tmp:
        started = time.perf_counter()
        server = start_server(Path(tmp), ENV)
        live_s = time.perf_counter() - started
        try:
            ready_s: float | None = None
            if wait_for_ready:
                while httpx.get(server.base_url + "/readyz", timeout=10).status_code != 200:
                    time.sleep(0.1)
                ready_s = round(time.perf_counter() - started, 2)
            status_at_send = httpx.get(server.base_url + "/readyz", timeout=10).json()
            with httpx.Client(base_url=server.base_url, headers=TOKEN, timeout=600) as client:
                body = {"question_count": 2, "kinds": ["behavioral"]}
                turn, create_s = _timed(lambda: client.post("/api/sessions", json=body))
                url = f"/api/sessions/{turn.json()['session_id']}/answers"
                _, first_s = _timed(lambda: client.post(url, json={"text": ANSWER}))
                second = client.post("/api/sessions", json=body).raise_for_status().json()
                url = f"/api/sessions/{second['session_id']}/answers"
                _, warm_s = _timed(lambda: client.post(url, json={"text": ANSWER}))
        finally:
            stop_server(server)
    return {
        "sent_when": "ready (/readyz 200)" if wait_for_ready else "live (/healthz 200)",
        "start_to_live_s": round(live_s, 2),
        "start_to_ready_s": ready_s,
        "waiting_for_at_send": status_at_send["waiting_for"],
        "create_session_s": create_s,
        "first_typed_answer_s": first_s,
        "warm_typed_answer_s": warm_s,
    }


def main() -> int:
    """Run both cases and write the results."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    runs = {"before_ready": one_run(False), "after_ready": one_run(True)}
    result = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, **runs}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for name, run in runs.items():
        print(
            f"{name:>12}: first answer {run['first_typed_answer_s']:.2f} s (session {run['create_session_s']:.2f} s, "
            f"warm answer {run['warm_typed_answer_s']:.2f} s); still loading at send: {run['waiting_for_at_send']}"
        )
    print(f"JSON written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
