"""A live ``interview-coach serve`` on 127.0.0.1 and a Debian Chromium that may reach nothing else."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, start_server

from live_server import LiveServer, stop_server


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("live-serve"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def speech_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A spoken answer to upload and a 48 kHz one for Chromium's fake microphone."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox are needed to make spoken answers")
    folder = tmp_path_factory.mktemp("speech")
    upload = folder / "uploaded_answer.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-us",
            "-s",
            "150",
            "-w",
            str(upload),
            "Um, first I would tell the product manager the same day, estimate the delay, "
            "and offer options like cutting scope or launching behind a feature flag.",
        ],
        check=True,
    )
    raw = folder / "mic_raw.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-us",
            "-s",
            "150",
            "-w",
            str(raw),
            "I led the migration of our billing database. I planned it in three steps and we finished with zero downtime.",
        ],
        check=True,
    )
    mic = folder / "mic_answer_48k.wav"
    subprocess.run(["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", str(mic), "pad", "0.5", "4"], check=True)
    return {"upload": upload, "mic": mic}


# Module scope: sync Playwright keeps an event loop running in the main thread while it is open,
# which would break every asyncio test collected after the browser tests.
@pytest.fixture(scope="module")
def playwright_browser(speech_files: dict[str, Path]) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={speech_files['mic']}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
