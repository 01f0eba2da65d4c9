"""The Chainlit interview room in a real browser, against a live server, with every other host blocked."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import USERS, NetworkLog

from live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = int(os.environ.get("BROWSER_TEST_TIMEOUT_MS", "180000"))
QUESTION = re.compile(r"Q\d+/\d+|Follow-up:")
TYPED_ANSWER = (
    "In my last role I owned the billing service. A retry change double-charged 300 customers. "
    "My task was to stop the damage: I rolled back within 40 minutes, wrote the refund script and added "
    "idempotency keys. As a result every refund was done within 24 hours and we had zero duplicates afterwards."
)
CORRECTION = "The card ignores that I named the result and the fix; it should be 70/100"


def open_page(browser: Any, server: LiveServer, network: NetworkLog) -> Any:
    """Open a page whose requests to anything but the server are recorded and aborted."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, permissions=["microphone"], accept_downloads=True
    )

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
    page.on("websocket", lambda ws: network.requests.append(ws.url))
    return page


def log_in(page: Any, server: LiveServer, user: str) -> None:
    page.goto(server.base_url + "/")
    page.wait_for_url(re.compile(r".*/chat/login.*"))
    page.locator("input").first.fill(user)
    page.locator("input[type=password]").fill(USERS[user])
    page.locator("button[type=submit]").click()
    page.wait_for_selector("#chat-input")
    # The settings button appears once the websocket session exists and on_chat_start has run;
    # an upload sent before that is refused by Chainlit ("Session not found").
    page.wait_for_selector("#chat-settings-open-modal")


def assistant_messages(page: Any) -> Any:
    return page.locator('[data-step-type="assistant_message"]')


def questions_asked(page: Any) -> int:
    return int(assistant_messages(page).filter(has_text=QUESTION).count())


def wait_for_next_question(page: Any, before: int) -> None:
    page.wait_for_function(
        """([before]) => Array.from(document.querySelectorAll('[data-step-type="assistant_message"]'))
            .filter(e => /Q\\d+\\/\\d+|Follow-up:/.test(e.innerText)).length > before""",
        arg=[before],
        timeout=TIMEOUT_MS,
    )


def ask_for_correction(page: Any) -> None:
    """Click Not right on the first card until the room asks why (a click during a re-render is lost)."""
    for attempt in range(3):
        page.get_by_role("button", name=re.compile("Not right")).first.click()
        try:
            page.get_by_text("What is not right about the feedback on Q1").first.wait_for(timeout=30_000)
            return
        except Exception:
            if attempt == 2:
                raise


def ask_coach(page: Any, text: str) -> str:
    """Send a coach message and return the text of the reply."""
    before = assistant_messages(page).count()
    send_text(page, text)
    page.wait_for_function(
        "([n]) => document.querySelectorAll('[data-step-type=\"assistant_message\"]').length > n",
        arg=[before],
    )
    page.wait_for_timeout(1_000)
    return str(assistant_messages(page).last.inner_text())


def send_text(page: Any, text: str) -> None:
    page.locator("#chat-input").fill(text)
    page.locator("#chat-submit").click()


def mic_button(page: Any) -> Any:
    """The microphone toggle sits just before the upload button in the composer (it has no id)."""
    return page.locator("#upload-button").locator("xpath=preceding::button[1]")


@pytest.fixture(scope="module")
def alice_interview(
    playwright_browser: Any, live_server: LiveServer, speech_files: dict[str, Path], artifacts_dir: Path
) -> dict[str, Any]:
    """Alice holds a whole interview: typed, uploaded and microphone answers, report, export, coach."""
    network = NetworkLog()
    page = open_page(playwright_browser, live_server, network)
    log_in(page, live_server, "alice")
    page.screenshot(path=str(artifacts_dir / "01-start.png"))
    result: dict[str, Any] = {"network": network, "page": page}

    resume = artifacts_dir.parent / "resume.txt"
    resume.write_text("Backend engineer, 5 years of Python, PostgreSQL and Kafka. Led a billing migration.")
    page.locator("#upload-button-input").set_input_files(str(resume))
    page.get_by_text("resume.txt").first.wait_for()
    page.locator("#chat-submit").click()
    page.get_by_text("Read your resume").first.wait_for()
    send_text(page, "start Backend Software Engineer")
    page.get_by_text(QUESTION).first.wait_for()

    before = questions_asked(page)
    send_text(page, TYPED_ANSWER)
    wait_for_next_question(page, before)
    page.get_by_text("Feedback on Q1").first.wait_for()
    ask_for_correction(page)
    send_text(page, CORRECTION)
    page.get_by_text("Noted for Q1").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "02-typed-answer-feedback.png"), full_page=True)

    before = questions_asked(page)
    page.locator("#upload-button-input").set_input_files(str(speech_files["upload"]))
    page.get_by_text(speech_files["upload"].name).first.wait_for()
    page.locator("#chat-submit").click()
    wait_for_next_question(page, before)
    page.get_by_text("Transcript:").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "03-uploaded-audio-answer.png"), full_page=True)

    before = questions_asked(page)
    mic_button(page).click()
    page.wait_for_timeout(9_000)
    mic_button(page).click()
    page.get_by_text("Spoken answer").first.wait_for()
    wait_for_next_question(page, before)
    page.screenshot(path=str(artifacts_dir / "04-microphone-answer.png"), full_page=True)
    result["transcripts"] = page.get_by_text("Transcript:").count()

    send_text(page, "/end")
    page.get_by_text("Interview report").first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for(state="visible")
    page.get_by_text("Download your report").first.wait_for()
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    page.wait_for_timeout(1_500)
    page.screenshot(path=str(artifacts_dir / "05-report-charts.png"))
    result["charts"] = page.locator(".js-plotly-plot").count()

    link = page.get_by_text(re.compile(r"interview-report-.*\.md")).first
    with page.expect_download() as download_info:
        link.click()
    target = artifacts_dir / "downloaded-report.md"
    download_info.value.save_as(str(target))
    result["export"] = target.read_text()

    result["coach_reply"] = ask_coach(page, "Give me a drill for filler words")
    result["why_second"] = ask_coach(page, "why was my second answer scored low?")
    page.screenshot(path=str(artifacts_dir / "06-coach.png"), full_page=True)
    sessions = httpx.get(
        live_server.base_url + "/api/sessions", headers={"Authorization": "Bearer token-alice"}, timeout=30
    ).json()
    result["session_id"] = sessions[0]["session_id"]
    feedback = httpx.get(
        f"{live_server.base_url}/api/sessions/{result['session_id']}/feedback",
        headers={"Authorization": "Bearer token-alice"},
        timeout=30,
    ).json()
    result["first_question_id"] = feedback[0]["question_id"]
    result["second_question"] = next(
        item["question"] for item in feedback if item["ref"]["number"] == 2 and not item["ref"]["follow_up"]
    )
    return result


def test_full_interview_in_the_browser(alice_interview: dict[str, Any]) -> None:
    assert alice_interview["transcripts"] >= 2, "the uploaded and the spoken answers were transcribed"
    assert alice_interview["charts"] >= 1
    assert alice_interview["export"].startswith("# Interview report")
    assert "## Transcripts and evidence" in alice_interview["export"]
    assert alice_interview["coach_reply"].strip()


def test_coach_explains_the_second_answer_in_plain_words(alice_interview: dict[str, Any]) -> None:
    """ "my second answer" resolves to main question 2, whatever follow-ups came between."""
    reply = alice_interview["why_second"]
    assert "Question 2" in reply, reply
    assert alice_interview["second_question"][:60] in reply


def test_thumbs_on_feedback_cards_are_stored(alice_interview: dict[str, Any], live_server: LiveServer) -> None:
    with sqlite3.connect(live_server.data_dir / "feedback.sqlite") as db:
        rows = db.execute("SELECT user_id, body FROM feedback").fetchall()
    items = [(user, json.loads(body)) for user, body in rows]
    corrections = [
        item
        for user, item in items
        if user == "alice" and item["target"] == "question_feedback" and item["rating"] == -1
    ]
    assert len(corrections) == 1
    # The reason and the corrected score are linked to the answered question, not to a message.
    assert corrections[0]["correction"] == CORRECTION
    assert corrections[0]["corrected_score"] == 70
    assert corrections[0]["target_ref"] == alice_interview["first_question_id"]


def test_page_never_leaves_the_server(alice_interview: dict[str, Any]) -> None:
    network: NetworkLog = alice_interview["network"]
    assert network.requests, "requests were recorded"
    assert network.blocked == []


def test_spoken_answers_are_kept_for_playback(alice_interview: dict[str, Any], live_server: LiveServer) -> None:
    page = alice_interview["page"]
    assert page.locator("audio").count() >= 2  # the microphone answer and at least one playback
    recordings = list((live_server.data_dir / "media").rglob("*.wav"))
    assert len(recordings) >= 2


def test_other_users_cannot_open_the_thread(
    alice_interview: dict[str, Any], playwright_browser: Any, live_server: LiveServer, artifacts_dir: Path
) -> None:
    network = NetworkLog()
    page = open_page(playwright_browser, live_server, network)
    log_in(page, live_server, "bob")
    thread_id = alice_interview["session_id"]
    response = page.request.get(f"{live_server.base_url}/chat/project/thread/{thread_id}")
    assert response.status in {401, 403, 404}
    page.goto(f"{live_server.base_url}/chat/thread/{thread_id}")
    page.wait_for_timeout(4_000)
    page.screenshot(path=str(artifacts_dir / "07-bob-opens-alice-thread.png"), full_page=True)
    assert page.get_by_text("Couldn't resume chat").count() + page.get_by_text("No threads found").count() >= 1
    assert page.get_by_text("Feedback on Q1").count() == 0
    assert page.get_by_text("start Backend Software Engineer").count() == 0
    assert network.blocked == []


def test_owner_can_reopen_the_thread(alice_interview: dict[str, Any], live_server: LiveServer) -> None:
    page = alice_interview["page"]
    page.goto(f"{live_server.base_url}/chat/thread/{alice_interview['session_id']}")
    page.get_by_text("Feedback on Q1").first.wait_for()
    assert page.get_by_text("start Backend Software Engineer").count() >= 1
    # Charts and recordings come back from the chat store (served by the owner-checked /chat-files route).
    page.locator(".js-plotly-plot").first.wait_for(state="attached")
    assert page.locator("audio").count() >= 1


def test_follow_up_numbering_agrees_in_question_feedback_and_report(
    playwright_browser: Any, live_server: LiveServer, artifacts_dir: Path
) -> None:
    """A weak answer gets a follow-up: the interviewer, the feedback and the report all call it part of Q1."""
    network = NetworkLog()
    page = open_page(playwright_browser, live_server, network)
    log_in(page, live_server, "bob")
    send_text(page, "start Backend Software Engineer")
    page.get_by_text("Q1/3").first.wait_for()

    before = questions_asked(page)
    send_text(page, "I don't know.")
    wait_for_next_question(page, before)
    assistant_messages(page).filter(has_text="Feedback on Q1").first.wait_for()
    assistant_messages(page).filter(has_text="Q1/3 · follow-up").first.wait_for()
    assert assistant_messages(page).filter(has_text="Q2/3").count() == 0

    before = questions_asked(page)
    send_text(page, TYPED_ANSWER)
    wait_for_next_question(page, before)
    assistant_messages(page).filter(has_text="Feedback on Q1 · follow-up").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "10-follow-up-numbering.png"), full_page=True)

    send_text(page, "/end")
    report = assistant_messages(page).filter(has_text="Interview report").first
    report.wait_for()
    text = report.inner_text()
    assert "Q1: " in text and "Q1 · follow-up: " in text, text
    assert not re.search(r"\bQ[3-9]\b", text), text
    assert network.blocked == []
