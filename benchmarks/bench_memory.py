"""Memory of one ``serve`` process across many video answers: does RSS level off?

Starts a live server in a fresh data folder, opens one 20-question interview over the REST API
and answers every question (and any follow-up) with the same generated video answer: the
astronaut sample video (:mod:`interview_coach.demo.sample_video`) muxed with an espeak-ng
recording. After each answer it records the server's resident memory (``VmRSS``) and the
answer's latency.

Usage: ``python benchmarks/bench_memory.py --label after [--answers 20] [--seconds 20]``.
Results are merged into ``benchmarks/results/memory.json`` under ``runs.<label>``, so a run
before a fix and one after it sit side by side.

``--store`` measures the long-term memory store instead (issue 16): 10 users, one user's
recall (``search``, top 5) p50/p95 at 1k/10k/100k stored memories, listing session summaries,
reopening the folder, insert rate, beside numpy brute force over the same vectors; results go
under ``store.<engine>``. Vectors are random unit vectors of MiniLM's size (384) served by a
table embedder, so the numbers are the store's own cost; one MiniLM query encoding is timed
apart (``minilm_query_encode_ms``). Usage:
``python benchmarks/bench_memory.py --store [--engine edge|local|postgres] [--sizes 1000 10000 100000]``.
``--engine postgres`` starts a throwaway PostgreSQL cluster (``tests/integration/conftest.py``);
"reopen" is then a new connection pool and the schema check.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from interview_coach.core.settings import Settings  # noqa: E402
from interview_coach.demo.sample_video import make_sample_video  # noqa: E402
from interview_coach.demo.tts import synthesize_speech  # noqa: E402
from live_server import start_server, stop_server  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "memory.json"
TOKEN = {"Authorization": "Bearer bench-token"}
SPOKEN = (
    "In my last role I owned the billing service. A retry change double charged three hundred customers. "
    "I rolled the change back within forty minutes, wrote the refund script and added idempotency keys. "
    "As a result every refund was done within a day and we have had zero duplicate charges since then."
)


def rss_mb(pid: int) -> float:
    """Return the resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(float(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for pid {pid}")


def make_video(folder: Path, seconds: float) -> Path:
    """Write a video answer of about ``seconds`` with a spoken answer as its audio."""
    speech = synthesize_speech(SPOKEN, folder / "answer.wav", wpm=150, leading_silence_s=0.5)
    return make_sample_video(
        speech, folder / "answer.mp4", duration_s=seconds, look_away_at=(3.0, 4.0), settings=Settings()
    )


def wait_ready(base: str, timeout_s: float = 300) -> None:
    """Wait until ``/readyz`` says the models are warm (servers without it: ``/healthz``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = httpx.get(base + "/readyz", timeout=5)
        if response.status_code == 200 or (response.status_code == 404 and httpx.get(base + "/healthz").is_success):
            return
        time.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def run(answers: int, seconds: float) -> dict[str, Any]:
    """Answer ``answers`` questions with a video and return the RSS series."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        workdir = Path(tmp)
        video = make_video(workdir, seconds)
        env = {"INTERVIEW_COACH_AUTH_MODE": "none", "INTERVIEW_COACH_API_TOKENS": json.dumps({"bench-token": "bench"})}
        server = start_server(workdir, env)
        try:
            wait_ready(server.base_url)
            pid = server.process.pid
            series = [rss_mb(pid)]
            latencies: list[float] = []
            with httpx.Client(base_url=server.base_url, headers=TOKEN, timeout=600) as client:
                while len(latencies) < answers:
                    created = client.post("/api/sessions", json={"question_count": 20, "kinds": ["behavioral"]})
                    turn = created.raise_for_status().json()
                    while turn["waiting_for"] == "answer" and len(latencies) < answers:
                        started = time.perf_counter()
                        with video.open("rb") as handle:
                            response = client.post(
                                f"/api/sessions/{turn['session_id']}/answers/media",
                                files={"file": ("answer.mp4", handle, "video/mp4")},
                            )
                        latencies.append(round(time.perf_counter() - started, 2))
                        turn = response.raise_for_status().json()
                        series.append(rss_mb(pid))
                        print(
                            f"answer {len(latencies):2d}: {latencies[-1]:6.2f} s, RSS {series[-1]:7.1f} MB", flush=True
                        )
        finally:
            stop_server(server)
    half = len(series) // 2
    return {
        "answers": answers,
        "video_seconds": seconds,
        "rss_mb_after_each_answer": series,
        "rss_mb_ready": series[0],
        "rss_mb_end": series[-1],
        "growth_mb_per_answer_first_half": round((series[half] - series[1]) / max(1, half - 1), 1),
        "growth_mb_per_answer_second_half": round((series[-1] - series[half]) / max(1, len(series) - 1 - half), 1),
        "answer_latency_s_median": statistics.median(latencies),
    }


class TableEmbedder:
    """Embedder whose texts are ``m<row>``/``q<row>`` keys into precomputed vector tables."""

    dimension = 384

    def __init__(self, memories: np.ndarray, queries: np.ndarray) -> None:
        self._tables = {"m": memories, "q": queries}

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return the stored vectors of the keyed texts."""
        return np.stack([self._tables[t[0]][int(t[1:].split()[0])] for t in texts])


def _unit(rng: np.random.Generator, rows: int) -> np.ndarray:
    vectors = rng.normal(size=(rows, TableEmbedder.dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _percentiles(samples_s: list[float]) -> dict[str, float]:
    ms = np.asarray(samples_s) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2)}


def open_store(embedder: TableEmbedder, path: Path, engine: str, pg_dsn: str | None) -> Any:
    """Open the store of ``engine``: a folder for the Qdrant engines, a table named after the folder on Postgres."""
    from interview_coach.memory.store import QdrantMemoryStore

    if engine == "postgres":
        from interview_coach.memory.pg_store import PostgresMemoryStore

        assert pg_dsn is not None
        return PostgresMemoryStore(embedder, pg_dsn, collection=f"bench_{path.parent.name.replace('-', '_')}")
    return QdrantMemoryStore(embedder, path=path, engine=engine)  # type: ignore[arg-type]


def bench_store(
    engine: str, size: int, queries: int = 200, users: int = 10, pg_dsn: str | None = None
) -> dict[str, Any]:
    """Fill a fresh store with ``size`` memories of ``users`` users and time one user's reads."""
    from interview_coach.memory.store import new_record

    rng = np.random.default_rng(size)
    memories, query_vectors = _unit(rng, size), _unit(rng, queries)
    owners = np.arange(size) % users
    embedder = TableEmbedder(memories, query_vectors)
    records = [
        new_record(f"user{owners[i]}", "session_summary" if i % 100 == 0 else "chat_fact", f"m{i} memory")
        for i in range(size)
    ]
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        path = Path(tmp) / "memory"
        store = open_store(embedder, path, engine, pg_dsn)
        started = time.perf_counter()
        for start in range(0, size, 1000):
            store.add(records[start : start + 1000])
        insert_s = time.perf_counter() - started
        store.close()
        started = time.perf_counter()
        store = open_store(embedder, path, engine, pg_dsn)
        reopen_s = time.perf_counter() - started
        user = "user3"
        mine = np.flatnonzero(owners == 3)
        recall, brute, agreement = [], [], []
        found = []
        for q in range(queries):
            started = time.perf_counter()
            hits = store.search(user, f"q{q}", limit=5)
            recall.append(time.perf_counter() - started)
            found.append({h.id for h in hits})
        # Apart from the store's loop: numpy's multi-threaded pass over the whole matrix evicts
        # the store's data from the caches and would slow the store's next query.
        for q in range(queries):
            started = time.perf_counter()
            scores = memories @ query_vectors[q]
            scores[owners != 3] = -np.inf
            top = np.argpartition(-scores, 5)[:5]
            brute.append(time.perf_counter() - started)
            expected = {records[i].id for i in top}
            agreement.append(len(expected & found[q]) / 5)
        listing = []
        for _ in range(20):
            started = time.perf_counter()
            summaries = store.list(user, kinds=["session_summary"], limit=20)
            listing.append(time.perf_counter() - started)
        assert all(r.user_id == user for r in summaries) and len(hits) == 5 and len(mine) == size // users
        store.close()
    recall_p, brute_p = _percentiles(recall), _percentiles(brute)
    return {
        "memories": size,
        "users": users,
        "recall": recall_p,
        "numpy_brute_force": brute_p,
        "recall_over_numpy_p50": round(recall_p["p50_ms"] / max(brute_p["p50_ms"], 1e-3), 1),
        "top5_agreement_with_brute_force": round(float(np.mean(agreement)), 3),
        "list_session_summaries": _percentiles(listing),
        "reopen_s": round(reopen_s, 3),
        "inserts_per_s": round(size / insert_s),
    }


def minilm_query_encode_ms(repeats: int = 50) -> float:
    """Median time of embedding one query with the bundled MiniLM (the part of recall the store does not do)."""
    from interview_coach.memory.embeddings import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.encode(["warm up"])
    times = []
    for i in range(repeats):
        started = time.perf_counter()
        embedder.encode([f"how did I do on filler words in session {i}?"])
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def run_store(engine: str, sizes: list[int]) -> int:
    """Run the store benchmark and merge it into the results file under ``store.<engine>``."""
    result: dict[str, Any] = {"engine": engine, "sizes": []}
    with ExitStack() as stack:
        pg_dsn = None
        if engine == "postgres":
            sys.path.insert(0, str(ROOT / "tests" / "integration"))
            from conftest import postgres_bin_dir, postgres_cluster

            bin_dir = postgres_bin_dir()
            if bin_dir is None:
                raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) not found")
            pg_dsn = stack.enter_context(postgres_cluster(bin_dir))
        for size in sizes:
            row = bench_store(engine, size, pg_dsn=pg_dsn)
            row["memories_per_user"] = size // row["users"]
            print(json.dumps(row), flush=True)
            result["sizes"].append(row)
    result["minilm_query_encode_ms"] = minilm_query_encode_ms()
    result["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_avg_1m": os.getloadavg()[0]}
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing.setdefault("store", {})[engine] = result
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")
    print(f"JSON written to {RESULTS}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", action="store_true", help="Benchmark the long-term memory store instead.")
    parser.add_argument("--engine", default="edge", choices=["edge", "local", "postgres"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--label", default="current", help="Name of this run in the results file (e.g. before, after).")
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="Length of the video answer.")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.store:
        return run_store(args.engine, args.sizes)
    result = run(args.answers, args.seconds)
    result["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing.setdefault("runs", {})[args.label] = result
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rss_mb_after_each_answer"}, indent=2))
    print(f"JSON written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
