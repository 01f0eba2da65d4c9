"""Component scores of the answer-quality rubric (see ``assessment.text_scores`` for the formulas)."""

from __future__ import annotations

import re

from interview_coach.assessment.labels import counted, part_label
from interview_coach.domain import (
    Evidence,
    LexicalFinding,
    Question,
    QuestionKind,
    Score,
    Signal,
    StarStructure,
    TechnicalStructure,
)
from interview_coach.domain.text import STAR_PARTS, TECHNICAL_PARTS
from interview_coach.tools.text.analysis import WORDS_PER_MINUTE

CLOSEST_SENTENCE = "closest to the question"
"""What a relevance quote shows (the evidence row reads "closest to the question: “…”")."""
RESTATED_SENTENCE = "restates the question (not counted)"


def clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    """Clamp a value to ``[low, high]``."""
    return max(low, min(high, value))


def r3(value: float) -> float:
    """Round to 3 decimals, as every rubric number is."""
    return round(float(value), 3)


def finding_evidence(kind: str, findings: list[LexicalFinding], limit: int = 5) -> list[Evidence]:
    """Quote the first ``limit`` findings as evidence."""
    return [Evidence(kind=kind, detail=f.text, quote=f.quote) for f in findings[:limit]]


def relevance_score(relevance: float, raw: float, quote: str | None, echoed: list[str]) -> Score:
    """Score calibrated relevance, quoting the closest sentence and any restated question."""
    signals = [
        Signal(
            name="similarity_to_question",
            value=raw,
            effect=0.0,
            evidence=[Evidence(kind="quote", detail=CLOSEST_SENTENCE, quote=quote)] if quote else [],
        )
    ]
    if echoed:
        signals.append(
            Signal(
                name="question_restated",
                value=len(echoed),
                evidence=[Evidence(kind="quote", detail=RESTATED_SENTENCE, quote=q) for q in echoed[:3]],
            )
        )
    return Score(value=round(relevance * 100), signals=signals)


_ASKS: dict[str, re.Pattern[str]] = {
    "situation": re.compile(
        r"\b(?:set the scene|what was (?:the situation|going on)|context|background|where were you)\b", re.I
    ),
    "task": re.compile(
        r"\b(?:your (?:responsibility|role|goal|task|job)|what was at stake|what were you (?:asked|trying|responsible))\b",
        re.I,
    ),
    "action": re.compile(
        r"\b(?:what (?:exactly )?did you (?:personally )?do|step by step|what steps|how did you (?:handle|approach|fix))\b",
        re.I,
    ),
    "result": re.compile(
        r"\b(?:turn(?:ed)? out|outcome|results?|impact|what happened (?:next|then|after)|how did it go|"
        r"what did you learn|put a number)\b",
        re.I,
    ),
    "definition": re.compile(r"\b(?:define|definition|in your own words|what (?:is|are|does) \w+)\b", re.I),
    "example": re.compile(r"\b(?:example|concrete|for instance|a system you worked on)\b", re.I),
    "trade_off": re.compile(
        r"\b(?:trade-?offs?|downsides?|drawbacks?|costs?|limitations?|when would(?:n't| not) you)\b", re.I
    ),
}
_FULL_ANSWER_ASK = re.compile(r"\bback to the question\b", re.I)
_QUOTED = re.compile(r"“[^”]*”")


def follow_up_asks(question: Question) -> tuple[str, ...] | None:
    """Return the structure parts a follow-up question asks for, or ``None`` to expect every part.

    A main question (no ``follow_up_of``) and a follow-up that repeats the question expect the
    whole structure. Otherwise the follow-up's own text says what it asks ("How did it turn out?"
    asks for a result); when it names no part, its trigger tag (``missing_star:result``) does,
    and a follow-up about a missing key point asks for no structure part at all.
    """
    if question.follow_up_of is None or _FULL_ANSWER_ASK.search(question.text):
        return None
    family = TECHNICAL_PARTS if question.kind == QuestionKind.TECHNICAL else STAR_PARTS
    # A quoted key point ("You did not cover this key point: “…”") is what to add, not a part asked for.
    said = _QUOTED.sub(" ", question.text)
    asked = tuple(part for part in family if _ASKS[part].search(said))
    if asked:
        return asked
    reason = question.tags[-1] if question.tags else ""
    if reason.startswith("missing_star:") and reason.split(":", 1)[1] in family:
        return (reason.split(":", 1)[1],)
    return ()


def expected_parts(
    star: StarStructure | None, technical: TechnicalStructure | None, asks: tuple[str, ...] | None
) -> tuple[str, ...]:
    """Return the parts an answer is judged on: the follow-up's ask, else the full structure."""
    if technical is not None:
        return TECHNICAL_PARTS if asks is None else asks
    if star is not None:
        return star.expected_parts if asks is None else asks
    return ()


def structure_score(
    star: StarStructure | None, technical: TechnicalStructure | None, asks: tuple[str, ...] | None = None
) -> tuple[float, Score]:
    """Score the share of expected structure parts found, quoting the sentence of each part.

    Args:
        star: the STAR parts found (behavioral and situational questions).
        technical: the definition, example and trade-off found (technical questions).
        asks: for a follow-up, the parts it asks for (``follow_up_asks``); ``None`` expects all.
            A follow-up that asks for no part gets full structure credit.
    """
    structure: StarStructure | TechnicalStructure | None = technical if technical is not None else star
    parts = expected_parts(star, technical, asks)
    if structure is not None and asks == ():
        return 1.0, Score(value=100, signals=[Signal(name="follow_up_asks_no_structure", value=True)])
    found: dict[str, str | None] = {p: getattr(structure, p) for p in parts}
    share = sum(v is not None for v in found.values()) / len(found) if found else 0.0
    signals = [
        Signal(
            name=f"has_{part}",
            value=quote is not None,
            evidence=[Evidence(kind="quote", detail=part_label(part), quote=quote)] if quote else [],
        )
        for part, quote in found.items()
    ]
    return share, Score(value=round(share * 100), signals=signals)


def specificity_score(
    kind: QuestionKind,
    numbers: list[LexicalFinding],
    mine: list[LexicalFinding],
    ours: list[LexicalFinding],
    named: list[LexicalFinding],
) -> tuple[float, Score]:
    """Score specificity: numbers, owned actions and named terms, weighted by question kind."""
    if kind == QuestionKind.TECHNICAL:
        parts = {
            "named_terms": 0.50 * min(len(named) / 3, 1.0),
            "numbers": 0.25 * min(len(numbers) / 2, 1.0),
            "first_person_actions": 0.25 * min(len(mine), 1.0),
        }
    else:
        parts = {
            "numbers": 0.30 * min(len(numbers) / 2, 1.0),
            "first_person_actions": 0.40 * min(len(mine) / 3, 1.0),
            "named_terms": 0.30 * min(len(named) / 2, 1.0),
        }
    evidence = {"numbers": numbers, "first_person_actions": mine, "named_terms": named}
    signals = [
        Signal(
            name=name,
            value=len(evidence[name]),
            effect=round(points * 100, 1),
            evidence=finding_evidence(name, evidence[name]),
        )
        for name, points in parts.items()
    ]
    if ours:
        signals.append(
            Signal(name="we_actions", value=len(ours), effect=0.0, evidence=finding_evidence("we_action", ours))
        )
    value = sum(parts.values())
    return value, Score(value=round(value * 100), signals=signals)


def hedging_score(
    hedges: list[LexicalFinding],
    fillers: list[LexicalFinding],
    word_count: int,
    markers: list[LexicalFinding] | None = None,
) -> Score:
    """Score how free the answer is of hedges and fillers (per 100 words); discourse markers are only reported."""
    if word_count == 0:
        return Score.not_measured("no words to check for hedging")
    per_100 = 100 * (len(hedges) + len(fillers)) / word_count
    value = round(clip(1 - per_100 / 10) * 100)
    signals = [
        Signal(name="hedges", value=len(hedges), evidence=finding_evidence("hedge", hedges)),
        Signal(name="fillers_in_text", value=len(fillers), evidence=finding_evidence("filler", fillers)),
        Signal(name="hedges_and_fillers_per_100_words", value=round(per_100, 2)),
    ]
    if markers:
        signals.append(
            Signal(
                name="discourse_markers_in_text",
                value=len(markers),
                effect=0.0,
                evidence=finding_evidence("discourse_marker", markers),
            )
        )
    return Score(value=value, signals=signals)


def length_adequacy(substantive_words: int, budget_s: int) -> tuple[float, float | None, str]:
    """Return length adequacy (0-1), speaking time over budget, and a readable note."""
    speaking_s = substantive_words * 60 / WORDS_PER_MINUTE
    if budget_s <= 0:
        return 1.0, None, f"{counted(substantive_words, 'word')}, about {speaking_s:.0f} s when spoken; no time budget"
    ratio = speaking_s / budget_s
    if ratio < 0.10:
        adequacy = 0.0
    elif ratio < 0.40:
        adequacy = (ratio - 0.10) / 0.30
    elif ratio <= 1.5:
        adequacy = 1.0
    else:
        adequacy = max(0.5, 1.0 - 0.5 * (ratio - 1.5) / 1.5)
    label = "too short" if ratio < 0.25 else "short" if ratio < 0.5 else "within budget" if ratio <= 1.3 else "long"
    if ratio > 2.0:
        label = "far over budget"
    note = (
        # An estimate from the word count, not the measured pace: say so, or it reads as a second pace figure.
        f"{counted(substantive_words, 'word')}, about {speaking_s:.0f} s when spoken at an average pace, "
        f"for a {budget_s} s budget ({ratio:.0%}): {label}"
    )
    return adequacy, r3(ratio), note


def quality_1_5(value: int) -> int:
    """Map a 0-100 answer quality to the 1-5 scale."""
    return min(5, value // 20 + 1)
