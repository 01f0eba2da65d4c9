"""Safe decoding of uploaded audio and video files with PyAV, within size and length limits.

Only existing local regular files are opened, through FFmpeg's ``file`` protocol and a
whitelist of demuxers, so a crafted playlist or a ``concat:``-style name can never make
FFmpeg read other files or the network.
"""

from __future__ import annotations

import os
import re
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.settings import Settings

if TYPE_CHECKING:
    import av.container

SUPPORTED_EXTENSIONS = frozenset(
    {".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".webm", ".mp4", ".mov", ".mkv"}
)
_DEMUXER_WHITELIST = "wav,flac,mp3,aac,mov,mp4,m4a,ogg,matroska,webm"
_CONTAINER_OPTIONS = {"protocol_whitelist": "file", "format_whitelist": _DEMUXER_WHITELIST}
_URL_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_SUFFIX_PATTERN = re.compile(r"^\.[A-Za-z0-9]{1,5}$")
_UPLOAD_DIR_NAME = "uploads"


class MediaError(Exception):
    """A media file cannot be used; ``str(exc)`` is a message fit to show the user."""


@dataclass(frozen=True)
class MediaInfo:
    """What a media file contains, read from its container without decoding it.

    Attributes:
        path: the probed file.
        duration_s: length in seconds.
        has_audio: whether there is an audio stream.
        has_video: whether there is a video stream.
        width: video width in pixels, ``None`` without video.
        height: video height in pixels, ``None`` without video.
        fps: average video frame rate, ``None`` without video or when unknown.
        size_bytes: file size.
        container: container name, e.g. ``wav``, ``mp4``, ``webm``.

    """

    path: Path
    duration_s: float
    has_audio: bool
    has_video: bool
    width: int | None
    height: int | None
    fps: float | None
    size_bytes: int
    container: str


def probe_media(path: Path, settings: Settings) -> MediaInfo:
    """Read a media file's streams, length and resolution, enforcing the upload limits.

    Args:
        path: a local file (URLs and anything that is not a regular file are refused).
        settings: limits ``max_upload_mb``, ``max_media_duration_s`` and ``max_video_pixels``.

    Raises:
        MediaError: missing, empty, too big, too long, too high a resolution, or not media.

    """
    size_bytes = _checked_file_size(path, settings)
    with _open_container(path) as container:
        audio = container.streams.audio[0] if container.streams.audio else None
        video = container.streams.video[0] if container.streams.video else None
        if audio is None and video is None:
            raise MediaError(f"{path.name} has no audio or video stream.")
        width = int(video.codec_context.width) if video is not None else None
        height = int(video.codec_context.height) if video is not None else None
        fps = _stream_fps(video) if video is not None else None
        container_name = _container_name(container.format.name, path)
        duration_s = _container_duration_s(container)
    if width is not None and height is not None and width * height > settings.max_video_pixels:
        raise MediaError(
            f"The video resolution {width}x{height} is too high; the limit is {settings.max_video_pixels:,} pixels "
            "per frame (about 1080p). Please record at a lower resolution."
        )
    if duration_s is None:
        duration_s = _demuxed_duration_s(path)
    _check_duration(duration_s, settings)
    return MediaInfo(
        path=path,
        duration_s=duration_s,
        has_audio=audio is not None,
        has_video=video is not None,
        width=width,
        height=height,
        fps=fps,
        size_bytes=size_bytes,
        container=container_name,
    )


def decode_audio(path: Path, settings: Settings, sample_rate: int = 16000) -> NDArray[np.float32]:
    """Decode the first audio stream to mono float32 samples in [-1, 1].

    Args:
        path: a local media file.
        settings: upload limits, checked before decoding.
        sample_rate: output rate in Hz.

    Raises:
        MediaError: unusable file, no audio stream, or undecodable audio.

    """
    import av

    info = probe_media(path, settings)
    if not info.has_audio:
        raise MediaError(f"{path.name} has no audio track, so the answer cannot be heard.")
    max_samples = int((settings.max_media_duration_s + 1.0) * sample_rate)
    chunks: list[NDArray[np.float32]] = []
    total = 0
    resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
    try:
        with _open_container(path) as container:
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                    chunks.append(chunk)
                    total += chunk.size
                if total > max_samples:
                    raise MediaError(_too_long_message(total / sample_rate, settings))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
    except av.FFmpegError as exc:
        raise MediaError(f"The audio in {path.name} is damaged and could not be decoded.") from exc
    if not chunks:
        raise MediaError(f"{path.name} contains no audio samples.")
    audio = np.concatenate(chunks)
    return np.clip(audio, -1.0, 1.0, out=audio)


def iter_video_frames(path: Path, settings: Settings, fps: float) -> Iterator[tuple[float, NDArray[np.uint8]]]:
    """Yield ``(timestamp_s, rgb_frame)`` pairs sampled at about ``fps`` frames per second.

    Args:
        path: a local media file with a video stream.
        settings: upload limits, checked before decoding.
        fps: sampling rate; frames closer than ``1/fps`` to the last yielded one are skipped.

    Raises:
        MediaError: unusable file, no video stream, or undecodable video.

    """
    import av

    if fps <= 0:
        raise ValueError("fps must be positive")
    info = probe_media(path, settings)
    if not info.has_video:
        raise MediaError(f"{path.name} has no video track.")
    interval = 1.0 / fps
    next_time = 0.0
    try:
        with _open_container(path) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for index, frame in enumerate(container.decode(stream)):
                timestamp = _frame_time(frame.time, index, info.fps)
                if timestamp > settings.max_media_duration_s + 1.0:
                    raise MediaError(_too_long_message(timestamp, settings))
                # A small tolerance keeps e.g. 25 fps sources from skipping every other 10 fps slot.
                if timestamp + 1e-3 < next_time:
                    continue
                next_time = max(next_time + interval, timestamp + interval * 0.5)
                yield timestamp, np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
    except av.FFmpegError as exc:
        raise MediaError(f"The video in {path.name} is damaged and could not be decoded.") from exc


def write_bytes_to_temp(data: bytes, suffix: str, settings: Settings) -> Path:
    """Store uploaded bytes in a private temporary file under ``<data_dir>/uploads``.

    Args:
        data: the file content.
        suffix: file extension such as ``.webm`` (letters and digits only).
        settings: ``max_upload_mb`` and ``data_dir``.

    Raises:
        MediaError: empty data, data over the size limit, or an invalid suffix.

    """
    if not data:
        raise MediaError("The upload is empty.")
    _check_size(len(data), settings)
    if not _SUFFIX_PATTERN.match(suffix):
        raise MediaError(f"Unsupported file extension {suffix!r}.")
    upload_dir = settings.data_dir / _UPLOAD_DIR_NAME
    upload_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(suffix=suffix.lower(), prefix="upload-", dir=upload_dir)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return Path(name)


def pcm16_to_wav(pcm: bytes, sample_rate: int, out_path: Path, target_rate: int = 16000) -> Path:
    """Write raw mono PCM16 (e.g. browser microphone chunks) as a WAV file at ``target_rate``.

    Args:
        pcm: little-endian signed 16-bit mono samples.
        sample_rate: rate of ``pcm`` in Hz.
        out_path: where to write the WAV file.
        target_rate: output rate in Hz; soxr resamples when it differs.

    Raises:
        MediaError: no samples, or a non-positive sample rate.

    """
    if sample_rate <= 0 or target_rate <= 0:
        raise MediaError("The audio sample rate must be positive.")
    usable = len(pcm) - len(pcm) % 2
    if usable == 0:
        raise MediaError("No audio was recorded.")
    samples = np.frombuffer(pcm[:usable], dtype="<i2")
    if sample_rate != target_rate:
        import soxr

        resampled = soxr.resample(samples.astype(np.float32) / 32768.0, sample_rate, target_rate)
        samples = np.clip(np.round(resampled * 32768.0), -32768, 32767).astype("<i2")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out_path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(target_rate)
        wav.writeframes(samples.tobytes())
    return out_path


def _checked_file_size(path: Path, settings: Settings) -> int:
    if _URL_PATTERN.match(str(path)):
        raise MediaError("Only uploaded files can be analysed, not URLs.")
    if not path.exists():
        raise MediaError(f"The file {path.name} does not exist.")
    if not path.is_file():
        raise MediaError(f"{path.name} is not a regular file.")
    size = path.stat().st_size
    if size == 0:
        raise MediaError(f"The file {path.name} is empty.")
    _check_size(size, settings)
    return size


def _check_size(size_bytes: int, settings: Settings) -> None:
    if size_bytes > settings.max_upload_mb * 1024 * 1024:
        raise MediaError(
            f"The file is {size_bytes / 1024 / 1024:.1f} MB; the limit is {settings.max_upload_mb} MB. "
            "Please upload a shorter or smaller recording."
        )


def _check_duration(duration_s: float, settings: Settings) -> None:
    if duration_s > settings.max_media_duration_s:
        raise MediaError(_too_long_message(duration_s, settings))


def _too_long_message(duration_s: float, settings: Settings) -> str:
    return (
        f"The recording is longer than the limit ({duration_s:.0f} s > {settings.max_media_duration_s:.0f} s). "
        "Please upload a shorter answer."
    )


def _open_container(path: Path) -> av.container.InputContainer:
    import av

    try:
        container: Any = av.open("file:" + str(path.resolve()), mode="r", container_options=dict(_CONTAINER_OPTIONS))
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise MediaError(
            f"{path.name} is not a supported audio or video file (or it is damaged). Supported formats: "
            + ", ".join(sorted(ext.lstrip(".") for ext in SUPPORTED_EXTENSIONS))
            + "."
        ) from exc
    result: av.container.InputContainer = container
    return result


def _container_duration_s(container: av.container.InputContainer) -> float | None:
    if container.duration is not None and container.duration > 0:
        return float(container.duration) / 1_000_000.0
    longest: float | None = None
    for stream in container.streams:
        if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
            seconds = float(stream.duration * stream.time_base)
            longest = seconds if longest is None else max(longest, seconds)
    return longest


def _demuxed_duration_s(path: Path) -> float:
    """Measure the length from packet timestamps when the container does not state it.

    Browser ``MediaRecorder`` WebM files have no duration header; reading packets (no
    decoding) is cheap and bounded by the upload size limit.
    """
    import av

    end = 0.0
    try:
        with _open_container(path) as container:
            for packet in container.demux():
                if packet.pts is None or packet.time_base is None:
                    continue
                packet_end = packet.pts + (packet.duration or 0)
                end = max(end, float(packet_end * packet.time_base))
    except av.FFmpegError as exc:
        raise MediaError(f"{path.name} is damaged and could not be read.") from exc
    return end


def _stream_fps(stream: Any) -> float | None:
    rate: Fraction | None = stream.average_rate or stream.guessed_rate
    if rate is None or rate <= 0:
        return None
    return float(rate)


def _frame_time(frame_time: float | None, index: int, fps: float | None) -> float:
    if frame_time is not None:
        return max(0.0, float(frame_time))
    return index / fps if fps else float(index)


def _container_name(format_name: str, path: Path) -> str:
    names = format_name.split(",")
    extension = path.suffix.lower().lstrip(".")
    return extension if extension in names else names[0]
