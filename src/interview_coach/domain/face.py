"""What face and gesture perception measured in one video answer (or one still image).

Only observable behaviour is described (gaze, blinks, facial muscle activity, head, hand and
body movement); nothing here judges appearance. ``None`` fields say why in ``not_measured``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interview_coach.domain.intervals import TimeSpan
from interview_coach.domain.scores import Score

GazeReference = Literal["first_seconds", "recording_median", "camera_axis"]
LookDirection = Literal["left", "right", "up", "down"]
PostureKind = Literal["leaning_forward", "leaning_back", "leaning_sideways", "slouching", "shoulders_raised"]

_NOT_SCORED = "not scored yet: the visual scores are filled in by assessment"


class LookAwayEvent(TimeSpan):
    """The gaze left the camera direction for at least half a second."""

    direction: LookDirection = Field(description="Dominant direction as seen in the recording (not mirrored).")


class MicroExpressionEvent(TimeSpan):
    """A facial expression that flashed for less than half a second."""

    expression: str
    peak: float


class ExpressionWindow(TimeSpan):
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
    events: list[TimeSpan]


class FaceAnalysis(BaseModel):
    """Face behaviour over one video answer; ``None`` fields say why in ``not_measured``."""

    model_config = ConfigDict(frozen=True)

    frames_analyzed: int
    fps_analyzed: float
    duration_s: float
    face_present_ratio: float
    multiple_faces_ratio: float
    absences: list[TimeSpan] = Field(description="Stretches of at least 0.5 s without a visible face.")
    face_absent_s: float = Field(
        default=0.0, description="Seconds of the recording without a visible face (reported beside eye contact)."
    )
    multiple_faces_events: list[TimeSpan]
    eye_contact_ratio: float | None = Field(
        description="Share of face-visible frames with the gaze towards the camera; read it with ``face_absent_s``."
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
    visual_confidence_score: Score = Field(default_factory=lambda: Score.not_measured(_NOT_SCORED))
    visual_stress_score: Score = Field(default_factory=lambda: Score.not_measured(_NOT_SCORED))
    not_measured_reason: str | None = Field(
        default=None, description="Why the face as a whole could not be measured (no frames, face mostly absent)."
    )
    not_measured: dict[str, str] = Field(default_factory=dict, description="Field name -> why it is None.")
    notes: list[str] = Field(default_factory=list)


class Leaning(BaseModel):
    """Share of time leaning, relative to the posture of the first seconds."""

    model_config = ConfigDict(frozen=True)

    forward_ratio: float = Field(description="Share of pose frames closer to the camera than at the start.")
    backward_ratio: float = Field(description="Share of pose frames further from the camera than at the start.")
    sideways_ratio: float = Field(description="Share of pose frames with shoulders or head shifted sideways.")
    mean_shoulder_tilt_deg: float = Field(
        description="Mean shoulder-line angle; > 0 means the right-hand shoulder in the image is lower."
    )


class PostureEvent(TimeSpan):
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
    hand_to_face_events: list[TimeSpan] | None = Field(description="Hands over or touching the face (2-D overlap).")
    fidgeting_score: float | None = Field(
        description="0-1: share of hand-visible time with small restless hand or finger movement."
    )
    gesture_rate_per_min: float | None = Field(description="Large hand movements per minute of video.")
    gesture_events: list[TimeSpan] | None
    pointing_events: list[TimeSpan] | None
    leaning: Leaning | None
    slouching_ratio: float | None = Field(
        description="Share of pose frames with the head sunk towards the shoulders vs. the start."
    )
    shoulder_tension_ratio: float | None = Field(
        description="Share of pose frames with shoulders raised towards the ears vs. the start."
    )
    posture_events: list[PostureEvent]
    not_measured_reason: str | None = Field(
        default=None, description="Why hands and posture could not be measured at all (no frames analysed)."
    )
    not_measured: dict[str, str] = Field(default_factory=dict, description="Field name -> why it is None.")


class ImageFace(BaseModel):
    """One face found in a still image."""

    model_config = ConfigDict(frozen=True)

    box: tuple[float, float, float, float] = Field(description="x0, y0, x1, y1 as fractions of width and height.")
    yaw: float
    pitch: float
    roll: float
    gaze_yaw: float
    gaze_pitch: float
    looking_at_camera: bool = Field(
        description="Gaze within 15 degrees (yaw) and 20 degrees (pitch) of the camera axis (uncalibrated)."
    )
    blendshapes: dict[str, float]


class ImageFaceResult(BaseModel):
    """Faces in a still image, largest first."""

    model_config = ConfigDict(frozen=True)

    width: int
    height: int
    face_count: int
    faces: list[ImageFace]
