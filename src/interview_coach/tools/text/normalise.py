"""Fold look-alike spellings to plain text before injection checks and scoring.

Attackers hide instructions from keyword filters by spelling them with characters that look
like Latin letters: fullwidth forms (``ｉｇｎｏｒｅ``), mathematical alphanumerics (``𝐢𝐠𝐧𝐨𝐫𝐞``),
ligatures, and Cyrillic or Greek homoglyphs (``Ignоre`` with a Cyrillic ``о``). ``fold_lookalikes``
applies NFKC (which handles the first three) and maps Cyrillic/Greek/small-capital look-alikes
to Latin inside words that mix scripts. Real Russian or Greek text is left alone: a word made
only of look-alike letters is folded only when the words on both sides of it are plain Latin.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Folded", "fold_lookalikes"]

CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h",
    "ӏ": "l", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Һ": "H", "Ӏ": "I",
    # Greek
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin small capitals and other letter look-alikes that NFKC keeps
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k",
    "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "ı": "i",
}  # fmt: skip
_TABLE = str.maketrans(CONFUSABLES)
_LOOKALIKE = re.compile("[" + "".join(sorted(CONFUSABLES)) + "]")
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Folded:
    """Text after folding, and the words whose look-alike letters were replaced."""

    text: str
    words: list[str]


def _is_latin(word: str) -> bool:
    return bool(_LATIN.search(word))


def _fold_words(text: str, changed: list[str]) -> str:
    """Fold mixed-script words, and all-look-alike words whose neighbours are Latin words."""
    words = list(_WORD.finditer(text))
    folded = [m.group(0).translate(_TABLE) if _is_latin(m.group(0)) else m.group(0) for m in words]
    pieces: list[str] = []
    cursor = 0
    for index, match in enumerate(words):
        word = match.group(0)
        pieces.append(text[cursor : match.start()])
        cursor = match.end()
        if not _LOOKALIKE.search(word):
            pieces.append(word)
            continue
        only_lookalikes = all(ch in CONFUSABLES or not ch.isalpha() for ch in word)
        neighbours = [folded[i] for i in (index - 1, index + 1) if 0 <= i < len(words) and _LETTER.search(folded[i])]
        latin_around = bool(neighbours) and all(_is_latin(n) and n.isascii() for n in neighbours)
        if _is_latin(word) or (only_lookalikes and latin_around):
            changed.append(word)
            pieces.append(word.translate(_TABLE))
        else:
            pieces.append(word)
    pieces.append(text[cursor:])
    return "".join(pieces)


def fold_lookalikes(text: str) -> Folded:
    """Apply NFKC and fold Cyrillic/Greek/small-capital homoglyphs hidden in Latin words.

    Args:
        text: any candidate text, hidden control characters already removed.

    Returns:
        The folded text and the list of words that contained look-alike letters (for the flag).

    """
    folded = unicodedata.normalize("NFKC", text)
    changed: list[str] = []
    if not _LOOKALIKE.search(folded):
        return Folded(text=folded, words=changed)
    return Folded(text=_fold_words(folded, changed), words=changed)
