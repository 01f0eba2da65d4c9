"""Voice measures of a spoken answer: transcript, pace, pauses, fillers, prosody, breathing.

Fillers (hesitation sounds) and discourse markers are found in the same words that make up
the returned transcript, and each is reported with the transcript's own words, so nothing is
reported that the user cannot find in the transcript they are shown.

Words come from faster-whisper (word timestamps, filler-preserving prompt); timing that
matters for feedback (response delay, pauses, speaking span) comes from the Silero VAD on
the audio itself, because Whisper's word boundaries drift by up to half a second.
This module only measures; ``assessment.voice_scores`` turns the measures into scores.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.ports import Transcriber
from interview_coach.core.settings import Settings
from interview_coach.domain.intervals import TimeSpan, format_timestamp
from interview_coach.domain.voice import (
    LONG_PAUSE_MIN_S,
    BreathPause,
    Pause,
    TimedSpan,
    TimedWord,
    Transcript,
    VoiceAnalysis,
)
from interview_coach.tools.media.decode import decode_audio
from interview_coach.tools.voice import fillers as filler_rules
from interview_coach.tools.voice.activity import gaps_between, speech_probabilities, speech_regions
from interview_coach.tools.voice.prosody import Prosody, ProsodyTracks, measure_prosody
from interview_coach.tools.voice.transcribe import SAMPLE_RATE

__all__ = ["analyze_audio", "analyze_voice", "combine_measures"]

PAUSE_MIN_S = 0.5
LONG_RUN_WITHOUT_BREATH_S = 20.0
_WORD_NEAR_SPEECH_S = 0.5
_SPEECH_NEAR_WORD_S = 0.3
_BREATH_GAP_MIN_S = 0.25


def analyze_voice(
    path: Path, settings: Settings, transcriber: Transcriber, *, time_budget_s: float | None = None
) -> VoiceAnalysis:
    """Analyse how a recorded answer was spoken.

    Args:
        path: an audio or video file.
        settings: media limits.
        transcriber: the process-wide speech-to-text engine (faster-whisper by default).
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
    regions = speech_regions(speech_probabilities(audio), duration_s=audio.size / SAMPLE_RATE)
    transcript = transcriber.transcribe(audio) if regions else None
    return combine_measures(audio, regions, transcript, model=transcriber.model_name, time_budget_s=time_budget_s)


def combine_measures(
    audio: NDArray[np.float32],
    regions: list[TimeSpan],
    transcript: Transcript | None,
    *,
    model: str,
    time_budget_s: float | None = None,
    tracks: ProsodyTracks | None = None,
) -> VoiceAnalysis:
    """Build the analysis from the speech regions and the transcript of the same 16 kHz audio.

    The batch path (:func:`analyze_audio`) and the streaming microphone analyser
    (``tools.voice.streaming``) both end here, so their results differ only in how the
    regions and words were obtained.

    Args:
        audio: the whole recording, 16 kHz mono float samples (for prosody and duration).
        regions: speech intervals from :func:`~interview_coach.tools.voice.activity.speech_regions`.
        transcript: the words recognised in ``audio``; ``None`` when there was no speech to transcribe.
        model: the speech-to-text model's name, reported when nothing was measured.
        time_budget_s: the question's time budget, to flag over-long answers.
        tracks: the pitch and intensity tracks of ``audio`` when already computed.

    """
    duration = audio.size / SAMPLE_RATE
    if not regions or transcript is None:
        return _without_speech(duration, time_budget_s, model, "No speech was detected.")
    words = [w for w in transcript.words if _near_any(w, regions, _WORD_NEAR_SPEECH_S)]
    if not words:
        return _without_speech(duration, time_budget_s, model, "No words were recognised.")
    span = _speaking_span(words, regions)
    speech = [r for r in regions if r.overlaps(span)] or [span]
    speech = [TimeSpan.of(max(r.start, span.start), min(r.end, span.end)) for r in speech]
    prosody = measure_prosody(audio, SAMPLE_RATE, speech, tracks)
    return _build_analysis(transcript, words, speech, span, prosody, duration=duration, time_budget_s=time_budget_s)


def _near_any(word: TimedWord, regions: list[TimeSpan], margin: float) -> bool:
    interval = TimeSpan.of(word.start, max(word.end, word.start + 0.01))
    return any(interval.overlaps(r, margin) for r in regions)


def _speaking_span(words: list[TimedWord], regions: list[TimeSpan]) -> TimeSpan:
    """Return the span from the first to the last speech sound that belongs to a word."""
    worded = [
        r
        for r in regions
        if any(TimeSpan.of(w.start, max(w.end, w.start + 0.01)).overlaps(r, _SPEECH_NEAR_WORD_S) for w in words)
    ]
    if not worded:
        return TimeSpan.of(words[0].start, max(words[-1].end, words[0].start + 0.01))
    return TimeSpan.of(worded[0].start, worded[-1].end)


def _without_speech(duration: float, time_budget_s: float | None, model: str, note: str) -> VoiceAnalysis:
    reason = f"{note} Check the microphone and speak closer to it."
    return VoiceAnalysis(
        duration_s=round(duration, 3),
        time_budget_s=time_budget_s,
        over_time=False if time_budget_s is not None else None,
        breath_control="not measured (no speech)",
        not_measured_reason=reason,
        notes=[note],
        model=model,
    )


def _build_analysis(
    transcript: Transcript,
    words: list[TimedWord],
    speech: list[TimeSpan],
    span: TimeSpan,
    prosody: Prosody,
    *,
    duration: float,
    time_budget_s: float | None,
) -> VoiceAnalysis:
    tokens = [w.word for w in words]
    filler_spans = filler_rules.find_fillers(tokens)
    hesitation_tokens = {s.first for s in filler_spans}
    lexical_count = sum(filler_rules.spoken_word_count(t) for i, t in enumerate(tokens) if i not in hesitation_tokens)
    speech_s = sum(r.duration for r in speech)
    minutes = span.duration / 60.0
    pauses = [
        Pause(start=_r(g.start), end=_r(g.end), duration_s=_r(g.duration)) for g in gaps_between(speech, PAUSE_MIN_S)
    ]
    fillers = [_span_of(s, words) for s in filler_spans]
    markers = [_span_of(s, words) for s in filler_rules.find_discourse_markers(tokens)]
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
        discourse_markers=markers,
        discourse_marker_count=len(markers),
        discourse_markers_per_min=_r(len(markers) / minutes, 2) if minutes > 0 else None,
        repetitions=repetitions,
        pitch_mean_hz=_optional_round(prosody.pitch_mean_hz, 1),
        pitch_variation_st=_optional_round(prosody.pitch_variation_st, 2),
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
    return VoiceAnalysis.model_validate(measured)


def _span_of(span: filler_rules.TokenSpan, words: list[TimedWord]) -> TimedSpan:
    # The reported words are the transcript's own tokens, never a label standing in for them.
    said = " ".join(filler_rules.normalize_token(w.word) for w in words[span.first : span.last + 1])
    return TimedSpan(word=said, start=words[span.first].start, end=words[span.last].end)


def _longest_run_without_pause(speech: list[TimeSpan]) -> float:
    """Return the longest stretch of speech not interrupted by a gap long enough to breathe."""
    longest = 0.0
    run_start = speech[0].start
    for before, after in itertools.pairwise(speech):
        if after.start - before.end >= _BREATH_GAP_MIN_S:
            longest = max(longest, before.end - run_start)
            run_start = after.start
    return max(longest, speech[-1].end - run_start)


def _breath_control_note(longest_run: float, breaths: list[BreathPause], speech: list[TimeSpan]) -> str:
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
