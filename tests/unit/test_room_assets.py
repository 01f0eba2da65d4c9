"""The room's served texts and files, and the per-user room profile (real files, no Chainlit import)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from interview_coach.core.settings import Settings
from interview_coach.ui import files
from interview_coach.ui.chainlit.assets import (
    NO_LLM_FOOTER,
    WELCOME,
    WELCOME_FILE,
    footer_text,
    install_room_assets,
    room_translation,
)
from interview_coach.ui.chainlit.profile import load_profile, profile_path, save_profile


def chainlit_translations() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("chainlit")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "translations"


def test_the_footer_names_what_writes_the_feedback(tmp_path: Path) -> None:
    assert footer_text(Settings(data_dir=tmp_path)) == NO_LLM_FOOTER
    with_llm = footer_text(Settings(data_dir=tmp_path, llm_model="openai:gpt-4.1-mini"))
    assert "openai:gpt-4.1-mini" in with_llm and "can make mistakes" in with_llm
    assert "LLM" not in NO_LLM_FOOTER and "language model runs" in NO_LLM_FOOTER


def test_room_texts_replace_the_stock_wording_and_keep_the_rest(tmp_path: Path) -> None:
    stock = json.loads((chainlit_translations() / "en-US.json").read_text("utf-8"))
    texts = room_translation(stock, Settings(data_dir=tmp_path))
    login = texts["auth"]["login"]
    assert login["form"]["email"]["label"] == "User name"
    assert login["errors"]["credentialssignin"] == login["errors"]["credentialsSignin"]
    assert texts["chat"]["watermark"] == NO_LLM_FOOTER
    assert texts["common"]["actions"] == stock["common"]["actions"], "keys the room does not reword stay"
    assert "Email address" not in json.dumps(texts)


def test_install_writes_every_language_and_the_public_files(tmp_path: Path) -> None:
    root = tmp_path / "chainlit"
    install_room_assets(root, Settings(data_dir=tmp_path), chainlit_translations())
    written = {p.stem: json.loads(p.read_text("utf-8")) for p in (root / ".chainlit" / "translations").glob("*.json")}
    assert {"en-US", "de-DE", "fr-FR"} <= set(written)
    assert {json.dumps(t, sort_keys=True) for t in written.values()} == {json.dumps(written["en-US"], sort_keys=True)}
    public = root / "public"
    assert (public / "room.js").is_file() and (public / "room.css").is_file()
    assert (public / "elements" / "EvidencePlayer.jsx").is_file()
    assert json.loads((public / WELCOME_FILE).read_text("utf-8"))["steps"] == list(WELCOME)


def test_profile_round_trip_is_per_user_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    saved = save_profile(settings, "alice", {"name": "  Alice Example ", "question_count": 7, "camera_off": True})
    assert saved.name == "Alice Example"
    loaded = load_profile(settings, "alice")
    assert (loaded.name, loaded.question_count, loaded.camera_off) == ("Alice Example", 7, True)
    assert load_profile(settings, "bob").name == "Candidate"
    assert load_profile(settings, "bob").question_count == settings.default_question_count
    mode = stat.S_IMODE(profile_path(settings, "alice").stat().st_mode)
    assert mode == files.PRIVATE_FILE_MODE


def test_bad_profile_values_are_refused_and_lose_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    save_profile(settings, "alice", {"name": "Alice"})
    with pytest.raises(ValidationError):
        save_profile(settings, "alice", {"name": "Alice B", "question_count": 50})
    assert load_profile(settings, "alice").name == "Alice"


def test_a_damaged_profile_falls_back_to_defaults(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    save_profile(settings, "alice", {"name": "Alice"})
    profile_path(settings, "alice").write_text("{not json")
    assert load_profile(settings, "alice").name == "Candidate"


def test_deleting_a_users_files_deletes_their_profile(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    save_profile(settings, "alice", {"name": "Alice"})
    files.delete_user_files(settings, "alice")
    assert not profile_path(settings, "alice").exists()
