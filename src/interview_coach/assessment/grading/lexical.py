"""Lexical agreement features between an answer and a reference (no embeddings, no per-domain tables).

Every value is in [0, 1] and grows with agreement. They compare *content terms*: stems of the
non-stop-words cut to five letters (forgiving spelling and derivation variants). Nothing here is
learned from a domain (no IDF table, no vocabulary), so the features mean the same on a new
subject: how much of what the reference says the answer says too, in its order.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from interview_coach.assessment.grading.text import STOPWORDS, content_stems, words

LEXICAL_NAMES: tuple[str, ...] = (
    "stem_f1",  # multiset F1 of content terms
    "lcs_recall",  # longest common subsequence of content terms / reference terms (ROUGE-L recall)
    "bigram_recall",  # share of the reference's adjacent content-term pairs found in the answer
    "char_recall",  # share of the reference's character trigrams (within content words) in the answer
    "char_f1",  # F1 of character trigrams
    "len_ratio",  # answer content terms / reference content terms, capped at 1
)
PREFIX = 5
MAX_TERMS = 400
"""Longest term sequence compared by LCS (keeps the quadratic step bounded)."""


def terms(text: str) -> list[str]:
    """Content terms of ``text`` in order (stems of non-stop-words cut to five letters)."""
    return [t[:PREFIX] for t in content_stems(text)]


def _lcs(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _char_grams(text: str) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in words(text):
        if word not in STOPWORDS:
            padded = f" {word} "
            grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _f1(overlap: int, predicted: int, gold: int) -> float:
    if not overlap:
        return 0.0
    precision, recall = overlap / predicted, overlap / gold
    return 2 * precision * recall / (precision + recall)


def lexical_features(answer: str, reference: str) -> list[float]:
    """Values of :data:`LEXICAL_NAMES` for one answer against its reference.

    Args:
        answer: the answer text (already truncated).
        reference: the reference text (sentence units joined).

    Returns:
        One float per name in :data:`LEXICAL_NAMES` (all 0 when either side has no content terms).
    """
    a_seq, r_seq = terms(answer), terms(reference)
    if not a_seq or not r_seq:
        return [0.0] * len(LEXICAL_NAMES)
    a_bag, r_bag = Counter(a_seq), Counter(r_seq)
    stem_f1 = _f1(sum((a_bag & r_bag).values()), len(a_seq), len(r_seq))
    lcs_recall = _lcs(a_seq[:MAX_TERMS], r_seq[:MAX_TERMS]) / min(len(r_seq), MAX_TERMS)
    r_pairs = set(pairwise(r_seq))
    a_pairs = set(pairwise(a_seq))
    bigram_recall = len(r_pairs & a_pairs) / len(r_pairs) if r_pairs else float(set(r_seq) <= set(a_seq))
    a_grams, r_grams = _char_grams(answer), _char_grams(reference)
    shared = sum((a_grams & r_grams).values())
    char_recall = shared / max(1, sum(r_grams.values()))
    char_f1 = _f1(shared, max(1, sum(a_grams.values())), max(1, sum(r_grams.values())))
    return [stem_f1, lcs_recall, bigram_recall, char_recall, char_f1, min(1.0, len(a_seq) / len(r_seq))]
