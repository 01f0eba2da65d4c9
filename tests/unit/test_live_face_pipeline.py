"""The answer pipeline uses a camera answer's live face result instead of landmarking the video again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interview_coach.assessment.pipeline import assess_answer
from interview_coach.core.deps import AppDeps
from interview_coach.core.settings import Settings
from interview_coach.domain import AnswerInput, Question, QuestionKind
from interview_coach.domain.answers import StreamedFace
from interview_coach.domain.face import FaceAnalysis, GestureAnalysis
from interview_coach.tools.face.frames import FaceFrame
from interview_coach.tools.face.gesture import summarize_gestures
from interview_coach.tools.face.summary import summarize_face

QUESTION = Question(id="q1", text="Tell me about a conflict.", kind=QuestionKind.BEHAVIORAL, competency="c")


class CountingAnalyzer:
    """Stands in for mediapipe: counts how often the video itself is analysed."""

    def __init__(self, face: FaceAnalysis, gesture: GestureAnalysis) -> None:
        self.calls: list[Path] = []
        self.result = (face, gesture)

    def analyze(self, path: Path, **_: Any) -> tuple[FaceAnalysis, GestureAnalysis | None]:
        self.calls.append(path)
        return self.result


def _measured(frames: int) -> tuple[FaceAnalysis, GestureAnalysis]:
    face = summarize_face(
        [FaceFrame(time=i / 5, face_count=0, face=None) for i in range(frames)], fps=5.0, duration_s=frames / 5
    )
    return face, summarize_gestures([], fps=2.5, duration_s=frames / 5)


def _assess(tmp_path: Path, answer: AnswerInput, analyzer: CountingAnalyzer, opted_out: set[str]) -> Any:
    deps = AppDeps(
        settings=Settings(data_dir=tmp_path, _env_file=None),  # type: ignore[call-arg]
        embedder=None,  # type: ignore[arg-type]  (content is not judged here)
        face_analyzer_factory=lambda _: analyzer,  # type: ignore[arg-type,return-value]
    )
    return assess_answer(deps, QUESTION, answer, opted_out={"voice", *opted_out}, analyze_content=False)


def test_the_live_face_result_is_used_and_the_video_not_landmarked(tmp_path: Path) -> None:
    live_face, live_gesture = _measured(7)
    analyzer = CountingAnalyzer(*_measured(3))
    answer = AnswerInput(video_path=str(tmp_path / "a.webm"), face=StreamedFace(face=live_face, gesture=live_gesture))
    assessment = _assess(tmp_path, answer, analyzer, set())
    assert analyzer.calls == []
    assert assessment.analysis.face.frames_analyzed == 7
    assert assessment.analysis.gesture == live_gesture


def test_gestures_not_measured_live_send_the_video_to_the_batch_path(tmp_path: Path) -> None:
    live_face, _ = _measured(7)
    analyzer = CountingAnalyzer(*_measured(3))
    answer = AnswerInput(video_path=str(tmp_path / "a.webm"), face=StreamedFace(face=live_face, gesture=None))
    assessment = _assess(tmp_path, answer, analyzer, set())
    assert analyzer.calls == [tmp_path / "a.webm"]
    assert assessment.analysis.face.frames_analyzed == 3
    # With gestures opted out, the live face alone is enough.
    analyzer.calls.clear()
    assessment = _assess(tmp_path, answer, analyzer, {"gesture"})
    assert analyzer.calls == [] and assessment.analysis.face.frames_analyzed == 7
    assert assessment.analysis.gesture is None
