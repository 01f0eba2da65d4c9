"""Where a user's answer recordings and exported reports live, and which uploads are accepted.

Layout: ``<data_dir>/media/<user key>/<session id>/<question id>.<ext>`` for answers and
``.../exports/report.{md,html,json}`` for exports. The user key is a hash of the user id, so
any identifier (e-mail, Slack name) maps to a safe folder name, and deleting a user's data is
one folder removal. Every part of a stored path is chosen by the server: the user's file name
is a display name only, and the extension comes from the container PyAV finds in the bytes.
Files are written 0600 and folders 0700.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import BinaryIO, Literal

from interview_coach.core.settings import Settings
from interview_coach.tools.media.decode import SUPPORTED_EXTENSIONS, MediaError, MediaInfo, probe_media

MediaKind = Literal["audio", "video"]

AUDIO_TYPES: dict[str, tuple[str, ...]] = {
    "audio/wav": (".wav",),
    "audio/x-wav": (".wav",),
    "audio/wave": (".wav",),
    "audio/vnd.wave": (".wav",),
    "audio/mpeg": (".mp3",),
    "audio/mp3": (".mp3",),
    "audio/mp4": (".m4a",),
    "audio/x-m4a": (".m4a",),
    "audio/aac": (".aac",),
    "audio/flac": (".flac",),
    "audio/x-flac": (".flac",),
    "audio/ogg": (".ogg", ".oga", ".opus"),
    "audio/opus": (".opus",),
    "audio/webm": (".webm",),
}
VIDEO_TYPES: dict[str, tuple[str, ...]] = {
    "video/mp4": (".mp4",),
    "video/webm": (".webm",),
    "video/quicktime": (".mov",),
    "video/x-matroska": (".mkv",),
}
DOCUMENT_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "text/plain": (".txt",),
    "text/markdown": (".md",),
}
MEDIA_TYPES = {**AUDIO_TYPES, **VIDEO_TYPES}
_SAFE_ID = re.compile(r"^[A-Za-z0-9_~.-]{1,80}$")
_COPY_CHUNK = 1024 * 1024
# PyAV names a container by its demuxer; each maps to the extension browsers play it under.
_CONTAINER_SUFFIX = {"wav": ".wav", "mp3": ".mp3", "flac": ".flac", "aac": ".aac", "ogg": ".ogg"}
_MP4_FAMILY = frozenset({"mov", "mp4", "m4a", "3gp", "3g2", "mj2"})
_MATROSKA_FAMILY = frozenset({"matroska", "webm", "mkv"})
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


class UploadRejectedError(ValueError):
    """An upload is refused; ``status`` is the HTTP status that fits (413 or 415)."""

    def __init__(self, message: str, status: int) -> None:
        """Keep the message and the HTTP status."""
        super().__init__(message)
        self.status = status


class UnsafePathError(ValueError):
    """A path would leave the folder it must stay in."""


def private_dir(folder: Path) -> Path:
    """Create ``folder`` and any missing parents with mode 0700 (``mkdir(parents=True)`` leaves parents 0755)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for part in reversed(missing):
        part.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        part.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask
    return folder


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` readable by this user only (0600), creating its folder 0700."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), PRIVATE_FILE_MODE)
        out.write(data)
    return path


def inside(root: Path, path: Path) -> Path:
    """Return ``path`` normalised, after checking it lies strictly inside ``root``.

    Raises:
        UnsafePathError: the normalised path is ``root`` itself or outside it, or has a NUL byte.

    """
    if "\x00" in str(path):
        raise UnsafePathError("A path may not contain a NUL byte.")
    resolved = path.resolve()
    if root.resolve() not in resolved.parents:
        raise UnsafePathError(f"{path.name!r} would be stored outside its folder.")
    return resolved


def user_key(user_id: str) -> str:
    """Map a user id to a stable folder name."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:24]


def user_dir(settings: Settings, user_id: str) -> Path:
    """Return the folder holding every file of a user."""
    return settings.data_dir / "media" / user_key(user_id)


def _safe(part: str) -> str:
    if not _SAFE_ID.match(part) or part in {".", ".."}:
        raise ValueError(f"Unsafe identifier {part!r}.")
    return part


def session_dir(settings: Settings, user_id: str, session_id: str) -> Path:
    """Return the folder holding a session's recordings and exports."""
    return user_dir(settings, user_id) / _safe(session_id)


def display_name(name: str, limit: int = 120) -> str:
    """Return a user-supplied file name fit to show back: control characters removed, length capped."""
    cleaned = "".join(ch for ch in name if ch.isprintable()).strip()
    return (cleaned[: limit - 1] + "…" if len(cleaned) > limit else cleaned) or "file"


def media_suffix(filename: str, content_type: str | None) -> str:
    """Pick the file extension of an uploaded answer, refusing types that are not audio or video.

    Raises:
        UploadRejectedError: status 415 for an unsupported extension or MIME type.

    """
    suffix = Path(filename or "").suffix.lower()
    mime = (content_type or "").split(";")[0].strip().lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        if mime in MEDIA_TYPES:
            return MEDIA_TYPES[mime][0]
        raise UploadRejectedError(
            f"Unsupported answer file {filename!r}: upload audio or video ("
            + ", ".join(sorted(ext.lstrip(".") for ext in SUPPORTED_EXTENSIONS))
            + ").",
            415,
        )
    if mime and mime not in MEDIA_TYPES and mime != "application/octet-stream":
        raise UploadRejectedError(f"Unsupported content type {mime!r} for an answer recording.", 415)
    return suffix


def stored_suffix(info: MediaInfo) -> str:
    """Pick the extension a recording is stored under from the container found in its bytes.

    The user's own extension is never trusted: a WebM recording named ``answer.wav`` is
    stored as ``.webm`` so that it is served with a type the browser can play.
    """
    container = info.container.lower()
    if container in _MP4_FAMILY:
        return ".mp4" if info.has_video else ".m4a"
    if container in _MATROSKA_FAMILY:
        return ".webm"
    return _CONTAINER_SUFFIX.get(container, ".mp4" if info.has_video else ".m4a")


def save_stream(source: BinaryIO, target: Path, max_bytes: int) -> int:
    """Copy an upload to ``target`` (0600) in chunks, stopping as soon as it exceeds ``max_bytes``.

    Raises:
        UploadRejectedError: status 413 when the data is larger than the limit.
        MediaError: the upload is empty.

    """
    private_dir(target.parent)
    written = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(_COPY_CHUNK):
            written += len(chunk)
            if written > max_bytes:
                out.close()
                target.unlink(missing_ok=True)
                raise UploadRejectedError(f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit.", 413)
            out.write(chunk)
    if written == 0:
        target.unlink(missing_ok=True)
        raise MediaError("The upload is empty.")
    return written


def answer_path(settings: Settings, user_id: str, session_id: str, question_id: str, suffix: str) -> Path:
    """Return where the recording of one answer is stored (replacing an earlier one).

    Raises:
        ValueError: an id or the suffix is not a safe file-name part, or the path leaves the user's folder.

    """
    if suffix not in SUPPORTED_EXTENSIONS:
        raise ValueError(f"Unsafe recording extension {suffix!r}.")
    folder = private_dir(session_dir(settings, user_id, session_id))
    for old in folder.glob(f"{_safe(question_id)}.*"):
        old.unlink(missing_ok=True)
    return inside(user_dir(settings, user_id), folder / f"{question_id}{suffix}")


def store_answer_file(
    settings: Settings, user_id: str, session_id: str, question_id: str, source: Path
) -> tuple[Path, MediaKind]:
    """Move a recording into the user's session folder and tell whether it is audio or video.

    The stored name is ``<question id><extension of the sniffed container>``; nothing of the
    uploaded file's name is used.

    Raises:
        MediaError: the file is not usable media (too big, too long, damaged, no streams).

    """
    info = probe_media(source, settings)
    target = answer_path(settings, user_id, session_id, question_id, stored_suffix(info))
    if source.resolve() != target.resolve():
        shutil.move(str(source), target)
    target.chmod(PRIVATE_FILE_MODE)
    return target, ("video" if info.has_video else "audio")


def classify_saved(settings: Settings, path: Path) -> MediaKind:
    """Tell whether a stored recording has a video stream.

    Raises:
        MediaError: the file is not usable media.

    """
    return "video" if probe_media(path, settings).has_video else "audio"


def answer_media(settings: Settings, user_id: str, session_id: str) -> dict[str, Path]:
    """Map question ids to the stored recordings of a session."""
    try:
        folder = session_dir(settings, user_id, session_id)
    except ValueError:
        return {}
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS}


def export_dir(settings: Settings, user_id: str, session_id: str) -> Path:
    """Return the folder for a session's exported reports."""
    return private_dir(session_dir(settings, user_id, session_id) / "exports")


def delete_user_files(settings: Settings, user_id: str) -> int:
    """Delete every stored file of a user; return how many files were removed."""
    folder = user_dir(settings, user_id)
    if not folder.is_dir():
        return 0
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    shutil.rmtree(folder, ignore_errors=True)
    return count
