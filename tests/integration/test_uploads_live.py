"""Uploads and deletion against a live ``serve``: raw sockets for the API, socket.io for the chat room.

Issue 12, findings 4, 6 and 8:

* an upload is authenticated from its headers and cookies before one body byte is read
  (401), and a chunked body is cut at the limit (413): measured as body bytes the client
  had sent when the answer came, and bytes the server passed on (its own log line);
* a chat upload's file name chooses no path (another user's element path, ``../../x.wav``,
  NUL), and an answer recording is stored under the extension of its content;
* ``DELETE /api/me`` leaves no file and no database row of the user in the data folder, and
  every file the server wrote is 0600 in 0700 folders.

The figures are written to ``artifacts/security/uploads.json``.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import sqlite3
import stat
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import pytest_asyncio

from interview_coach.ui.auth import hash_password
from interview_coach.ui.files import user_key
from live_server import LiveServer, start_server, stop_server

pytestmark = pytest.mark.slow
# The chat clients of the module fixture keep their websockets open across tests: one event loop.
ON_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")

ALICE, BOB = "alice-5e21c0", "bob-9c41e7"
PASSWORDS = {ALICE: "alice-pw-123", BOB: "bob-pw-456"}
TOKENS = {"token-alice": ALICE, "token-bob": BOB}
LIMIT_MB = 4
LIMIT = LIMIT_MB * 1024 * 1024 + 64 * 1024  # the route's limit: the file plus room for the multipart framing
CHUNK = 64 * 1024
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "security"
FIGURES: dict[str, Any] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("uploads-live")
    users = workdir / "users.json"
    users.write_text(json.dumps({u: hash_password(p, iterations=10_000) for u, p in PASSWORDS.items()}))
    env = {
        "INTERVIEW_COACH_AUTH_MODE": "password",
        "INTERVIEW_COACH_USERS_FILE": str(users),
        "INTERVIEW_COACH_API_TOKENS": json.dumps(TOKENS),
        "INTERVIEW_COACH_MAX_UPLOAD_MB": str(LIMIT_MB),
        "INTERVIEW_COACH_DEFAULT_QUESTION_COUNT": "2",
    }
    live = start_server(workdir, env)
    yield live
    stop_server(live)
    if FIGURES:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "uploads.json").write_text(json.dumps(FIGURES, indent=2) + "\n")


# --- a raw HTTP/1.1 client that counts the body bytes it managed to send -------------------------


def raw_upload(
    base_url: str,
    path: str,
    headers: dict[str, str],
    *,
    chunked: bool,
    total: int,
    wait_before_body_s: float,
) -> tuple[int, int]:
    """Send a request, wait for an early answer, then stream the body; return (status, body bytes sent).

    The body is only sent when no answer came within ``wait_before_body_s`` after the headers,
    so an answer given without reading the body shows as 0 bytes sent.
    """
    url = urlsplit(base_url)
    sock = socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=60)
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(total)}
    head = f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in {**headers, **framing}.items()
    )
    sock.sendall((head + "\r\n").encode("latin-1"))
    sent = 0
    response = _read_response_if_any(sock, wait_before_body_s)
    while response is None and sent < total:
        # The body is a well-formed file part (so no parser stops early) of zeros.
        payload = PART_HEADER + b"\0" * (CHUNK - len(PART_HEADER)) if sent == 0 else b"\0" * CHUNK
        try:
            sock.sendall(b"%x\r\n%s\r\n" % (len(payload), payload) if chunked else payload)
        except (BrokenPipeError, ConnectionResetError):
            response = _read_response_if_any(sock, 5) or b"HTTP/1.1 000 reset"
            break
        sent += len(payload)
        response = _read_response_if_any(sock, 0)
    if response is None:
        if chunked:
            sock.sendall(b"0\r\n\r\n")
        response = _read_response_if_any(sock, 60) or b"HTTP/1.1 000 none"
    sock.close()
    match = re.match(rb"HTTP/1\.1 (\d{3})", response)
    return (int(match.group(1)) if match else 0), sent


def _read_response_if_any(sock: socket.socket, wait_s: float) -> bytes | None:
    sock.settimeout(wait_s if wait_s > 0 else 0.0001)
    try:
        data = sock.recv(65536)
    except (TimeoutError, BlockingIOError):
        return None
    except ConnectionResetError:
        return b"HTTP/1.1 000 reset"
    finally:
        sock.settimeout(60)
    return data or None


MULTIPART = {"Content-Type": "multipart/form-data; boundary=x"}
PART_HEADER = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n'


def _log_refusals(server: LiveServer) -> list[int]:
    return [int(n) for n in re.findall(r"Refused a \S+ body at (\d+) bytes", server.log_text())]


# --- a Chainlit client over socket.io -------------------------------------------------------------


class ChatClient:
    """Log in over HTTP, hold a Chainlit websocket session, upload files and send messages."""

    def __init__(self, server: LiveServer, user: str) -> None:
        self.server = server
        self.user = user
        self.session_id = str(uuid.uuid4())
        self.thread_id = str(uuid.uuid4())
        self.messages: list[dict[str, Any]] = []
        self.http = httpx.AsyncClient(base_url=server.base_url, timeout=120)
        self.sio: Any = None

    async def __aenter__(self) -> ChatClient:
        import socketio

        login = await self.http.post("/chat/login", data={"username": self.user, "password": PASSWORDS[self.user]})
        assert login.status_code == 200, login.text
        self.sio = socketio.AsyncClient()
        self.sio.on("new_message", self.messages.append)
        await self.sio.connect(
            self.server.base_url,
            socketio_path="/chat/ws/socket.io",
            headers={"Cookie": f"access_token={self.token}"},
            auth={"sessionId": self.session_id, "threadId": self.thread_id, "clientType": "webapp", "userEnv": "{}"},
            transports=["websocket"],
        )
        await self.sio.emit("connection_successful")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.sio.disconnect()
        await self.http.aclose()

    @property
    def token(self) -> str:
        return str(self.http.cookies["access_token"])

    async def upload(self, name: str, data: bytes, mime: str) -> str:
        boundary = "b0undary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: {mime}\r\n\r\n"
            ).encode("utf-8", "surrogateescape")
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        response = await self.http.post(
            "/chat/project/file",
            params={"session_id": self.session_id},
            content=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    async def say(self, text: str, files: Sequence[str] = (), *, expect: str, timeout_s: float = 300) -> str:
        """Send a message and wait for a reply whose text matches ``expect``."""
        seen = len(self.messages)
        message = {
            "id": str(uuid.uuid4()),
            "threadId": self.thread_id,
            "type": "user_message",
            "name": self.user,
            "output": text,
            "createdAt": datetime.now(UTC).isoformat(),
        }
        await self.sio.emit("client_message", {"message": message, "fileReferences": [{"id": f} for f in files]})
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for reply in self.messages[seen:]:
                if re.search(expect, str(reply.get("output", ""))):
                    return str(reply["output"])
            await asyncio.sleep(0.2)
        raise AssertionError(f"no reply matching {expect!r}; got {[m.get('output') for m in self.messages[seen:]]}")


def _recording(tmp: Path, name: str, text: str, fmt: str) -> bytes:
    """Speak ``text`` with espeak-ng and encode it as ``fmt`` (webm/opus or wav)."""
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("espeak-ng and ffmpeg are needed to make spoken answers")
    wav = tmp / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
    if fmt == "wav":
        return wav.read_bytes()
    out = tmp / f"{name}.{fmt}"
    codec = ["-c:a", "libopus"] if fmt == "webm" else []
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), *codec, "-y", str(out)], check=True)
    return out.read_bytes()


def _chat_user_id(data_dir: Path, identifier: str) -> str:
    with sqlite3.connect(data_dir / "chat.sqlite") as db:
        row = db.execute('SELECT "id" FROM users WHERE "identifier" = ?', (identifier,)).fetchone()
    return str(row[0])


def _inventory(data_dir: Path, needles: list[str], unless: Sequence[str] = ()) -> dict[str, list[str]]:
    """Every file whose path, and every database row whose text, mentions one of ``needles`` (and none of ``unless``)."""
    found: dict[str, list[str]] = {"files": [], "rows": []}
    for path in sorted(data_dir.rglob("*")):
        if path.is_symlink():
            continue
        relative = str(path.relative_to(data_dir))
        if path.is_file() and any(n in relative for n in needles) and not any(u in relative for u in unless):
            found["files"].append(str(path.relative_to(data_dir)))
        if path.is_file() and path.suffix == ".sqlite":
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                for table in tables:
                    for row in db.execute(f'SELECT * FROM "{table}"'):
                        text = " ".join(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row)
                        if any(n in text for n in needles) and not any(u in text for u in unless):
                            found["rows"].append(f"{path.name}:{table}")
    return found


# --- finding 8: authentication before the body, streaming limits ------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("credentials", ["none", "wrong-token"])
def test_api_uploads_without_a_valid_token_are_refused_before_reading(
    server: LiveServer, chunked: bool, credentials: str
) -> None:
    session = _new_api_session(server)
    headers = {**MULTIPART, **({"Authorization": "Bearer wrong"} if credentials == "wrong-token" else {})}
    status, sent = raw_upload(
        server.base_url,
        f"/api/sessions/{session}/answers/media",
        headers,
        chunked=chunked,
        total=200 * 1024 * 1024 if not chunked else 16 * 1024 * 1024,
        wait_before_body_s=5,
    )
    FIGURES[f"api_401_{credentials}_{'chunked' if chunked else 'content_length'}_body_bytes_sent"] = sent
    assert status == 401 and sent == 0


def test_an_authenticated_chunked_api_upload_stops_at_the_limit(server: LiveServer) -> None:
    session = _new_api_session(server)
    before = len(_log_refusals(server))
    status, sent = raw_upload(
        server.base_url,
        f"/api/sessions/{session}/answers/media",
        {**MULTIPART, "Authorization": "Bearer token-bob"},
        chunked=True,
        total=2 * 1024 * 1024 * 1024,
        wait_before_body_s=0.5,
    )
    time.sleep(0.5)
    read = _log_refusals(server)[before:]
    FIGURES["api_413_chunked"] = {"limit": LIMIT, "server_read": read, "client_sent": sent}
    assert status == 413
    # The server passed on at most one socket read (asyncio reads up to 256 KiB) past the limit.
    assert len(read) == 1 and LIMIT < read[0] <= LIMIT + 256 * 1024
    assert sent < 64 * 1024 * 1024, "sending stopped long before the 2 GB body was through"


@ON_MODULE_LOOP
async def test_chat_uploads_are_authenticated_before_reading(server: LiveServer) -> None:
    async with ChatClient(server, ALICE) as alice:
        cases = {
            "no_cookie": ({}, alice.session_id),
            "forged_cookie": ({"Cookie": "access_token=eyJhbGciOiJIUzI1NiJ9.e30.x"}, alice.session_id),
            "unknown_session": ({"Cookie": f"access_token={alice.token}"}, str(uuid.uuid4())),
        }
        async with ChatClient(server, BOB) as bob:
            cases["another_users_session"] = ({"Cookie": f"access_token={bob.token}"}, alice.session_id)
            for name, (headers, session_id) in cases.items():
                for chunked in (False, True):
                    status, sent = await asyncio.to_thread(
                        raw_upload,
                        server.base_url,
                        f"/chat/project/file?session_id={session_id}",
                        {**MULTIPART, **headers},
                        chunked=chunked,
                        total=200 * 1024 * 1024 if not chunked else 16 * 1024 * 1024,
                        wait_before_body_s=5,
                    )
                    FIGURES[f"chat_401_{name}_{'chunked' if chunked else 'content_length'}_body_bytes_sent"] = sent
                    assert (status, sent) == (401, 0), name
        before = len(_log_refusals(server))
        status, sent = await asyncio.to_thread(
            raw_upload,
            server.base_url,
            f"/chat/project/file?session_id={alice.session_id}",
            {**MULTIPART, "Cookie": f"access_token={alice.token}"},
            chunked=True,
            total=2 * 1024 * 1024 * 1024,
            wait_before_body_s=0.5,
        )
        await asyncio.sleep(0.5)
        read = _log_refusals(server)[before:]
        FIGURES["chat_413_chunked"] = {"limit": LIMIT, "server_read": read, "client_sent": sent}
        assert status == 413 and len(read) == 1 and LIMIT < read[0] <= LIMIT + 256 * 1024


# --- findings 4 and 6: upload names, deletion, file modes ------------------------------------------


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("recordings")
    text = (
        "In my last role I led the billing migration. I planned it in three steps, "
        "tested every step, and we finished with zero downtime."
    )
    return {"webm": _recording(tmp, "a", text, "webm"), "wav": _recording(tmp, "b", text, "wav")}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chat_history(server: LiveServer, recordings: dict[str, bytes]) -> AsyncIterator[dict[str, Any]]:
    """Alice keeps a chat upload; Bob attacks her file by name and answers with oddly named recordings."""
    data = server.data_dir
    async with ChatClient(server, ALICE) as alice:
        resume = await alice.upload("resume.txt", b"Alice: 5 years of Python and PostgreSQL.", "text/plain")
        await alice.say("", [resume], expect="Read your resume")
        alice_uuid = _chat_user_id(data, ALICE)
        await asyncio.sleep(1)  # the element is persisted by a background task
        (alice_element,) = [p for p in (data / "chainlit" / "elements" / alice_uuid).rglob("*") if p.is_file()]
        alice_bytes = alice_element.read_bytes()
        element_id = alice_element.parent.name

        async with ChatClient(server, BOB) as bob:
            # Chainlit stores every upload of a message as an element, whatever the room does with it.
            attack = await bob.upload(
                f"../../{alice_uuid}/{element_id}/{alice_element.name}", b"bob's bytes", "audio/wav"
            )
            other = await bob.upload(f"{alice_uuid}/{element_id}/{alice_element.name}", b"bob's bytes", "audio/wav")
            # Named like Alice's .txt file, they are read as documents and refused with a clear message.
            refused = await bob.say("", [attack, other], expect="could not use")
            assert "unsupported document type" in refused and attack not in refused, refused
            await bob.say("start Backend Software Engineer", expect=r"Q1/2")
            nul = await bob.upload("my\x00answer.wav", recordings["webm"], "audio/wav")
            first = await bob.say("", [nul], expect=r"Q2/2|Q1/2 · follow-up|can't use")
            dotdot = await bob.upload("../../x.wav", recordings["wav"], "audio/wav")
            second = await bob.say("", [dotdot], expect=r"Q2/2|follow-up|Interview report|can't use")
            await asyncio.sleep(1)
            bob_session = bob.thread_id
            yield {
                "alice_uuid": alice_uuid,
                "alice_element": alice_element,
                "alice_bytes": alice_bytes,
                "bob_uuid": _chat_user_id(data, BOB),
                "bob_session": bob_session,
                "bob_ws_session": bob.session_id,
                "alice_ws_session": alice.session_id,
                "replies": [first, second],
            }


@ON_MODULE_LOOP
async def test_chat_upload_names_choose_no_path(server: LiveServer, chat_history: dict[str, Any]) -> None:
    data = server.data_dir
    elements = data / "chainlit" / "elements"
    assert chat_history["alice_element"].read_bytes() == chat_history["alice_bytes"]
    assert not any(p.is_file() for p in elements.iterdir()), "nothing is written at the root of the element store"
    assert not (data / "chainlit" / "x.wav").exists() and not (data / "x.wav").exists()
    bob_files = [p for p in (elements / chat_history["bob_uuid"]).rglob("*") if p.is_file()]
    assert bob_files and all(re.fullmatch(r"file\.\w+", p.name) for p in bob_files)
    assert not any("can't use" in reply for reply in chat_history["replies"]), chat_history["replies"]
    # The answers were stored under the question ids, with the extension of their content.
    answers = sorted((data / "media" / user_key(BOB) / chat_history["bob_session"]).glob("*.*"))
    assert {p.suffix for p in answers} == {".webm", ".wav"}, answers
    assert "server error" not in server.log_text().lower() and "Traceback" not in server.log_text()


@ON_MODULE_LOOP
async def test_every_file_the_server_wrote_is_private(server: LiveServer, chat_history: dict[str, Any]) -> None:
    loose = [
        f"{p.relative_to(server.data_dir)} {stat.S_IMODE(p.lstat().st_mode):o}"
        for p in [server.data_dir, *server.data_dir.rglob("*")]
        if not p.is_symlink() and stat.S_IMODE(p.lstat().st_mode) != (0o700 if p.is_dir() else 0o600)
    ]
    FIGURES["files_not_private"] = loose
    assert loose == []


@ON_MODULE_LOOP
async def test_deleting_my_data_leaves_nothing_of_me(server: LiveServer, chat_history: dict[str, Any]) -> None:
    data = server.data_dir
    bob_auth = {"Authorization": "Bearer token-bob"}
    chat_recording = next((data / "media" / user_key(BOB) / chat_history["bob_session"]).glob("*.wav"))
    with httpx.Client(base_url=server.base_url, timeout=120) as client:
        session = _new_api_session(server)
        upload = {"file": ("../../evil.mp3", chat_recording.read_bytes(), "audio/mpeg")}
        answer = client.post(f"/api/sessions/{session}/answers/media", files=upload, headers=bob_auth)
        assert answer.status_code == 200, answer.text
        if answer.json()["waiting_for"] == "answer":  # a follow-up: end here, so the report and memories exist
            ended = client.post(f"/api/sessions/{session}/answers", json={"text": "/end"}, headers=bob_auth)
            assert ended.status_code == 200, ended.text
        rating = {"target": "report", "target_ref": session, "rating": -1, "comment": "too harsh"}
        assert client.post(f"/api/sessions/{session}/ratings", json=rating, headers=bob_auth).status_code == 201
        bob_needles = [BOB, user_key(BOB), chat_history["bob_uuid"], chat_history["bob_session"], session]
        alice_needles = [ALICE, user_key(ALICE), chat_history["alice_uuid"]]
        before = _inventory(data, bob_needles)
        # Bob's own rows may name Alice's ids (his attack file names did); they are his and go with him.
        alice_before = _inventory(data, alice_needles, unless=bob_needles)
        stores = {row.split(":")[0] for row in before["rows"]}
        assert {"chat.sqlite", "sessions.sqlite", "checkpoints.sqlite", "feedback.sqlite"} <= stores
        # Long-term memory (Qdrant Edge) is held open by the server: check it through the API.
        assert client.get("/api/me/progress", headers=bob_auth).json()["sessions"], "Bob has memories"
        assert before["files"], before
        assert alice_before["files"] and alice_before["rows"], alice_before
        assert _all_files(data, chat_history["bob_ws_session"]), "Chainlit kept copies of Bob's uploads"

        deleted = client.delete("/api/me", headers=bob_auth)
        assert deleted.status_code == 200, deleted.text
        after = _inventory(data, bob_needles)
        FIGURES["deletion"] = {"before": before, "after": after, "counts": deleted.json()["deleted"]}
        assert deleted.json()["deleted"]["memories"] > 0
        assert after == {"files": [], "rows": []}
        assert _all_files(data, chat_history["bob_ws_session"]) == []
        assert _inventory(data, alice_needles, unless=bob_needles) == alice_before, "Alice's data is untouched"
        assert client.get("/api/sessions", headers=bob_auth).json() == []
        assert client.get("/api/me/progress", headers=bob_auth).json()["sessions"] == []


def _new_api_session(server: LiveServer) -> str:
    response = httpx.post(
        server.base_url + "/api/sessions",
        json={"question_count": 1},
        headers={"Authorization": "Bearer token-bob"},
        timeout=180,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["session_id"])


def _all_files(data_dir: Path, ws_session: str) -> list[str]:
    folder = data_dir / "chainlit" / ".files" / ws_session
    return [str(p.relative_to(data_dir)) for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


@ON_MODULE_LOOP
async def test_an_answer_sent_twice_in_the_chat_room_is_applied_once(server: LiveServer) -> None:
    # Issue 12, finding 5: two copies of one answer used to answer Q1 and then Q2.
    answer = "I would put a queue between the services so that a slow consumer never blocks the producer."
    async with ChatClient(server, ALICE) as alice:
        await alice.say("start Backend Software Engineer", expect=r"Q1/2")
        seen = len(alice.messages)
        for _ in range(2):
            message = {
                "id": str(uuid.uuid4()),
                "threadId": alice.thread_id,
                "type": "user_message",
                "name": ALICE,
                "output": answer,
                "createdAt": datetime.now(UTC).isoformat(),
            }
            await alice.sio.emit("client_message", {"message": message, "fileReferences": []})
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not any(
            "was not used" in str(m.get("output", "")) for m in alice.messages[seen:]
        ):
            await asyncio.sleep(0.2)
        outputs = [str(m.get("output", "")) for m in alice.messages[seen:]]
        assert any("was not used" in o for o in outputs), outputs
        assert not any("Interview report" in o for o in outputs), outputs
        feedback = httpx.get(
            f"{server.base_url}/api/sessions/{alice.thread_id}/feedback",
            headers={"Authorization": "Bearer token-alice"},
            timeout=60,
        )
        assert feedback.status_code == 200, feedback.text
        assert len(feedback.json()) == 1, feedback.json()


@ON_MODULE_LOOP
async def test_the_chat_room_cannot_adopt_another_users_session(server: LiveServer) -> None:
    # Issue 12, finding 1: opening another user's API session id as a chat thread re-planned it
    # as the intruder's interview.
    alice_auth = {"Authorization": "Bearer token-alice"}
    created = httpx.post(server.base_url + "/api/sessions", json={"question_count": 1}, headers=alice_auth, timeout=180)
    assert created.status_code == 201, created.text
    session_id = str(created.json()["session_id"])
    before = httpx.get(f"{server.base_url}/api/sessions/{session_id}", headers=alice_auth, timeout=60).json()
    bob = ChatClient(server, BOB)
    bob.thread_id = session_id
    async with bob:
        refused = await bob.say("start Backend Software Engineer", expect="cannot hold a new interview")
        assert "Start a new chat" in refused
    after = httpx.get(f"{server.base_url}/api/sessions/{session_id}", headers=alice_auth, timeout=60)
    assert after.status_code == 200, after.text
    assert after.json()["question"] == before["question"] and after.json()["waiting_for"] == "answer"
    bob_view = httpx.get(
        f"{server.base_url}/api/sessions/{session_id}", headers={"Authorization": "Bearer token-bob"}, timeout=60
    )
    assert bob_view.status_code == 404
