"""Helpers of the stack end-to-end test: the running stack, and a client that retries like a real one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis

from chromium_flags import CHROMIUM
from interview_coach.jobs.store import PREFIX, JobStore

REPO = Path(__file__).resolve().parents[2]
STACK_SCRIPT = REPO / "scripts" / "stack.sh"


@dataclass
class Stack:
    """A running stack: its state folder and what ``stack.env`` says (ports, pids, URLs)."""

    folder: Path
    env: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.values["LB_URL"]

    def run(self, command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(STACK_SCRIPT), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def reload(self) -> None:
        lines = (self.folder / "stack.env").read_text().splitlines()
        self.values = dict(line.split("=", 1) for line in lines if "=" in line)

    def pid(self, name: str) -> int:
        return int((self.folder / "pids" / f"{name}.pid").read_text())

    def kill(self, name: str) -> int:
        """SIGKILL one process of the stack (by its recorded pid, never anything else)."""
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)
        return pid

    def jobs(self) -> JobStore:
        return JobStore(redis.Redis.from_url(self.values["BROKER_URL"]))


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie nobody reaps counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def missing_tools() -> list[str]:
    tools = ["haproxy", "redis-server", "espeak-ng", "curl"]
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and shutil.which("initdb") is None:
        missing.append("postgresql")
    if not CHROMIUM.exists():
        missing.append("chromium")
    return missing


class ApiClient:
    """Bob's client: retries a failed request through the load balancer with the same key, like a real one."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"Authorization": "Bearer token-bob"}, timeout=600)
        self.retries = 0

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for _ in range(30):
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code not in {500, 502, 503, 504}:
                return response
            self.retries += 1
            time.sleep(1)
        raise AssertionError(f"{method} {path} kept failing: {response.text if response else 'no response'}")

    def answer(self, session_id: str, question_id: str, audio: bytes) -> httpx.Response:
        key = f"bob-{session_id}-{question_id}"
        response = self.request(
            "POST",
            f"/api/sessions/{session_id}/answers/media",
            headers={"Idempotency-Key": key},
            data={"question_id": question_id},
            files={"file": ("answer.wav", audio, "audio/wav")},
        )
        assert response.status_code == 200, response.text
        return response


def running_job(stack: Stack, session_id: str, question_id: str) -> tuple[str, str]:
    """Wait for the perception job of one answer to run on a worker; return its key and worker."""
    store = stack.jobs()
    deadline = time.monotonic() + 300
    pattern = f"{PREFIX}:job:{session_id}:{question_id}:*"
    while time.monotonic() < deadline:
        for raw in store.client.scan_iter(match=pattern):
            key = raw.decode().removeprefix(f"{PREFIX}:job:")
            record = store.read(key)
            if record is not None and record.state == "running" and record.worker:
                return key, record.worker
        time.sleep(0.02)
    raise AssertionError(f"no perception job ran for {question_id}")


def during_answer(
    client: ApiClient, session_id: str, question_id: str, audio: bytes, act: Callable[[], None], timings: list[str]
) -> Any:
    """Send an answer and run ``act`` while its turn is in flight; return the final turn."""
    outcome: dict[str, httpx.Response] = {}
    sender = threading.Thread(target=lambda: outcome.update(r=client.answer(session_id, question_id, audio)))
    sent = time.monotonic()
    sender.start()
    act()
    acted = time.monotonic()
    sender.join(600)
    assert "r" in outcome, "the answer never completed"
    done = time.monotonic()
    timings.append(f"turn {done - sent:.1f} s, of which {done - acted:.1f} s after the disruption")
    return outcome["r"]
