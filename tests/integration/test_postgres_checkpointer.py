"""The same interview service on a Postgres checkpointer: a throwaway real PostgreSQL cluster."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from interview_coach.deps import AppDeps
from interview_coach.domain import CandidateProfile, InterviewPlanRequest
from interview_coach.graphs.runner import InterviewService

pytest.importorskip(
    "langgraph.checkpoint.postgres.aio",
    reason="langgraph-checkpoint-postgres is not installed (pip install 'interview-coach[postgres]')",
)
psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'interview-coach[postgres]')")

pytestmark = pytest.mark.slow

STRONG_TECHNICAL = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the whole table. "
    "It speeds up lookups, range queries and sorting on the indexed columns. "
    "For example, an index on the user email column makes login queries fast. "
    "The cost is slower writes, extra storage, and some maintenance."
)


def postgres_bin_dir() -> Path | None:
    """Find the directory with initdb and pg_ctl (newest Debian cluster version first, then PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    for directory in candidates:
        if os.access(Path(directory) / "initdb", os.X_OK) and os.access(Path(directory) / "pg_ctl", os.X_OK):
            return Path(directory)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_cluster_owner(*args: object) -> list[str]:
    """Build a command run as the ``postgres`` OS user when we are root: PostgreSQL refuses to run as root."""
    command = [str(a) for a in args]
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def run_as_cluster_owner(*args: object) -> None:
    subprocess.run(as_cluster_owner(*args), check=True, capture_output=True)


def give_to_cluster_owner(*paths: Path) -> None:
    """Hand folders to the ``postgres`` OS user when we are root."""
    if os.geteuid() != 0:
        return
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise RuntimeError("running as root needs a 'postgres' OS user to own the test cluster") from exc
    for path in paths:
        os.chown(path, owner.pw_uid, owner.pw_gid)


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """Start a throwaway PostgreSQL cluster in a temporary folder; yield a DSN to a fresh database."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on PATH")
    # pytest's tmp_path is private to root (0700); the cluster owner needs its own folder.
    root = Path(tempfile.mkdtemp(prefix="ic-pg-"))
    data, sockets, log = root / "data", root / "sock", root / "server.log"
    sockets.mkdir()
    give_to_cluster_owner(root, sockets)
    port = free_port()
    try:
        run_as_cluster_owner(
            bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"
        )
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1"
        run_as_cluster_owner(bin_dir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"could not start the test PostgreSQL cluster: {exc.stderr.decode()[-2000:]}") from exc
    try:
        run_as_cluster_owner(bin_dir / "createdb", "-h", sockets, "-p", port, "-U", "postgres", "interview_coach")
        yield f"postgresql://postgres@127.0.0.1:{port}/interview_coach"
    finally:
        subprocess.run(as_cluster_owner(bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"), check=False)
        shutil.rmtree(root, ignore_errors=True)


def request_for(ids: list[str]) -> InterviewPlanRequest:
    return InterviewPlanRequest(
        profile=CandidateProfile(name="Pat", role="Backend Software Engineer", role_family="backend"),
        question_count=len(ids),
        question_ids=ids,
    )


def backend_pid(service: InterviewService) -> int:
    """The server process id of the service's Postgres connection (differs per connection)."""
    return int(service.graph.checkpointer.conn.info.backend_pid)  # type: ignore[union-attr]


async def test_interview_on_postgres_resumes_from_a_new_connection(deps: AppDeps, postgres_dsn: str) -> None:
    deps.settings.checkpointer_dsn = postgres_dsn
    async with InterviewService.open(deps) as service:
        turn = await service.start("pat", request_for(["tech-db-001", "tech-api-003"]))
        session_id = turn.session_id
        assert turn.waiting_for == "answer" and turn.question and turn.question["id"] == "tech-db-001"
        turn = await service.send(session_id, "pat", STRONG_TECHNICAL)
        stopped_at = turn.question["id"] if turn.question else None
        assert turn.waiting_for == "answer" and stopped_at in {"tech-api-003", "tech-db-001~fu1"}
        first_pid = backend_pid(service)

    async with InterviewService.open(deps) as reopened:
        assert backend_pid(reopened) != first_pid
        turn = await reopened.resume(session_id, "pat")
        assert turn.waiting_for == "answer" and turn.question and turn.question["id"] == stopped_at
        assert [m["text"] for m in turn.messages if m["role"] == "candidate"] == [STRONG_TECHNICAL]
        turn = await reopened.send(session_id, "pat", "/end")
        assert turn.waiting_for == "coach" and turn.report is not None
        assert turn.report.questions[0].question.id == "tech-db-001"
        reply = await reopened.send(session_id, "pat", "why was question 1 rated that way?")
        coach = [m for m in reply.messages if m["role"] == "coach"]
        assert coach and coach[0]["text"].strip()
        second_pid = backend_pid(reopened)

    async with InterviewService.open(deps) as third:
        assert backend_pid(third) not in {first_pid, second_pid}
        turn = await third.resume(session_id, "pat")
        assert turn.waiting_for == "coach" and turn.phase == "coaching"
        assert turn.report is not None and turn.report.questions[0].question.id == "tech-db-001"
        assert turn.messages[-1]["role"] == "coach" and turn.messages[-1]["text"] == coach[-1]["text"]


async def test_checkpoints_live_in_postgres_not_sqlite(deps: AppDeps, postgres_dsn: str) -> None:
    deps.settings.checkpointer_dsn = postgres_dsn
    async with InterviewService.open(deps) as service:
        turn = await service.start("quinn", request_for(["tech-db-001"]))
        turn = await service.send(turn.session_id, "quinn", STRONG_TECHNICAL)
        if turn.waiting_for == "answer":  # a follow-up
            turn = await service.send(turn.session_id, "quinn", "/end")
        assert turn.report is not None
        session_id = turn.session_id

        with psycopg.connect(postgres_dsn) as conn:
            count = conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = %s", (session_id,)).fetchone()
        assert count is not None and count[0] >= 3
        assert not (deps.settings.data_dir / "checkpoints.sqlite").exists()

        await service.delete_user_data("quinn")
        with psycopg.connect(postgres_dsn) as conn:
            left = conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = %s", (session_id,)).fetchone()
        assert left == (0,)
    assert not list(deps.settings.data_dir.glob("checkpoints.sqlite*"))
