"""A microphone answer in the room is analysed while it is spoken, and matches the batch analysis.

Chromium's fake microphone plays an espeak-ng answer into the Chainlit room; the server feeds
the chunks to the streaming analyser on a worker thread and, on stop, scores the streamed
``VoiceAnalysis``. The test then analyses the WAV the room saved with the batch path in this
process and compares the fluency signals the API reports (voice eval tolerances: WPM 5 %,
long pauses equal).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import NetworkLog
from test_room import log_in, mic_button, open_page, questions_asked, send_text, wait_for_next_question

from interview_coach.core.settings import Settings
from interview_coach.tools.voice.analysis import analyze_voice
from interview_coach.tools.voice.transcribe import Transcriber
from live_server import LiveServer

QUESTION = re.compile(r"Q\d+/\d+|Follow-up:")
STREAM_FAILURES = (
    "streaming voice analysis not used",
    "no streaming voice analysis",
    "streaming voice analysis failed",
)


@pytest.fixture(scope="module")
def spoken_in_the_room(playwright_browser: Any, live_server: LiveServer) -> dict[str, Any]:
    """Bob answers the first question with the microphone and stops after 9 s."""
    network = NetworkLog()
    page = open_page(playwright_browser, live_server, network)
    log_in(page, live_server, "bob")
    send_text(page, "start Backend Software Engineer")
    page.get_by_text(QUESTION).first.wait_for()
    before = questions_asked(page)
    mic_button(page).click()
    page.wait_for_timeout(9_000)
    mic_button(page).click()
    page.get_by_text("Spoken answer").first.wait_for()
    wait_for_next_question(page, before)
    headers = {"Authorization": "Bearer token-bob"}
    sessions = httpx.get(live_server.base_url + "/api/sessions", headers=headers, timeout=30).json()
    feedback = httpx.get(
        f"{live_server.base_url}/api/sessions/{sessions[0]['session_id']}/feedback", headers=headers, timeout=30
    ).json()
    page.context.close()
    return {"feedback": feedback, "network": network, "session_id": sessions[0]["session_id"]}


def _signal(feedback: dict[str, Any], name: str) -> Any:
    return next(s["value"] for s in feedback["scores"]["fluency"]["signals"] if s["name"] == name)


def test_the_spoken_answer_is_scored_from_the_stream_like_the_batch_path(
    spoken_in_the_room: dict[str, Any], live_server: LiveServer, tmp_path: Path
) -> None:
    log = live_server.log_text()
    assert not [line for line in log.splitlines() if any(f in line for f in STREAM_FAILURES)]
    answer = spoken_in_the_room["feedback"][0]
    assert answer["scores"]["fluency"]["value"] is not None  # voice was measured
    session_id = spoken_in_the_room["session_id"]
    saved = [p for p in live_server.data_dir.rglob("*.wav") if session_id in p.parts]
    assert len(saved) == 1, saved  # the room still keeps the recording
    settings = Settings(data_dir=tmp_path, _env_file=None)
    batch = analyze_voice(saved[0], settings, Transcriber(settings))
    assert batch.wpm is not None
    assert _signal(answer, "speech_rate_wpm") == pytest.approx(batch.wpm, rel=0.05)
    assert _signal(answer, "long_pauses") == batch.long_pause_count
    assert not spoken_in_the_room["network"].blocked
