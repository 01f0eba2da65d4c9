"""One face analyser serves many videos with the same landmarkers, and the answers do not change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interview_coach.core.settings import Settings
from interview_coach.demo.sample_video import sample_frames
from interview_coach.tools.face import landmarkers as landmarkers_module
from interview_coach.tools.face.analyzer import FaceAnalyzer
from interview_coach.tools.face.landmarkers import VideoLandmarkers
from interview_coach.tools.media.decode import MediaError

pytestmark = pytest.mark.slow


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[VideoLandmarkers]:
    """Record every set of landmarkers the analyser opens."""
    seen: list[VideoLandmarkers] = []
    original = VideoLandmarkers.open

    def recording_open(self: VideoLandmarkers) -> VideoLandmarkers:
        seen.append(self)
        return original(self)

    monkeypatch.setattr(landmarkers_module.VideoLandmarkers, "open", recording_open)
    return seen


def test_landmarkers_are_opened_once_and_reused_with_identical_results(opened: list[VideoLandmarkers]) -> None:
    analyzer = FaceAnalyzer(Settings())
    try:

        def frames() -> Iterator[tuple[float, object]]:
            return sample_frames(duration_s=3.0, fps=10.0, look_away_at=(1.0, 2.0))  # type: ignore[return-value]

        first, first_gestures = analyzer.analyze_frames(frames(), fps=10.0)  # type: ignore[arg-type]

        def damaged() -> Iterator[tuple[float, object]]:
            raise MediaError("The video in answer.mp4 is damaged and could not be decoded.")
            yield  # pragma: no cover

        with pytest.raises(MediaError):
            analyzer.analyze_frames(damaged(), fps=10.0)  # type: ignore[arg-type]
        second, second_gestures = analyzer.analyze_frames(frames(), fps=10.0)  # type: ignore[arg-type]
        face_only, _ = analyzer.analyze_frames(frames(), fps=10.0, include_gestures=False)  # type: ignore[arg-type]
        third, _ = analyzer.analyze_frames(frames(), fps=10.0)  # type: ignore[arg-type]
    finally:
        analyzer.close()
    # One set with gestures and one without; the damaged video did not cost a set.
    assert len(opened) == 2
    assert first.frames_analyzed == second.frames_analyzed == third.frames_analyzed == 30
    assert first.looking_away_events and first.looking_away_events == second.looking_away_events
    assert first.eye_contact_ratio == second.eye_contact_ratio == third.eye_contact_ratio
    assert first.face_present_ratio == face_only.face_present_ratio == 1.0
    assert first_gestures is not None and second_gestures is not None
    assert first_gestures.model_dump() == second_gestures.model_dump()
