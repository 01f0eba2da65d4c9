"""Live hints for camera answers: the live face and the streamed sound feed the nudge policy.

The recording's sound is streamed to the voice analyser as its pieces arrive
(``camera_voice.py``), so the policy's voice rules (pace, fillers, silence) apply as for the
microphone; the answer's clock is the newest camera frame (the sound trails it by up to one
piece), and the look-away is
:attr:`~interview_coach.tools.face.live.LiveFaceStats.attention_away_s` (turned away from the
camera, or out of the frame). The polling loop, the sparsity rules and the practice-only rule
are those of every live hint (:class:`~interview_coach.ui.chainlit.live_hints.LiveHints`,
:class:`~interview_coach.assessment.nudges.NudgePolicy`). Imports nothing from Chainlit.
"""

from __future__ import annotations

from typing import Protocol

from interview_coach.assessment.nudges import NudgePolicy
from interview_coach.domain import InterviewMode
from interview_coach.tools.face.live import LiveFaceAnalysis, LiveFaceStats
from interview_coach.tools.voice.streaming import LiveVoiceStats
from interview_coach.ui.chainlit.live_hints import POLL_INTERVAL_S, LiveHints, ShowNudge


class VoiceSource(Protocol):
    """The running voice measures of the answer's sound (``CameraVoice``)."""

    @property
    def live(self) -> LiveVoiceStats:
        """The measures after the last analysed piece."""


__all__ = ["CameraHintSource", "start_camera_hints"]


class CameraHintSource:
    """What the hints read of a camera answer: its clock, and how long the candidate has looked away."""

    def __init__(self, face: LiveFaceAnalysis, voice: VoiceSource | None = None) -> None:
        """Read the running numbers of ``face`` and, when its sound is streamed, of ``voice``."""
        self._face = face
        self._voice = voice
        self._last: LiveFaceStats | None = None

    @property
    def live(self) -> LiveVoiceStats:
        """The voice measures so far (none without ``voice``), on the clock of the newest frame."""
        self._last = self._face.live()
        if self._voice is None:
            return LiveVoiceStats(elapsed_s=self._last.elapsed_s)
        heard = self._voice.live
        return heard.model_copy(update={"elapsed_s": max(heard.elapsed_s, self._last.elapsed_s)})

    def looking_away_s(self) -> float:
        """How long the candidate has not looked at the camera, as of the last :attr:`live` read."""
        # Read from the same snapshot as the clock, so a tick's time and look-away agree.
        return self._last.attention_away_s if self._last is not None else 0.0


def start_camera_hints(
    face: LiveFaceAnalysis,
    mode: InterviewMode | None,
    *,
    enabled: bool,
    show: ShowNudge,
    interval_s: float = POLL_INTERVAL_S,
    voice: VoiceSource | None = None,
) -> LiveHints | None:
    """Start live hints for a camera answer, or return ``None`` (realistic mode, switched off, mode unknown).

    Args:
        face: the answer's live face analysis.
        mode: the interview's mode; ``None`` (unknown) stays silent like a realistic interview.
        enabled: the candidate's "Live hints during practice" switch.
        show: shows one nudge to the candidate.
        interval_s: seconds between polls.
        voice: the streamed sound's measures, for the pace, filler and silence hints.

    """
    if mode is None:
        return None
    policy = NudgePolicy(mode=mode, enabled=enabled)
    if not policy.active:
        return None
    source = CameraHintSource(face, voice)
    hints = LiveHints(source, policy, show, interval_s=interval_s, looking_away=source.looking_away_s)
    hints.start()
    return hints
