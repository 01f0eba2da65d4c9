"""Rule-based lexical features of an answer: sentences, hedges, fillers, specifics, repetitions.

Everything here is pure string processing with precompiled, linear-time regular expressions, so
it is deterministic and fast enough for very long answers. Each finding keeps the exact quote it
came from so the report can show why a number moved.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from interview_coach.domain.text import LexicalFinding
from interview_coach.tools.text.lexicon import alternation, word_set

MAX_SENTENCE_WORDS = 60
"""Run-on sentences (typical of speech transcripts) are cut into pieces of at most this many words."""

_ABBREVIATIONS = word_set("abbreviations")
_DOTTED_INITIALS = re.compile(r"(?:[a-z]\.)*[a-z]")
_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*\s+|[\u3002\uff01\uff1f\u0964]+\s*")
"""Sentence ends: Latin end punctuation before a space, or the CJK and Devanagari full stops."""
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class Sentence:
    """A sentence with its character span in the analysed text."""

    text: str
    start: int
    end: int


def count_words(text: str) -> int:
    """Count word tokens (letters/digits with inner apostrophes or hyphens)."""
    return sum(1 for _ in _WORD.finditer(text))


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences at end punctuation, line breaks and bullets.

    Abbreviations such as "e.g." do not end a sentence; run-on sentences longer than
    ``MAX_SENTENCE_WORDS`` words are cut into word-bounded pieces.
    """
    sentences: list[Sentence] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        line_start = offset
        offset += len(line)
        bullet = _BULLET.match(line)
        body_start = line_start + (bullet.end() if bullet else 0)
        for start, end in _line_spans(text, body_start, line_start + len(line.rstrip())):
            sentences.extend(_cut_run_on(text, start, end))
    return sentences


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        if _ends_with_abbreviation(text, cursor, match.start()):
            continue
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    return [(s, e) for s, e in (_strip_span(text, s, e) for s, e in spans) if e > s]


def _ends_with_abbreviation(text: str, start: int, dot: int) -> bool:
    token_start = dot
    while token_start > start and not text[token_start - 1].isspace():
        token_start -= 1
    token = text[token_start:dot].lower().strip("(\"'")
    single_letters = bool(_DOTTED_INITIALS.fullmatch(token))  # "u.s", "a.m", or an initial like "J"
    return token in _ABBREVIATIONS or (single_letters and token != "i")


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_run_on(text: str, start: int, end: int) -> list[Sentence]:
    words = list(_WORD.finditer(text, start, end))
    if len(words) <= MAX_SENTENCE_WORDS:
        # A sentence in a script without ASCII words (Chinese, Arabic...) is kept: it is still text.
        keep = bool(words) or any(ch.isalnum() for ch in text[start:end])
        return [Sentence(text[start:end], start, end)] if keep else []
    pieces: list[Sentence] = []
    for first in range(0, len(words), MAX_SENTENCE_WORDS):
        chunk = words[first : first + MAX_SENTENCE_WORDS]
        piece_start = start if first == 0 else chunk[0].start()
        last = first + MAX_SENTENCE_WORDS >= len(words)
        piece_end = end if last else chunk[-1].end()
        pieces.append(Sentence(text[piece_start:piece_end], piece_start, piece_end))
    return pieces


def sentence_of(sentences: list[Sentence], position: int) -> str:
    """Return the sentence text containing a character position (the quote for a finding)."""
    for sentence in sentences:
        if sentence.start <= position < sentence.end:
            return sentence.text
    return ""


# --- hedges and fillers ------------------------------------------------------------------

_HEDGE_PATTERNS: dict[str, str] = {
    "i think": r"\bI think\b",
    "i guess": r"\bI guess\b",
    "i believe": r"\bI believe\b",
    "i suppose": r"\bI suppose\b",
    "i feel like": r"\bI feel like\b",
    "not sure": r"\b(?:I'?m |I am )?not (?:really |entirely |totally |100% |quite )?sure\b",
    "i don't know": r"\bI (?:don'?t|do not) (?:really )?know\b",
    "maybe": r"\bmaybe\b",
    "perhaps": r"\bperhaps\b",
    "probably": r"\bprobably\b",
    "possibly": r"\bpossibly\b",
    "kind of": r"\bkind of\b",
    "sort of": r"\bsort of\b",
    "somewhat": r"\bsomewhat\b",
    "more or less": r"\bmore or less\b",
    "i would say": r"\bI(?:'d| would) say\b",
    "if i remember correctly": r"\bif I (?:remember|recall) (?:correctly|right)\b",
    "not an expert": r"\bnot an expert\b",
    "hopefully": r"\bhopefully\b",
    "or something": r"\bor something(?: like that)?\b",
    "something like that": r"\bsomething like that\b",
    "i'm no expert": r"\bI'?m no expert\b",
}
# Hesitation sounds: always fillers (the one filler definition, shared with the voice analysis).
_FILLER_PATTERNS: dict[str, str] = {
    "um": r"\bu+m+\b|\bu+h+m+\b",
    "uh": r"\bu+h+\b",
    "er": r"\ber+m*\b",
    "ah": r"\ba+h+\b",
    "hmm": r"\bh+m+\b",
}
# Discourse markers: words that are only sometimes empty; counted mid-sentence only, never scored.
_MARKER_PATTERNS: dict[str, str] = {
    "like": r"\blike,(?=\s)|,\s*like\s+(?=[a-z])",
    "you know": r"\byou know(?=[,.?!]|\s*$)|,\s*you know\b",
    "i mean": r"\bI mean(?=,)",
    "basically": r"\bbasically\b",
    "literally": r"\bliterally\b",
    "actually": r"\bactually\b",
    "so": r",\s*so\s*,",
    "so yeah": r"\bso yeah\b",
    "you see": r"\byou see(?=,)",
    "right?": r"\bright\?",
}
_HEDGES = [(label, re.compile(p, re.IGNORECASE | re.MULTILINE)) for label, p in _HEDGE_PATTERNS.items()]
_FILLERS = [(label, re.compile(p, re.IGNORECASE | re.MULTILINE)) for label, p in _FILLER_PATTERNS.items()]
_MARKERS = [(label, re.compile(p, re.IGNORECASE | re.MULTILINE)) for label, p in _MARKER_PATTERNS.items()]
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n])\s*$")
_CASE_SENSITIVE_FILLERS = frozenset({"er", "ah"})


_DISCOURSE_MARKER = re.compile(
    r"(?:^|(?<=[,.!?]\s))(?:so|well|yeah|okay|ok|right|now)\s*,", re.IGNORECASE | re.MULTILINE
)


def count_substantive_words(text: str) -> int:
    """Count the words left once fillers, hedges and bare discourse markers ("so,", "well,") are removed."""
    for _, pattern in (*_FILLERS, *_MARKERS, *_HEDGES):
        text = pattern.sub(" ", text)
    return count_words(_DISCOURSE_MARKER.sub(" ", text))


def find_hedges(text: str, sentences: list[Sentence]) -> list[LexicalFinding]:
    """Find hedging phrases ("I think", "maybe", "kind of"...), each with its sentence."""
    return _find_all(_HEDGES, text, sentences, "hedge")


def find_fillers(text: str, sentences: list[Sentence]) -> list[LexicalFinding]:
    """Find hesitation fillers written or transcribed in the answer ("um", "uh", "er")."""
    return _find_all(_FILLERS, text, sentences, "filler")


def find_discourse_markers(text: str, sentences: list[Sentence]) -> list[LexicalFinding]:
    """Find discourse markers used mid-sentence (", like,", "basically", "you know"); a sentence opener is not one."""
    return _find_all(_MARKERS, text, sentences, "discourse_marker", mid_sentence_only=True)


def _find_all(
    patterns: list[tuple[str, re.Pattern[str]]],
    text: str,
    sentences: list[Sentence],
    kind: str,
    *,
    mid_sentence_only: bool = False,
) -> list[LexicalFinding]:
    hits: list[tuple[int, LexicalFinding]] = []
    taken: set[int] = set()
    for label, pattern in patterns:
        for match in pattern.finditer(text):
            if label in _CASE_SENSITIVE_FILLERS and match.group(0)[:1].isupper():
                continue  # "Er"/"Ah" at a sentence start are more often names or interjections we keep
            if match.start() in taken or (mid_sentence_only and _SENTENCE_START.search(text[: match.start()])):
                continue
            taken.add(match.start())
            hits.append(
                (match.start(), LexicalFinding(kind=kind, text=label, quote=sentence_of(sentences, match.start())))
            )
    return [finding for _, finding in sorted(hits, key=lambda hit: hit[0])]


# --- specificity -------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.])[$€£]?\d+(?:[.,:]\d+)*(?:\s?(?:%|percent|k\b|K\b|M\b|ms\b|x\b|×))?"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|dozen|doubled|tripled|halved|twice|half)\b",
    re.IGNORECASE,
)
_ADVERBS = alternation("adverbs")
_IRREGULAR_PAST = alternation("irregular_past")
_BASE_VERBS = alternation("base_verbs")
_NON_ACTIONS = word_set("non_actions")


def _action_patterns(subject: str) -> list[re.Pattern[str]]:
    adverb = rf"(?:\s+(?:{_ADVERBS}))?"
    modal = r"(?:'d|’d| would| will|'ll|’ll| am going to|'m going to|’m going to| are going to|'re going to)"
    return [
        re.compile(rf"\b{subject}{adverb}\s+(?P<verb>[a-z]+ed|{_IRREGULAR_PAST})\b"),
        re.compile(rf"\b{subject}{modal}{adverb}\s+(?P<verb>[a-z]+)\b"),
        re.compile(rf"\b{subject}{adverb}\s+(?P<verb>{_BASE_VERBS})\b"),
    ]


_I_ACTIONS = _action_patterns("[Ii]")
_WE_ACTIONS = _action_patterns("[Ww]e")


def _actions(patterns: list[re.Pattern[str]], text: str) -> list[tuple[int, str]]:
    found: dict[int, str] = {}
    for pattern in patterns:
        for match in pattern.finditer(text):
            if match.group("verb") not in _NON_ACTIONS:
                found.setdefault(match.start(), match.group(0))
    return sorted(found.items())


def has_first_person_action(sentence: str) -> bool:
    """Whether a sentence has "I" doing something concrete ("I rolled back", "I would call")."""
    return bool(_actions(_I_ACTIONS, sentence))


def has_team_action(sentence: str) -> bool:
    """Whether a sentence has "we" doing something concrete."""
    return bool(_actions(_WE_ACTIONS, sentence))


_KNOWN_TECH = alternation("known_tech")
_TECH = re.compile(rf"(?<![\w/])(?:{_KNOWN_TECH})(?![\w])", re.IGNORECASE)
_ACRONYM = re.compile(r"\b(?!I\b|OK\b|AM\b|PM\b|TV\b)[A-Z][A-Z0-9]{1,7}s?\b")
_CAMEL = re.compile(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b")
_PROPER = re.compile(r"(?<=[a-z,;:]\s)[A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})*\b")
_STOP_PROPER = word_set("stop_proper")


def find_numbers(text: str, sentences: list[Sentence]) -> list[LexicalFinding]:
    """Find numbers, percentages, amounts and number words ("doubled", "three")."""
    return [
        LexicalFinding(kind="number", text=m.group(0), quote=sentence_of(sentences, m.start()))
        for m in _NUMBER.finditer(text)
    ]


def find_first_person_actions(
    text: str, sentences: list[Sentence]
) -> tuple[list[LexicalFinding], list[LexicalFinding]]:
    """Find concrete actions owned by "I" and by "we" ("I built", "we would deploy")."""
    mine = [
        LexicalFinding(kind="i_action", text=t, quote=sentence_of(sentences, at))
        for at, t in _actions(_I_ACTIONS, text)
    ]
    ours = [
        LexicalFinding(kind="we_action", text=t, quote=sentence_of(sentences, at))
        for at, t in _actions(_WE_ACTIONS, text)
    ]
    return mine, ours


def find_named_terms(text: str, sentences: list[Sentence]) -> list[LexicalFinding]:
    """Find named tools, technologies, acronyms and proper names (unique, first occurrence)."""
    seen: dict[str, tuple[int, LexicalFinding]] = {}
    taken: list[tuple[int, int]] = []
    for pattern in (_TECH, _CAMEL, _ACRONYM, _PROPER):
        for match in pattern.finditer(text):
            term, key = match.group(0), match.group(0).lower()
            overlaps = any(s < match.end() and match.start() < e for s, e in taken)
            if term in _STOP_PROPER or key in seen or overlaps:
                continue
            taken.append(match.span())
            seen[key] = (
                match.start(),
                LexicalFinding(kind="named_term", text=term, quote=sentence_of(sentences, match.start())),
            )
    return [finding for _, finding in sorted(seen.values(), key=lambda item: item[0])]


# --- repetition --------------------------------------------------------------------------

_DOUBLED_WORD = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
_ALLOWED_DOUBLES = frozenset({"that", "had", "is", "very", "bye", "no", "yes", "ha", "so"})
_STOPWORDS = word_set("stopwords")


def normalise_for_comparison(text: str) -> str:
    """Lower-case a text and keep only its words, to compare sentences for duplication."""
    return " ".join(w.lower() for w in _WORD.findall(text))


def find_repetitions(text: str, sentences: list[Sentence]) -> list[LexicalFinding]:
    """Find doubled words, repeated sentences and phrases repeated three or more times."""
    findings = [
        LexicalFinding(kind="doubled_word", text=m.group(0), quote=sentence_of(sentences, m.start()))
        for m in _DOUBLED_WORD.finditer(text)
        if m.group(1).lower() not in _ALLOWED_DOUBLES
    ]
    normalised = [normalise_for_comparison(s.text) for s in sentences]
    counts = Counter(n for n in normalised if len(n.split()) >= 3)
    for sentence, key in zip(sentences, normalised, strict=True):
        if counts.get(key, 0) > 1:
            findings.append(LexicalFinding(kind="repeated_sentence", text=f"x{counts[key]}", quote=sentence.text))
            counts[key] = 0  # report each repeated sentence once
    findings.extend(_repeated_phrases(sentences))
    return findings


def _repeated_phrases(sentences: list[Sentence], n: int = 3, min_count: int = 3) -> list[LexicalFinding]:
    grams: Counter[tuple[str, ...]] = Counter()
    first_quote: dict[tuple[str, ...], str] = {}
    seen_sentences: set[str] = set()
    for sentence in sentences:
        key = normalise_for_comparison(sentence.text)
        if key in seen_sentences:
            continue  # whole repeated sentences are reported once, not as phrases
        seen_sentences.add(key)
        words = key.split()
        for i in range(len(words) - n + 1):
            gram = tuple(words[i : i + n])
            if all(w in _STOPWORDS for w in gram):
                continue
            grams[gram] += 1
            first_quote.setdefault(gram, sentence.text)
    return [
        LexicalFinding(kind="repeated_phrase", text=f"{' '.join(gram)} (x{count})", quote=first_quote[gram])
        for gram, count in grams.most_common(5)
        if count >= min_count
    ]


def content_words(text: str) -> set[str]:
    """Return the lower-cased non-stopword words of a text (crude stems: trailing s removed)."""
    return {w.lower().rstrip("s") for w in _WORD.findall(text) if w.lower() not in _STOPWORDS and len(w) > 2}
