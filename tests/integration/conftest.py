"""Integration fixtures: a throwaway real PostgreSQL cluster for the scale-out (Postgres) paths."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


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
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'interview-coach[postgres]')")
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on PATH")
    with postgres_cluster(bin_dir) as dsn:
        yield dsn


@contextmanager
def postgres_cluster(bin_dir: Path) -> Iterator[str]:
    """Run a throwaway PostgreSQL cluster (for fixtures and benchmarks); yield a DSN to a fresh database."""
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
