"""Speech generation with espeak-ng and sox for demos, tests and evaluations.

Besides plain synthesis, :func:`build_spoken_answer` assembles an answer from text parts
and exact silences, and returns where every word, pause and filler really is, so the voice
analysis can be scored against known ground truth.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

SAMPLE_RATE = 16000
_SILENCE_THRESHOLD = 1e-3
_TIMEOUT_S = 120.0
_HESITATION_WORDS = frozenset({"um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "mm"})


class TTSUnavailableError(RuntimeError):
    """espeak-ng or sox is not installed or failed."""


@dataclass(frozen=True)
class SpokenPause:
    """An inserted silence in a generated answer."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        """Length of the silence."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class SpokenFiller:
    """A filler word spoken as its own part of a generated answer."""

    word: str
    start_s: float
    end_s: float


@dataclass
class SpokenAnswer:
    """A generated answer and its ground truth.

    Attributes:
        path: the 16 kHz mono WAV file.
        text: the spoken words in order.
        duration_s: total length.
        speech_start_s: first speech sample (the response delay).
        speech_end_s: last speech sample.
        word_count: words spoken, hesitations (um, uh...) excluded.
        pauses: inserted silences between parts.
        fillers: fillers spoken as separate parts.

    """

    path: Path
    text: str
    duration_s: float
    speech_start_s: float
    speech_end_s: float
    word_count: int
    pauses: list[SpokenPause] = field(default_factory=list)
    fillers: list[SpokenFiller] = field(default_factory=list)

    @property
    def wpm(self) -> float:
        """True words per minute from the first to the last speech sample."""
        span = self.speech_end_s - self.speech_start_s
        return self.word_count / span * 60.0 if span > 0 else 0.0


def tts_available() -> bool:
    """Tell whether espeak-ng and sox are installed."""
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def synthesize_speech(
    text: str, out_path: Path, *, wpm: int = 150, voice: str = "en-us", leading_silence_s: float = 0.0
) -> Path:
    """Speak text into a 16 kHz mono 16-bit WAV file.

    Args:
        text: what to say; SSML tags such as ``<break time="1500ms"/>`` are allowed.
        out_path: the WAV file to write.
        wpm: espeak-ng speaking rate (words per minute, approximate).
        voice: espeak-ng voice name.
        leading_silence_s: silence added before the speech.

    Raises:
        TTSUnavailableError: espeak-ng or sox is missing or failed.
        ValueError: empty text or a negative silence.

    """
    if not text.strip():
        raise ValueError("text to synthesize is empty")
    if leading_silence_s < 0:
        raise ValueError("leading_silence_s must be >= 0")
    _require_tools()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tts-") as tmp:
        raw = Path(tmp) / "raw.wav"
        _run_espeak(text, raw, wpm=wpm, voice=voice)
        sox_cmd = ["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out_path)]
        if leading_silence_s > 0:
            sox_cmd += ["pad", f"{leading_silence_s:.4f}", "0"]
        _run(sox_cmd)
    return out_path


def mix_noise(in_path: Path, out_path: Path, snr_db: float, *, seed: int = 0) -> Path:
    """Add pink noise at a given signal-to-noise ratio to a 16-bit mono WAV file.

    The signal power is measured over the active speech (samples within 40 dB of the peak
    envelope), so inserted silences do not inflate the stated SNR.

    Args:
        in_path: a 16-bit mono WAV file.
        out_path: the noisy WAV file to write.
        snr_db: speech-to-noise power ratio in dB.
        seed: noise generator seed, for reproducible evaluations.

    """
    audio, rate = read_wav(in_path)
    speech_power = _active_power(audio, rate)
    noise = _pink_noise(audio.size, np.random.default_rng(seed))
    noise *= np.sqrt(speech_power / 10 ** (snr_db / 10) / max(float(np.mean(noise**2)), 1e-12))
    write_wav(out_path, np.clip(audio + noise, -1.0, 1.0), rate)
    return out_path


def build_spoken_answer(
    parts: list[str | float],
    out_path: Path,
    *,
    wpm: int = 150,
    voice: str = "en-us",
    leading_silence_s: float = 0.0,
    trailing_silence_s: float = 0.3,
) -> SpokenAnswer:
    """Assemble an answer from text parts and exact silences, with its ground truth.

    Each text part is synthesized alone and trimmed of espeak's own silence, so an inserted
    silence is exactly as long as stated and starts exactly where the truth says.

    Args:
        parts: text (spoken) and numbers (seconds of silence), in order.
        out_path: the WAV file to write.
        wpm: espeak-ng rate.
        voice: espeak-ng voice.
        leading_silence_s: silence before the first word (the response delay).
        trailing_silence_s: silence after the last word.

    Raises:
        TTSUnavailableError: espeak-ng or sox is missing or failed.
        ValueError: no text part.

    """
    texts = [p for p in parts if isinstance(p, str)]
    if not texts:
        raise ValueError("parts need at least one text")
    pieces: list[NDArray[np.float32]] = [np.zeros(round(leading_silence_s * SAMPLE_RATE), np.float32)]
    cursor = pieces[0].size
    pauses: list[SpokenPause] = []
    fillers: list[SpokenFiller] = []
    pending_silence = 0
    spoken_any = False
    with tempfile.TemporaryDirectory(prefix="tts-") as tmp:
        for index, part in enumerate(parts):
            if isinstance(part, str):
                speech = _trimmed(
                    read_wav(synthesize_speech(part, Path(tmp) / f"{index}.wav", wpm=wpm, voice=voice))[0]
                )
                if pending_silence and spoken_any:
                    pauses.append(SpokenPause((cursor - pending_silence) / SAMPLE_RATE, cursor / SAMPLE_RATE))
                pending_silence = 0
                word = _normalized(part)
                if word in _HESITATION_WORDS:
                    fillers.append(SpokenFiller(word, cursor / SAMPLE_RATE, (cursor + speech.size) / SAMPLE_RATE))
                pieces.append(speech)
                cursor += speech.size
                spoken_any = True
            else:
                silence = np.zeros(round(float(part) * SAMPLE_RATE), np.float32)
                pieces.append(silence)
                cursor += silence.size
                pending_silence += silence.size
    speech_end = cursor - pending_silence
    pieces.append(np.zeros(round(trailing_silence_s * SAMPLE_RATE), np.float32))
    audio = np.concatenate(pieces)
    write_wav(out_path, audio, SAMPLE_RATE)
    spoken_text = " ".join(texts)
    return SpokenAnswer(
        path=out_path,
        text=spoken_text,
        duration_s=audio.size / SAMPLE_RATE,
        speech_start_s=leading_silence_s,
        speech_end_s=speech_end / SAMPLE_RATE,
        word_count=sum(1 for w in _plain_words(spoken_text) if w not in _HESITATION_WORDS),
        pauses=pauses,
        fillers=fillers,
    )


def read_wav(path: Path) -> tuple[NDArray[np.float32], int]:
    """Read a 16-bit mono WAV file as float32 samples in [-1, 1] and its sample rate."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path.name}: expected 16-bit mono WAV")
        frames = wav.readframes(wav.getnframes())
        rate = wav.getframerate()
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0, rate


def write_wav(path: Path, audio: NDArray[np.float32], sample_rate: int = SAMPLE_RATE) -> Path:
    """Write float samples in [-1, 1] as a 16-bit mono WAV file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    return path


def _require_tools() -> None:
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        raise TTSUnavailableError(
            f"Speech generation needs {' and '.join(missing)}; install it, e.g. `apt-get install espeak-ng sox`."
        )


def _run_espeak(text: str, out_path: Path, *, wpm: int, voice: str) -> None:
    ssml = "<" in text
    if ssml and "<speak" not in text:
        text = f"<speak>{text}</speak>"
    cmd = ["espeak-ng", "-v", voice, "-s", str(int(wpm)), "-w", str(out_path), "--stdin"]
    if ssml:
        cmd.insert(1, "-m")
    _run(cmd, stdin=text)


def _run(cmd: list[str], stdin: str | None = None) -> None:
    try:
        completed = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TTSUnavailableError(f"{cmd[0]} failed: {exc}") from exc
    if completed.returncode != 0:
        raise TTSUnavailableError(f"{cmd[0]} failed: {completed.stderr.strip()[:300]}")


def _trimmed(audio: NDArray[np.float32]) -> NDArray[np.float32]:
    loud = np.flatnonzero(np.abs(audio) > _SILENCE_THRESHOLD)
    if loud.size == 0:
        return audio[:0]
    return audio[loud[0] : loud[-1] + 1]


def _active_power(audio: NDArray[np.float32], rate: int) -> float:
    frame = max(1, rate // 50)
    usable = (
        audio[: audio.size - audio.size % frame].reshape(-1, frame) if audio.size >= frame else audio.reshape(1, -1)
    )
    frame_power = np.mean(usable.astype(np.float64) ** 2, axis=1)
    if frame_power.size == 0 or float(frame_power.max()) <= 0:
        return 1e-8
    active = frame_power[frame_power >= frame_power.max() * 1e-4]
    return float(np.mean(active))


def _pink_noise(size: int, rng: np.random.Generator) -> NDArray[np.float32]:
    spectrum = np.fft.rfft(rng.standard_normal(size))
    freqs = np.arange(spectrum.size, dtype=np.float64)
    freqs[0] = 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(freqs), n=size)
    return (noise / max(float(np.std(noise)), 1e-12)).astype(np.float32)


def _normalized(text: str) -> str:
    return re.sub(r"[^a-z' ]", "", text.lower()).strip()


def _plain_words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", re.sub(r"<[^>]+>", " ", text.lower()))
