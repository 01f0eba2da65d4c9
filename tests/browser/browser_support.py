"""Helpers for the browser tests: start and stop a live ``interview-coach serve``."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

import live_server
from chromium_flags import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (the browser tests import them from here)
from interview_coach.ui.auth import hash_password
from live_server import LiveServer

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts" / "browser"
USERS = {"alice": "alice-secret-pw", "bob": "bob-secret-pw"}
TOKENS = {"token-alice": "alice", "token-bob": "bob"}


def start_server(workdir: Path, extra_env: dict[str, str] | None = None, timeout_s: float = 180) -> LiveServer:
    """Run ``interview-coach serve`` with password login for the test users."""
    users_file = workdir / "users.json"
    users_file.write_text(json.dumps({name: hash_password(pw, iterations=10_000) for name, pw in USERS.items()}))
    env = {
        "INTERVIEW_COACH_AUTH_MODE": "password",
        "INTERVIEW_COACH_USERS_FILE": str(users_file),
        "INTERVIEW_COACH_API_TOKENS": json.dumps(TOKENS),
        "INTERVIEW_COACH_DEFAULT_QUESTION_COUNT": "3",
        **(extra_env or {}),
    }
    return live_server.start_server(workdir, env, timeout_s=timeout_s)


@dataclass
class NetworkLog:
    """Every request the page made, and those to other hosts (which were aborted)."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def wait_until_ready(server: LiveServer, timeout_s: float = 600) -> None:
    """Wait for the server's warm-up (Whisper, the landmarkers a camera answer borrows) to finish."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(server.base_url + "/readyz", timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # a server busy warming up may not answer in time; ask again
        time.sleep(1)
    raise AssertionError(f"the server did not warm up in {timeout_s} s")
