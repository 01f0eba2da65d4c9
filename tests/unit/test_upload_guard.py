"""Uploads are authenticated before any body byte is read, and a streamed body stops at the limit.

The middleware is driven as ASGI directly, with a ``receive`` that counts the body bytes
handed out: that count is exactly what the server read of the body.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
from starlette.types import Message, Receive, Scope, Send

from interview_coach.core.settings import Settings
from interview_coach.ui.api.limits import BodyLimitMiddleware
from interview_coach.ui.auth import api_upload_authorizer

CHUNK = 64 * 1024
LIMIT = 1024 * 1024
UPLOAD = "/api/sessions/s1/answers/media"


class Body:
    """An endless chunked request body that counts what the server pulled."""

    def __init__(self, total: int) -> None:
        self.left = total
        self.read = 0

    async def receive(self) -> Message:
        size = min(CHUNK, self.left)
        self.left -= size
        self.read += size
        return {"type": "http.request", "body": b"\0" * size, "more_body": self.left > 0}


async def reading_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Read the whole body, like FastAPI's form parsing, then answer 200."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def call(
    app: Callable[[Scope, Receive, Send], Awaitable[None]], headers: dict[str, str], body: Body
) -> tuple[int, dict[str, str], bytes]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": UPLOAD,
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(app(scope, body.receive, send))
    start = sent[0]
    return (
        int(start["status"]),
        {k.decode(): v.decode() for k, v in start["headers"]},
        b"".join(m.get("body", b"") for m in sent[1:]),
    )


@pytest.fixture
def guarded() -> BodyLimitMiddleware:
    settings = Settings(api_tokens={"good-token": "alice"}, _env_file=None)  # type: ignore[call-arg]
    return BodyLimitMiddleware(
        reading_app, prefix="/api/", media_limit=LIMIT, authorize=api_upload_authorizer(settings)
    )


MULTIPART = {"content-type": "multipart/form-data; boundary=x"}


@pytest.mark.parametrize(
    "credentials",
    [{}, {"authorization": "Bearer wrong"}, {"authorization": "Basic Z29vZC10b2tlbg=="}, {"authorization": "Bearer "}],
)
@pytest.mark.parametrize("framing", [{"content-length": str(150 * 1024 * 1024)}, {"transfer-encoding": "chunked"}])
def test_unauthenticated_uploads_get_401_before_any_body_byte_is_read(
    guarded: BodyLimitMiddleware, credentials: dict[str, str], framing: dict[str, str]
) -> None:
    body = Body(150 * 1024 * 1024)
    status, headers, payload = call(guarded, {**MULTIPART, **framing, **credentials}, body)
    assert status == 401 and headers["www-authenticate"] == "Bearer"
    assert "log in" in json.loads(payload)["detail"].lower()
    assert body.read == 0


def test_an_authenticated_chunked_upload_is_cut_at_the_limit(guarded: BodyLimitMiddleware) -> None:
    body = Body(2 * 1024 * 1024 * 1024)
    status, _, _ = call(
        guarded, {**MULTIPART, "transfer-encoding": "chunked", "authorization": "Bearer good-token"}, body
    )
    assert status == 413
    assert LIMIT < body.read <= LIMIT + CHUNK


def test_an_authenticated_upload_within_the_limit_reaches_the_app(guarded: BodyLimitMiddleware) -> None:
    body = Body(LIMIT // 2)
    status, _, _ = call(
        guarded, {**MULTIPART, "transfer-encoding": "chunked", "authorization": "Bearer good-token"}, body
    )
    assert status == 200 and body.read == LIMIT // 2


def test_routes_other_than_uploads_are_not_held_to_the_upload_check() -> None:
    settings = Settings(api_tokens={}, _env_file=None)  # type: ignore[call-arg]
    app = BodyLimitMiddleware(reading_app, prefix="/api/", media_limit=LIMIT, authorize=api_upload_authorizer(settings))
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    body = Body(10)
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/sessions",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"10")],
    }
    asyncio.run(app(scope, body.receive, send))
    # The route's own dependency answers 401 for JSON routes; the middleware lets them through.
    assert sent[0]["status"] == 200 and body.read == 10
