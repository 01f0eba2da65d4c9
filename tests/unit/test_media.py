"""Safe media decoding with PyAV on real files made by ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from interview_coach.core.settings import Settings
from interview_coach.tools.media.decode import (
    MediaError,
    decode_audio,
    iter_video_frames,
    pcm16_to_wav,
    probe_media,
    write_bytes_to_temp,
)

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is needed to build media fixtures")

TONE_HZ = 440.0
CLIP_S = 2.0
AUDIO_FILES = ["tone.wav", "tone.flac", "tone.mp3", "tone.m4a", "tone.ogg", "tone.opus", "tone.webm"]
VIDEO_FILES = ["clip.mp4", "clip.mov", "clip.mkv", "clip.webm"]


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", *args], check=True, timeout=120)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Audio and video files in every supported container, built once per session."""
    folder = tmp_path_factory.mktemp("media")
    tone = ["-f", "lavfi", "-i", f"sine=frequency={TONE_HZ:.0f}:sample_rate=44100:duration={CLIP_S}"]
    video = ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={CLIP_S}"]
    _ffmpeg(*tone, "-ac", "2", str(folder / "tone.wav"))
    for name, codec in [("tone.flac", []), ("tone.mp3", []), ("tone.m4a", []), ("tone.ogg", []),
                        ("tone.opus", []), ("tone.webm", ["-c:a", "libopus"])]:  # fmt: skip
        _ffmpeg("-i", str(folder / "tone.wav"), *codec, str(folder / name))
    for name, codecs in [
        ("clip.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"]),
        ("clip.mov", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"]),
        ("clip.mkv", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "libopus"]),
        ("clip.webm", ["-c:v", "libvpx", "-c:a", "libopus"]),
    ]:
        _ffmpeg(*video, *tone, "-shortest", *codecs, str(folder / name))
    _ffmpeg(*video, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(folder / "mute.mp4"))
    # A MediaRecorder-style WebM written to a pipe has no duration header.
    with (folder / "streamed.webm").open("wb") as out:
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-i", str(folder / "tone.wav"), "-c:a", "libopus", "-f", "webm", "pipe:1"],
            stdout=out,
            check=True,
            timeout=120,
        )
    (folder / "text.wav").write_text("this is a text file pretending to be audio\n" * 20)
    (folder / "empty.wav").write_bytes(b"")
    data = (folder / "clip.mp4").read_bytes()
    (folder / "truncated.mp4").write_bytes(data[: len(data) // 3])
    (folder / "secret.txt").write_text("do not read me")
    (folder / "playlist.m3u8").write_text(f"#EXTM3U\n#EXTINF:1,\n{folder / 'secret.txt'}\n#EXT-X-ENDLIST\n")
    return folder


def _dominant_frequency(audio: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size)))
    return float(np.fft.rfftfreq(audio.size, 1.0 / rate)[int(np.argmax(spectrum))])


@pytest.mark.parametrize("name", AUDIO_FILES + VIDEO_FILES)
def test_decode_audio_returns_mono_16k_float_with_the_right_content(
    media_dir: Path, settings: Settings, name: str
) -> None:
    audio = decode_audio(media_dir / name, settings)
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    assert abs(audio.size / 16000 - CLIP_S) < 0.1
    assert float(np.abs(audio).max()) <= 1.0
    assert abs(_dominant_frequency(audio, 16000) - TONE_HZ) < 3.0


def test_decode_audio_honours_the_requested_sample_rate(media_dir: Path, settings: Settings) -> None:
    audio = decode_audio(media_dir / "tone.flac", settings, sample_rate=8000)
    assert abs(audio.size / 8000 - CLIP_S) < 0.05
    assert abs(_dominant_frequency(audio, 8000) - TONE_HZ) < 3.0


@pytest.mark.parametrize("name", VIDEO_FILES)
def test_probe_reports_streams_resolution_and_frame_rate(media_dir: Path, settings: Settings, name: str) -> None:
    info = probe_media(media_dir / name, settings)
    assert info.has_audio and info.has_video
    assert (info.width, info.height) == (320, 240)
    assert info.fps == pytest.approx(25.0, abs=0.5)
    assert info.duration_s == pytest.approx(CLIP_S, abs=0.15)
    assert info.size_bytes == (media_dir / name).stat().st_size
    assert info.container == name.rsplit(".", 1)[1] or (name.endswith(".mkv") and info.container == "matroska")


def test_probe_of_audio_file(media_dir: Path, settings: Settings) -> None:
    info = probe_media(media_dir / "tone.opus", settings)
    assert info.has_audio and not info.has_video
    assert info.width is None and info.fps is None
    assert info.duration_s == pytest.approx(CLIP_S, abs=0.05)


def test_probe_measures_length_of_webm_without_duration_header(media_dir: Path, settings: Settings) -> None:
    assert probe_media(media_dir / "streamed.webm", settings).duration_s == pytest.approx(CLIP_S, abs=0.1)


@pytest.mark.parametrize("name", VIDEO_FILES)
def test_iter_video_frames_samples_rgb_frames_at_the_requested_rate(
    media_dir: Path, settings: Settings, name: str
) -> None:
    frames = list(iter_video_frames(media_dir / name, settings, fps=5.0))
    assert 9 <= len(frames) <= 11
    times = [t for t, _ in frames]
    assert times == sorted(times)
    assert times[0] < 0.1
    assert np.diff(times).mean() == pytest.approx(0.2, abs=0.03)
    _timestamp, frame = frames[len(frames) // 2]
    assert frame.shape == (240, 320, 3)
    assert frame.dtype == np.uint8
    # ffmpeg's test pattern has saturated colour bars: all three channels must vary.
    assert all(frame[..., c].std() > 20 for c in range(3))


def test_iter_video_frames_needs_a_video_stream(media_dir: Path, settings: Settings) -> None:
    with pytest.raises(MediaError, match="no video"):
        list(iter_video_frames(media_dir / "tone.wav", settings, fps=5.0))


def test_decode_audio_needs_an_audio_stream(media_dir: Path, settings: Settings) -> None:
    with pytest.raises(MediaError, match="no audio track"):
        decode_audio(media_dir / "mute.mp4", settings)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.wav", "does not exist"),
        ("empty.wav", "empty"),
        ("text.wav", "not a supported audio or video file"),
        ("truncated.mp4", "not a supported audio or video file"),
        ("playlist.m3u8", "not a supported audio or video file"),
        ("secret.txt", "not a supported audio or video file"),
    ],
)
def test_unusable_files_raise_a_clear_media_error(media_dir: Path, settings: Settings, name: str, message: str) -> None:
    with pytest.raises(MediaError, match=message):
        decode_audio(media_dir / name, settings)


def test_directories_and_urls_are_refused(media_dir: Path, settings: Settings) -> None:
    with pytest.raises(MediaError, match="not a regular file"):
        probe_media(media_dir, settings)
    with pytest.raises(MediaError, match="URLs"):
        probe_media(Path("http://127.0.0.1/answer.wav"), settings)


def test_limits_on_length_size_and_resolution(media_dir: Path, settings: Settings) -> None:
    short = settings.model_copy(update={"max_media_duration_s": 1.0})
    with pytest.raises(MediaError, match="longer than the limit"):
        probe_media(media_dir / "tone.wav", short)
    with pytest.raises(MediaError, match="longer than the limit"):
        decode_audio(media_dir / "streamed.webm", short)
    tiny_upload = settings.model_copy(update={"max_upload_mb": 0})
    with pytest.raises(MediaError, match="limit is 0 MB"):
        probe_media(media_dir / "tone.mp3", tiny_upload)
    low_resolution = settings.model_copy(update={"max_video_pixels": 320 * 200})
    with pytest.raises(MediaError, match="320x240 is too high"):
        list(iter_video_frames(media_dir / "clip.mp4", low_resolution, fps=1.0))


def test_write_bytes_to_temp_stores_a_private_copy(settings: Settings) -> None:
    path = write_bytes_to_temp(b"RIFF....WAVE", ".wav", settings)
    assert path.read_bytes() == b"RIFF....WAVE"
    assert path.suffix == ".wav"
    assert path.parent == settings.data_dir / "uploads"


@pytest.mark.parametrize(("data", "suffix", "message"), [(b"", ".wav", "empty"), (b"x", "/../x", "extension")])
def test_write_bytes_to_temp_rejects_bad_uploads(settings: Settings, data: bytes, suffix: str, message: str) -> None:
    with pytest.raises(MediaError, match=message):
        write_bytes_to_temp(data, suffix, settings)


def test_write_bytes_to_temp_enforces_the_size_cap(settings: Settings) -> None:
    capped = settings.model_copy(update={"max_upload_mb": 1})
    with pytest.raises(MediaError, match="limit is 1 MB"):
        write_bytes_to_temp(b"\0" * (1024 * 1024 + 1), ".webm", capped)


def _sine_pcm16(rate: int, seconds: float, hz: float = TONE_HZ, amplitude: float = 0.5) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * hz * t) * amplitude * 32767).astype("<i2").tobytes()


@pytest.mark.parametrize("source_rate", [24000, 48000, 44100, 8000])
def test_pcm16_to_wav_resamples_browser_audio_to_16k(tmp_path: Path, settings: Settings, source_rate: int) -> None:
    out = pcm16_to_wav(_sine_pcm16(source_rate, 1.0), source_rate, tmp_path / "mic.wav")
    with wave.open(str(out)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert abs(wav.getnframes() - 16000) <= 2
    audio = decode_audio(out, settings)
    assert abs(_dominant_frequency(audio, 16000) - TONE_HZ) < 2.0
    core = audio[1000:-1000]
    assert np.sqrt(np.mean(core**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.03)


def test_pcm16_to_wav_at_the_same_rate_keeps_samples_exactly(tmp_path: Path) -> None:
    pcm = _sine_pcm16(16000, 0.5)
    out = pcm16_to_wav(pcm + b"\x01", 16000, tmp_path / "same.wav")  # a dangling odd byte is dropped
    with wave.open(str(out)) as wav:
        assert wav.readframes(wav.getnframes()) == pcm


def test_pcm16_to_wav_rejects_empty_audio(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="No audio"):
        pcm16_to_wav(b"", 24000, tmp_path / "none.wav")
