"""Answer degradation helpers: turn a good answer into worse versions of itself, deterministically.

Used by the evaluator suite (model answer vs degraded answer: the model answer must win) and by
the injection suite (weak answers that attacks are appended to). Each helper returns ``None``
when the degradation would not change the answer, so no pair is a tie by construction.
"""

from __future__ import annotations

import hashlib

from interview_coach.tools.text.lexical import content_words, split_sentences

FILLER_OPENERS = ("Um, so, I think", "Uh, basically,", "So, like, um,", "Yeah, so, I guess", "Hmm, well, you know,")
FILLER_INSERTS = ("um,", "like,", "you know,", "uh,", "kind of", "I mean,")


def _stable_index(text: str, modulo: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % modulo


def sentences_of(answer: str) -> list[str]:
    """Split an answer into sentence strings."""
    return [s.text for s in split_sentences(answer)]


def key_point_sentences(answer: str, limit: int = 4, max_words: int = 25) -> list[str]:
    """Pick the most content-rich sentences of a model answer as its key points (in answer order).

    Sentences shorter than five words (headers, list stubs) are skipped; long ones are cut to
    ``max_words`` words so a key point reads like a point, not a paragraph.
    """
    candidates = [s for s in sentences_of(answer) if len(s.split()) >= 5]
    ranked = sorted(range(len(candidates)), key=lambda i: (-len(content_words(candidates[i])), i))[:limit]
    return [" ".join(candidates[i].split()[:max_words]) for i in sorted(ranked)]


def first_sentence_only(answer: str) -> str | None:
    """Keep only the first sentence (``None`` when the answer has one sentence)."""
    sentences = sentences_of(answer)
    return sentences[0] if len(sentences) > 1 else None


def remove_key_facts(answer: str, key_points: list[str]) -> str | None:
    """Drop the sentences that carry half of the key points (at least one), keep the rest.

    Answers with fewer than two key points have no fact to remove without removing everything.
    """
    sentences = sentences_of(answer)
    if len(key_points) < 2:
        return None
    to_remove = {kp for i, kp in enumerate(key_points) if i % 2 == 0}
    kept = [s for s in sentences if not any(s.startswith(kp[: max(12, len(kp) // 2)]) for kp in to_remove)]
    return " ".join(kept) if kept and len(kept) < len(sentences) else None


def filler_heavy(answer: str) -> str:
    """Rewrite an answer with filler words and hedges around the same content."""
    sentences = sentences_of(answer)
    rewritten: list[str] = []
    for index, sentence in enumerate(sentences):
        opener = FILLER_OPENERS[(_stable_index(sentence, len(FILLER_OPENERS)) + index) % len(FILLER_OPENERS)]
        words = sentence.split()
        for position in range(len(words) - 4, 2, -6):
            insert = FILLER_INSERTS[(position + index) % len(FILLER_INSERTS)]
            words.insert(position, insert)
        body = " ".join(words)
        rewritten.append(f"{opener} {body[:1].lower()}{body[1:]}")
    return " ".join(rewritten) + " So yeah, I'm not really sure, that's kind of it."


def off_topic_answer(answers: list[str], index: int) -> str:
    """Return the answer to a different question (deterministically far away in the list)."""
    return answers[(index + len(answers) // 2) % len(answers)]


WEAK_ANSWER_TEMPLATES = (
    "I'm not sure, maybe it depends.",
    "Um, I think it's kind of important, you know.",
    "I guess I would just try my best and see what happens.",
    "Honestly I don't really know much about that.",
    "It is something we used at work sometimes.",
    "Yeah, so, we did stuff like that, it was fine.",
    "I would probably ask someone else.",
    "It's a thing in data science, I read about it once.",
)
