"""Face result models and the aggregation of per-frame face observations into them.

Everything here is deterministic numpy over already-extracted landmarks, so it is unit
testable without mediapipe. Only observable behaviour is measured (gaze, blinks, facial
muscle activity, head movement); nothing judges appearance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from interview_coach.domain import Evidence, Score, Signal
from interview_coach.tools.face.geometry import (
    GazeBaseline,
    GazeReference,
    HeadPose,
    LookDirection,
    angular_speed,
    count_blinks,
    expression_bursts,
    gaze_angles,
    gaze_baseline,
    look_direction,
    nod_ranges,
)
from interview_coach.tools.face.gesture import GestureAnalysis
from interview_coach.tools.media.timeline import Span, spans_from_mask, to_spans, true_runs

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Blendshape channels: each is the mean of the listed mediapipe blendshapes.
CHANNELS: dict[str, tuple[str, ...]] = {
    "smile": ("mouthSmileLeft", "mouthSmileRight"),
    "brow_down": ("browDownLeft", "browDownRight"),
    "brow_raise": ("browInnerUp",),
    "frown": ("mouthFrownLeft", "mouthFrownRight"),
    "mouth_press": ("mouthPressLeft", "mouthPressRight"),
    "sneer": ("noseSneerLeft", "noseSneerRight"),
    "jaw_open": ("jawOpen",),
    "blink": ("eyeBlinkLeft", "eyeBlinkRight"),
    "eye_down": ("eyeLookDownLeft", "eyeLookDownRight"),
    "eye_up": ("eyeLookUpLeft", "eyeLookUpRight"),
}
CHANNEL_INDEX = {name: i for i, name in enumerate(CHANNELS)}
MICRO_CHANNELS = ("smile", "brow_down", "brow_raise", "frown", "mouth_press", "sneer")
TIMELINE_CHANNELS = ("smile", "brow_down", "brow_raise", "frown", "mouth_press", "jaw_open")

MIN_FACE_PRESENT_RATIO = 0.5
MIN_EVENT_S = 0.5
EVENT_MERGE_GAP_S = 0.3
EYE_CONTACT_YAW_DEG = 15.0
EYE_CONTACT_PITCH_DEG = 15.0
EYES_CLOSED_THRESHOLD = 0.5
SMILE_THRESHOLD = 0.5
FROWN_THRESHOLD = 0.4
MIN_BLINK_FPS = 8.0
MIN_BLINK_FACE_S = 5.0
MIN_MICRO_FPS = 6.0
MIN_NOD_FPS = 4.0
TIMELINE_MAX_WINDOWS = 60
EVIDENCE_LIMIT = 5


@dataclass(frozen=True)
class FaceObservation:
    """The main (largest) face in one frame, reduced to the numbers the summary needs."""

    box: tuple[float, float, float, float]
    pose: HeadPose
    iris_h: float
    channels: FloatArray


@dataclass(frozen=True)
class FaceFrame:
    """What the face landmarker saw at one sampled time."""

    time: float
    face_count: int
    face: FaceObservation | None


class LookAwayEvent(Span):
    """The gaze left the camera direction for at least half a second."""

    direction: LookDirection = Field(description="Dominant direction as seen in the recording (not mirrored).")


class MicroExpressionEvent(Span):
    """A facial expression that flashed for less than half a second."""

    expression: str
    peak: float


class ExpressionWindow(Span):
    """Mean blendshape activity (0-1) over one window of the recording."""

    face_present_ratio: float
    smile: float | None = None
    brow_down: float | None = None
    brow_raise: float | None = None
    frown: float | None = None
    mouth_press: float | None = None
    jaw_open: float | None = None
    dominant: str | None = Field(
        default=None, description="Strongest channel >= 0.3, 'neutral', or None without a face."
    )


class HeadMotion(BaseModel):
    """How much the head moved while visible."""

    model_config = ConfigDict(frozen=True)

    yaw_std_deg: float
    pitch_std_deg: float
    roll_std_deg: float
    mean_speed_deg_s: float


class Nodding(BaseModel):
    """Head nods: pitch down then up by at least 5 degrees, at most 1 s wide at half height."""

    model_config = ConfigDict(frozen=True)

    count: int
    per_min: float
    events: list[Span]


class FaceAnalysis(BaseModel):
    """Face behaviour over one video answer; ``None`` fields say why in ``not_measured``."""

    model_config = ConfigDict(frozen=True)

    frames_analyzed: int
    fps_analyzed: float
    duration_s: float
    face_present_ratio: float
    multiple_faces_ratio: float
    absences: list[Span] = Field(description="Stretches of at least 0.5 s without a visible face.")
    multiple_faces_events: list[Span]
    eye_contact_ratio: float | None = Field(
        description="Share of face-visible frames with the gaze towards the camera."
    )
    gaze_calibrated: bool = Field(description="Whether 'towards the camera' was calibrated on the first seconds.")
    gaze_reference: GazeReference = Field(description="What 'towards the camera' was taken from.")
    looking_away_events: list[LookAwayEvent]
    blink_rate_per_min: float | None
    smile_ratio: float | None
    frown_ratio: float | None = Field(description="Share of face-visible frames with lowered brows or mouth frown.")
    brow_tension: float | None = Field(description="Mean browDown blendshape (0-1) while the face is visible.")
    expression_timeline: list[ExpressionWindow]
    micro_expression_events: list[MicroExpressionEvent]
    head_motion: HeadMotion | None
    nodding: Nodding | None
    visual_confidence_score: Score
    visual_stress_score: Score
    not_measured: dict[str, str] = Field(default_factory=dict, description="Field name -> why it is None.")
    notes: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class _Series:
    """Per-frame arrays; values of frames without a face are zeros and masked by ``present``."""

    times: FloatArray
    present: BoolArray
    multiple: BoolArray
    yaw: FloatArray
    pitch: FloatArray
    roll: FloatArray
    gaze_yaw: FloatArray
    gaze_pitch: FloatArray
    channels: FloatArray

    def channel(self, name: str) -> FloatArray:
        return np.asarray(self.channels[:, CHANNEL_INDEX[name]], dtype=np.float64)


def _series(frames: Sequence[FaceFrame]) -> _Series:
    count = len(frames)
    pose = np.zeros((count, 3))
    gaze = np.zeros((count, 2))
    channels = np.zeros((count, len(CHANNELS)))
    for index, frame in enumerate(frames):
        face = frame.face
        if face is None:
            continue
        pose[index] = (face.pose.yaw, face.pose.pitch, face.pose.roll)
        channels[index] = face.channels
        eye_down = face.channels[CHANNEL_INDEX["eye_down"]] - face.channels[CHANNEL_INDEX["eye_up"]]
        gaze[index] = gaze_angles(face.pose, face.iris_h, float(eye_down))
    return _Series(
        times=np.array([f.time for f in frames], dtype=np.float64),
        present=np.array([f.face is not None for f in frames], dtype=bool),
        multiple=np.array([f.face_count >= 2 for f in frames], dtype=bool),
        yaw=pose[:, 0],
        pitch=pose[:, 1],
        roll=pose[:, 2],
        gaze_yaw=gaze[:, 0],
        gaze_pitch=gaze[:, 1],
        channels=channels,
    )


def _stretches(series: _Series, period: float) -> list[NDArray[np.intp]]:
    """Split face-visible samples into continuous stretches (no absence, no time gap)."""
    stretches = []
    for first, last in true_runs(series.present):
        indices = np.arange(first, last + 1)
        cuts = np.flatnonzero(np.diff(series.times[indices]) > 2.5 * period) + 1
        stretches.extend(np.split(indices, cuts))
    return [s for s in stretches if s.size]


def _gaze(series: _Series, duration: float) -> tuple[float | None, GazeBaseline, list[LookAwayEvent]]:
    # Closed eyes look at nothing: they count neither as contact nor as looking away.
    open_eyes = series.present & (series.channel("blink") < EYES_CLOSED_THRESHOLD)
    baseline = gaze_baseline(series.times, series.gaze_yaw, series.gaze_pitch, open_eyes)
    delta_yaw = series.gaze_yaw - baseline.yaw
    delta_pitch = series.gaze_pitch - baseline.pitch
    contact = (np.abs(delta_yaw) <= EYE_CONTACT_YAW_DEG) & (np.abs(delta_pitch) <= EYE_CONTACT_PITCH_DEG)
    away = open_eyes & ~contact
    if not open_eyes.any():
        return None, baseline, []
    ratio = float((open_eyes & contact).sum() / open_eyes.sum())
    events = []
    for start, end in spans_from_mask(
        series.times, away, end_time=duration, min_duration=MIN_EVENT_S, max_gap=EVENT_MERGE_GAP_S
    ):
        inside = away & (series.times >= start) & (series.times <= end)
        direction = look_direction(float(np.median(delta_yaw[inside])), float(np.median(delta_pitch[inside])))
        events.append(LookAwayEvent(start=start, end=end, direction=direction))
    return round(ratio, 3), baseline, events


def _blink_rate(series: _Series, fps: float, period: float, reasons: dict[str, str]) -> float | None:
    face_seconds = float(series.present.sum()) * period
    if fps < MIN_BLINK_FPS:
        reasons["blink_rate_per_min"] = f"sampling at {fps:g} fps is too slow to see blinks (needs {MIN_BLINK_FPS:g})"
        return None
    if face_seconds < MIN_BLINK_FACE_S:
        reasons["blink_rate_per_min"] = (
            f"the face was visible for only {face_seconds:.1f} s (needs {MIN_BLINK_FACE_S:g} s)"
        )
        return None
    blinks = count_blinks(series.channel("blink"), series.present)
    return round(len(blinks) / face_seconds * 60.0, 1)


def _micro_expressions(
    series: _Series, stretches: list[NDArray[np.intp]], fps: float, period: float, reasons: dict[str, str]
) -> list[MicroExpressionEvent]:
    if fps < MIN_MICRO_FPS:
        reasons["micro_expression_events"] = (
            f"sampling at {fps:g} fps cannot resolve expressions shorter than 0.5 s (needs {MIN_MICRO_FPS:g})"
        )
        return []
    events = []
    for name in MICRO_CHANNELS:
        values = series.channel(name)
        for indices in stretches:
            for burst in expression_bursts(values[indices], period_s=period):
                start = float(series.times[indices[burst.first]]) - period / 2
                end = float(series.times[indices[burst.last]]) + period / 2
                events.append(
                    MicroExpressionEvent(
                        start=round(max(0.0, start), 3), end=round(end, 3), expression=name, peak=round(burst.peak, 3)
                    )
                )
    return sorted(events, key=lambda e: e.start)


def _head_motion(series: _Series, stretches: list[NDArray[np.intp]], period: float) -> HeadMotion | None:
    if int(series.present.sum()) < 3:
        return None
    present = series.present
    speeds = [
        angular_speed(
            series.times[idx],
            np.column_stack([series.yaw[idx], series.pitch[idx], series.roll[idx]]),
            max_step_s=2.5 * period,
        )
        for idx in stretches
    ]
    all_speeds = np.concatenate(speeds) if speeds else np.zeros(0)
    return HeadMotion(
        yaw_std_deg=round(float(series.yaw[present].std()), 2),
        pitch_std_deg=round(float(series.pitch[present].std()), 2),
        roll_std_deg=round(float(series.roll[present].std()), 2),
        mean_speed_deg_s=round(float(all_speeds.mean()) if all_speeds.size else 0.0, 2),
    )


def _nodding(
    series: _Series, stretches: list[NDArray[np.intp]], fps: float, duration: float, reasons: dict[str, str]
) -> Nodding | None:
    if fps < MIN_NOD_FPS:
        reasons["nodding"] = f"sampling at {fps:g} fps is too slow to see nods (needs {MIN_NOD_FPS:g})"
        return None
    events = []
    for indices in stretches:
        for first, last in nod_ranges(series.times[indices], series.pitch[indices]):
            events.append(
                Span(
                    start=round(float(series.times[indices[first]]), 3),
                    end=round(float(series.times[indices[last]]), 3),
                )
            )
    per_min = len(events) / duration * 60.0 if duration > 0 else 0.0
    return Nodding(count=len(events), per_min=round(per_min, 2), events=events)


def _timeline(series: _Series, duration: float) -> list[ExpressionWindow]:
    if series.times.size == 0 or duration <= 0:
        return []
    width = max(1.0, duration / TIMELINE_MAX_WINDOWS)
    windows = []
    for k in range(int(np.ceil(duration / width - 1e-9))):
        start, end = k * width, min(duration, (k + 1) * width)
        inside = (series.times >= start) & (series.times < end)
        if not inside.any():
            continue
        visible = inside & series.present
        values: dict[str, float | None] = dict.fromkeys(TIMELINE_CHANNELS)
        dominant: str | None = None
        if visible.any():
            values = {name: round(float(series.channel(name)[visible].mean()), 3) for name in TIMELINE_CHANNELS}
            strongest = max((n for n in TIMELINE_CHANNELS if n != "jaw_open"), key=lambda n: values[n] or 0.0)
            dominant = strongest if (values[strongest] or 0.0) >= 0.3 else "neutral"
        windows.append(
            ExpressionWindow(
                start=round(start, 3),
                end=round(end, 3),
                face_present_ratio=round(float(visible.sum() / inside.sum()), 3),
                dominant=dominant,
                **values,
            )
        )
    return windows


def summarize_face(
    frames: Sequence[FaceFrame],
    *,
    fps: float,
    duration_s: float,
    gesture: GestureAnalysis | None = None,
    notes: Sequence[str] = (),
) -> FaceAnalysis:
    """Aggregate per-frame face observations into a :class:`FaceAnalysis` with scores.

    Args:
        frames: observations in time order, sampled at about ``fps``.
        fps: sampling rate of ``frames``.
        duration_s: length of the recording.
        gesture: the gesture analysis of the same recording, used by the scores.
        notes: caveats to pass on (e.g. decoding stopped early).

    """
    reasons: dict[str, str] = {}
    period = 1.0 / fps if fps > 0 else 1.0
    series = _series(frames)
    count = len(frames)
    present_count = int(series.present.sum())
    present_ratio = present_count / count if count else 0.0
    stretches = _stretches(series, period)
    absent_ranges = spans_from_mask(
        series.times, ~series.present, end_time=duration_s, min_duration=MIN_EVENT_S, max_gap=EVENT_MERGE_GAP_S
    )
    multiple_ranges = spans_from_mask(
        series.times, series.multiple, end_time=duration_s, min_duration=MIN_EVENT_S, max_gap=EVENT_MERGE_GAP_S
    )
    eye_contact, baseline, looking_away = _gaze(series, duration_s)
    smile, frown, brow = _expression_ratios(series)
    visible = present_count > 0
    blink_rate = _blink_rate(series, fps, period, reasons) if visible else None
    head_motion = _head_motion(series, stretches, period) if visible else None
    nodding = _nodding(series, stretches, fps, duration_s, reasons) if visible else None
    micro = _micro_expressions(series, stretches, fps, period, reasons) if visible else []
    face_reason = _face_reason(count, present_ratio)
    optional = {
        "eye_contact_ratio": eye_contact,
        "blink_rate_per_min": blink_rate,
        "smile_ratio": smile,
        "frown_ratio": frown,
        "brow_tension": brow,
        "head_motion": head_motion,
        "nodding": nodding,
    }
    for name, value in optional.items():
        if value is None and name not in reasons:
            reasons[name] = face_reason or "the face was visible in too few frames"
    pending = Score.not_measured(face_reason or "computed below")
    analysis = FaceAnalysis(
        frames_analyzed=count,
        fps_analyzed=round(fps, 3),
        duration_s=round(duration_s, 3),
        face_present_ratio=round(present_ratio, 3),
        multiple_faces_ratio=round(float(series.multiple.mean()) if count else 0.0, 3),
        absences=to_spans(absent_ranges),
        multiple_faces_events=to_spans(multiple_ranges),
        eye_contact_ratio=eye_contact,
        gaze_calibrated=baseline.calibrated,
        gaze_reference=baseline.reference,
        looking_away_events=looking_away,
        blink_rate_per_min=blink_rate,
        smile_ratio=smile,
        frown_ratio=frown,
        brow_tension=brow,
        expression_timeline=_timeline(series, duration_s),
        micro_expression_events=micro,
        head_motion=head_motion,
        nodding=nodding,
        visual_confidence_score=pending,
        visual_stress_score=pending,
        not_measured=reasons,
        notes=list(notes),
    )
    if face_reason:
        return analysis
    return analysis.model_copy(
        update={
            "visual_confidence_score": confidence_score(analysis, gesture),
            "visual_stress_score": stress_score(analysis, gesture),
        }
    )


def _expression_ratios(series: _Series) -> tuple[float | None, float | None, float | None]:
    """Return smile ratio, frown ratio and mean brow tension over face-visible frames."""
    visible = series.present
    if not visible.any():
        return None, None, None
    smile = float((series.channel("smile")[visible] >= SMILE_THRESHOLD).mean())
    tension = (series.channel("brow_down") >= FROWN_THRESHOLD) | (series.channel("frown") >= FROWN_THRESHOLD)
    brow = float(series.channel("brow_down")[visible].mean())
    return round(smile, 3), round(float(tension[visible].mean()), 3), round(brow, 3)


def _face_reason(count: int, present_ratio: float) -> str | None:
    if count == 0:
        return "no video frames could be decoded"
    if present_ratio < MIN_FACE_PRESENT_RATIO:
        return f"the face was visible in only {present_ratio:.0%} of the analysed frames (needs {MIN_FACE_PRESENT_RATIO:.0%})"
    return None


def _clip(value: float, low: float, high: float) -> float:
    return round(float(min(high, max(low, value))), 1)


def _per_min(count: int, duration: float) -> float:
    return count / duration * 60.0 if duration > 0 else 0.0


def _span_evidence(spans: Sequence[Span], kind: str, label: str) -> list[Evidence]:
    evidence = []
    for span in list(spans)[:EVIDENCE_LIMIT]:
        direction = getattr(span, "direction", None) or getattr(span, "expression", None)
        detail = f"{label} {direction}" if direction else label
        evidence.append(
            Evidence(
                kind=kind, detail=f"{detail} {span.start:.1f}-{span.end:.1f} s", start_s=span.start, end_s=span.end
            )
        )
    return evidence


def _finish(base: float, signals: list[Signal]) -> Score:
    total = base + sum(s.effect for s in signals)
    return Score(value=round(min(100.0, max(0.0, total))), signals=signals)


def confidence_score(face: FaceAnalysis, gesture: GestureAnalysis | None) -> Score:
    """Score visible confidence 0-100 from eye contact, presence, smiles, steadiness and gestures.

    Starts at 50; each measured signal moves it by a bounded, stated amount.
    """
    duration = face.duration_s
    signals: list[Signal] = []
    if face.eye_contact_ratio is not None:
        signals.append(
            Signal(
                name="eye_contact_ratio",
                value=face.eye_contact_ratio,
                effect=_clip((face.eye_contact_ratio - 0.6) * 60, -20, 20),
                evidence=_span_evidence(face.looking_away_events, "looking_away", "looked away"),
            )
        )
        away_rate = _per_min(len(face.looking_away_events), duration)
        signals.append(
            Signal(name="looking_away_per_min", value=round(away_rate, 2), effect=-_clip((away_rate - 2) * 2, 0, 10))
        )
    signals.append(
        Signal(
            name="face_present_ratio",
            value=face.face_present_ratio,
            effect=-_clip((1 - face.face_present_ratio) * 40, 0, 20),
            evidence=_span_evidence(face.absences, "absence", "face not visible"),
        )
    )
    if face.smile_ratio is not None:
        signals.append(Signal(name="smile_ratio", value=face.smile_ratio, effect=_clip(face.smile_ratio * 30, 0, 10)))
    if face.head_motion is not None:
        speed = face.head_motion.mean_speed_deg_s
        signals.append(Signal(name="head_motion_deg_s", value=speed, effect=-_clip((speed - 20) / 2, 0, 8)))
    if face.nodding is not None:
        signals.append(
            Signal(
                name="nods_per_min",
                value=face.nodding.per_min,
                effect=_clip(face.nodding.per_min, 0, 5),
                evidence=_span_evidence(face.nodding.events, "nod", "nod"),
            )
        )
    signals.extend(_gesture_confidence_signals(gesture, duration))
    return _finish(50.0, signals)


def _gesture_confidence_signals(gesture: GestureAnalysis | None, duration: float) -> list[Signal]:
    if gesture is None:
        return []
    signals = []
    if gesture.hand_to_face_events is not None:
        rate = _per_min(len(gesture.hand_to_face_events), duration)
        signals.append(
            Signal(
                name="hand_to_face_per_min",
                value=round(rate, 2),
                effect=-_clip(rate * 3, 0, 10),
                evidence=_span_evidence(gesture.hand_to_face_events, "hand_to_face", "hand at face"),
            )
        )
    if gesture.fidgeting_score is not None:
        signals.append(
            Signal(
                name="fidgeting_score",
                value=gesture.fidgeting_score,
                effect=-_clip((gesture.fidgeting_score - 0.3) * 25, 0, 8),
            )
        )
    if gesture.slouching_ratio is not None:
        slouch_events = [e for e in gesture.posture_events if e.kind == "slouching"]
        signals.append(
            Signal(
                name="slouching_ratio",
                value=gesture.slouching_ratio,
                effect=-_clip(gesture.slouching_ratio * 10, 0, 8),
                evidence=_span_evidence(slouch_events, "posture", "slouching"),
            )
        )
    return signals


def stress_score(face: FaceAnalysis, gesture: GestureAnalysis | None) -> Score:
    """Score visible stress 0-100 from blinks, brow tension, micro-expressions, gaze, motion and hands.

    Starts at 25; each measured signal moves it by a bounded, stated amount. It describes
    observable behaviour only and is not a diagnosis of how the candidate felt.
    """
    duration = face.duration_s
    signals: list[Signal] = []
    if face.blink_rate_per_min is not None:
        signals.append(
            Signal(
                name="blink_rate_per_min",
                value=face.blink_rate_per_min,
                effect=_clip((face.blink_rate_per_min - 20) * 0.8, 0, 20),
            )
        )
    if face.frown_ratio is not None:
        signals.append(Signal(name="frown_ratio", value=face.frown_ratio, effect=_clip(face.frown_ratio * 40, 0, 15)))
    if "micro_expression_events" not in face.not_measured:
        rate = _per_min(len(face.micro_expression_events), duration)
        signals.append(
            Signal(
                name="micro_expressions_per_min",
                value=round(rate, 2),
                effect=_clip(rate * 2, 0, 10),
                evidence=_span_evidence(face.micro_expression_events, "micro_expression", "brief"),
            )
        )
    if face.eye_contact_ratio is not None:
        rate = _per_min(len(face.looking_away_events), duration)
        signals.append(
            Signal(
                name="looking_away_per_min",
                value=round(rate, 2),
                effect=_clip((rate - 2) * 2, 0, 10),
                evidence=_span_evidence(face.looking_away_events, "looking_away", "looked away"),
            )
        )
    if face.head_motion is not None:
        speed = face.head_motion.mean_speed_deg_s
        signals.append(Signal(name="head_motion_deg_s", value=speed, effect=_clip((speed - 20) / 2, 0, 10)))
    if face.smile_ratio is not None:
        signals.append(Signal(name="smile_ratio", value=face.smile_ratio, effect=-_clip(face.smile_ratio * 20, 0, 10)))
    signals.extend(_gesture_stress_signals(gesture, duration))
    return _finish(25.0, signals)


def _gesture_stress_signals(gesture: GestureAnalysis | None, duration: float) -> list[Signal]:
    if gesture is None:
        return []
    signals = []
    if gesture.hand_to_face_events is not None:
        rate = _per_min(len(gesture.hand_to_face_events), duration)
        signals.append(
            Signal(
                name="hand_to_face_per_min",
                value=round(rate, 2),
                effect=_clip(rate * 4, 0, 12),
                evidence=_span_evidence(gesture.hand_to_face_events, "hand_to_face", "hand at face"),
            )
        )
    if gesture.fidgeting_score is not None:
        signals.append(
            Signal(
                name="fidgeting_score", value=gesture.fidgeting_score, effect=_clip(gesture.fidgeting_score * 15, 0, 10)
            )
        )
    if gesture.shoulder_tension_ratio is not None:
        raised = [e for e in gesture.posture_events if e.kind == "shoulders_raised"]
        signals.append(
            Signal(
                name="shoulder_tension_ratio",
                value=gesture.shoulder_tension_ratio,
                effect=_clip(gesture.shoulder_tension_ratio * 15, 0, 10),
                evidence=_span_evidence(raised, "posture", "shoulders raised"),
            )
        )
    return signals
