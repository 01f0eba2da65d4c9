"""Gesture analysis from mediapipe hand and pose landmarks sampled over a video.

Only observable behaviour is measured: hands near the face, hand movement, pointing, and
posture changes relative to the candidate's own first seconds. Nothing here judges looks.
Every threshold is a named constant; every event carries timestamps.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from interview_coach.domain.face import GestureAnalysis
from interview_coach.domain.intervals import TimeSpan
from interview_coach.tools.face.gesture_frames import (
    NOSE,
    POSE_FACE_POINTS,
    POSE_HAND_POINTS,
    Box,
    GestureFrame,
    HandObservation,
    PoseObservation,
)
from interview_coach.tools.face.posture import POSE_BODY_VISIBILITY, posture
from interview_coach.tools.media.timeline import spans_from_mask, to_spans

MIN_HAND_VISIBLE_RATIO = 0.10
MIN_FACE_LOCATED_RATIO = 0.50
HAND_POINTS_ON_FACE = 3
FACE_BOX_MARGIN = 0.10
POSE_HAND_VISIBILITY = 0.6
GESTURE_SPEED = 1.0  # hand centre, face widths per second
FIDGET_SPEED = 0.3  # hand centre, face widths per second
FIDGET_ARTICULATION = 0.6  # finger movement, hand sizes per second
POINTING_MIN_S = 0.3
HAND_TO_FACE_MIN_S = 0.2

# Hand landmark indices: wrist, then (pip, tip) for index, middle, ring, pinky.
WRIST = 0
INDEX_FINGER = (6, 8)
OTHER_FINGERS = ((10, 12), (14, 16), (18, 20))


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
    hand_to_face: list[TimeSpan] | None = None
    if count and located / count >= MIN_FACE_LOCATED_RATIO:
        mask = [bool(v) for v in on_face]
        hand_to_face = to_spans(
            spans_from_mask(times, mask, end_time=duration_s, min_duration=HAND_TO_FACE_MIN_S, max_gap=0.3)
        )
    else:
        reasons["hand_to_face_events"] = f"the face could be located in only {located}/{count} frames"

    fidgeting: float | None = None
    gesture_rate: float | None = None
    gesture_events: list[TimeSpan] | None = None
    pointing: list[TimeSpan] | None = None
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

    leaning, slouching, tension, posture_events = posture(frames, duration_s, reasons)
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
        not_measured_reason=None if count else "no video frames could be decoded",
        not_measured=reasons,
    )
