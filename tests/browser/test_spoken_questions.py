"""The interviewer speaks its questions in the room, and stops when the candidate switches it off."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import NetworkLog
from test_room import QUESTION, TIMEOUT_MS, assistant_messages, log_in, open_page, questions_asked, send_text

from live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The shortest question in the bank still takes well over a second to say.
MIN_SPOKEN_S = 1.0


def question_messages(page: Any) -> Any:
    return assistant_messages(page).filter(has_text=QUESTION)


def wait_for_questions(page: Any, count: int) -> None:
    page.wait_for_function(
        """([count]) => Array.from(document.querySelectorAll('[data-step-type="assistant_message"]'))
            .filter(e => /Q\\d+\\/\\d+|Follow-up:/.test(e.innerText)).length >= count""",
        arg=[count],
        timeout=TIMEOUT_MS,
    )


def spoken_seconds(page: Any, audio: Any) -> float:
    """Fetch the audio element's file as the page would and decode it: its length in seconds."""
    src = audio.get_attribute("src")
    assert src, "the audio element has no source"
    return float(
        page.evaluate(
            """async (src) => {
                const data = await (await fetch(src)).arrayBuffer();
                const context = new OfflineAudioContext(1, 1, 22050);
                return (await context.decodeAudioData(data)).duration;
            }""",
            src,
        )
    )


def set_speaking(page: Any, on: bool) -> None:
    page.locator("#chat-settings-open-modal").click()
    switch = page.locator("#speak_questions")
    if (switch.get_attribute("aria-checked") == "true") != on:
        switch.click()
    page.locator("#confirm").click()


@pytest.fixture(scope="module")
def page(playwright_browser: Any, live_server: LiveServer) -> Any:
    network = NetworkLog()
    opened = open_page(playwright_browser, live_server, network)
    log_in(opened, live_server, "bob")
    yield opened
    assert not network.blocked, network.blocked


def test_questions_are_spoken_and_the_switch_silences_them(page: Any) -> None:
    send_text(page, "start Backend Software Engineer")
    wait_for_questions(page, 1)
    first = question_messages(page).first
    audio = first.locator("audio")
    audio.wait_for(state="attached", timeout=TIMEOUT_MS)
    assert audio.count() == 1
    assert audio.get_attribute("autoplay") is not None
    assert spoken_seconds(page, audio) > MIN_SPOKEN_S
    assert re.search(QUESTION, first.inner_text())

    set_speaking(page, on=False)
    page.get_by_text("Speak the questions").first.wait_for(state="hidden")
    before = questions_asked(page)
    send_text(page, "/repeat")
    wait_for_questions(page, before + 1)
    silent = question_messages(page).nth(before)

    set_speaking(page, on=True)
    send_text(page, "/repeat")
    wait_for_questions(page, before + 2)
    spoken_again = question_messages(page).nth(before + 1)
    spoken_again.locator("audio").wait_for(state="attached", timeout=TIMEOUT_MS)
    # The silenced question was asked (and would have been synthesised) before the spoken one.
    assert silent.locator("audio").count() == 0
    assert page.locator("audio").count() == 2


def test_the_choice_is_kept_with_the_profile(page: Any) -> None:
    set_speaking(page, on=False)
    page.locator("#new-chat-button").click()
    page.locator("#chat-settings-open-modal").wait_for()
    page.locator("#chat-settings-open-modal").click()
    assert page.locator("#speak_questions").get_attribute("aria-checked") == "false"
