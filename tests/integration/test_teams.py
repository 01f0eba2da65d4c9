"""One live ``interview-coach serve`` process in Microsoft Teams mode.

Chainlit mounts its Teams messaging endpoint (``/chat/teams/events`` here) when
``TEAMS_APP_ID`` and ``TEAMS_APP_PASSWORD`` are set. Its own route lets botbuilder's token
errors escape (500), so :mod:`interview_coach.ui.chat_setup` registers ours first: it runs
botbuilder's Bot Framework token check and answers **401** with a JSON ``detail`` when the check
refuses the request, before any bot code runs. The server starts with dummy credentials.
Tokens that claim the Bot Framework issuer are not sent: validating them makes botbuilder
fetch Microsoft's signing keys over the network.
"""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from live_server import LiveServer, start_server, stop_server

pytestmark = pytest.mark.slow
APP_ID = "00000000-0000-0000-0000-00000000c0ac"
TEAMS_PATH = "/chat/teams/events"
ACTIVITY = {
    "type": "message",
    "id": "activity-1",
    "channelId": "msteams",
    "serviceUrl": "https://smba.trafficmanager.net/amer/",
    "from": {"id": "29:teams-user", "name": "Dana"},
    "recipient": {"id": f"28:{APP_ID}", "name": "interview-coach"},
    "conversation": {"id": "a:conversation-1"},
    "text": "start Backend Engineer",
}


@pytest.fixture(scope="module")
def teams_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    assert importlib.util.find_spec("botbuilder") is not None, (
        "Teams mode needs botbuilder-core (pip install 'interview-coach[teams]'); Chainlit cannot mount the endpoint."
    )
    env = {
        "INTERVIEW_COACH_AUTH_MODE": "none",
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": "dummy-teams-password",
    }
    unset = ("TEAMS_APP_TENANT_ID", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_WEBSOCKET_TOKEN")
    server = start_server(tmp_path_factory.mktemp("live-teams"), env, unset=unset)
    try:
        yield server
    finally:
        stop_server(server)


def _foreign_token() -> str:
    """A well-formed RS256 token for our app id, signed by a key and issuer Bot Framework does not trust."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"iss": "https://issuer.invalid/", "aud": APP_ID, "serviceurl": ACTIVITY["serviceUrl"], "nbf": now - 5}
    claims["exp"] = now + 600
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "forged-key"})


def _wait_for_log(server: LiveServer, text: str, count: int) -> int:
    """Wait until ``text`` occurs at least ``count`` times in the log (the error is logged after the reply)."""
    seen = server.log_text().count(text)
    for _ in range(50):
        if seen >= count:
            break
        time.sleep(0.1)
        seen = server.log_text().count(text)
    return seen


def test_teams_mode_serves_healthz_and_the_messaging_endpoint(teams_server: LiveServer) -> None:
    health = httpx.get(teams_server.base_url + "/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok", "chat": True}
    # Without Teams mode Chainlit has no POST route here (405); in Teams mode the endpoint answers.
    assert httpx.post(teams_server.base_url + "/chat/no-such-integration/events", json=ACTIVITY).status_code == 405
    response = httpx.post(teams_server.base_url + TEAMS_PATH, json=ACTIVITY)
    assert response.status_code == 401, response.text[:200]


@pytest.mark.parametrize(
    ("case", "authorization", "reason"),
    [
        ("no header", None, "Required Authorization token was not supplied"),
        ("malformed bearer", "Bearer not.a.jwt", "Invalid Bot Framework token: Invalid header padding"),
        ("basic scheme", "Basic ZGFuYTpzZWNyZXQ=", "Unauthorized. No valid identity."),
        ("untrusted issuer", "FOREIGN", "Unauthorized. No valid identity."),
    ],
)
def test_teams_requests_without_a_valid_bot_framework_token_get_401_before_the_bot_runs(
    teams_server: LiveServer, case: str, authorization: str | None, reason: str
) -> None:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = f"Bearer {_foreign_token()}" if authorization == "FOREIGN" else authorization
    refused = "Teams request refused (401): "
    before = teams_server.log_text().count(refused)

    response = httpx.post(teams_server.base_url + TEAMS_PATH, content=json.dumps(ACTIVITY), headers=headers, timeout=30)

    assert response.status_code == 401, (case, response.status_code, response.text[:200])
    assert response.headers["content-type"].startswith("application/json")
    assert reason in response.json()["detail"], response.text
    assert _wait_for_log(teams_server, refused, before + 1) == before + 1, teams_server.log_text()[-3000:]
    log = teams_server.log_text()
    assert reason in log.rsplit(refused, 1)[1].splitlines()[0]
    # Refused by our route: no escaped botbuilder error and no bot turn.
    assert "Traceback" not in log and "process_activity_with_identity" not in log, log[-3000:]
    assert httpx.get(teams_server.base_url + "/healthz").status_code == 200


def test_teams_endpoint_refuses_a_body_that_is_not_an_activity(teams_server: LiveServer) -> None:
    headers = {"Content-Type": "application/json", "Authorization": "Bearer not.a.jwt"}
    not_json = httpx.post(teams_server.base_url + TEAMS_PATH, content=b"{not json", headers=headers, timeout=30)
    no_type = httpx.post(teams_server.base_url + TEAMS_PATH, content=b"[1, 2]", headers=headers, timeout=30)

    assert not_json.status_code == 400 and "activity" in not_json.json()["detail"]
    assert no_type.status_code == 400
