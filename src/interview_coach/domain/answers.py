"""What the candidate said and what perception measured in it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interview_coach.domain.face import FaceAnalysis, GestureAnalysis
from interview_coach.domain.live import LiveNudge
from interview_coach.domain.text import TextAnalysis
from interview_coach.domain.voice import VoiceAnalysis

Modality = Literal["voice", "face", "gesture", "text"]


class StreamedFace(BaseModel):
    """Face (and gestures) measured from the room camera's frames while the answer was recorded."""

    face: FaceAnalysis
    gesture: GestureAnalysis | None = None


class AnswerInput(BaseModel):
    """How the candidate answered: text and/or a media file."""

    text: str = ""
    audio_path: str | None = None
    video_path: str | None = None
    voice: VoiceAnalysis | None = None
    """Voice measured while the answer was spoken (the streaming microphone, or the sound of a camera
    recording as it was written); the pipeline uses it instead of analysing the file again."""
    face: StreamedFace | None = None
    """Face measured while a camera answer was recorded (frames sent by the room); the pipeline uses
    it instead of landmarking ``video_path`` again."""
    nudges: list[LiveNudge] = Field(default_factory=list)
    """Live hints shown while the answer was recorded (practice mode), kept for the replay."""


class NotMeasured(BaseModel):
    """A modality that could not be measured for an answer, and why (shown to the candidate)."""

    model_config = ConfigDict(frozen=True)

    modality: Modality
    reason: str

    @property
    def text(self) -> str:
        """The sentence a surface shows, e.g. ``Voice not measured: no speech was detected.``."""
        return f"{self.modality.capitalize()} not measured: {self.reason}"


class AnswerAnalysis(BaseModel):
    """Every perception result for one answer; ``None`` means not measured.

    Each modality is a typed domain model (plain pydantic data, no perception imports), so the
    graph state stores it dumped and every reader gets the model back.
    """

    answer_text: str = ""
    input_mode: Literal["text", "audio", "video"] = "text"
    truncated: bool = False
    text: TextAnalysis | None = None
    voice: VoiceAnalysis | None = None
    face: FaceAnalysis | None = None
    gesture: GestureAnalysis | None = None
    not_measured: list[NotMeasured] = Field(default_factory=list)
    nudges: list[LiveNudge] = Field(default_factory=list)
    """Live hints shown while the answer was recorded, with their times (for the replay and report)."""
