"""Live hints for camera answers: the look-away measured on the live face stream feeds the nudge policy.

A camera answer streams no microphone audio, so the policy's voice rules never fire on it;
the answer's clock is the newest camera frame, and the look-away is
:attr:`~interview_coach.tools.face.live.LiveFaceStats.attention_away_s` (turned away from the
camera, or out of the frame). The polling loop, the sparsity rules and the practice-only rule
are those of every live hint (:class:`~interview_coach.ui.chainlit.live_hints.LiveHints`,
:class:`~interview_coach.assessment.nudges.NudgePolicy`). Imports nothing from Chainlit.
"""

from __future__ import annotations

from interview_coach.assessment.nudges import NudgePolicy
from interview_coach.domain import InterviewMode
from interview_coach.tools.face.live import LiveFaceAnalysis, LiveFaceStats
from interview_coach.tools.voice.streaming import LiveVoiceStats
from interview_coach.ui.chainlit.live_hints import POLL_INTERVAL_S, LiveHints, ShowNudge

__all__ = ["CameraHintSource", "start_camera_hints"]


class CameraHintSource:
    """What the hints read of a camera answer: its clock, and how long the candidate has looked away."""

    def __init__(self, face: LiveFaceAnalysis) -> None:
        """Read the running numbers of ``face``."""
        self._face = face
        self._last: LiveFaceStats | None = None

    @property
    def live(self) -> LiveVoiceStats:
        """The answer's clock (the newest frame) in the voice measures' shape; no voice is measured live."""
        self._last = self._face.live()
        return LiveVoiceStats(elapsed_s=self._last.elapsed_s)

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
) -> LiveHints | None:
    """Start live hints for a camera answer, or return ``None`` (realistic mode, switched off, mode unknown).

    Args:
        face: the answer's live face analysis.
        mode: the interview's mode; ``None`` (unknown) stays silent like a realistic interview.
        enabled: the candidate's "Live hints during practice" switch.
        show: shows one nudge to the candidate.
        interval_s: seconds between polls.

    """
    if mode is None:
        return None
    policy = NudgePolicy(mode=mode, enabled=enabled)
    if not policy.active:
        return None
    source = CameraHintSource(face)
    hints = LiveHints(source, policy, show, interval_s=interval_s, looking_away=source.looking_away_s)
    hints.start()
    return hints
