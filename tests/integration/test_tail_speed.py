"""A shortcut between "stop" and the feedback of a spoken answer, on real speech.

The pitch and intensity tracks are measured piece by piece while the candidate speaks; that
must leave the measures where the whole-recording path puts them.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from interview_coach.demo.tts import build_spoken_answer, read_wav, tts_available
from interview_coach.domain.intervals import TimeSpan
from interview_coach.tools.voice.activity import speech_probabilities, speech_regions
from interview_coach.tools.voice.prosody import ProsodyTracks, measure_prosody, prosody_tracks
from interview_coach.tools.voice.transcribe import SAMPLE_RATE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not tts_available(), reason="espeak-ng and sox are needed to generate speech"),
]

PARTS: list[str | float] = [
    "I led the migration of our billing service to a new cloud provider",
    0.8,
    "um",
    0.3,
    "and we tested every step carefully before we switched",
    0.9,
    "in the end it finished two weeks early and under budget",
]


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    folder = tmp_path_factory.mktemp("tail")
    spoken = build_spoken_answer(PARTS, Path(folder) / "a.wav", wpm=150, leading_silence_s=0.5)
    audio, rate = read_wav(spoken.path)
    assert rate == SAMPLE_RATE
    return audio.astype(np.float32)


def test_tracks_measured_in_pieces_give_the_whole_recordings_prosody(speech: np.ndarray) -> None:
    regions = speech_regions(speech_probabilities(speech), duration_s=speech.size / SAMPLE_RATE)
    speaking = [TimeSpan.of(r.start, r.end) for r in regions]
    whole = prosody_tracks(speech, SAMPLE_RATE)
    assert whole is not None
    # Cut inside the two pauses, as the streaming analyser does when it closes a segment.
    gaps = [round((a.end + b.start) / 2 * SAMPLE_RATE) for a, b in itertools.pairwise(regions)]
    assert len(gaps) >= 2
    bounds = [0, *gaps[:2], speech.size]
    pieces = [prosody_tracks(speech, SAMPLE_RATE, lo, hi) for lo, hi in itertools.pairwise(bounds)]
    joined = ProsodyTracks.joined([p for p in pieces if p is not None])
    assert np.all(np.diff(joined.f0_times) > 0)  # no frame twice, in time order
    assert abs(joined.f0.size - whole.f0.size) <= 2
    batch = measure_prosody(speech, SAMPLE_RATE, speaking)
    streamed = measure_prosody(speech, SAMPLE_RATE, speaking, joined)
    assert batch.pitch_mean_hz is not None and streamed.pitch_mean_hz is not None
    assert streamed.pitch_mean_hz == pytest.approx(batch.pitch_mean_hz, rel=0.02)
    assert streamed.voiced_frames == pytest.approx(batch.voiced_frames, rel=0.03)
    assert batch.volume_variation_db is not None and streamed.volume_variation_db is not None
    assert streamed.volume_variation_db == pytest.approx(batch.volume_variation_db, abs=0.3)
    assert len(streamed.breaths) == len(batch.breaths)
