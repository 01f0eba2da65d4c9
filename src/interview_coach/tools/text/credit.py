"""Which sentences of an answer can earn content credit: the ones that address the question.

Padding must not raise a score, so every content measure (key points, structure, specificity,
substantive length, relevance, the trained grader's input) is computed from the sentences that
address the question. A sentence earns nothing when (checked here, from the text alone):

- ``not_prose``: it is not an English sentence: a run of at least ``MIN_LIST_WORDS`` words with
  almost no English function words (a keyword list, lorem ipsum, reversed text, a sentence in
  another Latin-script language), or a sentence written mostly in another script;
- ``self_praise``: a generic claim about the candidate's character ("I am a hard worker and a
  great team player") with no number, named tool or concrete action of its own;
- ``vacuous``: every content word is generic ("The situation was challenging. My task was
  important. The trade-off is that it has a cost."): structure words without a story.

``restates`` tells a sentence that only repeats the question's words (the question split in two
escapes the embedding echo rule).

``tools/text/analysis.py`` adds the embedding rule (``off_question``: the sentence is far from
the question and from every key point). Penalties (hedges, fillers, repetitions) still count the
whole answer, so padding can lower a score but never raise it.
"""

from __future__ import annotations

import re

from interview_coach.tools.text.lexical import content_words
from interview_coach.tools.text.lexicon import word_set

__all__ = ["MIN_LIST_WORDS", "UNCREDITED_REASONS", "restates", "uncredited_reason"]

MIN_LIST_WORDS = 5
FUNCTION_WORD_SHARE = 0.12
"""English prose has a third or more function words; keyword lists and other languages almost none."""
OTHER_SCRIPT_SHARE = 0.5
UNCREDITED_REASONS: dict[str, str] = {
    "not_prose": "not an English sentence (a keyword list, filler text or another language)",
    "self_praise": "a generic claim about the candidate, not about the question",
    "vacuous": "only generic words (a structure skeleton such as 'my task was important')",
    "off_question": "does not address the question or any of its key points",
}
"""Each reason with the words a report shows for it."""

_FUNCTION_WORDS = word_set("stopwords") | frozenset(
    {"a", "an", "the", "is", "are", "was", "were", "be", "to", "of", "and", "or", "in", "on", "it", "i", "you"}
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_TRAIT = re.compile(
    r"\b(?:hard[- ]?work(?:er|ing)|team[- ]player|passionate|(?:love|enjoy)s? (?:a )?challenges?|"
    r"(?:one )?hundred percent|100\s?%|110\s?%|perfectionist|(?:fast|quick) learner|self[- ]starter|go[- ]getter|"
    r"people person|results[- ]driven|outside the box)\b",
    re.IGNORECASE,
)
_GENERIC_WORDS = """
    thing stuff something anything everything concept idea way lot kind sort type part aspect situation context
    background task goal job role action step result outcome impact example instance definition trade-off tradeoff
    cost benefit downside upside problem issue challenge challenging important great good bad nice fine okay well
    hard easy difficult big small many much very really use used using done make made took take get got went going
    time positive negative success successful general overall certain various different basically
"""
_GENERIC = frozenset(_GENERIC_WORDS.split())
"""Words that say nothing about a particular question: a sentence made only of them is a skeleton."""
_SELF = re.compile(r"\b(?:I am|I'm|I’m|I have always been|I've always been|I consider myself|I always)\b", re.I)
_CONCRETE = re.compile(r"\b(?!100\b)\d+(?:[.,]\d+)?\b|\b[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9]*\b")
_PAST_ACTION = re.compile(r"\bI (?:\w+ly )?(?!always\b|never\b)\w+ed\b")


def _not_prose(sentence: str) -> bool:
    letters = _LETTER.findall(sentence)
    if letters and sum(1 for ch in letters if _ASCII_LETTER.match(ch)) / len(letters) < OTHER_SCRIPT_SHARE:
        return True
    words = [w.lower() for w in _WORD.findall(sentence)]
    if len(words) < MIN_LIST_WORDS:
        return False
    return sum(w in _FUNCTION_WORDS for w in words) / len(words) < FUNCTION_WORD_SHARE


def _self_praise(sentence: str) -> bool:
    if not (_SELF.search(sentence) and _TRAIT.search(sentence)):
        return False
    return not (_CONCRETE.search(sentence) or _PAST_ACTION.search(sentence))


def _vacuous(sentence: str) -> bool:
    words = [w.lower().strip("'’-") for w in _WORD.findall(sentence)]
    content = [w for w in words if w not in _FUNCTION_WORDS and len(w) > 2]
    return bool(content) and all(w in _GENERIC or w.rstrip("s") in _GENERIC for w in content)


def restates(sentence: str, question: str) -> bool:
    """Whether a sentence only repeats words of the question (at least two, nothing of its own)."""
    question_words = content_words(question)
    own = content_words(sentence)
    return len(own) >= 2 and own <= question_words


def uncredited_reason(sentence: str) -> str | None:
    """Return why a sentence earns no content credit from its text alone, or ``None``.

    Args:
        sentence: one sentence of an answer (already neutralised and folded).

    Returns:
        ``"not_prose"``, ``"self_praise"``, ``"vacuous"`` or ``None`` (see the module docstring).

    """
    if _not_prose(sentence):
        return "not_prose"
    if _self_praise(sentence):
        return "self_praise"
    if _vacuous(sentence):
        return "vacuous"
    return None
