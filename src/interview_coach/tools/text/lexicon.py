"""Word lists for the lexical rules, read once from ``interview_coach/data/lexicon/*.txt``."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def word_list(name: str) -> tuple[str, ...]:
    """Return the entries of ``data/lexicon/<name>.txt`` in file order (comments and blanks skipped).

    Args:
        name: the list's file name without ``.txt`` (``stopwords``, ``known_tech``...).

    """
    text = (files("interview_coach") / "data" / "lexicon" / f"{name}.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def word_set(name: str) -> frozenset[str]:
    """Return the entries of a word list as a set, for membership tests."""
    return frozenset(word_list(name))


def alternation(name: str) -> str:
    """Join a list of regex fragments into one ``a|b|c`` alternation, in file order."""
    return "|".join(word_list(name))
