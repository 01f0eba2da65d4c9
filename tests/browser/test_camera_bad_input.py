"""Bad input around a camera answer in the room: a second tab, and a connection lost mid-answer.

Real Chromium clients against a live server. Two tabs of one user hold the same interview (the
second reopens the thread): while the first records a camera answer, the second's typed answer
and its own camera start (a real ``callAction`` call from that tab's Chainlit session) are
refused with a clear message, and the first tab's answer is analysed as if nothing happened.
Then the websocket of a recording tab is closed and the browser goes offline for a few seconds
mid-answer: the recording goes on, the pieces and frames wait in the page and are sent when the
connection is back, so the whole answer (before, during and after the drop) is analysed. The same
for a microphone answer, whose audio socket.io keeps while the socket is down.
"""

from __future__ import annotations

import re
import time
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

from live_server import LiveServer, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Keeps the page's websockets (to drop them) and its Chainlit session id (for a direct action call).
SOCKET_SPY = """
(() => {
  const Original = window.WebSocket;
  const seen = (data) => {
    const found = typeof data === "string" && /"sessionId":"([^"]+)"/.exec(data);
    if (found) window.__chainlitSession = found[1];
  };
  window.__sockets = [];
  window.__chainlitSession = null;
  window.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
    }
    send(data) {
      seen(data);
      return super.send(data);
    }
  };
  // socket.io may open with HTTP long-polling, which sends the connect packet (and its auth) by XHR.
  const xhrSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    seen(body);
    return xhrSend.call(this, body);
  };
})();
"""
TYPED = "I would tell the product manager the same day, estimate the delay and offer to cut scope."
ANOTHER_WINDOW = "being answered in another window"
RECONNECTING = "connection to the server was lost"
BEFORE_DROP_MS = 3_000
OFFLINE_MS = 5_000
AFTER_DROP_MS = 4_000


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(
        tmp_path_factory.mktemp("camera-bad-input"),
        extra_env={"INTERVIEW_COACH_FACE_SAMPLE_FPS": BATCH_FPS},
        timeout_s=TIMEOUT_MS / 1000,
    )
    wait_until_ready(server)
    yield server
    stop_server(server)


def spied_room(browser: Any, server: LiveServer, network: NetworkLog, user: str) -> Any:
    page = open_room(browser, server, network, ["camera", "microphone"])
    page.context.add_init_script(SOCKET_SPY)
    log_in(page, server, user)
    return page


def sessions(server: LiveServer, token: str) -> list[dict[str, Any]]:
    reply = httpx.get(server.base_url + "/api/sessions", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    found: list[dict[str, Any]] = reply.json()
    return found


def report(server: LiveServer, token: str, session_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    found: dict[str, Any] = httpx.get(
        f"{server.base_url}/api/sessions/{session_id}/report", headers=headers, timeout=60
    ).json()
    return found


def call_action(page: Any, server: LiveServer, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Call a room action from this tab's Chainlit session, over HTTP with the tab's login cookie."""
    session = page.evaluate("() => window.__chainlitSession")
    assert session, "the tab's Chainlit session id was not seen on its websocket"
    reply = page.context.request.post(
        server.base_url + "/chat/project/action",
        data={"sessionId": session, "action": {"name": name, "payload": payload}},
    )
    assert reply.ok, reply.text()
    body: dict[str, Any] = reply.json()["response"]
    return body


def feedback_after(page: Any, before: int) -> str:
    page.wait_for_function(
        """([before]) => Array.from(document.querySelectorAll('[data-step-type="assistant_message"]'))
            .filter(e => /Q\\d+\\/\\d+|Follow-up:/.test(e.innerText)).length > before""",
        arg=[before],
        timeout=TIMEOUT_MS,
    )
    card = assistant_messages(page).filter(has_text="Feedback on Q1").first
    card.wait_for()
    return str(card.inner_text())


def end_interview(page: Any) -> None:
    send_text(page, "/end")
    assistant_messages(page).filter(has_text="Download your report").first.wait_for(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def two_tabs(request: pytest.FixtureRequest, live_server: LiveServer, artifacts_dir: Path) -> dict[str, Any]:
    """Alice records Q1 on camera in one tab while a second tab of the same interview tries to answer."""
    browser = request.getfixturevalue("camera_browser")
    network = NetworkLog()
    first = spied_room(browser, live_server, network, "alice")
    send_text(first, "start Backend Software Engineer")
    first.get_by_text(QUESTION).first.wait_for()
    [session] = sessions(live_server, "token-alice")
    headers = {"Authorization": "Bearer token-alice"}
    turn = httpx.get(f"{live_server.base_url}/api/sessions/{session['session_id']}", headers=headers, timeout=30)
    question_id = turn.json()["question"]["id"]

    second = spied_room(browser, live_server, network, "alice")
    second.goto(f"{live_server.base_url}/chat/thread/{session['session_id']}")
    second.get_by_text(QUESTION).first.wait_for()
    second.wait_for_function("() => window.__chainlitSession")

    before = questions_asked(first)
    first.get_by_role("button", name=START).last.click()
    first.get_by_role("button", name=STOP).wait_for()
    first.wait_for_timeout(2_000)
    send_text(second, TYPED)
    refusal = second.get_by_text(re.compile(ANOTHER_WINDOW)).first
    refusal.wait_for()
    result: dict[str, Any] = {"typed_refusal": refusal.inner_text()}
    result["camera_refusal"] = call_action(second, live_server, "camera_start", {"questionId": question_id})
    second.screenshot(path=str(artifacts_dir / "17-second-tab-refused.png"), full_page=True)
    first.wait_for_timeout(4_000)
    first.get_by_role("button", name=STOP).click()
    result["card"] = feedback_after(first, before)
    end_interview(first)
    result["report"] = report(live_server, "token-alice", session["session_id"])
    result["network"] = network
    first.context.close()
    second.context.close()
    return result


def test_a_second_tab_is_refused_clearly_while_the_first_records(two_tabs: dict[str, Any]) -> None:
    assert "Nothing from this window was used" in two_tabs["typed_refusal"]
    refused = two_tabs["camera_refusal"]
    assert refused["ok"] is False and ANOTHER_WINDOW in refused["message"], refused


def test_the_first_tabs_camera_answer_is_unaffected(two_tabs: dict[str, Any]) -> None:
    assert "eye contact" in two_tabs["card"].lower(), two_tabs["card"]
    first = two_tabs["report"]["questions"][0]
    assert first["input_mode"] == "video"
    assert TYPED not in (first["answer_text"] or "")
    assert first["analysis"]["face"]["fps_analyzed"] == LIVE_FPS
    assert not two_tabs["network"].blocked


@pytest.fixture(scope="module")
def dropped_connection(request: pytest.FixtureRequest, live_server: LiveServer, artifacts_dir: Path) -> dict[str, Any]:
    """Bob's camera answer loses its websocket and the network for a few seconds in the middle."""
    browser = request.getfixturevalue("camera_browser")
    network = NetworkLog()
    page = spied_room(browser, live_server, network, "bob")
    send_text(page, "start Backend Software Engineer")
    page.get_by_text(QUESTION).first.wait_for()
    before = questions_asked(page)
    page.get_by_role("button", name=START).last.click()
    page.get_by_role("button", name=STOP).wait_for()
    started = time.monotonic()
    page.wait_for_timeout(BEFORE_DROP_MS)
    page.context.set_offline(True)
    page.evaluate("() => window.__sockets.forEach((socket) => socket.close())")
    notice = page.get_by_text(re.compile(RECONNECTING)).first
    try:
        notice.wait_for(timeout=OFFLINE_MS * 2)
    finally:
        page.screenshot(path=str(artifacts_dir / "18-camera-offline.png"), full_page=True)
    page.wait_for_timeout(OFFLINE_MS)
    page.context.set_offline(False)
    page.wait_for_timeout(AFTER_DROP_MS)
    page.screenshot(path=str(artifacts_dir / "19-camera-reconnected.png"), full_page=True)
    page.get_by_role("button", name=STOP).click()
    recorded_s = time.monotonic() - started
    result: dict[str, Any] = {"recorded_s": recorded_s, "card": feedback_after(page, before)}
    end_interview(page)
    [session] = sessions(live_server, "token-bob")
    result["report"] = report(live_server, "token-bob", session["session_id"])
    result["network"] = network
    page.context.close()
    return result


def test_an_answer_survives_a_dropped_connection_whole(dropped_connection: dict[str, Any]) -> None:
    first = dropped_connection["report"]["questions"][0]
    assert first["input_mode"] == "video"
    recorded_s = dropped_connection["recorded_s"]
    # Nothing of the recording is missing: not the seconds before the drop, nor those while offline.
    assert first["duration_s"] >= recorded_s - 2.0, (first["duration_s"], recorded_s)
    face = first["analysis"]["face"]
    assert face["fps_analyzed"] == LIVE_FPS
    assert face["frames_analyzed"] >= LIVE_FPS * (recorded_s - 2.0) * 0.9, (face["frames_analyzed"], recorded_s)
    assert "eye contact" in dropped_connection["card"].lower()
    assert not dropped_connection["network"].blocked


def test_a_spoken_answer_survives_a_dropped_connection(
    request: pytest.FixtureRequest, live_server: LiveServer, artifacts_dir: Path
) -> None:
    """The microphone's audio goes over the websocket itself: socket.io keeps what is sent while it is down."""
    browser = request.getfixturevalue("camera_browser")
    network = NetworkLog()
    page = spied_room(browser, live_server, network, "alice")
    send_text(page, "start Backend Software Engineer")
    page.get_by_text(QUESTION).first.wait_for()
    mic_button(page).click()
    started = time.monotonic()
    page.wait_for_timeout(BEFORE_DROP_MS)
    page.context.set_offline(True)
    page.evaluate("() => window.__sockets.forEach((socket) => socket.close())")
    page.wait_for_timeout(OFFLINE_MS)
    page.context.set_offline(False)
    page.wait_for_timeout(AFTER_DROP_MS)
    mic_button(page).click()
    recorded_s = time.monotonic() - started
    spoken = page.get_by_text(re.compile(r"Spoken answer \((\d+) s\)")).first
    spoken.wait_for()
    page.screenshot(path=str(artifacts_dir / "20-mic-after-reconnect.png"), full_page=True)
    seconds = int(re.search(r"\((\d+) s\)", spoken.inner_text()).group(1))  # type: ignore[union-attr]
    assistant_messages(page).filter(has_text="Feedback on Q1").first.wait_for()  # and it was analysed
    page.context.close()
    assert seconds >= recorded_s - 2.0, (seconds, recorded_s)
