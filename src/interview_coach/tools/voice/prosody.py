"""Pitch, loudness and breathing measures with praat-parselmouth.

Every measure is taken only inside speech regions found by the VAD, so silences and
background noise do not flatten the pitch or loudness statistics.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from interview_coach.domain.intervals import TimeSpan

PITCH_FLOOR_HZ = 75.0
PITCH_CEILING_HZ = 500.0
_TIME_STEP_S = 0.01
_MIN_VOICED_FRAMES = 30
_OCTAVE_ST = 12.0
_SPEECH_LEVEL_RANGE_DB = 30.0
BREATH_GAP_RANGE_S = (0.15, 1.2)
_BREATH_ABOVE_FLOOR_DB = 12.0
_GASP_BELOW_SPEECH_DB = 12.0
_MAX_VOICED_SHARE_IN_BREATH = 0.3
_EDGE_S = 0.05
_PIECE_MARGIN_S = 0.1


class BreathEvent(TimeSpan):
    """A short silence between phrases that carries breath-like (unvoiced, audible) energy."""

    level_db: float
    gasp: bool


@dataclass(frozen=True)
class Prosody:
    """Pitch and loudness statistics over speech, ``None`` where not measurable.

    Attributes:
        pitch_mean_hz: mean fundamental frequency of voiced speech frames.
        pitch_variation_st: standard deviation of pitch in semitones around the median.
        volume_variation_db: standard deviation of the intensity of speech frames.
        voiced_frames: how many voiced frames the pitch statistics rest on.
        breaths: breath-like gaps between phrases.

    """

    pitch_mean_hz: float | None = None
    pitch_variation_st: float | None = None
    volume_variation_db: float | None = None
    voiced_frames: int = 0
    breaths: list[BreathEvent] = field(default_factory=list)


@dataclass(frozen=True)
class ProsodyTracks:
    """Pitch (Hz, 0 where unvoiced) and intensity (dB) frames of a recording, with their times."""

    f0: NDArray[np.float64]
    f0_times: NDArray[np.float64]
    level: NDArray[np.float64]
    level_times: NDArray[np.float64]

    @classmethod
    def joined(cls, pieces: list[ProsodyTracks]) -> ProsodyTracks:
        """Join the tracks of consecutive pieces of one recording, in time order."""
        return cls(
            np.concatenate([p.f0 for p in pieces]),
            np.concatenate([p.f0_times for p in pieces]),
            np.concatenate([p.level for p in pieces]),
            np.concatenate([p.level_times for p in pieces]),
        )


def prosody_tracks(
    audio: NDArray[np.float32], sample_rate: int, start: int = 0, end: int | None = None
) -> ProsodyTracks | None:
    """Pitch and intensity tracks of ``audio[start:end]``: the costly half of :func:`measure_prosody`.

    Only the audio is needed, so the streaming analyser computes the tracks of each piece of an
    answer while the candidate is still speaking. A piece is measured with a margin on both
    sides (more than Praat's analysis windows) and keeps the frames inside it, so the joined
    pieces follow the tracks of the whole recording; times are on the whole recording's clock.

    Args:
        audio: mono samples in [-1, 1].
        sample_rate: sampling rate of ``audio``.
        start: first sample of the piece.
        end: sample after the piece (``None``: the end of ``audio``).

    Returns:
        The tracks, or ``None`` when the audio around the piece is shorter than 0.1 s.

    """
    end = audio.size if end is None else end
    margin = round(_PIECE_MARGIN_S * sample_rate)
    low, high = max(0, start - margin), min(audio.size, end + margin)
    if high - low < sample_rate // 10 or end <= start:
        return None
    import parselmouth

    sound = parselmouth.Sound(audio[low:high].astype(np.float64), sampling_frequency=float(sample_rate))
    pitch = sound.to_pitch(time_step=_TIME_STEP_S, pitch_floor=PITCH_FLOOR_HZ, pitch_ceiling=PITCH_CEILING_HZ)
    intensity = sound.to_intensity(minimum_pitch=PITCH_FLOOR_HZ, time_step=_TIME_STEP_S)
    f0, f0_times = _pitch_track(pitch)
    level, level_times = _intensity_track(intensity)
    offset = low / sample_rate
    f0_times, level_times = f0_times + offset, level_times + offset
    if (low, high) == (0, audio.size):
        return ProsodyTracks(f0, f0_times, level, level_times)
    lo_s, hi_s = start / sample_rate, end / sample_rate
    pitch_in = (f0_times >= lo_s) & (f0_times < hi_s)
    level_in = (level_times >= lo_s) & (level_times < hi_s)
    return ProsodyTracks(f0[pitch_in], f0_times[pitch_in], level[level_in], level_times[level_in])


def measure_prosody(
    audio: NDArray[np.float32], sample_rate: int, speech: list[TimeSpan], tracks: ProsodyTracks | None = None
) -> Prosody:
    """Measure pitch, loudness variation and breath-like gaps of the speech in ``audio``.

    Args:
        audio: mono samples in [-1, 1].
        sample_rate: sampling rate of ``audio``.
        speech: speech intervals from the VAD; frames outside them are ignored.
        tracks: :func:`prosody_tracks` of the same audio when already computed.

    """
    if not speech or audio.size < sample_rate // 10:
        return Prosody()
    tracks = tracks or prosody_tracks(audio, sample_rate)
    if tracks is None:
        return Prosody()
    voiced = (tracks.f0 > 0) & _inside(tracks.f0_times, speech)
    mean_hz, variation_st = _pitch_statistics(tracks.f0[voiced])
    speech_levels = tracks.level[_inside(tracks.level_times, speech)]
    return Prosody(
        pitch_mean_hz=mean_hz,
        pitch_variation_st=variation_st,
        volume_variation_db=_volume_variation(speech_levels),
        voiced_frames=int(voiced.sum()),
        breaths=_breath_events(speech, tracks, speech_levels),
    )


def _pitch_track(pitch: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    frequencies = np.asarray(pitch.selected_array["frequency"], dtype=np.float64)
    times = np.asarray(pitch.xs(), dtype=np.float64)
    return np.nan_to_num(frequencies), times


def _intensity_track(intensity: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    values = np.asarray(intensity.values, dtype=np.float64).reshape(-1)
    times = np.asarray(intensity.xs(), dtype=np.float64)
    # Digital silence gives huge negative dB values; 0 dB SPL-equivalent is a safe floor.
    return np.clip(np.nan_to_num(values, nan=0.0), 0.0, None), times


def _inside(times: NDArray[np.float64], intervals: list[TimeSpan]) -> NDArray[np.bool_]:
    mask = np.zeros(times.shape, dtype=bool)
    for interval in intervals:
        mask |= (times >= interval.start) & (times < interval.end)
    return mask


def _pitch_statistics(voiced_hz: NDArray[np.float64]) -> tuple[float | None, float | None]:
    if voiced_hz.size < _MIN_VOICED_FRAMES:
        return None, None
    semitones = 12.0 * np.log2(voiced_hz / float(np.median(voiced_hz)))
    # Octave jumps are pitch-tracker errors, not intonation.
    plausible = np.abs(semitones) < _OCTAVE_ST
    if plausible.sum() < _MIN_VOICED_FRAMES:
        return None, None
    return float(np.mean(voiced_hz[plausible])), float(np.std(semitones[plausible]))


def _volume_variation(speech_levels: NDArray[np.float64]) -> float | None:
    if speech_levels.size < _MIN_VOICED_FRAMES:
        return None
    loud = speech_levels[speech_levels >= np.percentile(speech_levels, 95) - _SPEECH_LEVEL_RANGE_DB]
    return float(np.std(loud)) if loud.size >= _MIN_VOICED_FRAMES else None


def _breath_events(
    speech: list[TimeSpan], tracks: ProsodyTracks, speech_levels: NDArray[np.float64]
) -> list[BreathEvent]:
    f0, f0_times, level, level_times = tracks.f0, tracks.f0_times, tracks.level, tracks.level_times
    if speech_levels.size == 0 or level.size == 0:
        return []
    noise_floor = float(np.percentile(level, 5))
    speech_level = float(np.percentile(speech_levels, 90))
    events: list[BreathEvent] = []
    for before, after in itertools.pairwise(speech):
        gap = TimeSpan.of(before.end, after.start)
        if not BREATH_GAP_RANGE_S[0] <= gap.duration <= BREATH_GAP_RANGE_S[1]:
            continue
        # The intensity window smears speech into the gap edges; judge only the gap's core.
        core = TimeSpan.of(gap.start + _EDGE_S, gap.end - _EDGE_S)
        gap_levels = level[(level_times >= core.start) & (level_times < core.end)]
        gap_f0 = f0[(f0_times >= core.start) & (f0_times < core.end)]
        if gap_levels.size < 3:
            continue
        peak = float(np.median(gap_levels))
        voiced_share = float(np.mean(gap_f0 > 0)) if gap_f0.size else 0.0
        if peak - noise_floor >= _BREATH_ABOVE_FLOOR_DB and voiced_share <= _MAX_VOICED_SHARE_IN_BREATH:
            events.append(
                BreathEvent(
                    start=gap.start,
                    end=gap.end,
                    level_db=round(peak, 1),
                    gasp=peak >= speech_level - _GASP_BELOW_SPEECH_DB,
                )
            )
    return events
