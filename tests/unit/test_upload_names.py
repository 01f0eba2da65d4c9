"""Upload names choose no path: chat element files and answer recordings are stored under server-chosen names.

Finding 4 of issue 12: a chat upload named ``<A-uuid>/<elem>/<name>`` replaced A's file,
``../../x.wav`` was written outside the user's folder, a NUL byte raised an unhandled
``ValueError``, and recordings kept the user's extension whatever their content.
"""

from __future__ import annotations

import asyncio
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from interview_coach.core.settings import Settings
from interview_coach.ui import files
from interview_coach.ui.chat_store import LocalStorageClient, stored_key

ALICE, BOB = "a" * 8 + "-aaaa-4aaa-8aaa-" + "a" * 12, "b" * 8 + "-bbbb-4bbb-8bbb-" + "b" * 12
ALICE_ELEMENT, BOB_ELEMENT = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
ATTACK_NAMES = [
    f"{ALICE}/{ALICE_ELEMENT}/file.wav",
    f"../../{ALICE}/{ALICE_ELEMENT}/file.wav",
    "../../x.wav",
    "../../../outside.wav",
    "/etc/passwd",
    "a\x00b.wav",
    "answer.wav\x00.png",
    "..",
    "",
]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorageClient:
    client = LocalStorageClient(tmp_path / "elements")
    asyncio.run(client.upload_file(f"{ALICE}/{ALICE_ELEMENT}/answer.wav", b"alice's recording", "audio/wav"))
    return client


@pytest.mark.parametrize("name", ATTACK_NAMES)
def test_an_upload_name_chooses_no_path(storage: LocalStorageClient, name: str) -> None:
    alice_file = storage.root / ALICE / ALICE_ELEMENT / "file.wav"
    before = {p for p in storage.root.rglob("*")}

    result = asyncio.run(storage.upload_file(f"{BOB}/{BOB_ELEMENT}/{name}", b"bob's bytes", "audio/wav"))

    assert result["object_key"] == f"{BOB}/{BOB_ELEMENT}/file.wav"
    assert alice_file.read_bytes() == b"alice's recording"
    created = {p for p in storage.root.rglob("*")} - before
    assert created and all(
        p.is_relative_to(storage.root / BOB / BOB_ELEMENT) or p == storage.root / BOB for p in created
    )
    assert (storage.root / BOB / BOB_ELEMENT / "file.wav").read_bytes() == b"bob's bytes"


@pytest.mark.parametrize(
    "key",
    [
        "../x/file",
        f"{BOB}",
        f"{BOB}/../x",
        f"..%2f/{BOB_ELEMENT}/a",
        f"{BOB}/a\x00b/c",
        "/abs/elem/name",
        f"unknown/{BOB_ELEMENT}/a.wav",
    ],
)
def test_keys_without_a_server_user_and_element_id_store_nothing(storage: LocalStorageClient, key: str) -> None:
    before = sorted(storage.root.rglob("*"))
    assert asyncio.run(storage.upload_file(key, b"x", "audio/wav")) == {}
    assert sorted(storage.root.rglob("*")) == before


@pytest.mark.parametrize(
    ("mime", "suffix"),
    [
        ("audio/webm", ".webm"),
        ("video/mp4", ".mp4"),
        ("text/markdown", ".md"),
        ("text/x-shellscript", ".bin"),
        ("", ".bin"),
    ],
)
def test_the_stored_extension_comes_from_the_declared_type_not_the_name(mime: str, suffix: str) -> None:
    assert stored_key(f"{BOB}/{BOB_ELEMENT}/evil.html", mime) == f"{BOB}/{BOB_ELEMENT}/file{suffix}"


def test_element_files_and_folders_are_private(storage: LocalStorageClient) -> None:
    stored = storage.root / ALICE / ALICE_ELEMENT / "file.wav"
    assert mode(stored) == 0o600
    assert mode(stored.parent) == 0o700 and mode(storage.root / ALICE) == 0o700 and mode(storage.root) == 0o700


def test_deleting_an_owner_removes_only_their_folder(storage: LocalStorageClient) -> None:
    asyncio.run(storage.upload_file(f"{BOB}/{BOB_ELEMENT}/b.wav", b"bob", "audio/wav"))
    assert storage.delete_owner(ALICE) == 1
    assert not (storage.root / ALICE).exists()
    assert (storage.root / BOB / BOB_ELEMENT / "file.wav").is_file()
    assert storage.delete_owner("..") == 0 and storage.root.is_dir()


@pytest.mark.parametrize("name", ["a\x00b.wav", "x" * 500 + ".wav", "line\nbreak\r.wav", "\x00"])
def test_display_names_are_printable_and_short(name: str) -> None:
    shown = files.display_name(name)
    assert shown.isprintable() and 0 < len(shown) <= 120


# Answer recordings: the stored extension comes from the container PyAV finds in the bytes.


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


def _ffmpeg(out: Path, *args: str) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to make test recordings")
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", *args, "-y", str(out)], check=True)
    return out


RECORDINGS = {
    # what the browser or phone made -> (ffmpeg arguments, extension it is stored under, kind)
    "webm": (["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libopus", "-f", "webm"], ".webm", "audio"),
    "m4a": (["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", "-f", "mp4"], ".m4a", "audio"),
    "wav": (["-f", "lavfi", "-i", "sine=duration=1", "-f", "wav"], ".wav", "audio"),
    "mp4": (
        ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1", "-c:v", "libx264", "-f", "mp4"],
        ".mp4",
        "video",
    ),
}


@pytest.mark.parametrize("made_as", sorted(RECORDINGS))
@pytest.mark.parametrize("uploaded_as", [".wav", ".mp3", ".mov"])
def test_recordings_are_stored_under_the_extension_of_their_content(
    settings: Settings, tmp_path: Path, made_as: str, uploaded_as: str
) -> None:
    args, expected_suffix, expected_kind = RECORDINGS[made_as]
    upload = _ffmpeg(tmp_path / f"upload{uploaded_as}", *args)

    stored, kind = files.store_answer_file(settings, "bob", "session-1", "q1", upload)

    assert stored == (files.session_dir(settings, "bob", "session-1") / f"q1{expected_suffix}").resolve()
    assert kind == expected_kind and not upload.exists()
    assert mode(stored) == 0o600
    assert files.answer_media(settings, "bob", "session-1") == {"q1": stored}


def test_a_new_recording_replaces_the_earlier_one_of_the_same_question(settings: Settings, tmp_path: Path) -> None:
    first, _ = files.store_answer_file(settings, "bob", "s", "q1", _ffmpeg(tmp_path / "a.wav", *RECORDINGS["wav"][0]))
    second, _ = files.store_answer_file(settings, "bob", "s", "q1", _ffmpeg(tmp_path / "b.wav", *RECORDINGS["webm"][0]))
    assert not first.exists() and second.suffix == ".webm"
    assert list(files.answer_media(settings, "bob", "s")) == ["q1"]


@pytest.mark.parametrize(
    ("session_id", "question_id", "suffix"),
    [
        ("..", "q1", ".wav"),
        ("s", "../q1", ".wav"),
        ("s/../../x", "q1", ".wav"),
        ("s", "q1", ".sh"),
        ("s", "q\x001", ".wav"),
    ],
)
def test_answer_paths_refuse_unsafe_parts(settings: Settings, session_id: str, question_id: str, suffix: str) -> None:
    with pytest.raises(ValueError):
        files.answer_path(settings, "bob", session_id, question_id, suffix)
    assert not any(p.is_file() for p in settings.data_dir.rglob("*"))


def test_every_folder_on_the_way_to_a_recording_is_private(settings: Settings) -> None:
    target = files.answer_path(settings, "bob", "s", "q1", ".wav")
    for folder in [target.parent, files.user_dir(settings, "bob"), settings.data_dir / "media"]:
        assert mode(folder) == 0o700, folder
    written = files.write_private(files.export_dir(settings, "bob", "s") / "report.md", b"# report")
    assert mode(written) == 0o600 and mode(written.parent) == 0o700


def test_inside_refuses_paths_that_leave_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    assert files.inside(root, root / "a" / ".." / "b") == (root / "b").resolve()
    for escape in [root / ".." / "x", root, root / "a\x00"]:
        with pytest.raises(files.UnsafePathError):
            files.inside(root, escape)
