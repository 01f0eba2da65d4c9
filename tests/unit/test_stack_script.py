"""``scripts/stack.sh`` without a running stack: usage, status and an idempotent stop.

The stack itself (start, fail-over, stop with dead parts) is tested end to end in
``tests/integration/test_stack_e2e.py``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "stack.sh"


def run(command: str, stack_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STACK_DIR": str(stack_dir)}
    return subprocess.run(
        ["bash", str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_an_unknown_command_prints_the_usage(tmp_path: Path) -> None:
    result = run("restart", tmp_path / "stack")
    assert result.returncode == 2
    assert "usage:" in result.stderr and "start|status|stop" in result.stderr


def test_status_without_a_stack_says_so(tmp_path: Path) -> None:
    result = run("status", tmp_path / "stack")
    assert result.returncode == 3
    assert "no stack in" in result.stdout
    assert not (tmp_path / "stack").exists(), "status creates nothing"


def test_stop_with_nothing_running_succeeds_and_clears_stale_pid_files(tmp_path: Path) -> None:
    stack = tmp_path / "stack"
    assert run("stop", stack).returncode == 0
    pids = stack / "pids"
    pids.mkdir(parents=True)
    # A pid that cannot be a live process of this stack (beyond the kernel's pid range).
    (pids / "worker1.pid").write_text("4194305\n")
    result = run("stop", stack)
    assert result.returncode == 0, result.stderr
    assert not list(pids.glob("*.pid"))
