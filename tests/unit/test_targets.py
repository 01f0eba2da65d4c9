"""One source of truth for the numbers: pace band, fillers vs discourse markers, direction of "better", eye contact.

Each test reproduces a contradiction a candidate saw in the feedback (issue 14, defect 2).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from interview_coach.assessment.findings import face_findings, voice_findings
from interview_coach.assessment.knowledge import load_knowledge_base
from interview_coach.assessment.progress import describe_progress, metric_trends
from interview_coach.assessment.voice_scores import assess_voice, fluency_score, vocal_confidence_score
from interview_coach.domain import FaceAnalysis, MemoryRecord, TimedSpan, TimeSpan, VoiceAnalysis
from interview_coach.domain.targets import (
    EYE_CONTACT,
    FACE_ABSENT_MAX_SHARE,
    FILLERS_PER_MIN,
    PACE,
    TYPICAL_WPM,
    compare,
)
from interview_coach.tools.text.analysis import WORDS_PER_MINUTE
from interview_coach.tools.voice.fillers import find_discourse_markers, find_fillers

WPM_RANGE = re.compile(r"(\d{2,3})\s*(?:-|–|and)\s*(\d{2,3})\s*(?:words per minute|words/min|wpm)")
WPM_NUMBER = re.compile(r"(\d{2,3})\s*(?:words per minute|words/min|wpm)")


def _voice(**changes: object) -> VoiceAnalysis:
    base: dict[str, object] = dict(
        transcript="we shipped it",
        duration_s=62.0,
        speech_s=50.0,
        speech_start_s=1.0,
        speech_end_s=61.0,
        response_delay_s=1.0,
        word_count=140,
        wpm=140.0,
        pitch_variation_st=3.0,
        volume_variation_db=6.0,
        mean_word_probability=0.9,
        fillers_per_min=0.0,
    )
    base.update(changes)
    return assess_voice(VoiceAnalysis.model_validate(base))


def _bands_named(texts: list[str]) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for text in texts for a, b in WPM_RANGE.findall(text)}


# --- one pace band -------------------------------------------------------------------------


@pytest.mark.parametrize("wpm", [80.0, 140.0, 201.0])
def test_every_pace_text_names_the_one_band(wpm: float) -> None:
    voice = _voice(wpm=wpm)
    texts = [
        e.detail for s in [*voice.fluency_score.signals, *voice.vocal_confidence_score.signals] for e in s.evidence
    ]
    texts += [f.message for f in voice_findings(voice)]
    assert _bands_named(texts) == {(int(PACE.low or 0), int(PACE.high or 0))}


def test_pace_verdicts_agree_between_scores_and_findings() -> None:
    low, high = PACE.low or 0.0, PACE.high or 0.0
    for wpm in (low - 1, low, (low + high) / 2, high, high + 1):
        voice = _voice(wpm=wpm)
        pattern = next(f.pattern_id for f in voice_findings(voice) if f.metric == "wpm")
        fluency_pace = next(s for s in voice.fluency_score.signals if s.name == "speech_rate_wpm")
        confidence_pace = next(s for s in voice.vocal_confidence_score.signals if s.name == "speech_rate_wpm")
        on_target = PACE.on_target(wpm)
        assert (pattern == "pace_good") == on_target
        assert (fluency_pace.effect == 0) == on_target and (confidence_pace.effect == 0) == on_target


def test_coaching_tips_use_the_same_pace_band() -> None:
    kb = load_knowledge_base()
    texts = []
    for pattern in kb.values():
        texts += [pattern.trigger, pattern.why, *pattern.tips]
        if pattern.drill is not None:
            texts += [*pattern.drill.steps, pattern.drill.success_metric]
    assert _bands_named(texts) <= {(int(PACE.low or 0), int(PACE.high or 0))}
    singles = {int(n) for text in texts for n in WPM_NUMBER.findall(text)}
    assert singles <= {int(PACE.low or 0), int(PACE.high or 0), TYPICAL_WPM}
    assert "{" not in " ".join(texts)  # every placeholder was filled


def test_speaking_time_estimate_uses_the_middle_of_the_band() -> None:
    assert PACE.on_target(WORDS_PER_MINUTE) and WORDS_PER_MINUTE == TYPICAL_WPM


# --- fillers and discourse markers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fillers", "markers"),
    [
        ("So, we shipped it. So the team was happy.", [], []),
        ("Um, I think, uh, it worked.", ["um", "uh"], []),
        ("It was, like, really hard.", [], ["like"]),
        ("Like, it was hard.", [], []),
        ("We, you know, shipped it.", [], ["you know"]),
        ("You know, we shipped it.", [], []),
        ("Basically we shipped it. It was basically done.", [], ["basically"]),
        ("Actually, it worked. It actually worked.", [], ["actually"]),
        ("I mean, it was fine. It was, I mean, fine.", [], ["i mean"]),
        ("Hmm. Er, erm, ah okay.", ["hmm", "er", "erm", "ah"], []),
        ("We met for a hour and a on-call shift.", [], []),
        ("And so, um, we left.", ["um"], ["so"]),
    ],
)
def test_fillers_are_hesitations_and_markers_count_only_mid_sentence(
    text: str, fillers: list[str], markers: list[str]
) -> None:
    tokens = text.split()
    assert [s.label for s in find_fillers(tokens)] == fillers
    assert [s.label for s in find_discourse_markers(tokens)] == markers


def test_reported_filler_words_are_words_of_the_transcript() -> None:
    tokens = ["We", "met", "for", "a", "hour,", "um,", "and,", "like,", "a", "on-call", "shift."]
    for span in [*find_fillers(tokens), *find_discourse_markers(tokens)]:
        said = " ".join(re.sub(r"[^a-z']", "", t.lower()) for t in tokens[span.first : span.last + 1])
        assert said == span.label


def test_discourse_markers_do_not_cost_fluency_and_have_their_own_wording() -> None:
    markers = [TimedSpan(word="like", start=5.0 + i, end=5.3 + i) for i in range(10)]
    voice = _voice(discourse_markers=markers, discourse_marker_count=10, discourse_markers_per_min=10.0)
    assert voice.fluency_score.value == 100
    notes = [f for f in voice_findings(voice) if f.metric == "discourse_markers_per_min"]
    assert notes and all("filler" not in f.message.lower() for f in notes)
    assert all(f.pattern_id != "fillers_high" for f in voice_findings(voice))


def test_one_filler_in_a_short_answer_is_not_a_big_penalty() -> None:
    one = [TimedSpan(word="uh", start=5.0, end=5.2)]
    short = _voice(duration_s=10.0, speech_s=8.0, speech_start_s=1.0, speech_end_s=9.0, fillers=one,
                   filler_count=1, fillers_per_min=7.5)  # fmt: skip
    assert fluency_score(short).value == 100
    assert vocal_confidence_score(short).value == 100
    assert all(f.pattern_id != "fillers_high" for f in voice_findings(short))


def test_many_fillers_are_penalised_against_the_one_target() -> None:
    fillers = [TimedSpan(word="um", start=2.0 + i, end=2.3 + i) for i in range(12)]
    voice = _voice(fillers=fillers, filler_count=12, fillers_per_min=12.0)
    signal = next(s for s in voice.fluency_score.signals if s.name == "fillers_per_min")
    assert signal.effect == -30.0
    finding = next(f for f in voice_findings(voice) if f.pattern_id == "fillers_high")
    assert FILLERS_PER_MIN.describe() in finding.message


# --- direction of "better" -------------------------------------------------------------------


def _summary(days_ago: int, **metrics: float) -> MemoryRecord:
    created = datetime.now(UTC) - timedelta(days=days_ago)
    return MemoryRecord(
        id=f"m{days_ago}", user_id="u", kind="session_summary", text="s", session_id=f"s{days_ago}",
        created_at=created, metrics=metrics,
    )  # fmt: skip


def test_pace_moving_out_of_the_band_is_worse_not_better() -> None:
    records = [_summary(3, wpm=135.0), _summary(1, wpm=201.0)]
    trend = next(t for t in metric_trends(records) if t.metric == "wpm")
    assert not trend.improved
    line = next(line for line in describe_progress(records) if "135" in line)
    assert "(worse" in line and "better" not in line


def test_pace_moving_into_the_band_is_better_and_within_it_is_the_same() -> None:
    assert compare("wpm", 201.0, 150.0) == "better"
    assert compare("wpm", 70.0, 100.0) == "better"
    assert compare("wpm", 120.0, 160.0) == "same"
    assert compare("fillers_per_min", 9.1, 4.3) == "better"
    assert compare("stress", 15.0, 30.0) == "worse"
    assert compare("answer_quality", 55.0, 71.0) == "better"


# --- eye contact and face absence --------------------------------------------------------------


def _face(eye: float, absent: list[TimeSpan], duration: float = 8.0) -> FaceAnalysis:
    absent_s = sum(a.duration for a in absent)
    return FaceAnalysis(
        frames_analyzed=80,
        fps_analyzed=10.0,
        duration_s=duration,
        face_present_ratio=round(1 - absent_s / duration, 3),
        multiple_faces_ratio=0.0,
        absences=absent,
        multiple_faces_events=[],
        eye_contact_ratio=eye,
        gaze_calibrated=True,
        gaze_reference="first_seconds",
        looking_away_events=[],
        blink_rate_per_min=15.0,
        smile_ratio=0.1,
        frown_ratio=0.0,
        brow_tension=0.1,
        expression_timeline=[],
        micro_expression_events=[],
        head_motion=None,
        nodding=None,
    )


def test_steady_eye_contact_is_impossible_with_the_face_absent_a_quarter_of_the_answer() -> None:
    face = _face(1.0, [TimeSpan.of(4.0, 6.0)])
    found = face_findings(face, None)
    assert all(f.pattern_id != "eye_contact_good" for f in found)
    eye = next(f for f in found if f.metric == "eye_contact_ratio")
    assert eye.polarity == "weakness"
    assert "100%" in eye.message and "face" in eye.message and "2.0 s" in eye.message
    assert eye.evidence and eye.evidence[0].start_s == 4.0


def test_steady_eye_contact_still_praised_when_the_face_is_visible() -> None:
    face = _face(0.9, [TimeSpan.of(4.0, 4.6)])
    good = next(f for f in face_findings(face, None) if f.pattern_id == "eye_contact_good")
    assert face.face_present_ratio > 1 - FACE_ABSENT_MAX_SHARE and EYE_CONTACT.on_target(0.9)
    assert "90%" in good.message
