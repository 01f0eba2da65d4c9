"""What voice perception measured in a spoken answer; times are seconds from the recording start."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from interview_coach.domain.intervals import TimeSpan, format_timestamp
from interview_coach.domain.scores import Evidence, Score
from interview_coach.domain.targets import LONG_PAUSE_S

LONG_PAUSE_MIN_S = LONG_PAUSE_S
"""A pause at least this long is reported as a long pause (the target lives in ``domain.targets``)."""


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


class Pause(TimeSpan):
    """A silence between words of at least 0.5 s."""

    duration_s: float

    def evidence(self) -> Evidence:
        """Describe the pause with its timestamps for a report."""
        long = self.duration_s >= LONG_PAUSE_MIN_S
        label = "long pause" if long else "pause"
        detail = f"{self.duration_s:.1f} s {label} at {format_timestamp(self.start)}"
        return self.span_evidence("long_pause" if long else "pause", detail)


class TimedSpan(TimeSpan):
    """A filler, discourse marker or repetition: the words of the transcript it covers, and when."""

    word: str

    def evidence(self, kind: str = "filler") -> Evidence:
        """Describe the span with its timestamps for a report."""
        return self.span_evidence(kind, f'"{self.word}" at {format_timestamp(self.start)}', quote=self.word)


class BreathPause(TimeSpan):
    """A short gap between phrases with breath-like (audible, unvoiced) energy."""

    duration_s: float
    level_db: float
    gasp: bool = False


class VoiceAnalysis(BaseModel):
    """Everything measured about how an answer was spoken, plus the scores assessment gives it.

    Perception fills the measurements and, when nothing could be measured, ``not_measured_reason``;
    the assessment layer fills ``monotone``, ``fluency_score`` and ``vocal_confidence_score``.
    """

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
    """Hesitation sounds (um, uh, er, ah, hmm), each a word of ``transcript``."""
    filler_count: int = 0
    fillers_per_min: float | None = None
    discourse_markers: list[TimedSpan] = Field(default_factory=list)
    """Empty mid-sentence markers (like, you know, I mean, so...), counted apart from fillers."""
    discourse_marker_count: int = 0
    discourse_markers_per_min: float | None = None
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
    not_measured_reason: str | None = None
    """Why no speech could be measured (no speech, no words); ``None`` when it was."""

    def evidence(self) -> list[Evidence]:
        """List every timed event (pauses, fillers, discourse markers, repetitions, gasps) in time order."""
        items = [p.evidence() for p in self.pauses]
        items += [f.evidence("filler") for f in self.fillers]
        items += [m.evidence("discourse_marker") for m in self.discourse_markers]
        items += [r.evidence("repetition") for r in self.repetitions]
        items += [
            b.span_evidence("gasp", f"audible gasp at {format_timestamp(b.start)}")
            for b in self.breath_pauses
            if b.gasp
        ]
        return sorted(items, key=lambda e: (e.start_s or 0.0, e.kind))
