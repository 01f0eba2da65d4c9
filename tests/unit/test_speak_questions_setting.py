"""The "Speak the questions" switch is part of the room profile and of the settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from interview_coach.core.settings import Settings
from interview_coach.ui.chainlit.profile import load_profile, save_profile


def test_questions_are_spoken_unless_switched_off(settings: Settings) -> None:
    assert load_profile(settings, "ann").speak_questions is True
    save_profile(settings, "ann", {"speak_questions": False, "name": "Ann"})
    assert load_profile(settings, "ann").speak_questions is False
    assert load_profile(settings, "ben").speak_questions is True


def test_a_bad_switch_value_keeps_the_stored_profile(settings: Settings) -> None:
    save_profile(settings, "ann", {"speak_questions": False})
    with pytest.raises(ValidationError):
        save_profile(settings, "ann", {"speak_questions": "sometimes"})
    assert load_profile(settings, "ann").speak_questions is False


@pytest.mark.parametrize("engine", ["piper", "espeak", "off"])
def test_engine_is_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    monkeypatch.setenv("INTERVIEW_COACH_TTS_ENGINE", engine)
    assert Settings(_env_file=None).tts_engine == engine


def test_an_unknown_engine_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_COACH_TTS_ENGINE", "festival")
    with pytest.raises(ValidationError, match="tts_engine"):
        Settings(_env_file=None)
