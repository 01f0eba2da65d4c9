"""Pure face/gesture math and aggregation on synthetic per-frame data (no mediapipe)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from interview_coach.assessment.face_scores import assess_face
from interview_coach.core.settings import Settings
from interview_coach.tools.face.frames import CHANNEL_INDEX, CHANNELS, FaceFrame, FaceObservation
from interview_coach.tools.face.geometry import (
    HeadPose,
    count_blinks,
    expression_bursts,
    gaze_angles,
    gaze_baseline,
    head_pose_from_matrix,
    iris_offset,
    look_direction,
    nod_ranges,
    turning_points,
)
from interview_coach.tools.face.gesture import is_pointing, summarize_gestures
from interview_coach.tools.face.gesture_frames import GestureFrame, HandObservation, PoseObservation
from interview_coach.tools.face.metrics import face_metrics
from interview_coach.tools.face.models import VisionModelMissingError, face_model_path
from interview_coach.tools.face.summary import summarize_face
from interview_coach.tools.media.timeline import spans_from_mask, true_runs

FPS = 10.0


def rotation_y(deg: float) -> np.ndarray:
    t = math.radians(deg)
    m = np.eye(4)
    m[:3, :3] = [[math.cos(t), 0, math.sin(t)], [0, 1, 0], [-math.sin(t), 0, math.cos(t)]]
    return m


def rotation_x(deg: float) -> np.ndarray:
    t = math.radians(deg)
    m = np.eye(4)
    m[:3, :3] = [[1, 0, 0], [0, math.cos(t), -math.sin(t)], [0, math.sin(t), math.cos(t)]]
    return m


# --- timeline -----------------------------------------------------------------------------


def test_true_runs_finds_inclusive_index_ranges() -> None:
    assert true_runs([False, True, True, False, True]) == [(1, 2), (4, 4)]
    assert true_runs([]) == []


def test_spans_put_boundaries_halfway_between_samples() -> None:
    times = np.arange(10) * 0.1
    mask = [False, False, True, True, True, False, False, False, False, False]
    assert spans_from_mask(times, mask, end_time=1.0) == [(0.15, 0.45)]


def test_spans_touching_the_edges_extend_to_start_and_end() -> None:
    times = np.arange(5) * 0.5
    assert spans_from_mask(times, [True, False, False, False, True], end_time=2.5) == [(0.0, 0.25), (1.75, 2.5)]


def test_spans_merge_short_gaps_and_drop_short_runs() -> None:
    times = np.arange(20) * 0.1
    mask = np.zeros(20, dtype=bool)
    mask[2:6] = True  # 0.15-0.55
    mask[7:12] = True  # 0.65-1.15, gap 0.1 -> merged
    mask[15] = True  # 0.1 s long -> dropped
    assert spans_from_mask(times, mask, end_time=2.0, min_duration=0.3, max_gap=0.2) == [(0.15, 1.15)]


def test_spans_reject_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        spans_from_mask([0.0, 0.1], [True], end_time=1.0)


# --- head pose, iris, gaze ----------------------------------------------------------------


def test_head_pose_identity_is_straight_ahead() -> None:
    pose = head_pose_from_matrix(np.eye(4))
    assert (pose.yaw, pose.pitch, pose.roll) == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)


def test_head_pose_yaw_positive_when_nose_turns_to_image_right() -> None:
    assert head_pose_from_matrix(rotation_y(30)).yaw == pytest.approx(30.0)
    assert head_pose_from_matrix(rotation_y(-20)).yaw == pytest.approx(-20.0)


def test_head_pose_pitch_positive_when_looking_down() -> None:
    pose = head_pose_from_matrix(rotation_x(25))
    assert pose.pitch == pytest.approx(25.0)
    assert pose.yaw == pytest.approx(0.0, abs=1e-9)


def test_head_pose_ignores_scale_in_the_matrix() -> None:
    scaled = rotation_y(15)
    scaled[:3, :3] *= 3.0
    assert head_pose_from_matrix(scaled).yaw == pytest.approx(15.0)


def eye_points(shift: float) -> dict[int, tuple[float, float]]:
    """Two 20-px wide eyes with irises shifted by ``shift`` eye widths to the image right."""
    return {
        33: (100.0, 100.0),
        133: (120.0, 100.0),
        362: (160.0, 100.0),
        263: (180.0, 100.0),
        468: (110.0 + 20 * shift, 98.0),
        473: (170.0 + 20 * shift, 98.0),
    }


def test_iris_offset_is_zero_when_centred_and_signed_by_direction() -> None:
    assert iris_offset(eye_points(0.0)) == pytest.approx(0.0)
    assert iris_offset(eye_points(0.2)) == pytest.approx(0.2)
    assert iris_offset(eye_points(-0.1)) == pytest.approx(-0.1)


def test_gaze_adds_eye_rotation_to_head_pose() -> None:
    yaw, pitch = gaze_angles(HeadPose(10.0, 5.0, 0.0), iris_h=0.1, eye_down=0.5)
    assert yaw > 10.0
    assert pitch > 5.0
    yaw_left, _ = gaze_angles(HeadPose(10.0, 5.0, 0.0), iris_h=-0.1, eye_down=0.0)
    assert yaw_left < 10.0


def test_look_direction_names_the_dominant_axis() -> None:
    assert look_direction(-30, 5) == "left"
    assert look_direction(25, -3) == "right"
    assert look_direction(2, 20) == "down"
    assert look_direction(2, -20) == "up"


def test_gaze_baseline_uses_steady_first_seconds() -> None:
    times = np.arange(100) / FPS
    yaw = np.full(100, 4.0)
    pitch = np.full(100, 12.0)
    yaw[60:] = 40.0  # later looking away does not move the baseline
    baseline = gaze_baseline(times, yaw, pitch, np.ones(100, dtype=bool))
    assert (baseline.yaw, baseline.pitch, baseline.reference) == (4.0, 12.0, "first_seconds")
    assert baseline.calibrated


def test_gaze_baseline_falls_back_when_the_start_is_unsteady() -> None:
    times = np.arange(100) / FPS
    yaw = np.zeros(100)
    yaw[:50] = np.where(np.arange(50) % 2 == 0, -25.0, 25.0)
    baseline = gaze_baseline(times, yaw, np.zeros(100), np.ones(100, dtype=bool))
    assert baseline.reference == "recording_median"
    assert not baseline.calibrated


def test_gaze_baseline_falls_back_to_camera_axis_when_implausible() -> None:
    times = np.arange(50) / FPS
    baseline = gaze_baseline(times, np.full(50, 45.0), np.zeros(50), np.ones(50, dtype=bool))
    assert (baseline.yaw, baseline.pitch, baseline.reference) == (0.0, 0.0, "camera_axis")


# --- blinks, bursts, nods -----------------------------------------------------------------


def test_count_blinks_uses_hysteresis() -> None:
    values = np.array([0.1, 0.6, 0.45, 0.6, 0.2, 0.1, 0.7, 0.2])
    # 0.45 stays above the open threshold, so 0.6 -> 0.45 -> 0.6 is one blink.
    assert count_blinks(values, np.ones(values.size, dtype=bool)) == [1, 6]


def test_count_blinks_ignores_closed_eyes_after_the_face_reappears() -> None:
    values = np.array([0.1, 0.9, 0.1, 0.9, 0.9, 0.1])
    present = np.array([True, True, False, True, True, True])
    assert count_blinks(values, present) == [1]


def test_expression_bursts_keep_only_short_rises() -> None:
    values = np.full(60, 0.05)
    values[10:13] = 0.6  # 0.3 s flash -> micro-expression
    values[30:45] = 0.7  # 1.5 s smile -> ordinary expression
    bursts = expression_bursts(values, period_s=1 / FPS)
    assert [(b.first, b.last) for b in bursts] == [(10, 12)]
    assert bursts[0].peak == pytest.approx(0.6)


def test_expression_bursts_ignore_truncated_edges() -> None:
    values = np.full(20, 0.05)
    values[:2] = 0.8
    assert expression_bursts(values, period_s=1 / FPS) == []


def test_turning_points_alternate() -> None:
    values = np.array([0, 6, 0, 6, 0], dtype=float)
    kinds = [kind for _, kind in turning_points(values, 5.0)]
    assert kinds == ["trough", "peak", "trough", "peak", "trough"]


def test_nod_ranges_find_quick_down_up_movements_only() -> None:
    times = np.arange(80) / FPS
    pitch = np.zeros(80)
    pitch[10:17] = [3, 8, 12, 8, 3, 1, 0]  # a 0.6 s nod of 12 degrees
    pitch[40:70] = np.linspace(0, 15, 30)  # a slow 3 s lowering: not a nod
    nods = nod_ranges(times, pitch)
    assert len(nods) == 1
    first, last = nods[0]
    assert (times[first], times[last]) == pytest.approx((1.1, 1.3))


# --- face summary -------------------------------------------------------------------------


def channels(**values: float) -> np.ndarray:
    array = np.zeros(len(CHANNELS))
    for name, value in values.items():
        array[CHANNEL_INDEX[name]] = value
    return array


def face_frame(time: float, *, yaw: float = 0.0, pitch: float = 0.0, count: int = 1, **chan: float) -> FaceFrame:
    if count == 0:
        return FaceFrame(time=time, face_count=0, face=None)
    observation = FaceObservation(
        box=(100.0, 100.0, 200.0, 220.0), pose=HeadPose(yaw, pitch, 0.0), iris_h=0.0, channels=channels(**chan)
    )
    return FaceFrame(time=time, face_count=count, face=observation)


def synthetic_face_frames(seconds: float = 12.0) -> list[FaceFrame]:
    frames = []
    for i in range(round(seconds * FPS)):
        t = i / FPS
        if 4.0 <= t < 5.0:
            frames.append(face_frame(t, count=0))  # left the frame
        elif 7.0 <= t < 8.5:
            frames.append(face_frame(t, yaw=-35.0, smile=0.1))  # looked to the left of the frame
        elif 10.0 <= t < 11.0:
            frames.append(face_frame(t, count=2, smile=0.1))  # someone else joined
        else:
            blink = 0.8 if i in (25, 35, 55, 95) else 0.05
            frames.append(face_frame(t, smile=0.7 if t < 2 else 0.1, blink=blink))
    return frames


@pytest.fixture(scope="module")
def synthetic_face():  # type: ignore[no-untyped-def]
    return assess_face(summarize_face(synthetic_face_frames(), fps=FPS, duration_s=12.0), None)


def test_summary_finds_the_absence_at_the_right_time(synthetic_face) -> None:  # type: ignore[no-untyped-def]
    assert [(a.start, a.end) for a in synthetic_face.absences] == [(3.95, 4.95)]
    assert synthetic_face.face_present_ratio == pytest.approx(110 / 120, abs=1e-3)


def test_summary_finds_the_look_away_with_direction(synthetic_face) -> None:  # type: ignore[no-untyped-def]
    events = synthetic_face.looking_away_events
    assert len(events) == 1
    assert events[0].direction == "left"
    assert events[0].start == pytest.approx(6.95)
    assert events[0].end == pytest.approx(8.45)
    assert synthetic_face.gaze_calibrated
    assert synthetic_face.eye_contact_ratio is not None and 0.8 < synthetic_face.eye_contact_ratio < 0.9


def test_summary_flags_multiple_faces(synthetic_face) -> None:  # type: ignore[no-untyped-def]
    assert [(e.start, e.end) for e in synthetic_face.multiple_faces_events] == [(9.95, 10.95)]
    assert synthetic_face.multiple_faces_ratio == pytest.approx(10 / 120, abs=1e-3)


def test_summary_counts_blinks_and_smiles(synthetic_face) -> None:  # type: ignore[no-untyped-def]
    # blinks at 2.5, 3.5, 5.5 and 9.5 s over 11 s with a visible face
    assert synthetic_face.blink_rate_per_min == pytest.approx(4 / 11.0 * 60, rel=0.01)
    assert synthetic_face.smile_ratio == pytest.approx(20 / 110, abs=1e-3)


def test_summary_scores_carry_signals_and_evidence(synthetic_face) -> None:  # type: ignore[no-untyped-def]
    confidence = synthetic_face.visual_confidence_score
    stress = synthetic_face.visual_stress_score
    assert confidence.measured and stress.measured
    eye = next(s for s in confidence.signals if s.name == "eye_contact_ratio")
    assert eye.evidence and eye.evidence[0].start_s == pytest.approx(6.95)
    absence = next(s for s in confidence.signals if s.name == "face_present_ratio")
    assert absence.effect < 0
    assert synthetic_face.model_dump(mode="json")["visual_confidence_score"]["value"] == confidence.value


def test_summary_timeline_is_bounded_and_marks_dominant_expression(synthetic_face) -> None:  # type: ignore[no-untyped-def]
    timeline = synthetic_face.expression_timeline
    assert len(timeline) == 12
    assert timeline[0].dominant == "smile"
    assert timeline[4].face_present_ratio == 0.0 and timeline[4].dominant is None


def test_summary_detects_micro_expression_bursts() -> None:
    frames = [face_frame(i / FPS, brow_down=0.7 if 30 <= i < 33 else 0.05) for i in range(80)]
    face = summarize_face(frames, fps=FPS, duration_s=8.0)
    assert [(e.expression, e.start, e.end) for e in face.micro_expression_events] == [("brow_down", 2.95, 3.25)]


def test_summary_is_not_measured_when_the_face_is_mostly_absent() -> None:
    frames = [face_frame(i / FPS, count=1 if i < 30 else 0) for i in range(100)]
    face = assess_face(summarize_face(frames, fps=FPS, duration_s=10.0), None)
    assert not face.visual_confidence_score.measured
    assert "30%" in (face.visual_confidence_score.not_measured_reason or "")
    assert not face.visual_stress_score.measured


def test_summary_without_frames_explains_everything() -> None:
    face = assess_face(summarize_face([], fps=FPS, duration_s=0.0), None)
    assert face.frames_analyzed == 0
    assert face.visual_confidence_score.not_measured_reason == "no video frames could be decoded"
    assert face.eye_contact_ratio is None and "eye_contact_ratio" in face.not_measured
    assert face_metrics(face, None) == {"face_present_ratio": 0.0, "multiple_faces_ratio": 0.0}


def test_slow_sampling_disables_blinks_and_micro_expressions_with_reasons() -> None:
    frames = [face_frame(i / 4.0) for i in range(40)]
    face = assess_face(summarize_face(frames, fps=4.0, duration_s=10.0), None)
    assert face.blink_rate_per_min is None
    assert "too slow" in face.not_measured["blink_rate_per_min"]
    assert "micro_expression_events" in face.not_measured
    assert face.visual_stress_score.measured
    assert "micro_expressions_per_min" not in {s.name for s in face.visual_stress_score.signals}


# --- gestures -----------------------------------------------------------------------------


def open_hand(cx: float, cy: float, size: float = 40.0) -> HandObservation:
    """A flat hand pointing up: fingertips far from the wrist."""
    points = np.zeros((21, 2))
    points[0] = (cx, cy + size)
    for finger, x in enumerate((-0.6, -0.3, 0.0, 0.3, 0.6)):
        for joint in range(4):
            points[1 + finger * 4 + joint] = (cx + x * size, cy + size - (joint + 1) * size * 0.45)
    return HandObservation(label="Right", points=points)


def pointing_hand(cx: float, cy: float, size: float = 40.0) -> HandObservation:
    hand = open_hand(cx, cy, size)
    points = hand.points.copy()
    wrist = points[0]
    for pip, tip in ((10, 12), (14, 16), (18, 20)):
        points[tip] = wrist + (points[pip] - wrist) * 0.8  # curled
        points[tip - 1] = wrist + (points[pip] - wrist) * 0.9
    return HandObservation(label="Right", points=points)


def upright_pose(shoulder_y: float = 400.0, nose_y: float = 250.0, ear_y: float = 240.0) -> PoseObservation:
    points = np.zeros((33, 2))
    points[:11] = (320.0, nose_y)
    points[0] = (320.0, nose_y)
    points[7] = (360.0, ear_y)
    points[8] = (280.0, ear_y)
    points[11] = (420.0, shoulder_y)
    points[12] = (220.0, shoulder_y)
    return PoseObservation(points=points, visibility=np.where(np.arange(33) < 13, 0.99, 0.1))


FACE_BOX = (270.0, 180.0, 370.0, 300.0)


def test_pointing_needs_index_out_and_others_curled() -> None:
    assert is_pointing(pointing_hand(300, 300))
    assert not is_pointing(open_hand(300, 300))


def test_gestures_find_hand_on_face_and_posture_changes() -> None:
    frames = []
    for i in range(100):  # 20 s at 5 fps
        t = i / 5.0
        hands: tuple[HandObservation, ...] = ()
        if 4.0 <= t < 6.0:
            hands = (open_hand(320, 240),)  # over the face
        elif 10.0 <= t < 12.0:
            hands = (pointing_hand(500 + 15 * (i % 2), 420),)
        pose = upright_pose(nose_y=320.0) if 14.0 <= t < 17.0 else upright_pose()  # head sinks: slouch
        frames.append(GestureFrame(time=t, hands=hands, pose=pose, face_box=FACE_BOX))
    gesture = summarize_gestures(frames, fps=5.0, duration_s=20.0)
    assert gesture.hand_to_face_events is not None
    assert [(e.start, e.end) for e in gesture.hand_to_face_events] == [(3.9, 5.9)]
    assert gesture.pointing_events is not None and len(gesture.pointing_events) == 1
    assert gesture.pointing_events[0].start == pytest.approx(9.9)
    assert gesture.slouching_ratio == pytest.approx(0.15)
    assert [(e.kind, e.start, e.end) for e in gesture.posture_events] == [("slouching", 13.9, 16.9)]
    assert gesture.fidgeting_score is not None and 0.0 <= gesture.fidgeting_score <= 1.0


def test_gestures_without_hands_or_body_say_why() -> None:
    frames = [GestureFrame(time=i / 5.0, hands=(), pose=None, face_box=FACE_BOX) for i in range(30)]
    gesture = summarize_gestures(frames, fps=5.0, duration_s=6.0)
    assert gesture.hand_to_face_events == []
    for name in ("fidgeting_score", "gesture_rate_per_min", "pointing_events", "leaning", "slouching_ratio"):
        assert getattr(gesture, name) is None
        assert gesture.not_measured[name]
    assert "out of frame" in gesture.not_measured["fidgeting_score"]


def test_hand_to_face_not_measured_without_a_face() -> None:
    frames = [GestureFrame(time=i / 5.0, hands=(open_hand(50, 50),), pose=None, face_box=None) for i in range(10)]
    gesture = summarize_gestures(frames, fps=5.0, duration_s=2.0)
    assert gesture.hand_to_face_events is None
    assert "face could be located" in gesture.not_measured["hand_to_face_events"]


# --- model files --------------------------------------------------------------------------


def test_configured_model_path_must_exist(tmp_path: Path) -> None:
    settings = Settings(face_model_path=tmp_path / "missing.task")
    with pytest.raises(VisionModelMissingError, match="INTERVIEW_COACH_FACE_MODEL_PATH"):
        face_model_path(settings)


def test_packaged_face_model_is_found_without_settings() -> None:
    path = face_model_path(Settings())
    assert path.name == "face_landmarker.task" and path.stat().st_size > 1_000_000


def test_pose_ratio_counts_only_frames_where_pose_ran() -> None:
    frames = [
        GestureFrame(
            time=i / 5.0,
            hands=(),
            pose=upright_pose() if i % 2 == 0 else None,
            face_box=FACE_BOX,
            pose_checked=i % 2 == 0,
        )
        for i in range(40)
    ]
    gesture = summarize_gestures(frames, fps=5.0, duration_s=8.0)
    assert gesture.pose_visible_ratio == 1.0
    assert gesture.leaning is not None and gesture.slouching_ratio == 0.0


def test_posture_needs_a_face_in_the_same_frame() -> None:
    frames = [GestureFrame(time=i / 5.0, hands=(), pose=upright_pose(), face_box=None) for i in range(20)]
    gesture = summarize_gestures(frames, fps=5.0, duration_s=4.0)
    assert gesture.leaning is None
    assert "visible together" in gesture.not_measured["leaning"]
