"""Gesture and posture analysis from mediapipe hand and pose landmarks sampled over a video.

Only observable behaviour is measured: hands near the face, hand movement, pointing, and
posture changes relative to the candidate's own first seconds. Nothing here judges looks.
Every threshold is a named constant; every event carries timestamps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from interview_coach.tools.media.timeline import Span, spans_from_mask, to_spans

FloatArray = NDArray[np.float64]
Box = tuple[float, float, float, float]

MIN_HAND_VISIBLE_RATIO = 0.10
MIN_POSE_VISIBLE_RATIO = 0.30
MIN_POSE_FRAMES = 3
MIN_FACE_LOCATED_RATIO = 0.50
HAND_POINTS_ON_FACE = 3
FACE_BOX_MARGIN = 0.10
POSE_HAND_VISIBILITY = 0.6
POSE_BODY_VISIBILITY = 0.5
GESTURE_SPEED = 1.0  # hand centre, face widths per second
FIDGET_SPEED = 0.3  # hand centre, face widths per second
FIDGET_ARTICULATION = 0.6  # finger movement, hand sizes per second
POINTING_MIN_S = 0.3
HAND_TO_FACE_MIN_S = 0.2
POSTURE_MIN_S = 1.0
BASELINE_WINDOW_S = 5.0
LEAN_FORWARD_SCALE = 1.12
LEAN_BACK_SCALE = 0.89
LEAN_SIDEWAYS_DEG = 8.0
LEAN_SIDEWAYS_OFFSET = 0.15
SLOUCH_NECK_RATIO = 0.85
RAISED_SHOULDERS_RATIO = 0.85

# Pose landmark indices (mediapipe BlazePose).
NOSE, LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER = 0, 7, 8, 11, 12
POSE_FACE_POINTS = tuple(range(11))
POSE_HAND_POINTS = (17, 18, 19, 20, 21, 22)
# Hand landmark indices: wrist, then (pip, tip) for index, middle, ring, pinky.
WRIST = 0
INDEX_FINGER = (6, 8)
OTHER_FINGERS = ((10, 12), (14, 16), (18, 20))


@dataclass(frozen=True)
class HandObservation:
    """One detected hand: 21 landmarks in pixels and mediapipe's handedness label."""

    label: str
    points: FloatArray


@dataclass(frozen=True)
class PoseObservation:
    """One detected body: 33 pose landmarks in pixels and their visibility scores."""

    points: FloatArray
    visibility: FloatArray


@dataclass(frozen=True)
class GestureFrame:
    """What the hand and pose landmarkers saw at one sampled time.

    ``pose_checked`` is false on frames where the (slower) pose model was not run.
    """

    time: float
    hands: tuple[HandObservation, ...]
    pose: PoseObservation | None
    face_box: Box | None
    pose_checked: bool = True


class Leaning(BaseModel):
    """Share of time leaning, relative to the posture of the first seconds."""

    model_config = ConfigDict(frozen=True)

    forward_ratio: float = Field(description="Share of pose frames closer to the camera than at the start.")
    backward_ratio: float = Field(description="Share of pose frames further from the camera than at the start.")
    sideways_ratio: float = Field(description="Share of pose frames with shoulders or head shifted sideways.")
    mean_shoulder_tilt_deg: float = Field(
        description="Mean shoulder-line angle; > 0 means the right-hand shoulder in the image is lower."
    )


PostureKind = Literal["leaning_forward", "leaning_back", "leaning_sideways", "slouching", "shoulders_raised"]


class PostureEvent(Span):
    """A posture held for at least a second."""

    kind: PostureKind


class GestureAnalysis(BaseModel):
    """Hand and posture behaviour over one video answer; ``None`` fields say why in ``not_measured``."""

    model_config = ConfigDict(frozen=True)

    frames_analyzed: int
    fps_analyzed: float
    duration_s: float
    hands_visible_ratio: float
    pose_visible_ratio: float = Field(description="Share of the frames checked by the pose model with a body found.")
    hand_to_face_events: list[Span] | None = Field(description="Hands over or touching the face (2-D overlap).")
    fidgeting_score: float | None = Field(
        description="0-1: share of hand-visible time with small restless hand or finger movement."
    )
    gesture_rate_per_min: float | None = Field(description="Large hand movements per minute of video.")
    gesture_events: list[Span] | None
    pointing_events: list[Span] | None
    leaning: Leaning | None
    slouching_ratio: float | None = Field(
        description="Share of pose frames with the head sunk towards the shoulders vs. the start."
    )
    shoulder_tension_ratio: float | None = Field(
        description="Share of pose frames with shoulders raised towards the ears vs. the start."
    )
    posture_events: list[PostureEvent]
    not_measured: dict[str, str] = Field(default_factory=dict, description="Field name -> why it is None.")


def hands_from_result(result: Any, width: int, height: int) -> tuple[HandObservation, ...]:
    """Convert a mediapipe ``HandLandmarkerResult`` into pixel-space observations."""
    hands = []
    for index, landmarks in enumerate(result.hand_landmarks or []):
        label = "Unknown"
        if result.handedness and index < len(result.handedness) and result.handedness[index]:
            label = str(result.handedness[index][0].category_name)
        points = np.array([(lm.x * width, lm.y * height) for lm in landmarks], dtype=np.float64)
        hands.append(HandObservation(label=label, points=points))
    return tuple(hands)


def pose_from_result(result: Any, width: int, height: int) -> PoseObservation | None:
    """Convert the first body of a mediapipe ``PoseLandmarkerResult`` into pixel space."""
    if not result.pose_landmarks:
        return None
    landmarks = result.pose_landmarks[0]
    points = np.array([(lm.x * width, lm.y * height) for lm in landmarks], dtype=np.float64)
    visibility = np.array([lm.visibility if lm.visibility is not None else 0.0 for lm in landmarks], dtype=np.float64)
    return PoseObservation(points=points, visibility=visibility)


def face_box_from_pose(pose: PoseObservation) -> Box | None:
    """Estimate a face box from the pose model's face points (used when the face mesh is lost)."""
    visible = [i for i in POSE_FACE_POINTS if pose.visibility[i] >= POSE_BODY_VISIBILITY]
    if len(visible) < 3 or NOSE not in visible:
        return None
    xs = pose.points[visible, 0]
    width = max(float(xs.max() - xs.min()), 1.0)
    nose_x, nose_y = pose.points[NOSE]
    return (nose_x - 0.6 * width, nose_y - 0.9 * width, nose_x + 0.6 * width, nose_y + 0.8 * width)


def hand_on_face(frame: GestureFrame) -> bool | None:
    """Whether a hand overlaps the face in the image, or ``None`` when the face cannot be located."""
    box = frame.face_box or (face_box_from_pose(frame.pose) if frame.pose is not None else None)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    margin = FACE_BOX_MARGIN * (x1 - x0)
    x0, y0, x1, y1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin
    for hand in frame.hands:
        inside = (
            (hand.points[:, 0] >= x0)
            & (hand.points[:, 0] <= x1)
            & (hand.points[:, 1] >= y0)
            & (hand.points[:, 1] <= y1)
        )
        if int(inside.sum()) >= HAND_POINTS_ON_FACE:
            return True
    if frame.pose is not None and not frame.hands:
        # The hand model often loses a hand pressed against the face; the pose model does not.
        for index in POSE_HAND_POINTS:
            if frame.pose.visibility[index] >= POSE_HAND_VISIBILITY:
                x, y = frame.pose.points[index]
                if x0 <= x <= x1 and y0 <= y <= y1:
                    return True
    return False


def is_pointing(hand: HandObservation) -> bool:
    """Whether the index finger is extended while the other three fingers are curled."""
    wrist = hand.points[WRIST]

    def reach(index: int) -> float:
        return float(np.linalg.norm(hand.points[index] - wrist))

    pip, tip = INDEX_FINGER
    index_extended = reach(tip) > 1.25 * reach(pip)
    others_curled = all(reach(tip_i) < 1.05 * reach(pip_i) for pip_i, tip_i in OTHER_FINGERS)
    return index_extended and others_curled


def _hand_size(hand: HandObservation) -> float:
    return max(float(np.linalg.norm(hand.points[9] - hand.points[WRIST])), 1.0)


def _face_scale(frames: Sequence[GestureFrame]) -> float:
    widths = [box[2] - box[0] for f in frames if (box := f.face_box) is not None]
    if widths:
        return max(float(np.median(widths)), 1.0)
    sizes = [_hand_size(h) for f in frames for h in f.hands]
    return max(1.5 * float(np.median(sizes)), 1.0) if sizes else 100.0


def _movement_steps(frames: Sequence[GestureFrame], period_s: float) -> tuple[list[int], list[str]]:
    """Classify each hand step between consecutive frames as still, fidget or gesture."""
    scale = _face_scale(frames)
    step_frames: list[int] = []
    step_kinds: list[str] = []
    for index in range(1, len(frames)):
        previous, current = frames[index - 1], frames[index]
        dt = current.time - previous.time
        if dt <= 0 or dt > 2.5 * period_s or not previous.hands or not current.hands:
            continue
        for hand in current.hands:
            centre = hand.points.mean(axis=0)
            match = min(previous.hands, key=lambda h: float(np.linalg.norm(h.points.mean(axis=0) - centre)))
            speed = float(np.linalg.norm(centre - match.points.mean(axis=0))) / scale / dt
            shape_now = hand.points - centre
            shape_before = match.points - match.points.mean(axis=0)
            articulation = float(np.linalg.norm(shape_now - shape_before, axis=1).mean()) / _hand_size(hand) / dt
            if speed >= GESTURE_SPEED:
                kind = "gesture"
            elif speed >= FIDGET_SPEED or articulation >= FIDGET_ARTICULATION:
                kind = "fidget"
            else:
                kind = "still"
            step_frames.append(index)
            step_kinds.append(kind)
    return step_frames, step_kinds


@dataclass(frozen=True)
class _PostureSeries:
    times: FloatArray
    shoulder_width: FloatArray
    tilt_deg: FloatArray
    lateral: FloatArray
    neck: FloatArray
    ear_gap: FloatArray


def _posture_series(frames: Sequence[GestureFrame]) -> _PostureSeries:
    rows = []
    for frame in frames:
        pose = frame.pose
        # Without a face the pose model happily fits a body to cartoons and backgrounds.
        if pose is None or frame.face_box is None:
            continue
        needed = (NOSE, LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER)
        if any(pose.visibility[i] < POSE_BODY_VISIBILITY for i in needed):
            continue
        left, right = pose.points[LEFT_SHOULDER], pose.points[RIGHT_SHOULDER]
        width = float(np.linalg.norm(left - right))
        if width < 1.0:
            continue
        middle = (left + right) / 2.0
        nose = pose.points[NOSE]
        tilt = math.degrees(math.atan2(left[1] - right[1], left[0] - right[0]))
        if tilt > 90:
            tilt -= 180
        elif tilt < -90:
            tilt += 180
        ear_gap = ((left[1] - pose.points[LEFT_EAR][1]) + (right[1] - pose.points[RIGHT_EAR][1])) / 2.0 / width
        rows.append((frame.time, width, tilt, (nose[0] - middle[0]) / width, (middle[1] - nose[1]) / width, ear_gap))
    data = np.array(rows, dtype=np.float64).reshape(-1, 6)
    return _PostureSeries(*(data[:, i] for i in range(6)))


def _posture(
    frames: Sequence[GestureFrame], duration_s: float, reasons: dict[str, str]
) -> tuple[Leaning | None, float | None, float | None, list[PostureEvent]]:
    series = _posture_series(frames)
    checked = sum(1 for f in frames if f.pose_checked)
    ratio = series.times.size / checked if checked else 0.0
    if ratio < MIN_POSE_VISIBLE_RATIO or series.times.size < MIN_POSE_FRAMES:
        reason = f"face, head and shoulders were visible together in only {ratio:.0%} of frames (needs {MIN_POSE_VISIBLE_RATIO:.0%})"
        for name in ("leaning", "slouching_ratio", "shoulder_tension_ratio"):
            reasons[name] = reason
        return None, None, None, []
    early = series.times <= series.times[0] + BASELINE_WINDOW_S

    def base(values: FloatArray) -> float:
        return float(np.median(values[early]))

    scale = series.shoulder_width / base(series.shoulder_width)
    forward = scale > LEAN_FORWARD_SCALE
    backward = scale < LEAN_BACK_SCALE
    sideways = (np.abs(series.tilt_deg - base(series.tilt_deg)) > LEAN_SIDEWAYS_DEG) | (
        np.abs(series.lateral - base(series.lateral)) > LEAN_SIDEWAYS_OFFSET
    )
    slouching = series.neck < SLOUCH_NECK_RATIO * base(series.neck)
    raised = series.ear_gap < RAISED_SHOULDERS_RATIO * base(series.ear_gap)
    leaning = Leaning(
        forward_ratio=round(float(forward.mean()), 3),
        backward_ratio=round(float(backward.mean()), 3),
        sideways_ratio=round(float(sideways.mean()), 3),
        mean_shoulder_tilt_deg=round(float(series.tilt_deg.mean()), 1),
    )
    kinds: list[tuple[PostureKind, NDArray[np.bool_]]] = [
        ("leaning_forward", forward),
        ("leaning_back", backward),
        ("leaning_sideways", sideways),
        ("slouching", slouching),
        ("shoulders_raised", raised),
    ]
    events = [
        PostureEvent(start=start, end=end, kind=kind)
        for kind, mask in kinds
        for start, end in spans_from_mask(
            series.times, mask, end_time=duration_s, min_duration=POSTURE_MIN_S, max_gap=0.5
        )
    ]
    events.sort(key=lambda e: e.start)
    return leaning, round(float(slouching.mean()), 3), round(float(raised.mean()), 3), events


def summarize_gestures(frames: Sequence[GestureFrame], *, fps: float, duration_s: float) -> GestureAnalysis:
    """Aggregate per-frame hand and pose observations into a :class:`GestureAnalysis`.

    Args:
        frames: observations in time order, sampled at about ``fps``.
        fps: sampling rate of ``frames``.
        duration_s: length of the recording.

    """
    reasons: dict[str, str] = {}
    count = len(frames)
    times = np.array([f.time for f in frames], dtype=np.float64)
    period = 1.0 / fps if fps > 0 else 1.0
    hands_ratio = sum(1 for f in frames if f.hands) / count if count else 0.0
    pose_checked = sum(1 for f in frames if f.pose_checked)
    pose_ratio = sum(1 for f in frames if f.pose is not None) / pose_checked if pose_checked else 0.0

    on_face = [hand_on_face(f) for f in frames]
    located = sum(1 for v in on_face if v is not None)
    hand_to_face: list[Span] | None = None
    if count and located / count >= MIN_FACE_LOCATED_RATIO:
        mask = [bool(v) for v in on_face]
        hand_to_face = to_spans(
            spans_from_mask(times, mask, end_time=duration_s, min_duration=HAND_TO_FACE_MIN_S, max_gap=0.3)
        )
    else:
        reasons["hand_to_face_events"] = f"the face could be located in only {located}/{count} frames"

    fidgeting: float | None = None
    gesture_rate: float | None = None
    gesture_events: list[Span] | None = None
    pointing: list[Span] | None = None
    step_frames, step_kinds = _movement_steps(frames, period)
    if hands_ratio < MIN_HAND_VISIBLE_RATIO or len(step_kinds) < 3:
        reason = f"hands were visible in only {hands_ratio:.0%} of frames (out of frame?)"
        for name in ("fidgeting_score", "gesture_rate_per_min", "gesture_events", "pointing_events"):
            reasons[name] = reason
    else:
        fidgeting = round(step_kinds.count("fidget") / len(step_kinds), 3)
        gesture_mask = np.zeros(count, dtype=bool)
        for index, kind in zip(step_frames, step_kinds, strict=True):
            gesture_mask[index] |= kind == "gesture"
        gesture_events = to_spans(spans_from_mask(times, gesture_mask, end_time=duration_s, max_gap=0.3))
        gesture_rate = round(len(gesture_events) / max(duration_s, period) * 60.0, 2)
        pointing_mask = [any(is_pointing(h) for h in f.hands) for f in frames]
        pointing = to_spans(
            spans_from_mask(times, pointing_mask, end_time=duration_s, min_duration=POINTING_MIN_S, max_gap=0.3)
        )

    leaning, slouching, tension, posture_events = _posture(frames, duration_s, reasons)
    return GestureAnalysis(
        frames_analyzed=count,
        fps_analyzed=round(fps, 3),
        duration_s=round(duration_s, 3),
        hands_visible_ratio=round(hands_ratio, 3),
        pose_visible_ratio=round(pose_ratio, 3),
        hand_to_face_events=hand_to_face,
        fidgeting_score=fidgeting,
        gesture_rate_per_min=gesture_rate,
        gesture_events=gesture_events,
        pointing_events=pointing,
        leaning=leaning,
        slouching_ratio=slouching,
        shoulder_tension_ratio=tension,
        posture_events=posture_events,
        not_measured=reasons,
    )
