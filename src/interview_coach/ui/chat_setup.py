"""Prepare and mount the Chainlit room inside the FastAPI app.

Chainlit reads its configuration from ``$CHAINLIT_APP_ROOT/.chainlit/config.toml`` when it
is first imported, so this module writes that folder (``<data_dir>/chainlit``) before
importing Chainlit: the config rendered from ``templates/chainlit_config.toml.j2``, the welcome
text, a persistent auth secret, and an offline copy of Chainlit's page (its stock
``index.html`` links Google Fonts and a KaTeX stylesheet on a CDN).

In Microsoft Teams mode (``TEAMS_APP_ID`` and ``TEAMS_APP_PASSWORD`` set) our own route for
``<path>/teams/events`` is registered before Chainlit is mounted, so it wins over Chainlit's:
Chainlit 2.12 lets botbuilder's token errors escape (500); ours answers 401 and then hands
authenticated activities to Chainlit's own adapter and bot.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.resources
import importlib.util
import logging
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from jinja2 import Template

from interview_coach.core.settings import Settings
from interview_coach.ui import files
from interview_coach.ui.api import JSON_BODY_LIMIT, BodyLimitMiddleware
from interview_coach.ui.auth import chat_upload_authorized

logger = logging.getLogger(__name__)

CHAT_MODULE = Path(__file__).with_name("chainlit") / "app.py"
OFFLINE_BUILD = "public/offline-build"
_EXTERNAL_LINK = re.compile(r"\s*<link[^>]+href=\"https?://[^\"]+\"[^>]*/?>", re.S)
_FONT_BLOCK = re.compile(r"<!-- FONT START -->.*?<!-- FONT END -->", re.S)
_MULTILINE_LINK = re.compile(r"\s*<link\s[^>]*?href=\"https?://[^\"]+\"[^>]*?>", re.S)
TEAMS_EVENTS_PATH = "/teams/events"
# Checking a token that claims the Bot Framework issuer may fetch Microsoft's signing keys
# with a blocking HTTP client and no timeout; the check runs in a worker thread, bounded here.
TEAMS_AUTH_TIMEOUT_S = 30.0


def chat_root(settings: Settings) -> Path:
    """Return the Chainlit app root inside the data folder."""
    return settings.data_dir / "chainlit"


def chat_database_url(settings: Settings) -> str:
    """Return the chat-history database URL (SQLite in the data folder unless configured)."""
    configured = settings.chat_db_url
    return configured or f"sqlite+aiosqlite:///{settings.data_dir / 'chat.sqlite'}"


def accepted_upload_types() -> list[str]:
    """List the MIME types the chat accepts as uploads: answer recordings and resumes."""
    return [*files.MEDIA_TYPES, *files.DOCUMENT_TYPES]


def _chainlit_frontend_dir() -> Path:
    spec = importlib.util.find_spec("chainlit")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Chainlit is not installed: pip install chainlit")
    return Path(next(iter(spec.submodule_search_locations))) / "frontend" / "dist"


def offline_index_html(stock: str) -> str:
    """Remove every link to another host (fonts, KaTeX CSS, preconnects) from Chainlit's page."""
    without_fonts = _FONT_BLOCK.sub("<!-- FONT START --><!-- FONT END -->", stock)
    return _MULTILINE_LINK.sub("", _EXTERNAL_LINK.sub("", without_fonts))


def build_offline_frontend(root: Path) -> Path:
    """Write the offline page next to a link (or copy) of Chainlit's built assets."""
    stock = _chainlit_frontend_dir()
    target = root / OFFLINE_BUILD
    target.mkdir(parents=True, exist_ok=True)
    (target / "index.html").write_text(offline_index_html((stock / "index.html").read_text("utf-8")), "utf-8")
    for item in stock.iterdir():
        if item.name == "index.html":
            continue
        link = target / item.name
        if link.is_symlink() and link.resolve() == item.resolve():
            continue
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.is_dir():
            shutil.rmtree(link)
        try:
            link.symlink_to(item, target_is_directory=item.is_dir())
        except OSError:  # file systems without symlinks get a copy
            if item.is_dir():
                shutil.copytree(item, link)
            else:
                shutil.copy2(item, link)
    return target


def _auth_secret(settings: Settings, root: Path) -> str:
    if settings.auth_secret:
        return settings.auth_secret
    secret_file = root / ".auth_secret"
    if secret_file.is_file():
        return secret_file.read_text("utf-8").strip()
    secret = secrets.token_urlsafe(48)
    secret_file.write_text(secret, "utf-8")
    secret_file.chmod(0o600)
    return secret


def prepare_chat_root(settings: Settings, *, sample_rate: int = 24000) -> Path:
    """Write the Chainlit app root: config, welcome text and offline frontend."""
    root = chat_root(settings)
    (root / ".chainlit").mkdir(parents=True, exist_ok=True)
    build_offline_frontend(root)
    template = importlib.resources.files("interview_coach") / "templates" / "chainlit_config.toml.j2"
    config = Template(template.read_text("utf-8")).render(
        accept=accepted_upload_types(),
        max_size_mb=settings.max_upload_mb,
        sample_rate=sample_rate,
        custom_build="./" + OFFLINE_BUILD,
        chainlit_version=importlib.metadata.version("chainlit"),
    )
    (root / ".chainlit" / "config.toml").write_text(config, "utf-8")
    readme = importlib.resources.files("interview_coach") / "templates" / "chainlit_readme.md"
    (root / "chainlit.md").write_text(readme.read_text("utf-8"), "utf-8")
    from interview_coach.ui.chainlit.assets import install_room_assets

    install_room_assets(root, settings, _chainlit_frontend_dir().parent.parent / "translations")
    return root


def _point_chainlit_at(root: Path, secret: str) -> None:
    configured = os.environ.get("CHAINLIT_APP_ROOT")
    already = "chainlit.config" in __import__("sys").modules
    if already and configured != str(root):
        raise RuntimeError(
            "Chainlit was already imported with another app root; the chat room can be mounted once per process."
        )
    # Chainlit reads these when first imported; they are outputs of our settings, not inputs.
    os.environ["CHAINLIT_APP_ROOT"] = str(root)
    os.environ["CHAINLIT_AUTH_SECRET"] = secret


def mount_chat(app: FastAPI, settings: Settings, *, path: str = "/chat") -> None:
    """Mount the Chainlit room at ``path``, with its upload limit and owner-checked element files."""
    root = prepare_chat_root(settings)
    _point_chainlit_at(root, _auth_secret(settings, root))
    from chainlit.utils import mount_chainlit

    _add_element_route(app, settings)
    if teams_mode():
        # Registered before the mount so it answers instead of Chainlit's own Teams route.
        _add_teams_route(app, path + TEAMS_EVENTS_PATH)
    app.add_middleware(
        BodyLimitMiddleware,
        prefix=f"{path}/project/file",
        media_limit=settings.max_upload_mb * 1024 * 1024 + 64 * 1024,
        media_suffix="/project/file",
        authorize=chat_upload_authorized,
    )
    mount_chainlit(app=app, target=str(CHAT_MODULE), path=path)
    from chainlit.data import get_data_layer

    # Now, not on the first chat request: the chat tables exist once the server has started, and
    # an unreachable chat database stops the start with a clear error.
    get_data_layer()  # type: ignore[no-untyped-call]

    async def close_data_layer() -> None:
        layer: Any = get_data_layer()  # type: ignore[no-untyped-call]
        if layer is not None:
            await layer.close()

    app.state.shutdown_hooks.append(close_data_layer)


def _add_element_route(app: FastAPI, settings: Settings) -> None:
    from interview_coach.ui.chat_store import FILES_ROUTE

    @app.get(FILES_ROUTE + "/{object_key:path}", include_in_schema=False)
    async def chat_file(object_key: str, request: Request) -> FileResponse:
        """Serve a stored chat element (chart, recording, export) to the user who owns it."""
        from chainlit.auth import authenticate_user, get_token_from_cookies
        from chainlit.data import get_data_layer

        token = get_token_from_cookies(dict(request.cookies))
        if not token:
            raise HTTPException(401, "Log in to the chat first.")
        user: Any = await authenticate_user(token)
        layer: Any = get_data_layer()  # type: ignore[no-untyped-call]
        storage = getattr(layer, "storage_provider", None)
        path = storage.path_for(object_key) if storage is not None and hasattr(storage, "path_for") else None
        # The owner is read from the normalised path, never from the raw key: "B/../A/x" is A's file.
        owner = storage.owner_of(path) if storage is not None and path is not None else None
        if owner is None or getattr(user, "id", None) != owner or path is None or not path.is_file():
            raise HTTPException(404, "Not found.")
        return FileResponse(path)


def teams_mode() -> bool:
    """Tell whether Chainlit serves Microsoft Teams (the same test Chainlit's server module makes)."""
    return bool(os.environ.get("TEAMS_APP_ID") and os.environ.get("TEAMS_APP_PASSWORD"))


class TeamsAuthError(Exception):
    """A Teams request failed Bot Framework authentication; ``status`` is the HTTP answer."""

    def __init__(self, status: int, detail: str) -> None:
        """Keep the HTTP status and the message for the client."""
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _add_teams_route(app: FastAPI, route: str) -> None:
    from chainlit.teams.app import adapter, bot

    app.add_middleware(BodyLimitMiddleware, prefix=route, media_limit=JSON_BODY_LIMIT)

    @app.post(route, include_in_schema=False)
    async def teams_events(request: Request) -> Response:
        """Authenticate a Bot Framework activity (401 when refused), then let Chainlit's Teams bot handle it."""
        activity = await _read_activity(request)
        try:
            identity = await _authenticate_teams_request(adapter, activity, request.headers.get("Authorization", ""))
        except TeamsAuthError as exc:
            logger.warning("Teams request refused (%s): %s", exc.status, exc.detail)
            return JSONResponse({"detail": exc.detail}, status_code=exc.status)
        invoke: Any = await adapter.process_activity_with_identity(activity, identity, bot.on_turn)
        if invoke is not None:
            return JSONResponse(invoke.body, status_code=int(invoke.status or 200))
        return Response(status_code=201)


async def _read_activity(request: Request) -> Any:
    from botbuilder.schema import Activity  # type: ignore[import-untyped, unused-ignore]

    try:
        body = await request.json()
        activity = Activity().deserialize(body) if isinstance(body, dict) else None
    except ValueError:  # invalid JSON or a body that is not an activity
        activity = None
    if activity is None or not isinstance(activity.type, str):
        raise HTTPException(400, "Send a Bot Framework activity (a JSON object with a type).")
    return activity


async def _authenticate_teams_request(adapter: Any, activity: Any, authorization: str) -> Any:
    """Run botbuilder's token check in a worker thread and turn its failures into 401 or 503.

    Args:
        adapter: Chainlit's ``BotFrameworkAdapter``.
        activity: the incoming activity (its channel and service URL are part of the check).
        authorization: the request's ``Authorization`` header, possibly empty.

    Returns:
        The caller's ``ClaimsIdentity``.

    Raises:
        TeamsAuthError: 401 for a missing, malformed, forged or untrusted token; 503 when the
            Bot Framework signing keys could not be fetched in time.

    """
    import jwt

    def check() -> Any:
        # Its own event loop: botbuilder's key fetch blocks, so it must not run on the server's loop.
        return asyncio.run(adapter._authenticate_request(activity, authorization))

    try:
        return await asyncio.wait_for(asyncio.to_thread(check), timeout=TEAMS_AUTH_TIMEOUT_S)
    except PermissionError as exc:
        raise TeamsAuthError(401, f"Bot Framework authentication failed: {exc}") from exc
    except jwt.PyJWTError as exc:
        raise TeamsAuthError(401, f"Invalid Bot Framework token: {exc}") from exc
    except (TimeoutError, OSError) as exc:  # requests' errors are OSErrors
        logger.warning("Could not fetch the Bot Framework signing keys: %r", exc)
        raise TeamsAuthError(503, "Could not verify the Bot Framework token now; try again later.") from exc
    except Exception as exc:
        # botbuilder signals an unknown signing key or endorsement with bare exceptions.
        logger.warning("Bot Framework token rejected", exc_info=True)
        raise TeamsAuthError(401, "Invalid Bot Framework token.") from exc
