"""Who is calling: password logins for the chat room and bearer tokens for the REST API.

The users file is JSON ``{"alice": "pbkdf2_sha256$600000$<salt>$<hash>", ...}``; a value
without the ``pbkdf2_sha256$`` prefix is compared as a plain password (for local trials
only). Make a hash with ``python -m interview_coach.ui.auth PASSWORD``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from starlette.requests import HTTPConnection
from starlette.types import Scope

from interview_coach.core.settings import Settings

_SCHEME = "pbkdf2_sha256"
_ITERATIONS = 600_000
_USER_ID = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")


class AuthConfigError(ValueError):
    """The authentication settings cannot be used; the message says what to fix."""


def hash_password(password: str, *, iterations: int = _ITERATIONS) -> str:
    """Hash a password with PBKDF2-SHA256 and a random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{_SCHEME}${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Check a password against a stored hash (or a plain value, in constant time)."""
    if not stored.startswith(_SCHEME + "$"):
        return hmac.compare_digest(password.encode(), stored.encode())
    try:
        _, iterations, salt_b64, digest_b64 = stored.split("$")
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        actual = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def load_users(path: Path | None) -> dict[str, str]:
    """Read the users file (username -> password hash).

    Raises:
        AuthConfigError: the file is missing, not JSON, or not a mapping of names to strings.

    """
    if path is None:
        raise AuthConfigError(
            "Password login needs a users file: set INTERVIEW_COACH_USERS_FILE to a JSON file "
            '{"alice": "<hash>"} (hash with: python -m interview_coach.ui.auth PASSWORD), '
            "or set INTERVIEW_COACH_AUTH_MODE=none for a local dev session without login."
        )
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise AuthConfigError(f"The users file {path} does not exist.") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise AuthConfigError(f"The users file {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise AuthConfigError(f"The users file {path} must map user names to password hashes.")
    bad = [name for name in data if not _USER_ID.match(name)]
    if bad:
        raise AuthConfigError(f"Invalid user name(s) in {path}: {', '.join(bad)} (letters, digits, _.@+- only).")
    return dict(data)


def check_login(settings: Settings, username: str, password: str) -> bool:
    """Tell whether the username and password match the users file."""
    users = load_users(settings.users_file)
    stored = users.get(username)
    if stored is None:
        # Spend the same time as a real check so user names cannot be probed by timing.
        verify_password(password, hash_password("x", iterations=_ITERATIONS))
        return False
    return verify_password(password, stored)


def user_for_token(settings: Settings, token: str) -> str | None:
    """Return the user id a REST bearer token belongs to, comparing every token in constant time."""
    found: str | None = None
    for known, user_id in settings.api_tokens.items():
        if hmac.compare_digest(known.encode(), token.encode()):
            found = user_id
    return found


def bearer_token(connection: HTTPConnection) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` header, if any."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def api_upload_authorizer(settings: Settings) -> Callable[[Scope], bool]:
    """Build the check that a REST upload carries a known bearer token (headers only, no body)."""

    def authorized(scope: Scope) -> bool:
        token = bearer_token(HTTPConnection(scope))
        return token is not None and user_for_token(settings, token) is not None

    return authorized


def chat_upload_authorized(scope: Scope) -> bool:
    """Tell from cookies, headers and query alone whether a Chainlit upload may be read.

    The sender must hold a valid chat login token (cookie or bearer, as Chainlit reads it)
    and the ``session_id`` in the query must be a live chat connection of that same user.
    Chainlit makes both checks itself, but only after reading the whole body.
    """
    from chainlit.auth import get_token_from_cookies
    from chainlit.auth.jwt import decode_jwt
    from chainlit.session import WebsocketSession

    connection = HTTPConnection(scope)
    token = get_token_from_cookies(dict(connection.cookies)) or bearer_token(connection)
    if not token:
        return False
    try:
        user = decode_jwt(token)
    except Exception:  # PyJWT raises several types for expired, forged or malformed tokens
        return False
    session = WebsocketSession.get_by_id(connection.query_params.get("session_id", ""))
    owner = getattr(getattr(session, "user", None), "identifier", None)
    return session is not None and owner == user.identifier


def valid_user_id(user_id: str) -> bool:
    """Tell whether a user id is safe to use in paths and queries."""
    return bool(_USER_ID.match(user_id))


def main(argv: list[str] | None = None) -> int:
    """Print a password hash for the users file."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m interview_coach.ui.auth PASSWORD\n")
        return 2
    sys.stdout.write(hash_password(args[0]) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
