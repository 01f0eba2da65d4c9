"""Record an answer from the sound card's microphone, for the terminal chat's ``/record``.

The system ``ffmpeg`` (already needed for media) captures from an ALSA device into a 16-kHz mono
WAV file until it is told to stop. The bundled PyAV build cannot be used here: its own ALSA
library looks for its configuration under a build folder that does not exist on user machines.
Without a sound card the device cannot be opened and :class:`MicrophoneError` says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import wave
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

FFMPEG = "ffmpeg"
SAMPLE_RATE = 16000
WAV_HEADER_BYTES = 44
# How long the device may take to deliver its first samples before it counts as silent/absent.
START_TIMEOUT_S = 3.0
STOP_TIMEOUT_S = 10.0
_POLL_S = 0.05


class MicrophoneError(RuntimeError):
    """No microphone could be opened, or it recorded nothing."""


class Recording(BaseModel):
    """A finished recording."""

    model_config = ConfigDict(frozen=True)

    path: Path = Field(description="The WAV file (16-bit PCM, mono, 16 kHz).")
    duration_s: float = Field(ge=0, description="Length of the recording in seconds.")
    capped: bool = Field(description="The recording reached the length limit and stopped by itself.")


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "no details"


class MicrophoneRecorder:
    """Capture one answer from an ALSA device until :meth:`stop` (or the length limit)."""

    def __init__(self, out_path: Path, *, device: str = "default", max_seconds: float = 900.0) -> None:
        """Prepare a recording; nothing is opened yet.

        Args:
            out_path: the WAV file to write (replaced if it exists).
            device: the ALSA capture device (``default``, ``hw:1,0``, a name from ``~/.asoundrc``).
            max_seconds: the recording stops by itself at this length.

        Raises:
            ValueError: ``max_seconds`` is not positive.
        """
        if max_seconds <= 0:
            raise ValueError(f"max_seconds must be positive, got {max_seconds}")
        self.out_path = out_path
        self.device = device
        self.max_seconds = max_seconds
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Open the microphone and start recording; return once samples arrive.

        Raises:
            MicrophoneError: ffmpeg is missing, the device cannot be opened (no sound card), or it
                delivers nothing within a few seconds.
        """
        ffmpeg = shutil.which(FFMPEG)
        if ffmpeg is None:
            raise MicrophoneError(
                "Recording needs ffmpeg (apt-get install ffmpeg); answer by typing or with /audio PATH."
            )
        self.out_path.unlink(missing_ok=True)
        # Created private first: ffmpeg truncates it in place and the recording stays readable by this user only.
        os.close(os.open(self.out_path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        # ffmpeg, not a Python audio binding: PortAudio is not installed with the package.
        command = [
            ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", "-f", "alsa",
            "-channels", "1", "-sample_rate", str(SAMPLE_RATE), "-i", self.device,
            "-t", f"{self.max_seconds:g}", "-ac", "1", "-ar", str(SAMPLE_RATE),
            # Written as it comes: readiness is seen in the file, and a crash keeps the answer so far.
            "-flush_packets", "1", "-y", str(self.out_path),
        ]  # fmt: skip
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                _, stderr = process.communicate()
                self.out_path.unlink(missing_ok=True)
                raise MicrophoneError(
                    f"No microphone could be opened (sound device {self.device!r}: {_last_line(stderr)}). "
                    "Connect one, or answer by typing or with /audio PATH."
                )
            if self.out_path.is_file() and self.out_path.stat().st_size > WAV_HEADER_BYTES:
                self._process = process
                return
            time.sleep(_POLL_S)
        process.kill()
        process.communicate()
        self.out_path.unlink(missing_ok=True)
        raise MicrophoneError(
            f"The sound device {self.device!r} opened but gave no sound for {START_TIMEOUT_S:g} s; "
            "check the microphone, or answer by typing or with /audio PATH."
        )

    def stop(self) -> Recording:
        """Stop recording (keeping everything recorded so far) and return the recording.

        Raises:
            MicrophoneError: recording was not started, or nothing was recorded.
        """
        process = self._process
        if process is None:
            raise MicrophoneError("Recording was not started.")
        self._process = None
        try:
            # "q" asks ffmpeg to finish the file properly (a killed ffmpeg leaves a broken header).
            _, stderr = process.communicate(input=b"q", timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        try:
            with wave.open(str(self.out_path), "rb") as audio:
                duration = audio.getnframes() / audio.getframerate()
        except (OSError, EOFError, wave.Error) as exc:
            raise MicrophoneError(f"The recording could not be saved: {exc} ({_last_line(stderr)}).") from exc
        if duration <= 0:
            raise MicrophoneError("Nothing was recorded; check the microphone and try again.")
        return Recording(path=self.out_path, duration_s=duration, capped=duration >= self.max_seconds - 0.05)

    @property
    def recording(self) -> bool:
        """Whether ffmpeg is still capturing (false once the length limit stopped it)."""
        return self._process is not None and self._process.poll() is None
