"""The interactive terminal chat, driven through stdin like a user typing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def chat(data_dir: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTERVIEW_COACH_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "interview_coach", "chat", "--user", "tess", *args],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_chat_commands_report_coach_and_resume(tmp_path: Path) -> None:
    typed = "\n".join(
        [
            "/help",
            "/repeat",
            "An index is a sorted B-tree that lets the database skip a full table scan; "
            "for example an index on email makes login fast, but writes get slower and it takes storage.",
            "/end",
            "make me a practice plan",
            "/quit",
        ]
    )
    first = chat(tmp_path, typed + "\n", "--questions", "2", "--role", "Backend Engineer")
    assert first.returncode == 0, first.stderr[-2000:]
    out = first.stdout
    assert "/repeat asks the question again" in out
    assert out.count("Interviewer [Q1/2]") == 2  # asked, then repeated
    assert "Interview report" in out
    assert "practice plan" in out.lower()
    session = re.search(r"--session (\w+)", out)
    assert session, out[-500:]

    resumed = chat(tmp_path, "show my progress\n/quit\n", "--session", session.group(1))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "Interview report" in resumed.stdout  # the conversation so far is replayed
    assert "at least two sessions" in resumed.stdout


def test_chat_for_another_user_cannot_open_the_session(tmp_path: Path) -> None:
    started = chat(tmp_path, "/quit\n", "--questions", "1")
    session = re.search(r"--session (\w+)", started.stdout)
    assert session
    env = {**os.environ, "INTERVIEW_COACH_DATA_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    other = subprocess.run(
        [sys.executable, "-m", "interview_coach", "chat", "--user", "eve", "--session", session.group(1)],
        check=False,
        input="/quit\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert other.returncode == 2 and "No session" in other.stderr
