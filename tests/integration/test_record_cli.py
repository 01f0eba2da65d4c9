"""``/record`` in the terminal chat: no sound card on a server, and a recording through ALSA.

The recording path uses ALSA's own ``file`` plugin as the microphone: a capture device (defined in
a throwaway ``~/.asoundrc``) that plays real espeak-ng speech into ffmpeg, so the whole path runs
for real (ffmpeg capture, the WAV in the session folder, faster-whisper, feedback) without a
sound card. Machines without ALSA's configuration files skip it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ANSWER = "I led a team of five engineers and we shipped the new billing service on time."
ASOUNDRC = """pcm.speech {{
  type file
  slave.pcm {{ type null }}
  file "/dev/null"
  infile "{infile}"
  format "raw"
}}
"""


def _env(data_dir: Path, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "INTERVIEW_COACH_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        "COLUMNS": "200",
        "HOME": str(home),
        "PYTHONUNBUFFERED": "1",
    }


def _chat(data_dir: Path, home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "interview_coach", "chat", "--user", "rae", "--questions", "1", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(data_dir, home),
    )


def _read_until(process: subprocess.Popen[str], marker: str, seen: list[str], timeout_s: float = 240.0) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return
    process.kill()
    pytest.fail(f"{marker!r} never appeared; output: {''.join(seen)[-2000:]}")


def test_record_without_a_sound_card_keeps_the_question_open(tmp_path: Path) -> None:
    device = "default" if not Path("/proc/asound/cards").is_file() else "hw:99,0"
    home = tmp_path / "home"
    home.mkdir()
    process = _chat(tmp_path / "data", home, "--mic", device)
    out, err = process.communicate("/record\n/quit\n", timeout=300)
    assert process.returncode == 0, err[-2000:]
    assert f"No microphone could be opened (sound device {device!r}" in out
    assert "The question is still open." in out
    assert "Feedback" not in out and "Recorded" not in out
    assert re.search(r"Paused\. Resume with: interview-coach chat --session \w+", out)
    # Nothing half-recorded is left behind.
    assert not list((tmp_path / "data").rglob("*.wav"))


@pytest.mark.skipif(not Path("/usr/share/alsa/alsa.conf").is_file(), reason="ALSA configuration not installed")
def test_record_through_alsa_is_answered_and_transcribed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    speech = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(speech), ANSWER], check=True)
    raw = tmp_path / "speech.raw"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(speech), "-ac", "1", "-ar", "16000", "-f", "s16le", str(raw)],
        check=True,
    )
    (home / ".asoundrc").write_text(ASOUNDRC.format(infile=raw))
    process = _chat(tmp_path / "data", home, "--mic", "speech")
    assert process.stdin is not None
    seen: list[str] = []
    process.stdin.write("/record\n")
    process.stdin.flush()
    _read_until(process, "Press Enter to stop", seen)
    # The plugin plays the file at least as fast as real time; give it the whole sentence.
    time.sleep(6.0)
    process.stdin.write("\n/quit\n")
    process.stdin.flush()
    out, err = process.communicate(timeout=300)
    out = "".join(seen) + out
    assert process.returncode == 0, err[-2000:]
    recorded = re.search(r"Recorded (\d+\.\d) s", out)
    assert recorded and float(recorded.group(1)) > 3.0, out[-2000:]
    assert "Feedback" in out, out[-2000:]
    stored = list((tmp_path / "data").rglob("*.wav"))
    assert len(stored) == 1 and stored[0].stat().st_mode & 0o077 == 0
    assert "five engineers" in out.lower() or "billing service" in out.lower(), out[-3000:]
