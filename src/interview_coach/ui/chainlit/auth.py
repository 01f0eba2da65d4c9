# mypy: disable-error-code="no-untyped-call"
"""Log-in and chat-history callbacks of the Chainlit room (registered when imported)."""

from __future__ import annotations

import asyncio
import logging

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


async def delete_chat_threads(user_id: str) -> dict[str, int]:
    """Delete a user's chat threads (run by the service when the user deletes their data)."""
    from chainlit.data import get_data_layer

    layer = get_data_layer()
    if isinstance(layer, PortableSQLAlchemyDataLayer):
        return {"chat_threads": await layer.delete_user_threads(user_id)}
    return {}


registry.add_user_data_deleter(delete_chat_threads)
