"""Refused recordings are named by the user's own file name, never by a server temp path."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interview_coach.core.settings import Settings
from interview_coach.ui.server import create_app

HEADERS = {"Authorization": "Bearer token-uma"}
DISPLAY_NAME = "Uma's answer (take 2).mp4"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(  # type: ignore[call-arg]
        data_dir=tmp_path_factory.mktemp("upload-data"), api_tokens={"token-uma": "uma"}, _env_file=None
    )


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, chat=False, warm_up=False)) as test_client:
        yield test_client


def test_a_damaged_upload_is_named_by_its_display_name(client: TestClient, settings: Settings) -> None:
    turn = client.post("/api/sessions", json={"question_count": 1, "kinds": ["behavioral"]}, headers=HEADERS)
    assert turn.status_code == 201, turn.text
    files = {"file": (DISPLAY_NAME, io.BytesIO(b"\x00\x00\x00\x18ftypmp42 but not really a video"), "video/mp4")}
    response = client.post(f"/api/sessions/{turn.json()['session_id']}/answers/media", files=files, headers=HEADERS)
    assert response.status_code == 422, response.text
    message = response.json()["detail"][0]["msg"]
    assert DISPLAY_NAME in message
    assert "tmp" not in message and str(settings.data_dir) not in message and "/" not in message
    # The session still waits for the same answer: the bad upload cost nothing.
    current = client.get(f"/api/sessions/{turn.json()['session_id']}", headers=HEADERS).json()
    assert current["waiting_for"] == "answer" and current["question"]["id"] == turn.json()["question"]["id"]


def test_analyze_names_the_users_file_in_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / DISPLAY_NAME
    damaged.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio at all")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "INTERVIEW_COACH_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "interview_coach", "analyze", str(damaged)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and DISPLAY_NAME in lines[0], result.stderr
    assert "Traceback" not in result.stderr
