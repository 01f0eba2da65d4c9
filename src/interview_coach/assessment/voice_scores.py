"""Deterministic fluency and vocal-confidence scores from measured voice signals.

``assess_voice`` takes what ``tools.voice`` measured and fills in the judged fields: whether
the speech is reliable enough to score, ``monotone``, and the two scores.

Each score starts at 100 and every signal subtracts a capped number of points; signals
that did not move the score are still listed (effect 0) so a report can say what was fine.
Every threshold a user can see (pace band, fillers per minute, long pause, response delay,
pitch variation) comes from :mod:`interview_coach.domain.targets`. Only fillers (um, uh...)
cost points; discourse markers (like, you know...) are reported apart and never scored.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from interview_coach.domain import Evidence, Score, Signal, VoiceAnalysis
from interview_coach.domain.targets import FILLERS_PER_MIN, LONG_PAUSE_S, PACE, PITCH_VARIATION, RESPONSE_DELAY

PAUSED_SHARE_OK = 0.3
RESPONSE_DELAY_OK_S = RESPONSE_DELAY.high or 0.0
MONOTONE_BELOW_ST = PITCH_VARIATION.low or 0.0
FLAT_VOLUME_BELOW_DB = 2.5
CLEAR_WORD_PROBABILITY = 0.7
MIN_SPEECH_FOR_SCORES_S = 3.0
MIN_MEAN_WORD_PROBABILITY = 0.45
_MAX_EVIDENCE = 5


def assess_voice(analysis: VoiceAnalysis) -> VoiceAnalysis:
    """Fill in the judged fields of a voice analysis: ``monotone`` and both scores.

    Scores are "not measured" (with the reason) when no speech was measured, when there is
    too little speech, or when speech recognition was too unsure to trust the measures.
    """
    variation = analysis.pitch_variation_st
    monotone = None if variation is None else variation < MONOTONE_BELOW_ST
    judged = analysis.model_copy(update={"monotone": monotone})
    reason = analysis.not_measured_reason or unreliable_reason(analysis)
    if reason:
        fluency = vocal = Score.not_measured(reason)
    else:
        fluency, vocal = fluency_score(judged), vocal_confidence_score(judged)
    return judged.model_copy(update={"fluency_score": fluency, "vocal_confidence_score": vocal})


def unreliable_reason(analysis: VoiceAnalysis) -> str | None:
    """Say why measured speech is too short or too unclear to score, or ``None`` when it can be scored."""
    if analysis.speech_s < MIN_SPEECH_FOR_SCORES_S:
        return f"only {analysis.speech_s:.1f} s of speech; at least {MIN_SPEECH_FOR_SCORES_S:.0f} s are needed"
    probability = analysis.mean_word_probability
    if probability is not None and probability < MIN_MEAN_WORD_PROBABILITY:
        return f"speech recognition confidence is too low ({probability:.2f}); the audio may be noisy or unclear"
    return None


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


def fluency_score(analysis: VoiceAnalysis) -> Score:
    """Score how smoothly the answer flowed: pace, fillers, long pauses, repetitions, silence share."""
    signals = [
        _pace_signal(analysis, per_wpm=0.5, cap=20.0),
        _fillers_signal(analysis, per_extra=5.0, cap=30.0),
        _long_pauses_signal(analysis, per_pause=8.0, cap=24.0),
        _repetitions_signal(analysis),
        _paused_share_signal(analysis),
    ]
    return _score(signals)


def vocal_confidence_score(analysis: VoiceAnalysis) -> Score:
    """Score how confident the voice sounded: response delay, intonation, loudness, fillers, pace, clarity."""
    signals = [
        _response_delay_signal(analysis),
        _intonation_signal(analysis),
        _volume_signal(analysis),
        _fillers_signal(analysis, per_extra=2.5, cap=15.0),
        _long_pauses_signal(analysis, per_pause=4.0, cap=12.0),
        _pace_signal(analysis, per_wpm=0.25, cap=10.0),
        _clarity_signal(analysis),
        _gasps_signal(analysis),
    ]
    return _score(signals)


def _score(signals: Sequence[Signal | None]) -> Score:
    kept = [s for s in signals if s is not None]
    value = 100.0 + sum(s.effect for s in kept)
    return Score(value=round(min(100.0, max(0.0, value))), signals=kept)


def judged_filler_rate(analysis: VoiceAnalysis) -> float | None:
    """Return the fillers-per-minute rate judged against the target, or ``None`` when unmeasured.

    An answer shorter than a minute is judged as if it lasted a minute: one "uh" in a
    10-second answer is 6 per minute, but it is one filler, not a habit.
    """
    if analysis.fillers_per_min is None:
        return None
    start, end = analysis.speech_start_s, analysis.speech_end_s
    minutes = (end - start) / 60.0 if start is not None and end is not None and end > start else 1.0
    return analysis.fillers_per_min * min(1.0, minutes)


def _pace_signal(analysis: VoiceAnalysis, per_wpm: float, cap: float) -> Signal | None:
    if analysis.wpm is None:
        return None
    low, high = PACE.low or 0.0, PACE.high or 0.0
    detail = "too slow" if analysis.wpm < low else "too fast" if analysis.wpm > high else "comfortable"
    return Signal(
        name="speech_rate_wpm",
        value=analysis.wpm,
        effect=-min(cap, PACE.distance(analysis.wpm) * per_wpm),
        evidence=[
            Evidence(
                kind="pace",
                detail=f"{analysis.wpm:.0f} words per minute ({detail}; aim for {PACE.describe()})",
            )
        ],
    )


def _fillers_signal(analysis: VoiceAnalysis, per_extra: float, cap: float) -> Signal | None:
    rate = judged_filler_rate(analysis)
    if rate is None or analysis.fillers_per_min is None:
        return None
    return Signal(
        name="fillers_per_min",
        value=analysis.fillers_per_min,
        effect=-min(cap, FILLERS_PER_MIN.distance(rate) * per_extra),
        evidence=[f.evidence("filler") for f in analysis.fillers[:_MAX_EVIDENCE]],
    )


def _long_pauses_signal(analysis: VoiceAnalysis, per_pause: float, cap: float) -> Signal:
    long_pauses = [p for p in analysis.pauses if p.duration_s >= LONG_PAUSE_S]
    return Signal(
        name="long_pauses",
        value=len(long_pauses),
        effect=-min(cap, per_pause * len(long_pauses)),
        evidence=[p.evidence() for p in long_pauses[:_MAX_EVIDENCE]],
    )


def _repetitions_signal(analysis: VoiceAnalysis) -> Signal:
    return Signal(
        name="repetitions",
        value=len(analysis.repetitions),
        effect=-min(12.0, 4.0 * len(analysis.repetitions)),
        evidence=[r.evidence("repetition") for r in analysis.repetitions[:_MAX_EVIDENCE]],
    )


def _paused_share_signal(analysis: VoiceAnalysis) -> Signal | None:
    if analysis.speech_start_s is None or analysis.speech_end_s is None:
        return None
    span = analysis.speech_end_s - analysis.speech_start_s
    if span <= 0:
        return None
    share = sum(p.duration_s for p in analysis.pauses) / span
    return Signal(
        name="paused_share",
        value=round(share, 3),
        effect=-min(15.0, max(0.0, share - PAUSED_SHARE_OK) * 75.0),
        evidence=[Evidence(kind="pauses", detail=f"{share:.0%} of the answer was silence (pauses of 0.5 s or more)")],
    )


def _response_delay_signal(analysis: VoiceAnalysis) -> Signal | None:
    delay = analysis.response_delay_s
    if delay is None:
        return None
    return Signal(
        name="response_delay_s",
        value=delay,
        effect=-min(15.0, 3.0 * max(0.0, delay - RESPONSE_DELAY_OK_S)),
        evidence=[Evidence(kind="response_delay", detail=f"first word after {delay:.1f} s", start_s=0.0, end_s=delay)],
    )


def _intonation_signal(analysis: VoiceAnalysis) -> Signal | None:
    variation = analysis.pitch_variation_st
    if variation is None:
        return None
    detail = "monotone" if variation < MONOTONE_BELOW_ST else "varied"
    return Signal(
        name="pitch_variation_st",
        value=variation,
        effect=-min(20.0, 15.0 * max(0.0, MONOTONE_BELOW_ST - variation)),
        evidence=[Evidence(kind="intonation", detail=f"pitch varies by {variation:.1f} semitones ({detail})")],
    )


def _volume_signal(analysis: VoiceAnalysis) -> Signal | None:
    variation = analysis.volume_variation_db
    if variation is None:
        return None
    return Signal(
        name="volume_variation_db",
        value=variation,
        effect=-min(10.0, 4.0 * max(0.0, FLAT_VOLUME_BELOW_DB - variation)),
        evidence=[Evidence(kind="volume", detail=f"loudness varies by {variation:.1f} dB")],
    )


def _clarity_signal(analysis: VoiceAnalysis) -> Signal | None:
    probability = analysis.mean_word_probability
    if probability is None:
        return None
    return Signal(
        name="mean_word_probability",
        value=probability,
        effect=-min(10.0, 40.0 * max(0.0, CLEAR_WORD_PROBABILITY - probability)),
        evidence=[Evidence(kind="clarity", detail=f"speech recognised with mean confidence {probability:.2f}")],
    )


def _gasps_signal(analysis: VoiceAnalysis) -> Signal:
    gasps = [b for b in analysis.breath_pauses if b.gasp]
    return Signal(
        name="gasps",
        value=len(gasps),
        effect=-min(9.0, 3.0 * len(gasps)),
        evidence=[
            Evidence(kind="gasp", detail="audible gasp", start_s=b.start, end_s=b.end) for b in gasps[:_MAX_EVIDENCE]
        ],
    )
