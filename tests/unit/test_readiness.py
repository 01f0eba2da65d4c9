"""The readiness record and the one-server-per-data-folder lock (two real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from interview_coach.deps import WarmUpStep
from interview_coach.ui.instance_lock import DataDirInUseError, hold_data_dir
from interview_coach.ui.readiness import SERVICE, ComponentState, Readiness


def _fail() -> str | None:
    raise RuntimeError("model file missing; set INTERVIEW_COACH_X")


def test_not_ready_until_the_service_is_open_and_every_step_has_run() -> None:
    readiness = Readiness()
    steps = [WarmUpStep("embedding", True, lambda: None), WarmUpStep("grader", False, lambda: "no grader trained")]
    readiness.expect(steps)
    report = readiness.report()
    assert not report.ready and report.status == "starting"
    assert report.waiting_for == [SERVICE, "embedding", "grader"]
    readiness.set(SERVICE, ComponentState.READY)
    assert readiness.report().waiting_for == ["embedding", "grader"]
    readiness.run_steps(steps)
    report = readiness.report()
    assert report.ready and report.status == "ready"
    grader = next(c for c in report.components if c.name == "grader")
    assert grader.state is ComponentState.UNAVAILABLE and grader.detail == "no grader trained"
    readiness.stop()
    assert readiness.report().status == "stopped" and not readiness.report().ready


def test_a_failed_required_step_keeps_the_process_not_ready_and_says_why() -> None:
    readiness = Readiness()
    readiness.set(SERVICE, ComponentState.READY)
    readiness.run_steps([WarmUpStep("embedding", True, _fail), WarmUpStep("transcriber", False, _fail)])
    report = readiness.report()
    assert report.status == "failed" and not report.ready and report.waiting_for == []
    by_name = {c.name: c for c in report.components}
    assert by_name["embedding"].state is ComponentState.FAILED
    assert "INTERVIEW_COACH_X" in (by_name["embedding"].detail or "")
    assert by_name["transcriber"].state is ComponentState.UNAVAILABLE


def test_the_data_dir_lock_is_exclusive_between_processes_and_names_the_holder(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    probe = (
        "import sys; from pathlib import Path\n"
        "from interview_coach.ui.instance_lock import DataDirInUseError, hold_data_dir\n"
        "try:\n"
        "    with hold_data_dir(Path(sys.argv[1]), 'http://127.0.0.1:2'):\n"
        "        print('acquired')\n"
        "except DataDirInUseError as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    with hold_data_dir(data_dir, "http://127.0.0.1:1"):
        other = subprocess.run(
            [sys.executable, "-c", probe, str(data_dir)], check=False, capture_output=True, text=True, timeout=60
        )
        assert other.returncode == 3, other.stderr
        assert f"pid {os.getpid()}" in other.stdout and "http://127.0.0.1:1" in other.stdout
        # A second holder in the same process is refused too (the lock belongs to the open file).
        with pytest.raises(DataDirInUseError), hold_data_dir(data_dir, "http://127.0.0.1:3"):
            pass
    released = subprocess.run(
        [sys.executable, "-c", probe, str(data_dir)], check=False, capture_output=True, text=True, timeout=60
    )
    assert released.returncode == 0 and "acquired" in released.stdout
