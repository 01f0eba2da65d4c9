"""One live ``interview-coach serve`` process: the REST API over real HTTP, and Slack mode.

The server starts with dummy Slack credentials (Chainlit's Slack integration reads
``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET``); Slack requests without a valid signature
must be rejected, a correctly signed URL verification must pass.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from live_server import start_server, stop_server

pytestmark = pytest.mark.slow
SIGNING_SECRET = "dummy-signing-secret"
TOKEN = {"Authorization": "Bearer live-token"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "INTERVIEW_COACH_AUTH_MODE": "none",
        "INTERVIEW_COACH_API_TOKENS": json.dumps({"live-token": "dana"}),
        "SLACK_BOT_TOKEN": "xoxb-dummy-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }
    live = start_server(tmp_path_factory.mktemp("live-api"), env, unset=["SLACK_WEBSOCKET_TOKEN"])
    try:
        yield live.base_url
    finally:
        stop_server(live)


def test_root_redirects_to_the_chat_and_docs_are_served(server: str) -> None:
    response = httpx.get(server + "/", follow_redirects=False)
    assert response.status_code in {302, 307} and response.headers["location"].endswith("/chat")
    assert httpx.get(server + "/docs").status_code == 200
    page = httpx.get(server + "/chat/").text
    assert "fonts.googleapis.com" not in page and "cdn.jsdelivr.net" not in page


def test_interview_over_http(server: str) -> None:
    with httpx.Client(base_url=server, headers=TOKEN, timeout=120) as client:
        turn = client.post("/api/sessions", json={"question_count": 1, "kinds": ["technical"]}).json()
        assert turn["waiting_for"] == "answer" and turn["question"]["text"]
        answered = client.post(
            f"/api/sessions/{turn['session_id']}/answers",
            json={"text": "An index is a B-tree that avoids a full table scan; it speeds reads but slows writes."},
        ).json()
        if answered["waiting_for"] == "answer":  # a follow-up
            answered = client.post(f"/api/sessions/{turn['session_id']}/answers", json={"text": "/end"}).json()
        assert answered["report_ready"]
        html = client.get(f"/api/sessions/{turn['session_id']}/report", params={"format": "html"})
        assert html.status_code == 200 and "<svg" in html.text
        assert client.get("/api/sessions").json()[0]["session_id"] == turn["session_id"]
        assert httpx.get(server + "/api/sessions", headers={"Authorization": "Bearer wrong"}).status_code == 401


def _slack_headers(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/json",
    }


def test_slack_events_need_a_valid_signature(server: str) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()
    url = server + "/chat/slack/events"
    unsigned = httpx.post(url, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    forged = httpx.post(url, content=body, headers=_slack_headers(body, "not-the-secret"))
    assert forged.status_code == 401
    stale = httpx.post(url, content=body, headers=_slack_headers(body, SIGNING_SECRET, int(time.time()) - 3600))
    assert stale.status_code == 401
    signed = httpx.post(url, content=body, headers=_slack_headers(body, SIGNING_SECRET))
    assert signed.status_code == 200 and "abc123" in signed.text
