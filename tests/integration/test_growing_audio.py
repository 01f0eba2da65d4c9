"""A camera recording's audio, read while the file grows, is analysed like the finished file.

The recording is a real WebM (VP8 + Opus, as Chromium's MediaRecorder writes) made by ffmpeg
from espeak-ng speech; it is "written" piece by piece the way the room appends the recorder's
one-second pieces, and the growing file is polled between pieces.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from interview_coach.core.settings import Settings
from interview_coach.demo.tts import build_spoken_answer, tts_available
from interview_coach.tools.media.decode import decode_audio
from interview_coach.tools.media.growing_audio import GrowingRecordingAudio
from interview_coach.tools.voice.analysis import analyze_voice
from interview_coach.tools.voice.streaming import StreamingVoiceAnalyzer
from interview_coach.tools.voice.transcribe import Transcriber

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not tts_available(), reason="espeak-ng and sox are needed to generate speech"),
]

PARTS: list[str | float] = [
    "I led the migration of our billing service",
    0.4,
    "um",
    0.4,
    "to a new cloud provider",
    2.4,
    "and we tested each step carefully before we switched",
]


@pytest.fixture(scope="module")
def webm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("growing")
    speech = build_spoken_answer(PARTS, folder / "speech.wav", leading_silence_s=1.0).path
    out = folder / "answer.webm"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=gray:s=160x120:r=10", "-i", str(speech),
         "-shortest", "-c:v", "libvpx", "-b:v", "100k", "-c:a", "libopus", "-cluster_time_limit", "1000", str(out)],
        check=True,
    )  # fmt: skip
    return out


def _grow(source: Path, target: Path, pieces: int) -> list[bytes]:
    """Write ``source`` into ``target`` in ``pieces`` appends, polling after each."""
    data = source.read_bytes()
    reader = GrowingRecordingAudio(target)
    polled = [reader.poll()]  # nothing written yet
    with target.open("wb") as out:
        for index in range(1, pieces + 1):
            out.write(data[(index - 1) * len(data) // pieces : index * len(data) // pieces])
            out.flush()
            polled.append(reader.poll())
    polled.append(reader.final())
    return polled


def test_polled_audio_equals_one_decode_of_the_finished_file(webm: Path, tmp_path: Path) -> None:
    polled = _grow(webm, tmp_path / "growing.webm", pieces=8)
    assert polled[0] == b""
    assert sum(1 for p in polled[1:-1] if p) >= 4  # audio arrived while the file grew
    streamed = np.frombuffer(b"".join(polled), dtype="<i2").astype(np.float32) / 32768.0
    whole = decode_audio(webm, Settings(_env_file=None))
    assert streamed.size == whole.size
    assert np.abs(streamed - whole).max() <= 1.0 / 32768.0 + 1e-6


def test_voice_analysed_while_the_file_grows_matches_the_batch_analysis(webm: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    transcriber = Transcriber(settings)
    analyzer = StreamingVoiceAnalyzer(transcriber, sample_rate=16000, time_budget_s=60.0)
    for piece in _grow(webm, tmp_path / "growing.webm", pieces=6):
        analyzer.feed(piece)
    streamed = analyzer.finish()
    batch = analyze_voice(webm, settings, transcriber, time_budget_s=60.0)
    assert batch.wpm is not None and streamed.wpm == pytest.approx(batch.wpm, rel=0.05)
    assert abs(streamed.filler_count - batch.filler_count) <= 1
    assert streamed.long_pause_count == batch.long_pause_count >= 1
    assert {"migration", "cloud", "switched"} <= {w.strip(".,").lower() for w in streamed.transcript.split()}


def test_a_file_that_never_appears_or_is_not_media_gives_no_audio(tmp_path: Path) -> None:
    missing = GrowingRecordingAudio(tmp_path / "none.webm")
    assert missing.poll() == b"" and missing.final() == b""
    junk = tmp_path / "junk.webm"
    junk.write_bytes(b"\x1a\x45\xdf\xa3 not really a recording" * 10)
    reader = GrowingRecordingAudio(junk)
    assert reader.poll() == b"" and reader.final() == b"" and reader.samples_taken == 0


def test_a_camera_recording_streams_its_voice_while_pieces_are_written(webm: Path, tmp_path: Path) -> None:
    import asyncio

    from interview_coach.tools.voice.streaming import BackgroundVoiceAnalysis
    from interview_coach.ui.chainlit.camera_frames import CameraRecording
    from interview_coach.ui.chainlit.camera_voice import SAMPLE_RATE, CameraVoice

    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    transcriber = Transcriber(settings)
    target = tmp_path / "room.webm"
    stream = BackgroundVoiceAnalysis(StreamingVoiceAnalyzer(transcriber, sample_rate=SAMPLE_RATE, time_budget_s=60.0))
    with target.open("wb") as handle:
        recording = CameraRecording(question_id="q1", path=target, handle=handle, live=None)
        recording.voice = CameraVoice(target, stream)
        data = webm.read_bytes()
        for index in range(6):
            recording.append(data[index * len(data) // 6 : (index + 1) * len(data) // 6])
    deadline = time.monotonic() + 120
    while stream.live.elapsed_s < 9.0 and time.monotonic() < deadline:
        time.sleep(0.1)  # the analyser's thread works through the queued sound
    assert stream.live.segments_transcribed >= 1, "speech was transcribed before stop"
    streamed = asyncio.run(recording.voice.finish())
    assert streamed is not None
    batch = analyze_voice(webm, settings, transcriber, time_budget_s=60.0)
    assert batch.wpm is not None and streamed.wpm == pytest.approx(batch.wpm, rel=0.05)
    assert abs(streamed.filler_count - batch.filler_count) <= 1
