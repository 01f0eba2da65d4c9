"""The room's rough edges in a real browser: reopened charts, export layout, dead ends, accessibility.

Alice holds one short interview (a typed answer and an uploaded spoken answer), ends it and asks
the coach something; the tests then reopen the thread, lay out the HTML export at phone and
desktop widths, let Bob open Alice's thread, and run axe-core on the login, interview, report
and coach screens. Its own module, so it gets its own live server and browser (conftest).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import REPO_ROOT, USERS, NetworkLog
from test_room import QUESTION, assistant_messages, log_in, open_page, send_text, wait_for_next_question

from live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
TYPED_ANSWER = (
    "In my last role I owned the billing service. A retry change double-charged 300 customers. "
    "I rolled back within 40 minutes, wrote the refund script and added idempotency keys, "
    "and every refund was done within 24 hours."
)
# A pixel counts as drawn ink when its channels differ this much: bars are saturated colours,
# while axes, grid lines and labels are greys (equal channels).
COLOURED_SPREAD = 60


def coloured_pixels(png: bytes) -> int:
    """Count the saturated (non-grey) pixels of a screenshot."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((pixels.max(axis=2) - pixels.min(axis=2)) > COLOURED_SPREAD).sum())


def chart_ink(page: Any) -> int:
    """Wait for the first chart's bars to be drawn and count its coloured pixels."""
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(state="visible")
    chart.scroll_into_view_if_needed()
    # Plotly draws bars as <path> elements inside .bars; wait for them rather than for a time.
    page.wait_for_function(
        "() => { const p = document.querySelector('.js-plotly-plot');"
        " return !!p && p.querySelectorAll('.bars path').length > 0 }"
    )
    return coloured_pixels(chart.screenshot())


def next_frames(page: Any) -> None:
    """Wait two animation frames: pending renders, and the room script's fixes scheduled on a frame, are done."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page; return the serious and critical violations."""
    next_frames(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [{"html": n["html"][:200], "why": n.get("failureSummary", "")[:300]} for n in v["nodes"][:5]],
        }
        for v in result
        if v["impact"] in {"serious", "critical"}
    ]


def open_steps(page: Any) -> int:
    """Expand every finished analysis step (the parent first, then its tools); return how many were opened."""
    opened = 0
    for _ in range(2):
        for toggle in page.get_by_role("button", name=re.compile(r"^Used ")).all():
            if toggle.get_attribute("aria-expanded") != "true" and toggle.get_attribute("data-state") != "open":
                toggle.click()
                opened += 1
    return opened


@pytest.fixture(scope="module")
def room(
    playwright_browser: Any, live_server: LiveServer, speech_files: dict[str, Path], artifacts_dir: Path
) -> dict[str, Any]:
    """Alice's short interview, with axe results and chart ink taken on the way."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is not installed at {AXE}: scripts/setup.sh installs it with npm")
        pytest.skip(f"axe-core is not installed at {AXE} (run scripts/setup.sh)")
    network = NetworkLog()
    page = open_page(playwright_browser, live_server, network)
    result: dict[str, Any] = {"network": network, "page": page, "axe": {}}

    page.goto(live_server.base_url + "/")
    page.wait_for_url(re.compile(r".*/chat/login.*"))
    page.locator("input[type=password]").wait_for()
    result["login_text"] = page.locator("body").inner_text()
    result["axe"]["login"] = axe_violations(page)
    page.locator("input").first.fill("alice")
    page.locator("input[type=password]").fill("not-the-password")
    page.locator("button[type=submit]").click()
    page.get_by_role("alert").first.wait_for()
    page.locator("[data-sonner-toast]").first.wait_for(state="attached")  # Chainlit also toasts the failure
    next_frames(page)
    result["login_error"] = page.locator("body").inner_text()

    log_in(page, live_server, "alice")
    page.locator("#room-welcome").wait_for()
    page.screenshot(path=str(artifacts_dir / "19-home.png"))
    result["home_text"] = page.locator("body").inner_text()
    send_text(page, "start Backend Software Engineer")
    page.get_by_text(QUESTION).first.wait_for()
    result["axe"]["interview"] = axe_violations(page)

    before = int(assistant_messages(page).filter(has_text=QUESTION).count())
    send_text(page, TYPED_ANSWER)
    wait_for_next_question(page, before)
    before = int(assistant_messages(page).filter(has_text=QUESTION).count())
    page.locator("#upload-button-input").set_input_files(str(speech_files["upload"]))
    page.get_by_text(speech_files["upload"].name).first.wait_for()
    page.locator("#chat-submit").click()
    wait_for_next_question(page, before)
    result["steps_opened"] = open_steps(page)
    result["steps_text"] = page.locator("body").inner_text()

    send_text(page, "/end")
    page.get_by_text("Interview report").first.wait_for()
    page.get_by_text("Download your report").first.wait_for()
    result["live_ink"] = chart_ink(page)
    page.screenshot(path=str(artifacts_dir / "20-report-live.png"), full_page=True)
    result["axe"]["report"] = axe_violations(page)

    coach_before = assistant_messages(page).count()
    send_text(page, "Give me a drill for filler words")
    page.wait_for_function(
        "([n]) => document.querySelectorAll('[data-step-type=\"assistant_message\"]').length > n",
        arg=[coach_before],
    )
    assistant_messages(page).last.get_by_text(re.compile(r"\w")).first.wait_for()
    result["axe"]["coach"] = axe_violations(page)
    result["footer_text"] = page.locator("body").inner_text()

    sessions = httpx.get(
        live_server.base_url + "/api/sessions", headers={"Authorization": "Bearer token-alice"}, timeout=30
    ).json()
    result["session_id"] = sessions[0]["session_id"]
    (artifacts_dir / "axe-room.json").write_text(json.dumps(result["axe"], indent=2))
    return result


def test_reopened_thread_draws_its_chart_and_keeps_the_rating_buttons(
    room: dict[str, Any], live_server: LiveServer, artifacts_dir: Path
) -> None:
    page = room["page"]
    page.goto(f"{live_server.base_url}/chat/thread/{room['session_id']}")
    page.get_by_text("Feedback on Q1").first.wait_for()
    reopened = chart_ink(page)
    page.screenshot(path=str(artifacts_dir / "21-report-reopened.png"), full_page=True)
    assert room["live_ink"] > 1000, "the live chart has drawn bars"
    assert reopened >= room["live_ink"] // 2, (reopened, room["live_ink"])
    card = assistant_messages(page).filter(has_text="Feedback on Q1").first
    card.get_by_role("button", name=re.compile("Helpful")).wait_for()
    assert card.get_by_role("button", name=re.compile("Not right")).count() == 1

    # The same thread opened from the sidebar of a new chat (no page load in between).
    page.locator("#new-chat-button").click()
    page.locator("#welcome-screen").wait_for()
    page.locator(f'a[href*="{room["session_id"]}"]').first.click()
    page.get_by_text("Feedback on Q1").first.wait_for()
    from_sidebar = chart_ink(page)
    assert from_sidebar >= room["live_ink"] // 2, (from_sidebar, room["live_ink"])


def test_room_charts_fit_a_phone_screen(room: dict[str, Any], live_server: LiveServer, artifacts_dir: Path) -> None:
    page = room["page"]
    page.set_viewport_size({"width": 360, "height": 800})
    try:
        page.goto(f"{live_server.base_url}/chat/thread/{room['session_id']}")
        page.get_by_text("Feedback on Q1").first.wait_for()
        assert chart_ink(page) >= room["live_ink"] // 4, "the chart is drawn at phone width"
        page.screenshot(path=str(artifacts_dir / "24-report-chart-360px.png"))
        box = page.locator(".js-plotly-plot").first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def long_report() -> str:
    """The HTML export of an eight-question interview with a follow-up (the layout that overflowed)."""
    from datetime import UTC, datetime

    from interview_coach.assessment.rendering import render_export
    from interview_coach.domain import (
        CandidateProfile,
        Question,
        QuestionKind,
        QuestionRef,
        QuestionReport,
        Score,
        SessionReport,
    )

    def answer(number: int, follow_up: int = 0) -> QuestionReport:
        question = Question(
            id=f"q{number}-{follow_up}", text=f"Question {number}?", kind=QuestionKind.TECHNICAL, competency="design"
        )
        return QuestionReport(
            question=question,
            ref=QuestionRef(number=number, total=8, follow_up=follow_up, question_id=question.id),
            scores={"answer_quality": Score(value=40 + 5 * number)},
        )

    questions = [answer(1), answer(1, 1), *(answer(n) for n in range(2, 9))]
    report = SessionReport(
        session_id="s-long",
        user_id="alice",
        profile=CandidateProfile(role="Backend Software Engineer"),
        created_at=datetime(2026, 11, 27, 10, tzinfo=UTC),
        questions=questions,
        overall_scores={"answer_quality": Score(value=60)},
    )
    return render_export(report, "html")


def export_layout(browser: Any, html: str, width: int, screenshot: Path) -> list[dict[str, Any]]:
    """Lay out an HTML export at a viewport width; return each chart's card, SVG and axis-label boxes."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route("**/*", lambda route: route.abort())  # the export must need nothing from anywhere
    page = context.new_page()
    page.set_content(html)
    page.screenshot(path=str(screenshot), full_page=True)
    boxes: list[dict[str, Any]] = page.evaluate(
        """() => Array.from(document.querySelectorAll('.chart')).map(card => {
            const svg = card.querySelector('svg');
            const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
            return {card: box(card), svg: box(svg),
                    labels: Array.from(svg.querySelectorAll('text.label')).map(box)};
        })"""
    )
    context.close()
    return boxes


def assert_charts_fit(boxes: list[dict[str, Any]], width: int, questions: int) -> None:
    assert boxes, "the export has charts"
    for chart in boxes:
        card, svg = chart["card"], chart["svg"]
        assert card[0] <= svg[0] and svg[2] <= card[2], f"chart {svg} overflows its card {card} at {width} px"
        labels = sorted(chart["labels"])
        assert len(labels) == questions, "one axis label per question"
        for left, right in itertools.pairwise(labels):
            assert left[2] <= right[0], f"axis labels overlap at {width} px: {left} {right}"


@pytest.mark.parametrize("width", [360, 1280])
def test_export_charts_of_a_long_interview_fit_their_cards(
    playwright_browser: Any, artifacts_dir: Path, width: int
) -> None:
    boxes = export_layout(playwright_browser, long_report(), width, artifacts_dir / f"22-export-long-{width}px.png")
    assert_charts_fit(boxes, width, questions=9)


@pytest.mark.parametrize("width", [360, 1280])
def test_export_charts_of_the_live_interview_fit_their_cards(
    room: dict[str, Any], live_server: LiveServer, playwright_browser: Any, artifacts_dir: Path, width: int
) -> None:
    export = next(live_server.data_dir.rglob(f"interview-report-{room['session_id']}.html"))
    html = export.read_text("utf-8")
    boxes = export_layout(playwright_browser, html, width, artifacts_dir / f"22-export-live-{width}px.png")
    asked = len(re.findall(r"<h[34]>Q\d", html))  # one heading per question and follow-up
    assert_charts_fit(boxes, width, questions=asked)


def test_a_foreign_thread_says_not_found_and_new_chat_works(
    room: dict[str, Any], playwright_browser: Any, live_server: LiveServer, artifacts_dir: Path
) -> None:
    network = NetworkLog()
    page = open_page(playwright_browser, live_server, network)
    log_in(page, live_server, "bob")
    page.goto(f"{live_server.base_url}/chat/thread/{room['session_id']}")
    page.get_by_text(re.compile("not found", re.IGNORECASE)).first.wait_for()
    page.locator("#chat-settings-open-modal").wait_for()
    page.screenshot(path=str(artifacts_dir / "23-foreign-thread.png"), full_page=True)
    assert page.get_by_text("Could not reach the server").count() == 0
    assert page.locator("#chat-input").is_editable()
    before = assistant_messages(page).count()
    send_text(page, "How am I progressing?")
    page.wait_for_function(
        "([n]) => document.querySelectorAll('[data-step-type=\"assistant_message\"]').length > n", arg=[before]
    )
    assert page.get_by_text("Feedback on Q1").count() == 0
    assert network.blocked == []


def test_evidence_timestamps_seek_the_answer_player(room: dict[str, Any], live_server: LiveServer) -> None:
    page = room["page"]
    page.goto(f"{live_server.base_url}/chat/thread/{room['session_id']}")  # kept in the reopened thread too
    seek = page.get_by_role("button", name=re.compile(r"Play the .* answer from \d+:\d\d")).last
    seek.wait_for()
    target = float(seek.get_attribute("data-seconds") or "nan")
    message = assistant_messages(page).filter(has=seek)
    player = message.locator("audio, video").first.element_handle()
    page.wait_for_function("el => el.readyState >= 1", arg=player)  # duration known, so it can seek
    elsewhere = target + 2.5
    page.evaluate("([el, t]) => { el.currentTime = t; }", [player, elsewhere])
    page.wait_for_function("([el, t]) => Math.abs(el.currentTime - t) < 0.3", arg=[player, elsewhere])
    seek.click()
    page.wait_for_function("([el, t]) => Math.abs(el.currentTime - t) < 0.6", arg=[player, target])


def test_login_home_and_footer_speak_the_product_language(room: dict[str, Any]) -> None:
    from interview_coach.core.settings import Settings
    from interview_coach.ui.chainlit.assets import WELCOME, footer_text

    assert "Email address" not in room["login_text"]
    assert "User name" in room["login_text"]
    assert "credentialssignin" not in room["login_error"].lower(), room["login_error"]
    assert "wrong user name or password" in room["login_error"].lower(), room["login_error"]
    assert "LLMs can make mistakes" not in room["footer_text"]
    assert footer_text(Settings()) in room["footer_text"], "the footer names what writes the feedback"
    for step in WELCOME:
        assert step in room["home_text"], "the home screen explains how an interview works"


def test_finished_steps_do_not_say_running(room: dict[str, Any]) -> None:
    assert room["steps_opened"] >= 2, "the analysis steps were opened"
    assert "Transcribing speech" in room["steps_text"]
    assert "running…" not in room["steps_text"]


def test_display_name_persists_across_new_chats(playwright_browser: Any, live_server: LiveServer) -> None:
    page = open_page(playwright_browser, live_server, NetworkLog())
    log_in(page, live_server, "bob")
    page.locator("#chat-settings-open-modal").click()
    page.locator("#name").fill("Robert Tables")
    page.locator("#confirm").click()
    page.locator("#new-chat-button").click()
    page.locator("#chat-settings-open-modal").wait_for()
    page.locator("#chat-settings-open-modal").click()
    assert page.locator("#name").input_value() == "Robert Tables"
    assert USERS["bob"] not in page.content()


@pytest.mark.parametrize("screen", ["login", "interview", "report", "coach"])
def test_no_serious_accessibility_violations(room: dict[str, Any], screen: str) -> None:
    assert room["axe"][screen] == [], json.dumps(room["axe"][screen], indent=2)


def test_the_room_never_leaves_the_server(room: dict[str, Any]) -> None:
    assert room["network"].blocked == []
