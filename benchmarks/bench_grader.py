"""Benchmark the short-answer grader: milliseconds to grade one answer after load.

Grades SAF ``unseen_questions`` answers with the active (bundled) grader and the real bundled
MiniLM, the way ``interview-coach grade`` and the interview pipeline use it: one answer per call
(``Grader.grade``) after a warm-up that loads the model and embeds each question's reference
once (references repeat across the answers to a question, so they are cached). It reports the
median and p95 milliseconds per answer, and the per-answer cost of one batched ``grade_many``
call over the same answers.

Usage: ``python benchmarks/bench_grader.py [--answers 200] [--threads 1]``; writes
``benchmarks/results/grader.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from interview_coach.assessment.grading.model import Grader, GradeRequest, grading_embedder
from interview_coach.assessment.grading.registry import active
from interview_coach.learning.saf_data import load_split

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "grader.json"
TARGET_MS = 50.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    """Run the benchmark, print and save the results."""
    parser = argparse.ArgumentParser(prog="python benchmarks/bench_grader.py")
    parser.add_argument("--saf", type=Path, default=ROOT / ".." / "shared" / "data" / "saf")
    parser.add_argument("--answers", type=int, default=200, help="answers graded one by one")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for MiniLM")
    parser.add_argument(
        "--split",
        default="unseen_questions",
        choices=("unseen_questions", "unseen_answers"),
        help="unseen_answers exercises the graded-answer blend (their questions have graded answers)",
    )
    args = parser.parse_args()
    info = active(Path("/nonexistent-registry"), "grader")
    if info is None:
        raise SystemExit("no bundled grader model")
    grader = Grader.load(info.path, embedder=grading_embedder(threads=args.threads))
    examples = load_split(args.saf.resolve(), args.split)
    stride = max(1, len(examples) // args.answers)
    sample = examples[::stride][: args.answers]
    started = time.perf_counter()
    for reference in dict.fromkeys(e.reference for e in sample):
        grader.grade("warm up", "warm up answer.", reference)
    load_s = time.perf_counter() - started
    single: list[float] = []
    blended = 0
    for e in sample:
        t0 = time.perf_counter()
        blended += grader.grade(e.question, e.answer, e.reference).exemplars > 0
        single.append(1000 * (time.perf_counter() - t0))
    fresh = Grader.load(info.path, embedder=grading_embedder(threads=args.threads))
    fresh.grade("warm up", "warm up answer.", "warm up reference.")
    requests = [GradeRequest(question=e.question, answer=e.answer, reference=e.reference) for e in sample]
    t0 = time.perf_counter()
    fresh.grade_many(requests)
    batch_ms = 1000 * (time.perf_counter() - t0) / len(sample)
    result = {
        "grader": info.version,
        "split": args.split,
        "answers": len(sample),
        "answers_blended_with_graded_answers": blended,
        "threads": args.threads,
        "single_median_ms": round(statistics.median(single), 1),
        "single_p95_ms": round(_percentile(single, 0.95), 1),
        "single_max_ms": round(max(single), 1),
        "batch_ms_per_answer": round(batch_ms, 1),
        "warmup_s": round(load_s, 1),
        "target_ms": TARGET_MS,
        "median_within_target": statistics.median(single) <= TARGET_MS,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        "note": "one answer per Grader.grade call after warm-up (model loaded, references embedded); "
        "batch = one grade_many call over the same answers with a cold answer cache",
    }
    out = RESULTS if args.split == "unseen_questions" else RESULTS.with_name(f"{RESULTS.stem}_{args.split}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
