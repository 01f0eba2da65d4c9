"""Voice and face of a video answer run side by side and give the same results as one after the other.

Real faster-whisper and real mediapipe on a generated video of the astronaut answering with
espeak-ng speech and a 0.5-s look-away, through the one answer pipeline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_coach.assessment.pipeline import assess_answer
from interview_coach.demo.sample_video import make_sample_video
from interview_coach.demo.tts import build_spoken_answer
from interview_coach.deps import AppDeps, make_deps
from interview_coach.domain import AnswerInput, Question, QuestionKind

pytestmark = pytest.mark.slow

QUESTION = Question(
    id="beh-parallel",
    text="Tell me about a project you led.",
    kind=QuestionKind.BEHAVIORAL,
    competency="ownership",
    key_points=["what you led", "the result"],
    time_budget_s=60,
)
LOOK_AWAY = (2.0, 2.5)


@pytest.fixture
def spoken_video(deps: AppDeps, tmp_path: Path) -> Path:
    speech = build_spoken_answer(
        ["I led the migration of our billing service", 0.8, "and we finished two weeks early"],
        tmp_path / "speech.wav",
        leading_silence_s=0.5,
    )
    return make_sample_video(
        speech.path, tmp_path / "answer.mp4", duration_s=0, look_away_at=LOOK_AWAY, settings=deps.settings
    )


def test_parallel_voice_and_face_equal_the_sequential_path(deps: AppDeps, spoken_video: Path) -> None:
    answer = AnswerInput(video_path=str(spoken_video))
    assert deps.settings.parallel_voice_face
    parallel = assess_answer(deps, QUESTION, answer).analysis
    one_by_one = make_deps(deps.settings.model_copy(update={"parallel_voice_face": False}), deps.embedder)
    try:
        sequential = assess_answer(one_by_one, QUESTION, answer).analysis
    finally:
        one_by_one.close()

    assert parallel.voice is not None and parallel.face is not None and parallel.gesture is not None
    assert "billing" in parallel.voice.transcript.lower()
    assert parallel.voice == sequential.voice
    assert parallel.face == sequential.face
    assert parallel.gesture == sequential.gesture
    assert parallel.answer_text == sequential.answer_text
    assert parallel.not_measured == sequential.not_measured
    # The 0.5-s look-away is still found with both modalities running at once.
    away = parallel.face.looking_away_events
    assert len(away) == 1
    assert away[0].start == pytest.approx(LOOK_AWAY[0], abs=0.15)
    assert away[0].end == pytest.approx(LOOK_AWAY[1], abs=0.15)


def test_failures_of_both_modalities_are_listed_in_a_stable_order(deps: AppDeps, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    for _ in range(3):
        analysis = assess_answer(deps, QUESTION, AnswerInput(video_path=str(damaged))).analysis
        assert [item.modality for item in analysis.not_measured] == ["voice", "face", "text"]
        assert analysis.voice is None and analysis.face is None
