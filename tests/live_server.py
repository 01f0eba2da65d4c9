"""Start a real ``interview-coach serve`` process for tests and wait until it is healthy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx


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

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def log_tail(self) -> str:
        return self.log_text()[-4000:]


def start_server(
    workdir: Path, env: dict[str, str], *, unset: Iterable[str] = (), timeout_s: float = 180
) -> LiveServer:
    """Run ``serve`` with a fresh data folder in ``workdir``; ``env`` adds to (and ``unset`` removes from) os.environ."""
    data_dir = workdir / "data"
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "INTERVIEW_COACH_DATA_DIR": str(data_dir), **env}
    for name in unset:
        full_env.pop(name, None)
    port = free_port()
    log = workdir / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "interview_coach", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=full_env,
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
