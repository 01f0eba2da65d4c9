"""Acoustic speech/silence segmentation with the Silero VAD bundled in faster-whisper.

Whisper's word timestamps drift by up to ~0.5 s (tiny.en stretches words over silences), so
pauses, the response delay and the speaking span are measured on the audio itself: Silero
speech probabilities per 32 ms frame, with hysteresis.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

from interview_coach.domain.intervals import TimeSpan

VAD_SAMPLE_RATE = 16000
_WINDOW_SAMPLES = 512
FRAME_S = _WINDOW_SAMPLES / VAD_SAMPLE_RATE


def speech_probabilities(audio: NDArray[np.float32]) -> NDArray[np.float32]:
    """Return the Silero speech probability of each 32 ms frame of 16 kHz audio."""
    from faster_whisper.vad import get_vad_model

    if audio.size == 0:
        return np.zeros(0, dtype=np.float32)
    padded = np.pad(audio.astype(np.float32, copy=False), (0, _WINDOW_SAMPLES - audio.size % _WINDOW_SAMPLES))
    return np.asarray(get_vad_model()(padded), dtype=np.float32).reshape(-1)


def speech_regions(
    probabilities: NDArray[np.float32],
    *,
    threshold: float = 0.5,
    neg_threshold: float = 0.35,
    min_speech_s: float = 0.06,
    duration_s: float | None = None,
) -> list[TimeSpan]:
    """Turn frame probabilities into speech intervals.

    A frame starts speech at ``threshold`` and keeps it while above ``neg_threshold``, the
    same hysteresis Silero's own segmenter uses, but without its minimum-silence merging so
    short gaps stay visible to the pause and breath measures.

    Args:
        probabilities: per-frame speech probabilities from :func:`speech_probabilities`.
        threshold: probability that starts a speech interval.
        neg_threshold: probability below which speech ends.
        min_speech_s: shorter speech blips are dropped (clicks, noise bursts).
        duration_s: recording length, to clip the last interval.

    """
    regions: list[TimeSpan] = []
    start: int | None = None
    for index, probability in enumerate(probabilities.tolist()):
        if start is None and probability >= threshold:
            start = index
        elif start is not None and probability < neg_threshold:
            regions.append(TimeSpan.of(start * FRAME_S, index * FRAME_S))
            start = None
    if start is not None:
        regions.append(TimeSpan.of(start * FRAME_S, probabilities.size * FRAME_S))
    if duration_s is not None:
        regions = [TimeSpan.of(r.start, min(r.end, duration_s)) for r in regions if r.start < duration_s]
    return [r for r in regions if r.duration >= min_speech_s]


def gaps_between(regions: list[TimeSpan], min_gap_s: float = 0.0) -> list[TimeSpan]:
    """Return the silences between consecutive intervals that last at least ``min_gap_s``."""
    return [
        TimeSpan.of(before.end, after.start)
        for before, after in itertools.pairwise(regions)
        if after.start - before.end >= min_gap_s
    ]
