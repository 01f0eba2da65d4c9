"""Fillers, discourse markers and stutter repetitions in a timed word sequence (Whisper tokens).

Fillers are hesitation sounds (um, uh, er, erm, ah, hmm): they always count. Discourse
markers (so, like, you know, I mean, basically, actually, sort of, kind of) are ordinary
words that are only sometimes empty; they count only inside a sentence, never opening one,
and only in the positions where they are empty, judged from Whisper's punctuation and the
neighbouring words. The two are reported apart and never mixed.

Every span's label is the words of the transcript it covers (normalised), so a reported
filler is always a word the user can find in the transcript shown to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HESITATIONS = frozenset({"um", "umm", "uhm", "uh", "uhh", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mmm"})
"""Hesitation sounds: the fillers."""
DISCOURSE_MARKERS = frozenset({"so", "like", "you know", "i mean", "basically", "actually", "sort of", "kind of"})
"""Words and phrases counted as discourse markers when they are empty and mid-sentence."""
_ALWAYS_MARKERS_MID_SENTENCE = frozenset({"basically", "actually"})
_LIKE_NOT_FILLER_BEFORE = frozenset(
    {"would", "i'd", "you'd", "we'd", "they'd", "feel", "felt", "feels", "look", "looks", "looked", "seem", "seems",
     "seemed", "something", "things", "stuff", "just", "not", "don't", "didn't", "i", "you", "we", "they", "to"}
)  # fmt: skip
_YOU_KNOW_NOT_FILLER_BEFORE = frozenset({"do", "did", "don't", "didn't", "if", "as", "what", "would", "could", "will"})
_I_MEAN_NOT_FILLER_BEFORE = frozenset({"what", "that's", "which", "if"})
_SO_NOT_MARKER_BEFORE = frozenset(
    {"think", "hope", "guess", "believe", "suppose", "said", "say", "says", "do", "did", "not", "if", "is", "was",
     "so", "or", "even", "just", "more", "less", "told", "tell"}
)  # fmt: skip
_HEDGE_NOT_FILLER_BEFORE = frozenset(
    {"a", "an", "the", "this", "that", "what", "some", "any", "every", "which", "same", "one", "another", "these",
     "those", "my", "our", "your", "their", "his", "her", "its", "different", "other", "new", "right"}
)  # fmt: skip
_SENTENCE_END = (".", "?", "!")
_PAUSE_PUNCTUATION = (",", ".", "?", "!", ";", ":", "-", "…")


@dataclass(frozen=True)
class TokenSpan:
    """Tokens ``first..last`` (inclusive) that form one filler or repetition."""

    first: int
    last: int
    label: str


def normalize_token(token: str) -> str:
    """Lower-case a Whisper token and strip everything but letters, digits and apostrophes."""
    return re.sub(r"[^a-z0-9']", "", token.lower().replace("’", "'"))


def find_fillers(tokens: list[str]) -> list[TokenSpan]:
    """Find fillers (hesitation sounds: um, uh, er, ah, hmm) in Whisper tokens, in order.

    Args:
        tokens: raw Whisper word strings, punctuation attached (``" um,"``).

    """
    words = [normalize_token(t) for t in tokens]
    return [TokenSpan(i, i, word) for i, word in enumerate(words) if word in HESITATIONS]


def find_discourse_markers(tokens: list[str]) -> list[TokenSpan]:
    """Find empty discourse markers (like, you know, I mean, so...) inside sentences, in order.

    A marker opening a sentence ("So, we shipped it.") is how people start sentences and is
    never counted; inside a sentence it counts only where it carries no meaning
    ("it was, like, hard" but not "I like Python").

    Args:
        tokens: raw Whisper word strings, punctuation attached (``" like,"``).

    """
    words = [normalize_token(t) for t in tokens]
    spans: list[TokenSpan] = []
    index = 0
    while index < len(words):
        span = None if _opens_sentence(tokens, words, index) else _marker_at(tokens, words, index)
        if span is None:
            index += 1
            continue
        spans.append(span)
        index = span.last + 1
    return spans


def find_repetitions(tokens: list[str]) -> list[TokenSpan]:
    """Find stutter repetitions: a word or two-word phrase said twice in a row ("I I", "I think I think").

    Hesitation sounds are ignored (``um um`` is two fillers, not a repetition); the span
    covers the repeated occurrence.
    """
    words = [normalize_token(t) for t in tokens]
    spans: list[TokenSpan] = []
    index = 1
    while index < len(words):
        word = words[index]
        if word and word not in HESITATIONS and word == words[index - 1] and not _is_emphatic_double(word):
            spans.append(TokenSpan(index, index, word))
            index += 1
            continue
        pair = words[index - 1 : index + 1]
        if index >= 3 and pair[0] and words[index - 3 : index - 1] == pair and not set(pair) & HESITATIONS:
            spans.append(TokenSpan(index - 1, index, " ".join(pair)))
            index += 2
            continue
        index += 1
    return spans


def spoken_word_count(token: str) -> int:
    """Count the words a Whisper token stands for when spoken ("20%" is "twenty percent": 2).

    Whisper writes numbers as digits, so counting tokens would undercount the words said.
    Tokens without digits count as one word (zero if they hold no letters).
    """
    text = token.strip().lower().replace(",", "")
    core = re.sub(r"[^a-z0-9'.%$]", "", text).strip(".")
    if not re.search(r"\d", core):
        return 1 if re.search(r"[a-z]", core) else 0
    match = re.fullmatch(r"(\$?)(\d+)(?:\.(\d+))?(%|k|m|s|st|nd|rd|th)?", core)
    if match is None:
        return max(1, len(re.findall(r"[a-z]+|\d+", core)))
    currency, whole, decimals, suffix = match.groups()
    count = _integer_word_count(int(whole)) if len(whole) <= 9 else len(whole)
    if decimals:
        count += 1 + len(decimals)
    if currency or suffix in {"%", "k", "m"}:
        count += 1
    return count


def is_sentence_start(tokens: list[str], index: int) -> bool:
    """Tell whether token ``index`` starts a sentence (first token or after . ? !)."""
    return index == 0 or tokens[index - 1].rstrip().endswith(_SENTENCE_END)


def _opens_sentence(tokens: list[str], words: list[str], index: int) -> bool:
    # Hesitations before a word do not move the sentence start: "Um, so, we..." opens with "so".
    while index > 0 and not is_sentence_start(tokens, index) and words[index - 1] in HESITATIONS:
        index -= 1
    return is_sentence_start(tokens, index)


def _marker_at(tokens: list[str], words: list[str], index: int) -> TokenSpan | None:
    word = words[index]
    previous = words[index - 1] if index > 0 else ""
    following = words[index + 1] if index + 1 < len(words) else ""
    if word in _ALWAYS_MARKERS_MID_SENTENCE:
        return TokenSpan(index, index, word)
    if word == "like" and _is_filler_like(tokens, index, previous):
        return TokenSpan(index, index, "like")
    if word == "so" and _is_marker_so(tokens, index, previous, following):
        return TokenSpan(index, index, "so")
    if (
        word == "you"
        and following == "know"
        and _is_filler_phrase(tokens, index, previous, _YOU_KNOW_NOT_FILLER_BEFORE)
    ):
        return TokenSpan(index, index + 1, "you know")
    if word == "i" and following == "mean" and _is_filler_phrase(tokens, index, previous, _I_MEAN_NOT_FILLER_BEFORE):
        return TokenSpan(index, index + 1, "i mean")
    if word in {"sort", "kind"} and following == "of" and previous not in _HEDGE_NOT_FILLER_BEFORE:
        return TokenSpan(index, index + 1, f"{word} of")
    return None


def _is_marker_so(tokens: list[str], index: int, previous: str, following: str) -> bool:
    # Mid-sentence "so" is usually a conjunction ("so we added a cache"); it is empty only
    # when set off by a pause ("and so, um, we...") and not the answer to a verb ("I think so,").
    token = tokens[index].rstrip()
    if token.endswith(_SENTENCE_END) or following in {"", "that", "far", "much", "many"}:
        return False
    set_off = token.endswith(_PAUSE_PUNCTUATION) or following in HESITATIONS
    return set_off and previous not in _SO_NOT_MARKER_BEFORE


def _is_filler_like(tokens: list[str], index: int, previous: str) -> bool:
    if previous in _LIKE_NOT_FILLER_BEFORE:
        return False
    comma_before = index > 0 and tokens[index - 1].rstrip().endswith(_PAUSE_PUNCTUATION)
    comma_after = tokens[index].rstrip().endswith(_PAUSE_PUNCTUATION)
    return comma_before or comma_after or previous in HESITATIONS


def _is_filler_phrase(tokens: list[str], index: int, previous: str, not_after: frozenset[str]) -> bool:
    if previous in not_after:
        return False
    phrase_end = tokens[index + 1].rstrip()
    boundary_before = index == 0 or tokens[index - 1].rstrip().endswith(_PAUSE_PUNCTUATION)
    return boundary_before or phrase_end.endswith(_PAUSE_PUNCTUATION) or index + 2 == len(tokens)


def _is_emphatic_double(word: str) -> bool:
    # "very very", "no no", "bye bye" are emphasis or idiom rather than stutters.
    return word in {"very", "no", "bye", "really", "so", "that", "had"}


def _integer_word_count(number: int) -> int:
    if number <= 20:
        return 1
    if number < 100:
        return 1 if number % 10 == 0 else 2
    if 1100 <= number <= 2099 and number % 100 and number // 100 != 20:
        # Years such as 1999 ("nineteen ninety-nine") are read as two pairs.
        return _integer_word_count(number // 100) + _integer_word_count(number % 100)
    for size, words in ((1_000_000, 1), (1000, 1), (100, 1)):
        if number >= size:
            rest = number % size
            return _integer_word_count(number // size) + words + (_integer_word_count(rest) if rest else 0)
    return 1
