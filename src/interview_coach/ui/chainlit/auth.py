# mypy: disable-error-code="no-untyped-call"
"""Log-in and chat-history callbacks of the Chainlit room (registered when imported)."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path
from typing import Any

import chainlit as cl
from starlette.datastructures import Headers

from interview_coach.ui import registry
from interview_coach.ui.auth import AuthConfigError, check_login
from interview_coach.ui.chainlit.session import SETTINGS
from interview_coach.ui.chat_setup import chat_database_url, chat_root
from interview_coach.ui.chat_store import PortableSQLAlchemyDataLayer, build_data_layer

logger = logging.getLogger(__name__)

if SETTINGS.auth_mode == "password":

    @cl.password_auth_callback
    async def password_login(username: str, password: str) -> cl.User | None:
        """Check a login against the users file."""
        try:
            ok = await asyncio.to_thread(check_login, SETTINGS, username, password)
        except AuthConfigError as exc:
            logger.error("Password login is not configured: %s", exc)
            return None
        return cl.User(identifier=username, metadata={"provider": "password"}) if ok else None

elif SETTINGS.auth_mode == "header":

    @cl.header_auth_callback
    async def header_login(headers: Headers) -> cl.User | None:
        """Trust the user name set by the reverse proxy in ``X-Forwarded-User``."""
        name = (headers.get("x-forwarded-user") or "").strip()
        return cl.User(identifier=name, metadata={"provider": "header"}) if name else None

else:
    logger.warning("INTERVIEW_COACH_AUTH_MODE=none: every visitor is the local user 'local' (dev only).")

    @cl.header_auth_callback
    async def dev_login(headers: Headers) -> cl.User | None:
        """Log every visitor in as the local user (dev mode without login)."""
        return cl.User(identifier="local", metadata={"provider": "none"})


@cl.data_layer
def chat_history() -> PortableSQLAlchemyDataLayer:
    """Keep each user's threads (SQLite by default) so past sessions can be reopened."""
    return build_data_layer(chat_database_url(SETTINGS), chat_root(SETTINGS) / "elements")


def delete_upload_copies(folders: list[Path]) -> int:
    """Delete Chainlit's per-connection upload folders (``.files/<connection>``); return how many files."""
    removed = 0
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink():
            removed += sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder, ignore_errors=True)
    return removed


def upload_copies_of(user_id: str) -> list[Path]:
    """Pick the ``.files`` folders to delete with a user's data, and forget their files in live connections.

    A folder belongs to a live connection (kept unless it is this user's) or to none: those
    are left over from ended connections or an earlier process, no route serves them any
    more, and whose they were is not recorded, so they go too.
    """
    from chainlit.config import FILES_DIRECTORY
    from chainlit.session import ws_sessions_id

    if not FILES_DIRECTORY.is_dir():
        return []
    chosen = []
    for folder in FILES_DIRECTORY.iterdir():
        session = ws_sessions_id.get(folder.name)
        if session is not None and getattr(session.user, "identifier", None) != user_id:
            continue
        if session is not None:
            session.files.clear()
        chosen.append(folder)
    return chosen


async def delete_chat_data(user_id: str) -> dict[str, int]:
    """Delete a user's chat history, element files and upload copies (run when the user deletes their data)."""
    from chainlit.data import get_data_layer

    # Chainlit's connection registry is read on the event loop; only the file removal runs in a thread.
    counts = {"chat_uploads": await asyncio.to_thread(delete_upload_copies, upload_copies_of(user_id))}
    layer = get_data_layer()
    if isinstance(layer, PortableSQLAlchemyDataLayer):
        counts.update(await layer.delete_user(user_id))
    return counts


registry.add_user_data_deleter(delete_chat_data)

FOREIGN_THREAD = "interview_coach.foreign_thread"
THREAD_NOT_FOUND = "This interview was not found: it belongs to another account or was deleted. You are in a new chat."


async def _belongs_to_someone_else(environ: dict[str, Any], thread_id: str) -> bool:
    from chainlit.data import get_data_layer
    from chainlit.socket import _authenticate_connection

    layer = get_data_layer()
    if layer is None:
        return False
    try:
        user, _ = await _authenticate_connection(environ)
    except Exception:  # Chainlit's own connect handler refuses the login itself
        return False
    thread = await layer.get_thread(thread_id)
    return bool(user and thread and thread.get("userIdentifier") != user.identifier)


def open_foreign_threads_as_new_chats() -> None:
    """Connect a browser that asks for another user's thread to a new chat instead of refusing it.

    Chainlit refuses the websocket, which leaves the page at "Could not reach the server" with
    the input disabled. Here the connection goes ahead without the thread (nothing of it is
    read or written) and :func:`tell_if_thread_was_not_found` tells the page it was not found.
    """
    from chainlit.server import sio

    handlers = sio.handlers.setdefault("/", {})
    chainlit_connect = handlers.get("connect")
    if chainlit_connect is None or getattr(chainlit_connect, "guards_foreign_threads", False):
        return

    async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any]) -> Any:
        thread_id = (auth or {}).get("threadId")
        if thread_id and await _belongs_to_someone_else(environ, str(thread_id)):
            environ[FOREIGN_THREAD] = str(thread_id)
            auth = {**auth, "threadId": None}
        return await chainlit_connect(sid, environ, auth)

    connect.guards_foreign_threads = True  # type: ignore[attr-defined]
    handlers["connect"] = connect


async def tell_if_thread_was_not_found() -> bool:
    """Tell the page its thread was not found when :func:`open_foreign_threads_as_new_chats` dropped it."""
    if not cl.context.session.environ.get(FOREIGN_THREAD):
        return False
    await cl.context.emitter.send_resume_thread_error(THREAD_NOT_FOUND)
    return True


open_foreign_threads_as_new_chats()
