"""JSON-lines batch grading (the engine of ``interview-coach grade FILE|-``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from pydantic import ValidationError

from interview_coach.assessment.grading.model import Grader, GradeRequest, GradeResult

BATCH_SIZE = 64
"""Answers embedded together; output order always follows input order."""


def _parse(line: str) -> GradeRequest:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    for key in ("question", "answer"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"'{key}' must be a string")
    key_points = data.get("key_points")
    if key_points is not None and not (isinstance(key_points, list) and all(isinstance(k, str) for k in key_points)):
        raise ValueError("'key_points' must be a list of strings")
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise ValueError("'reference' must be a string")
    return GradeRequest(question=data["question"], answer=data["answer"], reference=reference, key_points=key_points)


def _row(result: GradeResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "score": result.score,
        "correctness": result.correctness,
        "verdict": result.verdict,
        "missing": result.missing,
        "feedback": result.feedback,
    }
    if result.note:
        row["note"] = result.note
    return row


def grade_jsonl(lines: Iterable[str], grader: Grader, out: TextIO, err: TextIO) -> int:
    """Grade JSON lines ``{"question", "answer", "reference"?, "key_points"?, "kind"?}``.

    Writes one JSON line to ``out`` per non-blank input line, in input order:
    ``{"score", "correctness", "verdict", "missing", "feedback"}`` (plus ``note`` when there is
    one). A malformed line yields ``{"error": ..., "line": N}`` on ``out`` (so positions still
    line up) and a message naming line ``N`` (1-based) on ``err``; grading goes on.

    Args:
        lines: input lines (a file object or a list of strings).
        grader: the grader to use.
        out: where results go.
        err: where error messages go.

    Returns:
        The number of malformed lines.
    """
    bad = 0
    pending: list[tuple[int, GradeRequest | str]] = []

    def flush() -> None:
        requests = [item for _, item in pending if isinstance(item, GradeRequest)]
        results = iter(grader.grade_many(requests)) if requests else iter(())
        for number, item in pending:
            row = _row(next(results)) if isinstance(item, GradeRequest) else {"error": item, "line": number}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        pending.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            pending.append((number, _parse(line)))
        except (ValueError, ValidationError) as exc:
            message = f"line {number}: {exc}"
            pending.append((number, message))
            err.write(f"grade: skipped malformed {message}\n")
            bad += 1
        if len(pending) >= BATCH_SIZE:
            flush()
    flush()
    return bad
