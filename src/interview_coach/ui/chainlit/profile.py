"""The candidate's room profile (name and interview settings), kept per user across chats.

Stored server-side next to the user's recordings (``files.user_dir``), so deleting the user's
data deletes it too. Imports nothing from Chainlit.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interview_coach.core.settings import Settings
from interview_coach.domain import InterviewMode, Seniority
from interview_coach.ui import files

logger = logging.getLogger(__name__)
PROFILE_FILE = "room_profile.json"


class RoomProfile(BaseModel):
    """What the settings panel shows when a chat starts."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(default="Candidate", max_length=100)
    mode: InterviewMode = InterviewMode.PRACTICE
    question_count: int = Field(default=5, ge=1, le=10)
    seniority: Seniority = Seniority.MID
    behavioral: bool = True
    technical: bool = True
    situational: bool = True
    camera_off: bool = False
    opt_out_voice: bool = False
    opt_out_face: bool = False
    opt_out_gesture: bool = False
    keep_camera_recordings: bool = False
    speak_questions: bool = True
    live_hints: bool = True


def profile_path(settings: Settings, user_id: str) -> Path:
    """Return where a user's room profile is stored."""
    return files.user_dir(settings, user_id) / PROFILE_FILE


def load_profile(settings: Settings, user_id: str) -> RoomProfile:
    """Return the user's saved profile, or the defaults (a damaged file is logged and ignored)."""
    defaults = RoomProfile(question_count=settings.default_question_count)
    try:
        path = profile_path(settings, user_id)
        if not path.is_file():
            return defaults
        return RoomProfile.model_validate_json(path.read_text("utf-8"))
    except (OSError, ValueError, ValidationError) as exc:
        logger.warning("Ignoring the room profile of %s: %s", user_id, exc)
        return defaults


def save_profile(settings: Settings, user_id: str, options: dict[str, Any]) -> RoomProfile:
    """Validate the settings panel's values and store them as the user's profile.

    Raises:
        ValidationError: a value is out of range (the stored profile is left as it was).
    """
    values = {k: v for k, v in options.items() if k in RoomProfile.model_fields and v is not None}
    if isinstance(values.get("name"), str):
        values["name"] = values["name"].strip()[:100] or "Candidate"
    profile = RoomProfile.model_validate(values)
    path = profile_path(settings, user_id)
    files.write_private(path, profile.model_dump_json(indent=2).encode("utf-8"))
    return profile
