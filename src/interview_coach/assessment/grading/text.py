"""Text helpers for grading: word tokens, a light stemmer, stop words and sentence units."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

MAX_CHARS = 6000
"""Longest text (characters) the grader reads; longer input is truncated at a word boundary."""
MAX_UNITS = 32
"""Most sentence units embedded per text (keeps grading time bounded)."""
MIN_UNIT_WORDS = 2
"""Fragments with fewer words are merged into a neighbour."""

WORD_PATTERN = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*", re.UNICODE)
"""One word token: letters and digits of any script, with inner apostrophes and hyphens."""
_UNIT_SPLIT = re.compile(r"(?:\n+|(?<=[.!?;])\s+|\s+(?=(?:\d{1,2}[.)]|[-*\u2022])\s))")
_BULLET = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*\u2022]|[a-z][.)])\s*", re.IGNORECASE)
_NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nothing",
        "neither",
        "nor",
        "cannot",
        "can't",
        "won't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "shouldn't",
        "wouldn't",
        "couldn't",
        "hasn't",
        "haven't",
        "hadn't",
        "without",
    ]
)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "else",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "above",
        "below",
        "between",
        "through",
        "during",
        "before",
        "after",
        "again",
        "further",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "should",
        "now",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "you",
        "your",
        "yours",
        "he",
        "him",
        "his",
        "she",
        "her",
        "it",
        "its",
        "they",
        "them",
        "their",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "would",
        "could",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "one",
        "two",
        "us",
        "e",
        "g",
        "eg",
        "ie",
        "i.e",
        "e.g",
        "etc",
        "via",
        "per",
        "let",
        "lets",
        "use",
        "used",
        "using",
        "get",
        "gets",
        "make",
        "makes",
        "like",
        "well",
        "much",
        "many",
        "thus",
        "hence",
        "therefore",
        "because",
    ]
)
_NON_ANSWER_MARKERS = frozenset(
    [
        "response",
        "submission",
        "answer",
        "answered",
        "idea",
        "know",
        "sure",
        "skip",
        "skipped",
        "blank",
        "empty",
        "clue",
    ]
)
_NON_ANSWER_WORDS = _NON_ANSWER_MARKERS | {"no", "none", "not", "nothing", "don't", "dont", "sorry", "n", "a", "given"}
FORM_RATIO = 0.1
"""Share of function words from which a text counts as fully sentence-like (prose has ~0.4)."""
_SUFFIXES = (
    "ational", "ization", "fulness", "iveness", "ations", "ements", "ement", "ation", "ingly", "ness",
    "ment", "able", "ible", "ance", "ence", "ings", "ally", "ical", "ing", "ies", "ied", "ers", "ive",
    "ed", "es", "er", "ly", "al", "s",
)  # fmt: skip


def truncate(text: str, limit: int = MAX_CHARS) -> tuple[str, bool]:
    """Cut ``text`` to at most ``limit`` characters at a word boundary.

    Args:
        text: any text.
        limit: maximum length in characters.

    Returns:
        The (possibly shortened) text and whether it was shortened.
    """
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut), True


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits of any script)."""
    return WORD_PATTERN.findall(text.lower())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip one common English suffix (a light, deterministic Porter-like stemmer)."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
        word = word[:-1]
    return word.rstrip("e") if len(word) > 4 else word


def content_stems(text: str) -> list[str]:
    """Stems of the non-stop-word tokens of ``text``, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and not (len(w) == 1 and w.isalpha())]


def token_f1(answer: str, reference: str) -> float:
    """Baseline token-overlap F1 between two texts on lower-cased word tokens (multiset overlap)."""
    a, r = Counter(words(answer)), Counter(words(reference))
    overlap = sum((a & r).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(r.values())
    return 2 * precision * recall / (precision + recall)


def negation_count(text: str) -> int:
    """Count the negation words (``not``, ``never``, ``without``...) in ``text``."""
    return sum(1 for w in words(text) if w in _NEGATIONS or w.endswith("n't"))


def units(text: str, max_units: int = MAX_UNITS) -> list[str]:
    """Split text into sentence-like units: lines, sentences, bullet and numbered items.

    Single-word fragments are merged into their neighbour, so a stray heading or number does not
    become a unit on its own unless it is the only content. At most ``max_units`` units are kept (the rest is merged into the last).

    Args:
        text: any text.
        max_units: cap on the number of units.

    Returns:
        Non-empty, stripped units in order (empty list for text without words).
    """
    pieces = [_BULLET.sub("", p).strip() for p in _UNIT_SPLIT.split(text)]
    pieces = [p for p in pieces if words(p)]
    merged: list[str] = []
    for piece in pieces:
        if merged and (len(words(piece)) < MIN_UNIT_WORDS or len(words(merged[-1])) < MIN_UNIT_WORDS):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    if len(merged) > max_units:
        merged = [*merged[: max_units - 1], " ".join(merged[max_units - 1 :])]
    return merged


def unit_spans(text: str, max_units: int = MAX_UNITS) -> list[tuple[int, int]]:
    """Character spans of :func:`units` in ``text``, in the same order (bullet marks left out).

    ``text[start:end]`` has the words of the matching unit; a merged unit spans its pieces and
    what lies between them (a bullet mark between merged pieces included).
    """
    pieces: list[tuple[int, int]] = []
    position = 0
    for separator in [*_UNIT_SPLIT.finditer(text), None]:
        end = separator.start() if separator else len(text)
        piece = text[position:end]
        bullet = _BULLET.match(piece)
        start = position + (bullet.end() if bullet else 0)
        if words(text[start:end]):
            stripped = text[start:end]
            pieces.append((start + len(stripped) - len(stripped.lstrip()), start + len(stripped.rstrip())))
        position = separator.end() if separator else len(text)
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged and (
            len(words(text[start:end])) < MIN_UNIT_WORDS
            or len(words(text[merged[-1][0] : merged[-1][1]])) < MIN_UNIT_WORDS
        ):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    if len(merged) > max_units:
        merged = [*merged[: max_units - 1], (merged[max_units - 1][0], merged[-1][1])]
    return merged


def content_word_spans(text: str) -> list[tuple[str, int, int]]:
    """``(term, start, end)`` of each content word: its stem cut to five letters and its characters."""
    spans: list[tuple[str, int, int]] = []
    for match in WORD_PATTERN.finditer(text):
        word = match.group(0).lower()
        if word in STOPWORDS or (len(word) == 1 and word.isalpha()):
            continue
        spans.append((stem(word)[:5], match.start(), match.end()))
    return spans


def is_non_answer(text: str) -> bool:
    """Whether ``text`` only says there is no answer ("No response.", "I don't know", "empty submission")."""
    tokens = words(text)
    if not tokens or len(tokens) > 6 or not any(t in _NON_ANSWER_MARKERS for t in tokens):
        return False
    return all(t in _NON_ANSWER_WORDS or t in STOPWORDS for t in tokens)


def sentence_form(text: str) -> float:
    """How sentence-like ``text`` is: share of function words over :data:`FORM_RATIO`, capped at 1.

    Only alphabetic words count, so formulas and numbers are not mistaken for keyword lists. A
    bare list of keywords scores 0, ordinary prose 1. Texts under four words count as 1 (too
    short to judge).
    """
    tokens = [t for t in words(text) if t.isalpha() and len(t) > 1]
    if len(tokens) < 4:
        return 1.0
    return min(1.0, sum(t in STOPWORDS for t in tokens) / len(tokens) / FORM_RATIO)
