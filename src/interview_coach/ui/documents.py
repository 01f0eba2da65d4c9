"""Turn uploaded resumes and job descriptions (PDF, DOCX, TXT) into plain text."""

from __future__ import annotations

from pathlib import Path

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_CHARS = 50_000
SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx")


class DocumentError(ValueError):
    """The document cannot be read; the message says why."""


def read_document(path: Path, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> str:
    """Extract text from a PDF, DOCX or text file, capped in size.

    Raises:
        DocumentError: missing, too large, unsupported or unreadable file.

    """
    if not path.is_file():
        raise DocumentError(f"No such file: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentError(f"{path.name} is {size / 1e6:.1f} MB; documents are limited to {max_bytes / 1e6:.0f} MB.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"{path.name}: unsupported document type; use {', '.join(SUPPORTED_SUFFIXES)}.")
    try:
        if suffix == ".pdf":
            from pypdf import PdfReader

            text = "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages[:30])
        elif suffix == ".docx":
            import docx

            text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        else:
            text = path.read_text("utf-8", errors="replace")
    except Exception as exc:
        raise DocumentError(
            f"Could not read {path.name}: it looks damaged or is not a real {suffix[1:].upper()} file."
        ) from exc
    text = text.strip()
    if not text:
        raise DocumentError(f"{path.name} contains no extractable text (a scanned PDF needs OCR first).")
    return text[:MAX_DOCUMENT_CHARS]
