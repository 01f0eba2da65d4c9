"""Helpers for the browser tests: start and stop a live ``interview-coach serve``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from interview_coach.ui.auth import hash_password

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
USERS = {"alice": "alice-secret-pw", "bob": "bob-secret-pw"}
TOKENS = {"token-alice": "alice", "token-bob": "bob"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def start_server(workdir: Path, extra_env: dict[str, str] | None = None, timeout_s: float = 180) -> LiveServer:
    """Run ``interview-coach serve`` in a fresh data folder and wait until /healthz answers."""
    data_dir = workdir / "data"
    users_file = workdir / "users.json"
    users_file.write_text(json.dumps({name: hash_password(pw, iterations=10_000) for name, pw in USERS.items()}))
    port = free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "INTERVIEW_COACH_DATA_DIR": str(data_dir),
        "INTERVIEW_COACH_AUTH_MODE": "password",
        "INTERVIEW_COACH_USERS_FILE": str(users_file),
        "INTERVIEW_COACH_API_TOKENS": json.dumps(TOKENS),
        "INTERVIEW_COACH_DEFAULT_QUESTION_COUNT": "3",
        **(extra_env or {}),
    }
    log = workdir / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "interview_coach", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, process, log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(server.base_url + "/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"serve did not become healthy in {timeout_s} s:\n{server.log_tail()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@dataclass
class NetworkLog:
    """Every request the page made, and those to other hosts (which were aborted)."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
