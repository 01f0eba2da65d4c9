"""A video answer uploaded in the Chainlit room: face analysis, confidence in the feedback, playback in the report.

Its own module (own live server and browser through the module-scoped fixtures in conftest),
so sync Playwright is closed at the end of the module like in ``test_room.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import NetworkLog
from test_room import QUESTION, TIMEOUT_MS, assistant_messages, log_in, open_page, send_text, wait_for_next_question

from interview_coach.core.settings import Settings
from live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SPOKEN_ANSWER = "I would tell the product manager the same day and offer to cut scope."
FACE_STEP = "Analysing face and gestures"
# The card names scores by their human labels ("Confidence", "Stress").
SCORE_LINE = re.compile(r"(confidence|stress): (\d+)/100", re.IGNORECASE)


@pytest.fixture(scope="module")
def video_answer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~6 s mp4 of the astronaut speaking an answer, turning away at 2-3 s."""
    from interview_coach.demo.sample_video import make_sample_video
    from interview_coach.demo.tts import synthesize_speech, tts_available

    if not tts_available():
        pytest.skip("espeak-ng and sox are needed to make the spoken answer")
    folder = tmp_path_factory.mktemp("video-answer")
    speech = synthesize_speech(SPOKEN_ANSWER, folder / "speech.wav", leading_silence_s=1.0)
    return make_sample_video(speech, folder / "video_answer.mp4", duration_s=0.0, settings=Settings())


@pytest.fixture(scope="module")
def absent_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An 8 s mp4 whose picture is empty (no face) from 4 to 6 s: a quarter of the answer."""
    from interview_coach.demo.sample_video import make_sample_video
    from interview_coach.demo.tts import synthesize_speech, tts_available

    if not tts_available():
        pytest.skip("espeak-ng and sox are needed to make the spoken answer")
    folder = tmp_path_factory.mktemp("absent-answer")
    speech = synthesize_speech(SPOKEN_ANSWER, folder / "speech.wav", leading_silence_s=1.0)
    return make_sample_video(
        speech,
        folder / "face_absent_answer.mp4",
        duration_s=8.0,
        look_away_at=(4.0, 6.0),
        away_style="blank",
        settings=Settings(),
    )


@pytest.fixture(scope="module")
def video_interview(
    playwright_browser: Any, live_server: LiveServer, video_answer: Path, absent_video: Path, artifacts_dir: Path
) -> dict[str, Any]:
    """Alice starts an interview, answers Q1 with the video, then ends it to get the report."""
    network = NetworkLog()
    page = open_page(playwright_browser, live_server, network)
    log_in(page, live_server, "alice")
    send_text(page, "start Backend Software Engineer")
    page.get_by_text(QUESTION).first.wait_for()

    before = int(assistant_messages(page).filter(has_text=QUESTION).count())
    page.locator("#upload-button-input").set_input_files(str(video_answer))
    page.get_by_text(video_answer.name).first.wait_for()
    page.locator("#chat-submit").click()
    wait_for_next_question(page, before)
    feedback = assistant_messages(page).filter(has_text="Feedback on Q1").first
    feedback.wait_for()
    page.screenshot(path=str(artifacts_dir / "08-video-answer-feedback.png"), full_page=True)
    result: dict[str, Any] = {"network": network, "feedback": feedback.inner_text()}
    # Tool steps sit folded under "Used Analysing your answer"; unfold it and the face step.
    page.locator('[id="step-Analysing your answer"]').first.click()
    face_step = page.locator('[data-step-type="tool"]').filter(has=page.locator(f'[id="step-{FACE_STEP}"]')).first
    face_step.locator(f'[id="step-{FACE_STEP}"]').click()
    face_step.get_by_role("article").first.wait_for()
    result["face_step"] = " ".join(face_step.inner_text().split())

    # Second answer: the face leaves the picture for 2 of 8 s, so no "steady eye contact" may be claimed.
    before = int(assistant_messages(page).filter(has_text=QUESTION).count())
    page.locator("#upload-button-input").set_input_files(str(absent_video))
    page.get_by_text(absent_video.name).first.wait_for()
    page.locator("#chat-submit").click()
    try:
        wait_for_next_question(page, before)
    except Exception as exc:
        page.screenshot(path=str(artifacts_dir / "08b-absent-video-stuck.png"), full_page=True)
        raise AssertionError(f"no next question; server log:\n{live_server.log_tail()}") from exc
    second_card = assistant_messages(page).filter(has_text="Feedback on").nth(1)
    second_card.wait_for()
    result["absent_feedback"] = second_card.inner_text()

    send_text(page, "/end")
    playback = assistant_messages(page).filter(has_text="Evidence").filter(has=page.locator("video")).first
    playback.wait_for(timeout=TIMEOUT_MS)
    playback.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "09-video-playback.png"), full_page=True)
    result["playback_text"] = playback.inner_text()
    result["video_src"] = playback.locator("video").first.get_attribute("src") or ""
    video = page.request.get(str(httpx.URL(page.url).join(result["video_src"])))
    result["video_status"], result["video_type"], result["video_bytes"] = (
        video.status,
        video.headers.get("content-type", ""),
        len(video.body()),
    )
    session = httpx.get(
        live_server.base_url + "/api/sessions", headers={"Authorization": "Bearer token-alice"}, timeout=30
    ).json()[0]
    result["api_feedback"] = httpx.get(
        f"{live_server.base_url}/api/sessions/{session['session_id']}/feedback",
        headers={"Authorization": "Bearer token-alice"},
        timeout=30,
    ).json()
    return result


def test_video_answer_runs_face_analysis_and_shows_a_measured_confidence(video_interview: dict[str, Any]) -> None:
    face_step = video_interview["face_step"]
    assert face_step.startswith(f"Used {FACE_STEP}") and face_step.endswith("done"), face_step
    assert "not measured" not in face_step
    scores = {name.lower(): value for name, value in SCORE_LINE.findall(video_interview["feedback"])}
    assert set(scores) == {"confidence", "stress"}, video_interview["feedback"]
    assert all(0 <= int(value) <= 100 for value in scores.values())
    confidence_line = next(
        line for line in video_interview["feedback"].splitlines() if line.lower().startswith("confidence:")
    )
    assert "eye contact" in confidence_line, confidence_line
    # Stress is measured from the face only, and the confidence names the face among its sources.
    first = video_interview["api_feedback"][0]
    assert first["input_mode"] == "video"
    assert first["scores"]["stress"]["value"] is not None
    assert "face_confidence" in {s["name"] for s in first["scores"]["confidence"]["signals"]}


def test_face_absent_for_a_quarter_is_never_steady_eye_contact(video_interview: dict[str, Any]) -> None:
    card = video_interview["absent_feedback"]
    assert "Steady eye contact" not in card, card
    match = re.search(r"out of view for (\d+\.\d) s", card)
    assert match is not None, card
    assert 1.7 <= float(match.group(1)) <= 2.3


def test_report_offers_the_video_for_playback(video_interview: dict[str, Any]) -> None:
    assert "Q1:" in video_interview["playback_text"]
    # The face evidence (the sample turns away at 2-3 s) is listed next to the recording, behind
    # a timestamp button that plays the video from there.
    assert re.search(r"▶ 0:0[23]\s+looking away", video_interview["playback_text"]), video_interview["playback_text"]
    assert video_interview["video_status"] == 200, video_interview["video_src"]
    assert video_interview["video_type"].startswith("video/")
    assert video_interview["video_bytes"] > 10_000
    network: NetworkLog = video_interview["network"]
    assert network.blocked == []
