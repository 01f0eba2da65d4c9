"""The room's notices for a recording that ended without the candidate's stop: limit and device lost."""

from __future__ import annotations

import pytest

from interview_coach.core.settings import Settings
from interview_coach.ui.chainlit.recording_texts import CAMERA_TEXTS, device_lost_text, duration_words, limit_text


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(900.0, "15 minutes"), (60.0, "1 minute"), (90.0, "90 seconds"), (6.0, "6 seconds"), (1.0, "1 second")],
)
def test_a_limit_is_worded_in_minutes_when_it_is_whole_minutes(seconds: float, words: str) -> None:
    assert duration_words(seconds) == words


def test_the_limit_notice_names_the_configured_limit() -> None:
    default = Settings.model_fields["max_media_duration_s"].default
    assert "limit of 15 minutes per answer" in limit_text(default)
    assert "kept and analysed" in limit_text(default)


@pytest.mark.parametrize(
    ("kinds", "device"),
    [
        (["audio"], "microphone"),
        (["video"], "camera"),
        (["audio", "video"], "camera and microphone"),
        ([], "camera or microphone"),
    ],
)
def test_the_device_lost_notice_names_the_devices_whose_tracks_ended(kinds: list[str], device: str) -> None:
    assert device_lost_text(kinds).startswith(f"Your {device} stopped during the answer")


def test_the_camera_recorder_shows_the_same_device_lost_notice_before_the_server_names_the_devices() -> None:
    assert CAMERA_TEXTS["device_lost"] == device_lost_text([])
