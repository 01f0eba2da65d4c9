"""Faces in one still image: head pose, gaze and blendshapes per face, small faces included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from interview_coach.domain.face import ImageFace, ImageFaceResult
from interview_coach.tools.face.frames import CHANNELS
from interview_coach.tools.face.gaze import EYE_CONTACT_YAW_DEG
from interview_coach.tools.face.geometry import gaze_angles, head_pose_from_matrix, iris_offset
from interview_coach.tools.face.landmarkers import (
    Box,
    RgbFrame,
    blendshape_scores,
    box_area,
    face_box,
    face_options,
    face_points,
    mp_image,
    open_landmarker,
)

IMAGE_MAX_FACES = 10
MIN_TILED_IMAGE_SIDE = 256
# A still has no first seconds to calibrate on, and people look into a camera with their own
# head-pitch habit (the astronaut photo: head bowed ~15 degrees): allow more pitch than yaw.
IMAGE_EYE_CONTACT_PITCH_DEG = 20.0
SAME_FACE_OVERLAP = 0.5


def find_faces(model: Path, rgb: RgbFrame, *, find_small_faces: bool) -> ImageFaceResult:
    """Find faces in one RGB image (already checked to be ``(height, width, 3)``), largest first.

    Args:
        model: the FaceLandmarker ``.task`` file.
        rgb: the image.
        find_small_faces: also search four overlapping quarter tiles and merge duplicates.

    Raises:
        VisionModelMissingError: mediapipe cannot load ``model``.

    """
    from mediapipe.tasks.python import vision

    height, width = rgb.shape[:2]
    regions = [(0, 0, width, height)]
    if find_small_faces and min(width, height) >= MIN_TILED_IMAGE_SIDE:
        regions += _quarter_tiles(width, height)
    options = face_options(model, video=False, max_faces=IMAGE_MAX_FACES)
    faces: list[ImageFace] = []
    with open_landmarker(vision.FaceLandmarker, options, "face_model_path", model) as landmarker:
        for region in regions:
            x0, y0, x1, y1 = region
            result = landmarker.detect(mp_image(rgb[y0:y1, x0:x1]))
            for index in range(len(result.face_landmarks or [])):
                face = _image_face(result, index, region, (width, height))
                if not any(_overlap(face.box, kept.box) > SAME_FACE_OVERLAP for kept in faces):
                    faces.append(face)
    faces.sort(key=lambda f: -box_area(f.box))
    return ImageFaceResult(width=width, height=height, face_count=len(faces), faces=faces)


def _quarter_tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Four tiles of 65 % of each side, overlapping so a small face is whole in at least one."""
    tile_w, tile_h = round(width * 0.65), round(height * 0.65)
    return [(x, y, x + tile_w, y + tile_h) for x in (0, width - tile_w) for y in (0, height - tile_h)]


def _overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box, so a partial face found in a tile matches the whole one."""
    inter = box_area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
    smaller = min(box_area(a), box_area(b))
    return inter / smaller if smaller > 0 else 0.0


def _image_face(result: Any, index: int, region: tuple[int, int, int, int], size: tuple[int, int]) -> ImageFace:
    x_offset, y_offset, x_end, y_end = region
    width, height = size
    points = face_points(result.face_landmarks[index], x_end - x_offset, y_end - y_offset)
    pose = head_pose_from_matrix(result.facial_transformation_matrixes[index])
    scores = blendshape_scores(result.face_blendshapes[index])
    eye_down = float(
        np.mean([scores.get(n, 0.0) for n in CHANNELS["eye_down"]])
        - np.mean([scores.get(n, 0.0) for n in CHANNELS["eye_up"]])
    )
    gaze_yaw, gaze_pitch = gaze_angles(pose, iris_offset(points), eye_down)
    x0, y0, x1, y1 = face_box(points)
    return ImageFace(
        box=(
            round((x0 + x_offset) / width, 4),
            round((y0 + y_offset) / height, 4),
            round((x1 + x_offset) / width, 4),
            round((y1 + y_offset) / height, 4),
        ),
        yaw=round(pose.yaw, 2),
        pitch=round(pose.pitch, 2),
        roll=round(pose.roll, 2),
        gaze_yaw=round(gaze_yaw, 2),
        gaze_pitch=round(gaze_pitch, 2),
        looking_at_camera=abs(gaze_yaw) <= EYE_CONTACT_YAW_DEG and abs(gaze_pitch) <= IMAGE_EYE_CONTACT_PITCH_DEG,
        blendshapes={k: round(v, 4) for k, v in scores.items()},
    )
