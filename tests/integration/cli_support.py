"""Run the ``interview-coach`` console entry in a subprocess, on its own data folder and offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: str, data_dir: Path, timeout: float = 600, shared: Path | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m interview_coach ARGS`` with ``data_dir`` (and ``shared`` data) and return its output."""
    env = {**os.environ, "INTERVIEW_COACH_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    if shared is not None:
        env["INTERVIEW_COACH_SHARED_DATA_DIR"] = str(shared)
    return subprocess.run(
        [sys.executable, "-m", "interview_coach", *args],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
