"""Build a short synthetic "video answer" from scikit-image's astronaut photo (demo, tests, evals).

The face moves slightly; during ``look_away_at`` it is either turned away (a 3-D rotation of
the face mesh, warped piecewise-affinely so the face landmarker really sees a turned head) or
blanked out (no face at all). Frames are piped to ffmpeg and never stored separately.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from interview_coach.core.settings import Settings
from interview_coach.tools.face.models import face_model_path

RgbFrame = NDArray[np.uint8]
AwayStyle = Literal["turn", "blank"]

TURN_YAW_DEG = 40.0
BLANK_GREY = 128
_FFMPEG_TIMEOUT_S = 300


class SampleVideoError(RuntimeError):
    """ffmpeg is missing or failed to write the sample video."""


@lru_cache(maxsize=1)
def _astronaut() -> RgbFrame:
    from skimage import data

    images: Any = data  # scikit-image is only partly typed
    return np.ascontiguousarray(images.astronaut(), dtype=np.uint8)


def turned_face_image(yaw_deg: float, pitch_deg: float = 0.0, settings: Settings | None = None) -> RgbFrame:
    """Return the 512x512 astronaut photo with the head turned in 3-D (labelled gaze data).

    Args:
        yaw_deg: > 0 turns the face towards the right of the image.
        pitch_deg: > 0 tilts the face down.
        settings: used to find the face model; defaults to ``Settings()``.
    """
    return _rotated_astronaut(float(yaw_deg), float(pitch_deg), face_model_path(settings or Settings())).copy()


@lru_cache(maxsize=8)
def _rotated_astronaut(yaw_deg: float, pitch_deg: float, model: Path) -> RgbFrame:
    """Rotate the astronaut's face mesh in 3-D and warp the photo piecewise-affinely to match."""
    import mediapipe as mp
    from mediapipe.tasks import python as mpt
    from mediapipe.tasks.python import vision
    from skimage import transform as skimage_transform

    transforms: Any = skimage_transform  # scikit-image is only partly typed

    image = _astronaut()
    height, width = image.shape[:2]
    options = vision.FaceLandmarkerOptions(base_options=mpt.BaseOptions(model_asset_path=str(model)), num_faces=1)
    with vision.FaceLandmarker.create_from_options(options) as landmarker:
        result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=image))
    if not result.face_landmarks:
        raise SampleVideoError("The face landmarker found no face in the astronaut photo.")
    mesh = np.array([(p.x * width, p.y * height, p.z * width) for p in result.face_landmarks[0]])
    centre = mesh.mean(axis=0)
    yaw, pitch = math.radians(yaw_deg), math.radians(pitch_deg)
    rel = mesh - centre
    # Landmark z grows away from the camera, so the nose (z < 0) moves to +x for a positive
    # yaw and to +y (down) for a positive pitch.
    turned_x = rel[:, 0] * math.cos(yaw) - rel[:, 2] * math.sin(yaw)
    depth = rel[:, 0] * math.sin(yaw) + rel[:, 2] * math.cos(yaw)
    turned_y = rel[:, 1] * math.cos(pitch) - depth * math.sin(pitch)
    edge = np.linspace(0, 1, 6)
    border = np.array(
        [(x * (width - 1), y * (height - 1)) for x in edge for y in edge if x in (0.0, 1.0) or y in (0.0, 1.0)]
    )
    target = np.vstack([np.column_stack([turned_x + centre[0], turned_y + centre[1]]), border])
    source = np.vstack([mesh[:, :2], border])
    transform = transforms.PiecewiseAffineTransform.from_estimate(target, source)
    if not transform:
        raise SampleVideoError("Could not build the face-turn warp.")
    warped = transforms.warp(image, transform, output_shape=(height, width), preserve_range=True)
    return np.ascontiguousarray(np.clip(warped, 0, 255).astype(np.uint8))


def _fit(image: RgbFrame, width: int, height: int) -> RgbFrame:
    """Crop the top of ``image`` to the target aspect ratio and resize it."""
    import cv2

    source_h, source_w = image.shape[:2]
    crop_h = min(source_h, round(source_w * height / width))
    crop_w = min(source_w, round(crop_h * width / height))
    left = (source_w - crop_w) // 2
    crop = image[:crop_h, left : left + crop_w]
    return np.ascontiguousarray(cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA))


def _tile(image: RgbFrame, width: int, height: int, faces: int) -> RgbFrame:
    tile_w = width // faces
    tiles = [_fit(image, tile_w, height) for _ in range(faces)]
    canvas = np.full((height, width, 3), BLANK_GREY, dtype=np.uint8)
    canvas[:, : tile_w * faces] = np.hstack(tiles)
    return canvas


def _shift(frame: RgbFrame, time_s: float) -> RgbFrame:
    """Move the picture a few pixels, like a person who is never perfectly still."""
    import cv2

    dx = 4.0 * math.sin(2 * math.pi * 0.5 * time_s)
    dy = 3.0 * math.sin(2 * math.pi * 0.3 * time_s + 1.0)
    matrix = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
    height, width = frame.shape[:2]
    return np.ascontiguousarray(cv2.warpAffine(frame, matrix, (width, height), borderMode=cv2.BORDER_REFLECT))


def sample_frames(
    *,
    duration_s: float,
    fps: float = 15.0,
    size: tuple[int, int] = (640, 480),
    look_away_at: tuple[float, float] | None = (2.0, 3.0),
    away_style: AwayStyle = "turn",
    faces: int = 1,
    settings: Settings | None = None,
) -> Iterator[tuple[float, RgbFrame]]:
    """Yield ``(timestamp_s, rgb)`` frames of the synthetic answer (see :func:`make_sample_video`)."""
    if duration_s <= 0 or fps <= 0 or faces < 1:
        raise ValueError("duration_s and fps must be positive and faces at least 1")
    width, height = size
    facing = _tile(_astronaut(), width, height, faces)
    away = np.full_like(facing, BLANK_GREY)
    if look_away_at is not None and away_style == "turn":
        model = face_model_path(settings or Settings())
        away = _tile(_rotated_astronaut(TURN_YAW_DEG, 0.0, model), width, height, faces)
    for index in range(round(duration_s * fps)):
        time_s = index / fps
        looking_away = look_away_at is not None and look_away_at[0] <= time_s < look_away_at[1]
        yield time_s, _shift(away if looking_away else facing, time_s)


def make_sample_video(
    audio_path: Path | None,
    out_path: Path,
    *,
    duration_s: float,
    look_away_at: tuple[float, float] | None = (2.0, 3.0),
    away_style: AwayStyle = "turn",
    faces: int = 1,
    fps: float = 15.0,
    size: tuple[int, int] = (640, 480),
    settings: Settings | None = None,
) -> Path:
    """Write an H.264 mp4 of the astronaut answering, muxed with ``audio_path`` when given.

    Args:
        audio_path: audio to mux in (cut to the video length), or ``None`` for a silent video.
        out_path: the mp4 to write.
        duration_s: video length in seconds; 0 (or less) takes the length of ``audio_path``.
        look_away_at: ``(start_s, end_s)`` when the face turns away or disappears; ``None`` for never.
        away_style: ``"turn"`` rotates the face about 40 degrees towards the right of the frame;
            ``"blank"`` replaces the picture with grey (no face).
        faces: how many astronauts side by side (2 tests multiple-face detection).
        fps: frame rate.
        size: ``(width, height)`` in pixels (even numbers for H.264).
        settings: used to find the face model for ``"turn"``; defaults to ``Settings()``.

    Raises:
        SampleVideoError: ffmpeg is not installed or failed.
        MediaError: ``duration_s`` is 0 and the audio file cannot be read.
        ValueError: ``duration_s`` is 0 without audio.

    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise SampleVideoError("ffmpeg is not installed (apt-get install ffmpeg).")
    settings = settings or Settings()
    if duration_s <= 0:
        if audio_path is None:
            raise ValueError("duration_s must be positive when there is no audio to take the length from")
        from interview_coach.tools.media.decode import probe_media

        duration_s = probe_media(audio_path, settings).duration_s
    width, height = size
    command = [
        ffmpeg,
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-r",
        f"{fps:g}",
        "-i",
        "pipe:0",
    ]
    if audio_path is not None:
        command += ["-i", str(audio_path), "-map", "0:v", "-map", "1:a", "-c:a", "aac", "-b:a", "96k"]
    command += [
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-pix_fmt",
        "yuv420p",
        "-t",
        f"{duration_s:.3f}",
        "-movflags",
        "+faststart",
        str(out_path),
    ]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    frames = sample_frames(
        duration_s=duration_s,
        fps=fps,
        size=size,
        look_away_at=look_away_at,
        away_style=away_style,
        faces=faces,
        settings=settings,
    )
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        assert process.stdin is not None and process.stderr is not None
        try:
            for _, frame in frames:
                process.stdin.write(frame.tobytes())
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its exit code and message below say why
        finally:
            process.stdin.close()
        error = process.stderr.read().decode(errors="replace")
        code = process.wait(timeout=_FFMPEG_TIMEOUT_S)
    if code != 0:
        raise SampleVideoError(f"ffmpeg failed ({code}): {error.strip()[-500:]}")
    return out_path
