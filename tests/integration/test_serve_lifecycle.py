"""Real ``serve`` processes: liveness vs readiness during warm-up, and one server per data folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

from live_server import LiveServer, free_port, start_server, stop_server

pytestmark = pytest.mark.slow
TOKEN = {"Authorization": "Bearer lifecycle-token"}
ENV = {"INTERVIEW_COACH_AUTH_MODE": "none", "INTERVIEW_COACH_API_TOKENS": json.dumps({"lifecycle-token": "lee"})}
TYPED_ANSWER = (
    "In my last role I owned the billing service. A retry change double-charged 300 customers, so I rolled it "
    "back within 40 minutes, wrote the refund script and added idempotency keys; we had zero duplicates since."
)


def _serve(workdir: Path, port: int, output: IO[bytes] | int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "INTERVIEW_COACH_DATA_DIR": str(workdir / "data"), **ENV}
    command = [sys.executable, "-m", "interview_coach", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(command, cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT)


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Map every file under ``folder`` to its (mtime_ns, size)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()
    }


def test_readiness_waits_for_warm_up_while_liveness_answers(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    process = _serve(tmp_path, port, log.open("wb"))
    try:
        first: httpx.Response | None = None
        deadline = time.monotonic() + 300
        while first is None and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                first = httpx.get(base + "/readyz", timeout=60)
            except httpx.TransportError:
                time.sleep(0.05)
        assert first is not None, "the server never answered"
        # The first answer comes while the models are still loading: live, but not ready.
        assert first.status_code == 503, first.text
        starting = first.json()
        assert starting["status"] == "starting" and not starting["ready"]
        assert "embedding" in starting["waiting_for"]
        assert httpx.get(base + "/healthz", timeout=60).status_code == 200
        assert httpx.get(base + "/livez", timeout=60).status_code == 200

        ready = first
        while ready.status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
            ready = httpx.get(base + "/readyz", timeout=60)
        assert ready.status_code == 200, ready.text
        report = ready.json()
        assert report["ready"] and report["waiting_for"] == []
        states = {c["name"]: c["state"] for c in report["components"]}
        assert states["service"] == states["embedding"] == states["answer_pipeline"] == "ready"
        assert states["transcriber"] == "ready" and states["grader"] in {"ready", "unavailable"}

        with httpx.Client(base_url=base, headers=TOKEN, timeout=300) as client:
            turn = client.post("/api/sessions", json={"question_count": 1, "kinds": ["behavioral"]}).json()
            answered = client.post(f"/api/sessions/{turn['session_id']}/answers", json={"text": TYPED_ANSWER})
        assert answered.status_code == 200, answered.text
        assert any(m["role"] == "feedback" for m in answered.json()["messages"])
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_a_second_server_on_the_same_data_dir_refuses_to_start_and_touches_nothing(tmp_path: Path) -> None:
    first: LiveServer = start_server(tmp_path, ENV)
    try:
        chat_folder = first.data_dir / "chainlit"
        before = _tree(chat_folder)
        assert before, "the running server wrote its Chainlit folder"
        second_port = free_port()
        second = _serve(tmp_path, second_port, subprocess.PIPE)
        output, _ = second.communicate(timeout=300)
        text = output.decode(errors="replace")
        lines = [line for line in text.splitlines() if line.strip()]
        assert second.returncode != 0
        assert len(lines) == 1, text
        assert f"pid {first.process.pid}" in lines[0] and first.base_url in lines[0], text
        assert "Traceback" not in text
        assert _tree(chat_folder) == before, "the second server rewrote the running server's Chainlit folder"
        assert httpx.get(first.base_url + "/healthz", timeout=60).status_code == 200
    finally:
        # A server killed outright leaves its lock file behind; it must not block the next start.
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)
    restarted = start_server(tmp_path, ENV)
    try:
        assert httpx.get(restarted.base_url + "/healthz", timeout=60).status_code == 200
    finally:
        stop_server(restarted)
