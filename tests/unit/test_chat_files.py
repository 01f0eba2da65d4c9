"""Chat file storage: keys resolve inside the root and the owner comes from the normalised path."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_coach.ui.chat_store import LocalStorageClient

ALICE, BOB = "a" * 32, "b" * 32


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorageClient:
    client = LocalStorageClient(tmp_path / "files")
    target = client.root / ALICE / "element" / "answer.wav"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"RIFF")
    return client


@pytest.mark.parametrize(
    "key",
    [f"{BOB}/../{ALICE}/element/answer.wav", f"{BOB}/x/../../{ALICE}/element/answer.wav"],
)
def test_a_traversal_key_belongs_to_the_folder_it_resolves_into(storage: LocalStorageClient, key: str) -> None:
    path = storage.path_for(key)
    assert path is not None and path.is_file()
    # The raw key starts with Bob's id, but the file is Alice's: the route compares this owner.
    assert storage.owner_of(path) == ALICE


@pytest.mark.parametrize("key", ["../outside.wav", f"{ALICE}/../../outside.wav", "a\x00b", "/etc/passwd"])
def test_keys_outside_the_root_or_with_nul_are_refused(storage: LocalStorageClient, key: str) -> None:
    assert storage.path_for(key) is None


def test_a_file_directly_under_the_root_has_no_owner(storage: LocalStorageClient) -> None:
    stray = storage.root / "stray.wav"
    stray.write_bytes(b"x")
    assert storage.owner_of(stray) is None
