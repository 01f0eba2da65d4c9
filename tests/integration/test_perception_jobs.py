"""Perception as jobs on real Dramatiq workers and a real Redis (issue 16).

A module fixture starts Debian's ``redis-server`` and two ``interview-coach worker`` processes;
tests kill workers with SIGKILL mid-job and the pool starts replacements. Spoken answers are
real espeak-ng recordings, analysed by the same models the serve process would load.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest
import redis

from interview_coach.core.settings import Settings
from interview_coach.deps import make_deps
from interview_coach.domain import AnswerAssessment, AnswerInput, InterviewPlanRequest, Question, QuestionKind
from interview_coach.domain.perception import PerceptionFailedError, PerceptionRequest, PerceptionUnavailableError
from interview_coach.jobs.client import WorkerPerceptionRunner
from interview_coach.jobs.inline import InlinePerceptionRunner
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from live_server import free_port

pytestmark = pytest.mark.slow
pytest.importorskip("dramatiq", reason="the 'scale' extra is not installed (pip install 'interview-coach[scale]')")

from interview_coach.jobs.broker import QUEUE  # noqa: E402

WORKER_LOST_S = 10.0
STORY = (
    "In my last role I owned the billing service. A retry change double charged three hundred customers. "
    "I rolled the change back within forty minutes, wrote the refund script and added idempotency keys. "
    "As a result every refund was done within a day and we have had zero duplicate charges since then. "
)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server (Debian package ``redis-server``) on a free port."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with redis_server(exe) as url:
        yield url


@contextmanager
def redis_server(exe: str) -> Iterator[str]:
    """Run the ``redis-server`` executable on a free port, without persistence (also used by benchmarks)."""
    folder, port = tempfile.mkdtemp(prefix="ic-redis-"), free_port()
    command = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


class WorkerPool:
    """``interview-coach worker`` processes sharing one data folder and broker."""

    def __init__(self, redis_url: str, data_dir: Path) -> None:
        self.env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "INTERVIEW_COACH_DATA_DIR": str(data_dir),
            "INTERVIEW_COACH_PERCEPTION_BROKER_URL": redis_url,
            "INTERVIEW_COACH_PERCEPTION_WORKER_LOST_S": str(WORKER_LOST_S),
        }
        self.logs = data_dir / "worker-logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self._files: list[IO[bytes]] = []

    def _launch(self) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.logs / f"worker-{len(self._files)}.log"
        handle = log.open("wb")
        self._files.append(handle)
        command = [sys.executable, "-m", "interview_coach", "worker"]
        process = subprocess.Popen(command, env=self.env, stdout=handle, stderr=subprocess.STDOUT)
        self.processes[process.pid] = process
        return process, log

    @staticmethod
    def _ready(process: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + 1800  # loading the models takes minutes on a busy 2-core machine
        while b"perception worker ready" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)

    def kill(self, pid: int) -> None:
        """SIGKILL one worker of the pool (never anything else)."""
        process = self.processes.pop(pid)
        process.send_signal(signal.SIGKILL)
        process.wait(30)

    def keep(self, count: int) -> None:
        """Start workers (models loaded before they take jobs) until ``count`` are alive."""
        for pid in [p for p, proc in self.processes.items() if proc.poll() is not None]:
            del self.processes[pid]
        started = [self._launch() for _ in range(count - len(self.processes))]
        for process, log in started:  # they load their models side by side
            self._ready(process, log)

    def stop(self) -> None:
        """Stop every worker cleanly."""
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        for handle in self._files:
            handle.close()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("perception-data")


@pytest.fixture(scope="module")
def pool(redis_url: str, data_dir: Path) -> Iterator[WorkerPool]:
    workers = WorkerPool(redis_url, data_dir)
    try:
        workers.keep(2)
        yield workers
    finally:
        workers.stop()


@pytest.fixture
def workers(pool: WorkerPool) -> WorkerPool:
    pool.keep(2)
    return pool


def _settings(data_dir: Path, redis_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "perception": "workers",
        "perception_broker_url": redis_url,
        "perception_worker_lost_s": WORKER_LOST_S,
        "perception_timeout_s": 300.0,
        **overrides,
    }
    return Settings(**values, _env_file=None)  # type: ignore[arg-type]


def _spoken(folder: Path, repeats: int = 1) -> Path:
    from interview_coach.demo.tts import synthesize_speech

    return synthesize_speech(STORY * repeats, folder / f"answer-{uuid.uuid4().hex[:6]}.wav", wpm=160)


def _question() -> Question:
    from interview_coach.assessment.question_bank import load_question_bank

    return next(q for q in load_question_bank().questions if q.kind == QuestionKind.BEHAVIORAL and q.key_points)


def _request(audio: Path) -> PerceptionRequest:
    question = _question()
    return PerceptionRequest(
        session_id=uuid.uuid4().hex,
        question_id=question.id,
        question=question,
        answer=AnswerInput(audio_path=str(audio)),
    )


def _pid(worker_name: str) -> int:
    return int(worker_name.split(":")[1])


def _wait_for_stage(runner: WorkerPerceptionRunner, key: str, stage: str, *, not_worker: str = "") -> str:
    """Return the worker running the job once it reaches ``stage`` (on another worker than ``not_worker``)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        record = runner.store.read(key)
        running = record is not None and record.state == "running" and record.stage == stage
        if running and record is not None and record.worker and record.worker != not_worker:
            return record.worker
        time.sleep(0.01)
    raise AssertionError(f"job {key} never reached {stage}")


def test_a_spoken_answer_on_a_worker_matches_the_inline_analysis(
    workers: WorkerPool, redis_url: str, data_dir: Path, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    settings = _settings(data_dir, redis_url)
    request = _request(_spoken(tmp_path))
    stages: list[str] = []
    remote = WorkerPerceptionRunner(settings).assess(request, on_stage=stages.append)
    local = InlinePerceptionRunner(make_deps(settings, embedder)).assess(request)
    assert remote.analysis.voice is not None and "refund script" in remote.analysis.answer_text
    assert remote.model_dump() == local.model_dump()
    assert stages[-2:] == ["voice", "content"] and set(stages) <= {"queued", "voice", "content"}
    record = WorkerPerceptionRunner(settings).store.read(request.job_key())
    assert record is not None and record.state == "done" and record.attempts == 1
    assert _pid(record.worker or "") in workers.processes


def test_the_same_answer_sent_by_two_serve_processes_runs_once(
    workers: WorkerPool, redis_url: str, data_dir: Path, tmp_path: Path
) -> None:
    settings = _settings(data_dir, redis_url)
    request = _request(_spoken(tmp_path))
    results: list[AnswerAssessment] = []

    def submit() -> None:
        results.append(WorkerPerceptionRunner(settings).assess(request))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert len(results) == 2 and results[0] == results[1]
    runner = WorkerPerceptionRunner(settings)
    record = runner.store.read(request.job_key())
    assert record is not None and record.attempts == 1
    again = runner.assess(request)  # a finished job answers from its record
    assert again == results[0]
    after = runner.store.read(request.job_key())
    assert after is not None and after.job_id == record.job_id and after.attempts == 1


async def test_a_worker_killed_mid_job_is_replaced_and_the_turn_completes_once(
    workers: WorkerPool, redis_url: str, data_dir: Path, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    import asyncio

    from interview_coach.graphs.service import InterviewService

    settings = _settings(data_dir / "serve", redis_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    deps = make_deps(settings, embedder)
    audio = _spoken(tmp_path, repeats=4)  # about a minute: long enough to be killed while transcribing
    runner = deps.perception
    assert isinstance(runner, WorkerPerceptionRunner)
    request = InterviewPlanRequest(question_ids=["tech-db-001", "tech-api-003"], question_count=2)
    async with InterviewService.open(deps) as service:
        turn = await service.start("u1", request)
        assert turn.ref is not None
        answer = AnswerInput(audio_path=str(audio))
        sending = asyncio.create_task(service.send(turn.session_id, "u1", answer))
        key = PerceptionRequest(
            session_id=turn.session_id, question_id=turn.ref.question_id, question=turn.question, answer=answer
        ).job_key()
        victim = await asyncio.to_thread(_wait_for_stage, runner, key, "voice")
        workers.kill(_pid(victim))
        turn = await sending
    feedback = [m for m in turn.messages if m.kind == "feedback"]
    assert len(feedback) == 1 and feedback[0].question is not None and feedback[0].question.label == "Q1"
    record = runner.store.read(key)
    assert record is not None and record.state == "done" and record.attempts == 2
    assert record.worker != victim and _pid(record.worker or "") in workers.processes


def test_a_job_that_kills_its_worker_twice_fails_for_good(
    workers: WorkerPool, redis_url: str, data_dir: Path, tmp_path: Path
) -> None:
    settings = _settings(data_dir, redis_url)
    runner = WorkerPerceptionRunner(settings)
    request = _request(_spoken(tmp_path, repeats=4))
    key = request.job_key()
    outcome: list[BaseException | AnswerAssessment] = []

    def submit() -> None:
        try:
            outcome.append(runner.assess(request))
        except PerceptionFailedError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=submit)
    thread.start()
    first = _wait_for_stage(runner, key, "voice")
    workers.kill(_pid(first))
    second = _wait_for_stage(runner, key, "voice", not_worker=first)  # the other worker retries it
    workers.kill(_pid(second))
    workers.keep(1)  # a fresh worker receives the job a third time and gives up on it
    thread.join(300)
    assert len(outcome) == 1 and isinstance(outcome[0], PerceptionFailedError)
    assert "stopped its worker 2 times" in str(outcome[0])
    record = runner.store.read(key)
    assert record is not None and record.state == "failed" and record.attempts == 3


def test_a_poison_job_fails_after_one_retry(workers: WorkerPool, redis_url: str, data_dir: Path) -> None:
    settings = _settings(data_dir, redis_url)
    runner = WorkerPerceptionRunner(settings)
    key, job_id = f"poison:{uuid.uuid4().hex}", uuid.uuid4().hex
    # A request no worker can read (e.g. sent by an incompatible version of the app).
    created, _ = runner.store.submit(key, job_id, '{"session_id": "s", "question": 42}')
    assert created
    runner.send(key, job_id)
    with pytest.raises(PerceptionFailedError, match="ValidationError"):
        runner.wait(key, job_id)
    record = runner.store.read(key)
    assert record is not None and record.state == "failed" and record.attempts == 2
    client = redis.Redis.from_url(redis_url)
    assert client.llen(f"dramatiq:{QUEUE}") == 0 and client.llen(f"dramatiq:{QUEUE}.DQ") == 0


def test_a_job_no_worker_takes_times_out_and_can_be_resubmitted(redis_url: str, data_dir: Path, tmp_path: Path) -> None:
    # Database 1 of the same Redis: a broker no worker listens to.
    idle = redis_url.rsplit("/", 1)[0] + "/1"
    runner = WorkerPerceptionRunner(_settings(data_dir, idle, perception_timeout_s=2.0))
    recording = tmp_path / "answer.wav"
    recording.write_bytes(b"not analysed")
    request = _request(recording)
    with pytest.raises(PerceptionFailedError, match="no analysis worker answered within 2 s"):
        runner.assess(request)
    record = runner.store.read(request.job_key())
    assert record is not None and record.state == "failed"
    created, job_id = runner.store.submit(request.job_key(), uuid.uuid4().hex, request.model_dump_json())
    assert created and job_id != record.job_id


def test_a_broker_that_is_down_gives_a_clear_error_or_the_configured_fallback(
    data_dir: Path, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    settings = _settings(data_dir, down)
    request = PerceptionRequest(
        session_id="s1",
        question_id="q",
        question=_question(),
        answer=AnswerInput(text=STORY),
    )
    with pytest.raises(PerceptionUnavailableError, match=r"job broker redis://127\.0\.0\.1:\d+/0 cannot be reached"):
        WorkerPerceptionRunner(settings).assess(request)
    inline = InlinePerceptionRunner(make_deps(settings, embedder))
    fallback = WorkerPerceptionRunner(settings, fallback=inline).assess(request)
    assert fallback == inline.assess(request)
    env = {**os.environ, "INTERVIEW_COACH_PERCEPTION_BROKER_URL": down, "INTERVIEW_COACH_DATA_DIR": str(data_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "interview_coach", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2
    assert "perception broker" in result.stderr and "cannot be reached" in result.stderr
