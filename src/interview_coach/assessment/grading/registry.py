"""Versioned model registry: ``<root>/<kind>/<version>/`` folders with model cards and an ACTIVE pointer.

Layout for one kind (``grader`` now, ``llm`` later)::

    <root>/<kind>/ACTIVE                  # name of the active version (one line)
    <root>/<kind>/history.json            # promotion stack and an event log, for rollback
    <root>/<kind>/<version>/model_card.json
    <root>/<kind>/<version>/MODEL_CARD.md
    <root>/<kind>/<version>/...           # the model files named in model_card.json["files"]

Versions are named ``<kind>-YYYYMMDD-HHMMSS-<shorthash>``. The models bundled with the package
(``interview_coach/data/models/<kind>/<version>/``) are versions too: when no user model is
active, the newest bundled one is.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

ModelCard: TypeAlias = dict[str, Any]
"""A model card as stored in ``model_card.json``: a free-form JSON document (metrics nest by split)."""

BUNDLED_ROOT = Path(__file__).resolve().parents[2] / "data" / "models"
"""Models shipped inside the package (read-only)."""
CARD_JSON = "model_card.json"
CARD_MD = "MODEL_CARD.md"
ACTIVE_FILE = "ACTIVE"
HISTORY_FILE = "history.json"


class RegistryError(RuntimeError):
    """A registry operation is impossible (unknown version, nothing to roll back to...)."""


class CorruptModelError(RegistryError):
    """A model folder exists but its card or files are missing or unreadable."""


@dataclass(frozen=True)
class ModelInfo:
    """One registered model version.

    Attributes:
        kind: model kind (``grader``...).
        version: version name.
        path: the version folder.
        card: the parsed ``model_card.json``.
        bundled: whether it ships with the package (read-only).
        active: whether it is the active version of its kind.
    """

    kind: str
    version: str
    path: Path
    card: ModelCard = field(default_factory=dict)
    bundled: bool = False
    active: bool = False


def new_version(kind: str, content_hash: str, when: datetime | None = None) -> str:
    """Name a new version: ``<kind>-YYYYMMDD-HHMMSS-<first 8 hex of content_hash>``."""
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"{kind}-{stamp}-{content_hash[:8]}"


def file_sha256(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_card(folder: Path) -> ModelCard:
    """Read and check a version folder's card; every file it lists must exist with its hash.

    Raises:
        CorruptModelError: when the card is missing or invalid, or a listed file is missing or altered.
    """
    try:
        card = json.loads((folder / CARD_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorruptModelError(f"{folder}: cannot read {CARD_JSON} ({exc})") from exc
    if not isinstance(card, dict) or not isinstance(card.get("files", {}), dict):
        raise CorruptModelError(f"{folder}: {CARD_JSON} is not a JSON object with a 'files' mapping")
    for name, digest in card.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            raise CorruptModelError(f"{folder}: model file {name} is missing")
        if digest and file_sha256(path) != digest:
            raise CorruptModelError(f"{folder}: model file {name} does not match its recorded hash")
    return card


def render_card_markdown(card: ModelCard) -> str:
    """Render a model card dict as readable Markdown (sections for nested mappings)."""
    lines = [f"# Model card: {card.get('version', '?')}", ""]
    if card.get("description"):
        lines += [str(card["description"]), ""]
    for key, value in card.items():
        if key in {"version", "description"}:
            continue
        if isinstance(value, dict):
            lines += [f"## {key}", ""]
            lines += [f"- **{k}**: {json.dumps(v) if isinstance(v, dict | list) else v}" for k, v in value.items()]
            lines.append("")
        elif isinstance(value, list):
            lines += [f"## {key}", "", *[f"- {v}" for v in value], ""]
        else:
            lines.append(f"- **{key}**: {value}")
    return "\n".join(lines).rstrip() + "\n"


def write_card(folder: Path, card: ModelCard) -> None:
    """Write ``model_card.json`` and ``MODEL_CARD.md`` into ``folder``."""
    (folder / CARD_JSON).write_text(json.dumps(card, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    (folder / CARD_MD).write_text(render_card_markdown(card), encoding="utf-8")


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _versions_in(base: Path, kind: str, bundled: bool) -> list[ModelInfo]:
    folder = base / kind
    if not folder.is_dir():
        return []
    found: list[ModelInfo] = []
    for path in sorted(p for p in folder.iterdir() if p.is_dir() and p.name.startswith(f"{kind}-")):
        try:
            card = read_card(path)
        except CorruptModelError:
            card = {"corrupt": True}
        found.append(ModelInfo(kind=kind, version=path.name, path=path, card=card, bundled=bundled))
    return found


def _read_history(root: Path, kind: str) -> dict[str, Any]:
    path = root / kind / HISTORY_FILE
    if not path.is_file():
        return {"stack": [], "events": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise RegistryError(f"{path} is not valid JSON ({exc})") from exc
    return data if isinstance(data, dict) else {"stack": [], "events": []}


def _find(root: Path, kind: str, version: str, bundled_root: Path) -> ModelInfo | None:
    for info in [*_versions_in(root, kind, False), *_versions_in(bundled_root, kind, True)]:
        if info.version == version:
            return info
    return None


def list_models(root: Path, kind: str, *, bundled_root: Path = BUNDLED_ROOT) -> list[ModelInfo]:
    """All versions of ``kind``: user ones under ``root`` then bundled ones, the active one flagged."""
    current = active(root, kind, bundled_root=bundled_root)
    infos = [*_versions_in(root, kind, False), *_versions_in(bundled_root, kind, True)]
    return [
        ModelInfo(i.kind, i.version, i.path, i.card, i.bundled, current is not None and i.path == current.path)
        for i in infos
    ]


def active(root: Path, kind: str, *, bundled_root: Path = BUNDLED_ROOT) -> ModelInfo | None:
    """Return the active version: the ACTIVE pointer under ``root``, else the newest bundled one, else None.

    A pointer naming a version that no longer exists is ignored (the bundled default applies).
    """
    pointer = root / kind / ACTIVE_FILE
    if pointer.is_file():
        info = _find(root, kind, pointer.read_text(encoding="utf-8").strip(), bundled_root)
        if info is not None:
            return ModelInfo(info.kind, info.version, info.path, info.card, info.bundled, True)
    bundled = [i for i in _versions_in(bundled_root, kind, True) if not i.card.get("corrupt")]
    if not bundled:
        return None
    newest = bundled[-1]
    return ModelInfo(newest.kind, newest.version, newest.path, newest.card, True, True)


def promote(root: Path, kind: str, version: str, *, bundled_root: Path = BUNDLED_ROOT, reason: str = "") -> ModelInfo:
    """Make ``version`` the active model of ``kind`` and record it in the history.

    Raises:
        RegistryError: when the version is unknown.
        CorruptModelError: when its folder fails the card/file checks.
    """
    info = _find(root, kind, version, bundled_root)
    if info is None:
        raise RegistryError(f"no {kind} model version {version!r} under {root / kind} or the bundled models")
    read_card(info.path)
    (root / kind).mkdir(parents=True, exist_ok=True)
    history = _read_history(root, kind)
    previous = active(root, kind, bundled_root=bundled_root)
    stack: list[str] = list(history.get("stack", []))
    if not stack and previous is not None and previous.version != version:
        stack.append(previous.version)  # the bundled default we are replacing, so rollback can return to it
    stack.append(version)
    history["stack"] = stack
    history.setdefault("events", []).append(
        {"action": "promote", "version": version, "at": datetime.now(UTC).isoformat(), "reason": reason}
    )
    _atomic_write(root / kind / HISTORY_FILE, json.dumps(history, indent=2) + "\n")
    _atomic_write(root / kind / ACTIVE_FILE, version + "\n")
    return ModelInfo(info.kind, info.version, info.path, info.card, info.bundled, True)


def rollback(root: Path, kind: str, *, bundled_root: Path = BUNDLED_ROOT) -> ModelInfo | None:
    """Return to the previously active version of ``kind``.

    Returns:
        The newly active version (the bundled default, or None, when the history is exhausted).

    Raises:
        RegistryError: when there is no earlier version to return to.
    """
    history = _read_history(root, kind)
    stack: list[str] = list(history.get("stack", []))
    if len(stack) < 2:
        raise RegistryError(f"no earlier {kind} model to roll back to (history: {stack or 'empty'})")
    dropped = stack.pop()
    while stack and _find(root, kind, stack[-1], bundled_root) is None:
        stack.pop()  # skip versions deleted since they were promoted
    history["stack"] = stack
    history.setdefault("events", []).append(
        {"action": "rollback", "from": dropped, "to": stack[-1] if stack else None, "at": datetime.now(UTC).isoformat()}
    )
    _atomic_write(root / kind / HISTORY_FILE, json.dumps(history, indent=2) + "\n")
    if stack:
        _atomic_write(root / kind / ACTIVE_FILE, stack[-1] + "\n")
    else:
        (root / kind / ACTIVE_FILE).unlink(missing_ok=True)
    return active(root, kind, bundled_root=bundled_root)
