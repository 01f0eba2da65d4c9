"""Pure voice-analysis rules: fillers, repetitions, word counts, segmentation, scores, baselines."""

from __future__ import annotations

import numpy as np
import pytest

from interview_coach.assessment.voice_scores import (
    assess_voice,
    baseline_deltas,
    fluency_score,
    vocal_confidence_score,
)
from interview_coach.domain import Pause, TimedSpan, TimeSpan, VoiceAnalysis, format_timestamp
from interview_coach.tools.voice.activity import FRAME_S, gaps_between, speech_regions
from interview_coach.tools.voice.fillers import (
    find_discourse_markers,
    find_fillers,
    find_repetitions,
    spoken_word_count,
)


def _labels(text: str) -> list[str]:
    """Fillers and discourse markers together, in the order they were said."""
    spans = [*find_fillers(text.split()), *find_discourse_markers(text.split())]
    return [span.label for span in sorted(spans, key=lambda s: s.first)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Um, I think, uh, it worked.", ["um", "uh"]),
        ("So, we shipped it. So the team was happy.", []),
        ("It was, like, really hard.", ["like"]),
        ("I like Python and would like tea.", []),
        ("It looks like rain, things like that.", []),
        ("We, you know, shipped it.", ["you know"]),
        ("Do you know the answer?", []),
        ("I mean, it was fine. That is what I mean.", []),
        ("It was kind of slow and a kind of tool.", ["kind of"]),
        ("We sort of basically actually finished.", ["sort of", "basically", "actually"]),
        ("I said so that they knew.", []),
        ("Hmm. Er, okay.", ["hmm", "er"]),
        ("We met for a hour and a on-call shift.", []),
        ("A one-time fix for a unique user, a European team, an hour.", []),
    ],
)
def test_find_fillers(text: str, expected: list[str]) -> None:
    assert _labels(text) == expected


def test_filler_spans_cover_phrase_tokens() -> None:
    spans = find_discourse_markers(["well,", "you", "know,", "it", "was", "fine"])
    assert [(s.first, s.last) for s in spans] == [(1, 2)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I I think it works", ["i"]),
        ("I think I think it works", ["i think"]),
        ("the the the plan", ["the", "the"]),
        ("um um I agree", []),
        ("very very good, no no", []),
        ("we built it and it works", []),
    ],
)
def test_find_repetitions(text: str, expected: list[str]) -> None:
    assert [s.label for s in find_repetitions(text.split())] == expected


@pytest.mark.parametrize(
    ("token", "words"),
    [("hello,", 1), ("20%,", 2), ("25", 2), ("100", 2), ("1999.", 3), ("$5", 2), ("3.5", 3), ("--", 0), ("2000", 2)],
)
def test_spoken_word_count(token: str, words: int) -> None:
    assert spoken_word_count(token) == words


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (42.4, "0:42"), (65, "1:05"), (3725, "1:02:05"), (-3, "0:00")]
)
def test_format_timestamp(seconds: float, text: str) -> None:
    assert format_timestamp(seconds) == text


def test_speech_regions_use_hysteresis_and_drop_blips() -> None:
    probabilities = np.array([0.1, 0.9, 0.4, 0.9, 0.2, 0.1, 0.6, 0.1, 0.1, 0.8, 0.8, 0.8], dtype=np.float32)
    regions = speech_regions(probabilities, min_speech_s=0.03)
    assert regions == [
        TimeSpan.of(1 * FRAME_S, 4 * FRAME_S),
        TimeSpan.of(6 * FRAME_S, 7 * FRAME_S),
        TimeSpan.of(9 * FRAME_S, 12 * FRAME_S),
    ]
    assert speech_regions(probabilities, min_speech_s=0.05) == [regions[0], regions[2]]
    assert speech_regions(probabilities, duration_s=0.35)[-1].end == pytest.approx(0.35)
    assert gaps_between(regions, min_gap_s=0.06) == [
        TimeSpan.of(4 * FRAME_S, 6 * FRAME_S),
        TimeSpan.of(7 * FRAME_S, 9 * FRAME_S),
    ]


def _analysis(**changes: object) -> VoiceAnalysis:
    base: dict[str, object] = dict(
        transcript="we shipped it",
        duration_s=62.0,
        speech_s=50.0,
        speech_start_s=1.0,
        speech_end_s=61.0,
        response_delay_s=1.0,
        word_count=140,
        wpm=140.0,
        articulation_wpm=168.0,
        pitch_variation_st=3.0,
        monotone=False,
        volume_variation_db=6.0,
        mean_word_probability=0.9,
        fillers_per_min=1.0,
    )
    base.update(changes)
    return VoiceAnalysis.model_validate(base)


def test_a_clean_delivery_scores_full_marks() -> None:
    analysis = _analysis()
    assert fluency_score(analysis).value == 100
    assert vocal_confidence_score(analysis).value == 100
    assert all(s.effect == 0 for s in fluency_score(analysis).signals)


def test_each_problem_lowers_the_right_score_with_evidence() -> None:
    fillers = [TimedSpan(word="um", start=10.0 + i, end=10.3 + i) for i in range(12)]
    messy = _analysis(fillers=fillers, filler_count=12, fillers_per_min=12.0)
    score = fluency_score(messy)
    assert score.value == 70  # (12 - 3) fillers/min x 5 points, capped at 30
    filler_signal = next(s for s in score.signals if s.name == "fillers_per_min")
    assert filler_signal.evidence[0].start_s == 10.0
    assert filler_signal.evidence[0].detail == '"um" at 0:10'

    pauses = [Pause(start=20.0, end=23.0, duration_s=3.0), Pause(start=40.0, end=42.5, duration_s=2.5)]
    paused = fluency_score(_analysis(pauses=pauses, long_pause_count=2))
    long_pause = next(s for s in paused.signals if s.name == "long_pauses")
    assert long_pause.effect == -16
    assert long_pause.evidence[0].detail == "3.0 s long pause at 0:20"

    assert fluency_score(_analysis(wpm=200.0)).value == 85
    assert vocal_confidence_score(_analysis(response_delay_s=6.0)).value == 91
    assert vocal_confidence_score(_analysis(pitch_variation_st=1.0, monotone=True)).value == 85


def test_scores_never_leave_0_to_100() -> None:
    fillers = [TimedSpan(word="uh", start=float(i), end=float(i) + 0.2) for i in range(60)]
    pauses = [Pause(start=float(i * 5), end=float(i * 5 + 4), duration_s=4.0) for i in range(10)]
    awful = _analysis(fillers=fillers, fillers_per_min=60.0, pauses=pauses, wpm=30.0, response_delay_s=30.0,
                      pitch_variation_st=0.1, volume_variation_db=0.1, mean_word_probability=0.3)  # fmt: skip
    for score in (fluency_score(awful), vocal_confidence_score(awful)):
        assert score.value is not None and 0 <= score.value < 40


def test_assessment_fills_judged_fields_and_skips_unmeasured_values() -> None:
    measured = _analysis(pitch_variation_st=None, monotone=None)
    assert measured.fluency_score.value is None  # perception leaves the default "not measured" score
    judged = assess_voice(measured)
    assert judged.monotone is None and judged.wpm == 140.0
    assert judged.fluency_score.value == 100
    assert all(s.name != "pitch_variation_st" for s in judged.vocal_confidence_score.signals)
    assert assess_voice(_analysis(pitch_variation_st=1.0, monotone=None)).monotone is True
    short = assess_voice(_analysis(speech_s=2.0))
    assert short.fluency_score.value is None
    assert "at least 3 s" in (short.fluency_score.not_measured_reason or "")
    silent = assess_voice(VoiceAnalysis(not_measured_reason="No speech was detected."))
    assert silent.vocal_confidence_score.not_measured_reason == "No speech was detected."


def test_baseline_deltas_compare_with_the_mean_of_history() -> None:
    history = [{"wpm": 120.0, "fillers_per_min": 6.0}, {"wpm": 140.0}, {}]
    deltas = baseline_deltas({"wpm": 150.0, "fillers_per_min": 2.0, "fluency": 80.0}, history)
    assert deltas == {"wpm": 20.0, "fillers_per_min": -4.0}
    assert baseline_deltas({"wpm": 150.0}, []) == {}
