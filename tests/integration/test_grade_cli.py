"""``interview-coach grade`` and ``models``: real bundled grader, real MiniLM, through the console entry."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cli_support import run_cli

LINES = [
    {
        "question": "What does idempotent mean for an HTTP method?",
        "answer": "Calling it several times has the same effect on the server as calling it once, like PUT or DELETE.",
        "reference": "An idempotent method has the same effect on the server whether it is called once or many times.",
    },
    "this is not json",
    {
        "question": "What does idempotent mean for an HTTP method?",
        "answer": "I like turtles and sunny weather at the beach.",
        "reference": "An idempotent method has the same effect on the server whether it is called once or many times.",
    },
]


def _run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli(*args, data_dir=tmp_path, stdin=stdin)


def test_grade_keeps_order_reports_the_bad_line_and_ranks_right_above_wrong(tmp_path: Path) -> None:
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in LINES) + "\n"
    result = _run(tmp_path, "grade", "-", stdin=stdin)
    assert result.returncode == 1, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(rows) == 3
    assert rows[1] == {"error": rows[1]["error"], "line": 2}
    assert "line 2" in result.stderr
    right, wrong = rows[0], rows[2]
    assert set(right) >= {"score", "correctness", "verdict", "missing", "feedback"}
    assert right["score"] > wrong["score"] + 30
    assert wrong["verdict"] == "incorrect"


def test_models_list_shows_the_bundled_grader_active(tmp_path: Path) -> None:
    result = _run(tmp_path, "models", "list")
    assert result.returncode == 0, result.stderr
    active = [line for line in result.stdout.splitlines() if line.startswith("*")]
    assert len(active) == 1 and "grader-" in active[0] and "bundled" in active[0]
    missing = _run(tmp_path, "models", "promote", "grader-does-not-exist")
    assert missing.returncode == 2 and "grader-does-not-exist" in (missing.stdout + missing.stderr)
