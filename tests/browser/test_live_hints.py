"""Live hints in a practice interview: a fast or silent stretch is nudged, a steady answer is not.

Chromium's fake microphone plays an espeak-ng answer (made at test time) into the Chainlit room
while the candidate records; the server polls the streaming analysis once a second and the
room shows a small transient hint in the header. One answer starts with a sentence and 6.5 s
of silence, then speaks very fast (``-s 280``); the other is a steady ``-s 150`` answer with
short breaths between sentences. The fake microphone loops its file, so neither answer ends
in an unplanned silence.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, NetworkLog, start_server, wait_until_ready
from test_room import (
    QUESTION,
    TIMEOUT_MS,
    log_in,
    mic_button,
    open_page,
    questions_asked,
    send_text,
    wait_for_next_question,
)

from interview_coach.domain.live import NUDGE_TEXTS
from live_server import LiveServer, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STEADY = [
    "I led the migration of our billing database to a new cluster last spring.",
    "First I mapped every service that wrote to it and agreed a plan with each team.",
    "Then we copied the data in the background and compared both sides every night.",
    "When the numbers matched for a week we switched the writes during a quiet hour.",
    "We finished with zero downtime and the monthly costs went down by a third.",
    "Looking back I would involve the support team earlier so they could warn customers.",
]
FAST = [
    "So the first thing I did was to get everyone in one room and agree on what done means for this project.",
    "Then I split the work into small pieces that we could ship every week without breaking the billing flow.",
    "We wrote a script that compared the old and the new tables every night and sent a short report to the team.",
    "After two weeks of clean reports we moved the writes over during a quiet hour on a Sunday morning.",
    "The whole switch took twelve minutes and nobody outside the team noticed anything at all.",
]
BREATH_S = 0.6  # between sentences: long enough for the streaming analysis to close a segment
SILENCE_S = 6.5
STEADY_RECORDING_MS = 40_000
# Every hint the page shows, as (kind, text), whether or not it is still on screen.
WATCH_HINTS = """() => {
    window.__hintsSeen = [];
    const record = () => {
        const box = document.getElementById("live-hint");
        if (box && box.dataset.state === "shown" && getComputedStyle(box).visibility === "visible") {
            const last = window.__hintsSeen[window.__hintsSeen.length - 1];
            if (!last || last[1] !== box.textContent) window.__hintsSeen.push([box.dataset.kind, box.textContent]);
        }
    };
    new MutationObserver(record).observe(document.body, {
        subtree: true, childList: true, attributes: true, characterData: true,
    });
}"""


def _say(parts: list[tuple[str | None, float]], folder: Path, name: str) -> Path:
    """Join spoken sentences (text, espeak speed) and silences (None, seconds) into a 48 kHz WAV."""
    pieces = []
    for index, (text, value) in enumerate(parts):
        piece = folder / f"{name}-{index}.wav"
        if text is None:
            command = ["sox", "-n", "-r", "22050", "-c", "1", "-b", "16", str(piece), "trim", "0", str(value)]
        else:
            command = ["espeak-ng", "-v", "en-us", "-s", str(int(value)), "-w", str(piece), text]
        subprocess.run(command, check=True)
        pieces.append(str(piece))
    target = folder / f"{name}.wav"
    subprocess.run(["sox", *pieces, "-r", "48000", "-c", "1", "-b", "16", str(target)], check=True)
    return target


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A silent-then-fast answer and a steady one, for Chromium's fake microphone."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox are needed to make spoken answers")
    folder = tmp_path_factory.mktemp("live-hints")
    fast: list[tuple[str | None, float]] = [(STEADY[0], 150), (None, SILENCE_S)]
    for sentence in FAST:
        fast += [(sentence, 280), (None, BREATH_S)]
    steady: list[tuple[str | None, float]] = []
    for sentence in STEADY:
        steady += [(sentence, 150), (None, BREATH_S)]
    return {"fast_silent": _say(fast, folder, "fast_silent"), "steady": _say(steady, folder, "steady")}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The shared fixture's server, with time to start on a machine that is busy training."""
    server = start_server(tmp_path_factory.mktemp("live-serve"), timeout_s=600)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


def _answer_with_the_microphone(
    playwright: Any, server: LiveServer, wav: Path, user: str, *, until: Any
) -> dict[str, Any]:
    """Start an interview, record the first answer from a fake microphone playing ``wav``, stop."""
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]
    wait_until_ready(server)
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
    try:
        network = NetworkLog()
        page = open_page(browser, server, network)
        log_in(page, server, user)
        page.evaluate(WATCH_HINTS)
        send_text(page, "start Backend Software Engineer")
        page.get_by_text(QUESTION).first.wait_for()
        before = questions_asked(page)
        mic_button(page).click()
        result: dict[str, Any] = {"during": until(page)}
        mic_button(page).click()
        spoken = page.locator('[data-step-type="user_message"]').filter(has_text="Spoken answer").first
        spoken.wait_for()
        wait_for_next_question(page, before)
        result["seen"] = page.evaluate("() => window.__hintsSeen")
        result["replay"] = spoken.inner_text()
        result["network"] = network
        page.context.close()
        return result
    finally:
        browser.close()


def _both_hints_appear(page: Any) -> dict[str, Any]:
    """Wait for the silence hint, then the pace hint; check where each sits on the page."""
    hint = page.locator("#live-hint")
    question = page.locator('[data-step-type="assistant_message"]').filter(has_text=QUESTION).last
    boxes = {}
    for kind in ("silence", "fast_pace"):
        page.locator(f'#live-hint[data-kind="{kind}"]').wait_for(state="visible", timeout=TIMEOUT_MS)
        assert hint.inner_text() == NUDGE_TEXTS[kind]
        boxes[kind] = (hint.bounding_box(), question.bounding_box())
    return boxes


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and (a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])
    )


def test_a_silent_then_fast_answer_gets_hints_that_leave_the_question_visible(
    playwright: Any, live_server: LiveServer, answers: dict[str, Path]
) -> None:
    result = _answer_with_the_microphone(
        playwright, live_server, answers["fast_silent"], "alice", until=_both_hints_appear
    )
    for hint_box, question_box in result["during"].values():
        assert hint_box is not None and question_box is not None
        assert not _overlap(hint_box, question_box)
    kinds = [kind for kind, _ in result["seen"]]
    assert kinds[:2] == ["silence", "fast_pace"]
    # Every hint is kept with the answer: its replay lists them with their times.
    assert "live hint: " + NUDGE_TEXTS["silence"] in result["replay"]
    assert "live hint: " + NUDGE_TEXTS["fast_pace"] in result["replay"]
    assert not result["network"].blocked


def test_a_steady_answer_gets_no_hint(playwright: Any, live_server: LiveServer, answers: dict[str, Path]) -> None:
    result = _answer_with_the_microphone(
        playwright, live_server, answers["steady"], "bob", until=lambda page: page.wait_for_timeout(STEADY_RECORDING_MS)
    )
    assert result["seen"] == []
    assert "live hint" not in result["replay"]
    assert "Spoken answer (" in result["replay"]  # the answer itself was recorded and kept
    assert not result["network"].blocked
