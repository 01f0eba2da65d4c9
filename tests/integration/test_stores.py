"""Session index and feedback store on both backends: SQLite files in the data dir, or Postgres (scale-out)."""

from __future__ import annotations

import socket
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps
from interview_coach.domain import CandidateProfile, InterviewPlanRequest
from interview_coach.graphs.service import InterviewService
from interview_coach.memory.feedback import FeedbackCreate, FeedbackStore
from interview_coach.memory.sessions import SessionNotFoundError, SessionStore
from interview_coach.memory.sql import StoreUnavailableError, store_url

STORE_FILES = ("sessions.sqlite", "feedback.sqlite")


@pytest.fixture
def fresh_postgres_dsn(postgres_dsn: str) -> Iterator[str]:
    """A new, empty database on the throwaway cluster, so each test starts from no tables."""
    name = f"stores_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(store_url_of(postgres_dsn), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield postgres_dsn.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def store_url_of(dsn: str) -> sa.URL:
    return sa.make_url(dsn).set(drivername="postgresql+psycopg")


@pytest.fixture(params=["sqlite", "postgres"])
def backend_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The app settings for one backend: the default data-dir SQLite files, or a Postgres checkpointer DSN."""
    if request.param == "postgres":
        settings.checkpointer_dsn = request.getfixturevalue("fresh_postgres_dsn")
    return settings


def feedback_item(session_id: str, rating: int = 1, **extra: object) -> FeedbackCreate:
    return FeedbackCreate.model_validate(
        {"session_id": session_id, "target": "score", "target_ref": "clarity", "rating": rating, **extra}
    )


def test_store_url_follows_the_checkpointer_setting(settings: Settings) -> None:
    assert store_url(settings, "sessions.sqlite") == sa.URL.create(
        "sqlite", database=str(settings.data_dir / "sessions.sqlite")
    )
    settings.checkpointer_dsn = "postgres://app:s3cret@db.internal:5433/coach?sslmode=require"
    url = store_url(settings, "sessions.sqlite")
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "app",
        "s3cret",
        "db.internal",
        5433,
        "coach",
    )
    assert url.query == {"sslmode": "require"}
    settings.checkpointer_dsn = str(settings.data_dir / "elsewhere.sqlite")  # a SQLite checkpointer: stores stay put
    assert store_url(settings, "feedback.sqlite").database == str(settings.data_dir / "feedback.sqlite")


def test_session_store_is_scoped_by_user(backend_settings: Settings) -> None:
    store = SessionStore.from_settings(backend_settings)
    try:
        store.create("s1", "ana", "Backend Engineer")
        store.create("s2", "ana", "Data Engineer")
        store.create("s3", "bo", "Designer")
        store.create("s1", "bo", "Hijack")  # a duplicate id is ignored, never re-owned
        assert store.get("s1", "ana").role == "Backend Engineer"
        with pytest.raises(SessionNotFoundError, match="No session 's1'"):
            store.get("s1", "bo")
        assert [s.session_id for s in store.for_user("ana")] == ["s2", "s1"]
        assert [s.session_id for s in store.for_user("bo")] == ["s3"]
        assert store.for_user("nobody") == []

        store.update("s1", status="coaching", overall_quality=72.5)
        store.update("s1", status="ended")  # no quality: the stored one stays
        s1 = store.get("s1", "ana")
        assert (s1.status, s1.overall_quality) == ("ended", 72.5)
        assert s1.updated_at >= s1.created_at and s1.created_at.tzinfo is not None
        assert [s.session_id for s in store.all()] == ["s1", "s2", "s3"]

        assert sorted(store.delete_user("ana")) == ["s1", "s2"]
        assert store.for_user("ana") == [] and store.delete_user("ana") == []
        with pytest.raises(SessionNotFoundError):
            store.get("s2", "ana")
        assert [s.session_id for s in store.all()] == ["s3"]
    finally:
        store.close()


def test_feedback_store_is_scoped_by_user(backend_settings: Settings) -> None:
    store = FeedbackStore.from_settings(backend_settings)
    try:
        first = store.add("ana", feedback_item("s1", correction="Too harsh: I gave two examples.", evidence={"v": 41}))
        second = store.add("ana", feedback_item("s1", rating=-1))
        other = store.add("bo", feedback_item("s9"))
        mine = store.for_user("ana")
        assert [f.id for f in mine] == [first.id, second.id]
        assert mine[0].evidence == {"v": 41} and mine[0].correction == "Too harsh: I gave two examples."
        assert mine[0].user_id == "ana" and not mine[0].accepted
        assert [f.id for f in store.for_user("bo")] == [other.id]

        store.set_accepted(first.id)
        assert [f.id for f in store.all(accepted_only=True)] == [first.id]
        assert len(store.all()) == 3
        store.set_accepted(first.id, accepted=False)
        assert store.all(accepted_only=True) == []

        assert store.delete_user("ana") == 2
        assert store.for_user("ana") == [] and store.delete_user("ana") == 0
        assert [f.id for f in store.all()] == [other.id]
    finally:
        store.close()


def test_stores_are_safe_across_threads(backend_settings: Settings) -> None:
    sessions = SessionStore.from_settings(backend_settings)
    feedback = FeedbackStore.from_settings(backend_settings)
    errors: list[BaseException] = []

    def worker(user: str) -> None:
        try:
            for i in range(15):
                sessions.create(f"{user}-{i}", user, "Engineer")
                sessions.update(f"{user}-{i}", status="coaching", overall_quality=float(i))
                feedback.add(user, feedback_item(f"{user}-{i}"))
                assert len(sessions.for_user(user)) == i + 1
        except BaseException as exc:  # collected and re-raised by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"user{n}",)) for n in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(sessions.all()) == 60 and len(feedback.all()) == 60
        assert {s.overall_quality for s in sessions.for_user("user2")} == {float(i) for i in range(15)}
    finally:
        sessions.close()
        feedback.close()


def test_postgres_dsn_keeps_stores_out_of_the_data_dir(settings: Settings, fresh_postgres_dsn: str) -> None:
    settings.checkpointer_dsn = fresh_postgres_dsn
    worker_a, worker_b = SessionStore.from_settings(settings), SessionStore.from_settings(settings)
    feedback_a, feedback_b = FeedbackStore.from_settings(settings), FeedbackStore.from_settings(settings)
    try:
        worker_a.create("shared-1", "ana", "Engineer")
        feedback_a.add("ana", feedback_item("shared-1"))
        # Another worker (its own engine and pool) sees the same rows: that is the point of scale-out.
        assert worker_b.get("shared-1", "ana").role == "Engineer"
        assert [f.session_id for f in feedback_b.for_user("ana")] == ["shared-1"]
        assert worker_b.delete_user("ana") == ["shared-1"] and feedback_b.delete_user("ana") == 1
        assert worker_a.for_user("ana") == [] and feedback_a.for_user("ana") == []
    finally:
        for store in (worker_a, worker_b, feedback_a, feedback_b):
            store.close()
    assert not any((settings.data_dir / name).exists() for name in STORE_FILES)
    engine = sa.create_engine(store_url_of(fresh_postgres_dsn))
    try:
        assert {"sessions", "feedback"} <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_existing_sqlite_files_keep_working(settings: Settings) -> None:
    """Files written by the earlier sqlite3 stores are read and extended in place, and stay readable by sqlite3."""
    settings.data_dir.mkdir(parents=True)
    with sqlite3.connect(settings.data_dir / "sessions.sqlite") as db:
        db.execute(
            "CREATE TABLE sessions (session_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, role TEXT NOT NULL,"
            " status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, overall_quality REAL)"
        )
        db.execute("CREATE INDEX sessions_user ON sessions(user_id)")
        db.execute(
            "INSERT INTO sessions VALUES ('old', 'ana', 'QA', 'coaching',"
            " '2024-01-02T03:04:05+00:00', '2024-01-02T03:05:00+00:00', 61.0)"
        )
    with sqlite3.connect(settings.data_dir / "feedback.sqlite") as db:
        db.execute(
            "CREATE TABLE feedback (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL,"
            " accepted INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL)"
        )
        db.execute("CREATE INDEX feedback_user ON feedback(user_id)")
        db.execute(
            "INSERT INTO feedback VALUES ('f-old', 'ana', '2024-01-02T03:06:00+00:00', 1, ?)",
            (feedback_item("old").model_dump_json(),),
        )

    sessions, feedback = SessionStore.from_settings(settings), FeedbackStore.from_settings(settings)
    try:
        old = sessions.get("old", "ana")
        assert (old.role, old.status, old.overall_quality, old.created_at.year) == ("QA", "coaching", 61.0, 2024)
        sessions.create("new", "ana", "QA")
        assert [s.session_id for s in sessions.for_user("ana")] == ["new", "old"]
        assert [f.id for f in feedback.all(accepted_only=True)] == ["f-old"]
        added = feedback.add("ana", feedback_item("new"))
    finally:
        sessions.close()
        feedback.close()

    with sqlite3.connect(settings.data_dir / "feedback.sqlite") as db:
        rows = db.execute("SELECT id, accepted FROM feedback ORDER BY created_at").fetchall()
    assert rows == [("f-old", 1), (added.id, 0)]
    with sqlite3.connect(settings.data_dir / "sessions.sqlite") as db:
        assert db.execute("SELECT status FROM sessions WHERE session_id = 'new'").fetchone() == ("interview",)


@pytest.mark.parametrize("store_class", [SessionStore, FeedbackStore])
def test_corrupt_sqlite_file_is_a_clear_error(tmp_path: Path, store_class: type[SessionStore | FeedbackStore]) -> None:
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailableError) as caught:
        store_class(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and "not a database" in message


def test_unreachable_postgres_is_a_clear_error_without_the_password(settings: Settings) -> None:
    settings.checkpointer_dsn = f"postgresql://app:s3cret@127.0.0.1:{closed_port()}/coach?connect_timeout=5"
    with pytest.raises(StoreUnavailableError) as caught:
        SessionStore.from_settings(settings)
    message = str(caught.value)
    assert "\n" not in message and "session index" in message and "127.0.0.1" in message
    assert "s3cret" not in message
    assert not (settings.data_dir / "sessions.sqlite").exists()


@pytest.mark.slow
async def test_interview_service_on_postgres_writes_no_store_files(deps: AppDeps, fresh_postgres_dsn: str) -> None:
    deps.settings.checkpointer_dsn = fresh_postgres_dsn
    request = InterviewPlanRequest(
        profile=CandidateProfile(name="Pat", role="Backend Software Engineer", role_family="backend"),
        question_count=1,
        question_ids=["tech-db-001"],
    )
    async with InterviewService.open(deps) as service:
        turn = await service.start("pat", request)
        service.feedback.add("pat", feedback_item(turn.session_id))
        assert [s.session_id for s in service.sessions.for_user("pat")] == [turn.session_id]

    async with InterviewService.open(deps) as reopened:  # a second worker finds the index in Postgres
        assert reopened.sessions.get(turn.session_id, "pat").role == "Backend Software Engineer"
        removed = await reopened.delete_user_data("pat")
        assert (removed["sessions"], removed["feedback"]) == (1, 1)
        assert reopened.sessions.for_user("pat") == [] and reopened.feedback.for_user("pat") == []
    assert not any((deps.settings.data_dir / name).exists() for name in STORE_FILES)
    assert not list(deps.settings.data_dir.glob("*.sqlite*"))
