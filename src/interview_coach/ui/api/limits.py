"""Body limits for the REST API and the chat uploads: refuse before reading.

Uploads are checked in this order, each before any body byte is read: authentication (401),
the declared length (413), the content type (415). A body without a declared length
(chunked) is counted as it streams and cut off with 413 at the limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)
JSON_BODY_LIMIT = 1024 * 1024
MEDIA_PATH_SUFFIX = "/answers/media"
UploadAuthorizer = Callable[[Scope], bool]
"""Tells from a request's headers, cookies and query alone whether its sender may upload."""


class BodyLimitMiddleware:
    """Refuse unauthenticated uploads (401), oversized (413) or wrongly typed (415) bodies before reading them.

    A pure ASGI middleware, so nothing (not FastAPI's form parsing, not Chainlit's upload
    route) has touched the body when it answers. ``authorize`` runs first on uploads; then
    the declared ``Content-Length`` is checked; bodies without one (chunked) are counted
    while they stream and cut off at the limit.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        media_limit: int,
        json_limit: int = JSON_BODY_LIMIT,
        media_suffix: str = MEDIA_PATH_SUFFIX,
        authorize: UploadAuthorizer | None = None,
    ) -> None:
        """Wrap an ASGI app.

        Args:
            app: the wrapped app.
            prefix: paths this middleware looks at.
            media_limit: body limit of multipart uploads to paths ending in ``media_suffix``.
            json_limit: body limit of every other request under ``prefix``.
            media_suffix: how upload paths end.
            authorize: checked on every upload before its body is read; ``False`` answers 401.
        """
        self.app = app
        self.prefix = prefix
        self.media_limit = media_limit
        self.json_limit = json_limit
        self.media_suffix = media_suffix
        self.authorize = authorize

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then pass it on with a counting ``receive``."""
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = str(scope["path"]).rstrip("/")
        is_media = path.endswith(self.media_suffix)
        if is_media and self.authorize is not None and scope.get("method") != "OPTIONS" and not self.authorize(scope):
            await _error(
                send, 401, "Log in (or send a valid bearer token) before uploading.", {"WWW-Authenticate": "Bearer"}
            )
            return
        limit = self.media_limit if is_media else self.json_limit
        length_header = headers.get("content-length")
        has_body = scope.get("method") in {"POST", "PUT", "PATCH"} and (
            (length_header not in (None, "0")) or "transfer-encoding" in headers
        )
        if length_header is not None:
            try:
                declared = int(length_header)
            except ValueError:
                await _error(send, 400, "Invalid Content-Length header.")
                return
            if declared > limit:
                await _error(send, 413, f"The request body is larger than the {_size(limit)} limit.")
                return
        if has_body:
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            expected = "multipart/form-data" if is_media else "application/json"
            if content_type != expected:
                await _error(send, 415, f"Send this request as {expected}.")
                return
        await self._forward(scope, receive, send, limit)

    async def _forward(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused, started
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer now and make the app see a disconnect; whatever it replies is dropped.
                    refused = True
                    logger.warning("Refused a %s body at %d bytes (limit %d).", scope["path"], received, limit)
                    if not started:
                        started = True
                        await _error(send, 413, f"The request body is larger than the {_size(limit)} limit.")
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, tracking_send)


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


async def _error(send: Send, status_code: int, detail: str, headers: dict[str, str] | None = None) -> None:
    response = JSONResponse(
        {"detail": detail}, status_code=status_code, headers={"Connection": "close", **(headers or {})}
    )
    await send({"type": "http.response.start", "status": status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """Answer 405 with every method the path supports (Starlette lists only one route's methods)."""
    path = request.url.path
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, APIRoute) and route.path_regex.match(path):
            methods |= set(route.methods or ())
    return JSONResponse(
        {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": ", ".join(sorted(methods))}
    )
