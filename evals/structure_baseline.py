"""The pre-embedding structure detector (template cue phrases only), kept as the eval's baseline.

A frozen copy of ``tools/text/star.py`` before the paraphrase-robust detector; ``evals/structure.py``
scores it next to the new detector in the same run. Do not tune it.

Each sentence is scored against cue patterns for every part; a part is present when its best
sentence reaches ``PART_THRESHOLD`` and that sentence is quoted as the evidence. The cues cover
told stories ("I was asked to", "I rewrote", "as a result, latency fell 40%") and hypothetical
ones ("my first priority would be", "I would call", "this should reduce"), so situational
questions are handled with the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from interview_coach.domain.text import TECHNICAL_PARTS, StarStructure, TechnicalStructure
from interview_coach.tools.text.lexical import has_first_person_action, has_team_action

PART_THRESHOLD = 1.0

_FLAGS = re.IGNORECASE

_SITUATION_CUES: list[tuple[str, float]] = [
    (r"\b(?:when|while|after|before) (?:I|we) (?:was|were|worked|joined|started|moved|had|led)\b", 1.0),
    (
        r"\b(?:at|in|on) (?:my|our) (?:previous|last|current|former|old|first|second) "
        r"(?:job|role|company|team|position|internship|employer|startup|project|workplace)\b",
        1.0,
    ),
    (r"\b(?:last|one|a few|two|three|several|some) (?:years?|months?|weeks?|quarters?|summers?) (?:ago|back)\b", 1.0),
    (r"\blast (?:year|month|quarter|summer|spring|fall|autumn|winter|sprint)\b", 0.8),
    (r"\b(?:in|back in|during) (?:19|20)\d\d\b", 0.8),
    (r"\b(?:there was a time|one time|a time when|once,|back when|at the time)\b", 1.0),
    (r"\b(?:the|our) (?:situation|context|background|setting) (?:was|is|would be)\b", 1.2),
    (
        r"\b(?:we|our team|the team|the company|the project|our (?:client|customer|product|system|service|app))"
        r" (?:had|was|were|faced|struggled|used|ran|kept|did not|didn't)\b",
        0.8,
    ),
    (r"\b(?:I was working|I worked|I was a|I was an|I was the|I joined)\b", 0.8),
    (
        r"\b(?:in|during) my (?:first|second|third|fourth|last|final|previous) (?:year|months?|role|job|internship)\b",
        1.0,
    ),
    (
        r"\bat (?:a|an|my|our) (?:[\w-]+ ){0,3}(?:startup|company|bank|agency|firm|consultancy|scale-?up|retailer)\b",
        0.8,
    ),
    (r"^(?:if|in (?:this|that|such a) (?:situation|scenario|case)|assuming|given that|suppose)\b", 1.0),
    (
        r"\b(?:problem|issue|challenge|conflict|outage|incident|deadline|bug|disagreement) (?:was|were|came up|arose|happened)\b",
        0.6,
    ),
]
_TASK_CUES: list[tuple[str, float]] = [
    (
        r"\bmy (?:main |first |primary )?(?:task|goal|job|role|responsibility|assignment|objective|mission|challenge|"
        r"priority|aim) (?:was|is|would be|will be)\b",
        1.5,
    ),
    (r"\bI was (?:asked|tasked|responsible|in charge|assigned|expected|supposed|hired|brought in|chosen)\b", 1.5),
    (r"\bI (?:had|needed) to\b", 1.0),
    (r"\b(?:we|the team|our team) (?:had|needed) to\b", 0.8),
    (r"\bthe (?:goal|objective|task|aim|target|deadline|requirement|ask) (?:was|is|would be)\b", 1.2),
    (r"\bI (?:would|'d|’d) (?:need|have) to\b", 1.0),
    (r"\b(?:it was|it's|it is|it would be) (?:my|up to me)\b", 1.0),
    (r"\bnobody (?:had )?(?:asked|owned|was responsible|took)\b|\bno (?:clear )?owner\b", 1.0),
    (r"\b(?:took|take|taking) (?:on |over )?(?:ownership|responsibility|the lead)\b|\bstep(?:ped)? (?:in|up)\b", 1.0),
    (
        r"\bI (?:wanted|needed|aimed|tried) to (?:make sure|ensure|fix|find|get|keep|reduce|improve|deliver|ship|avoid)\b",
        0.8,
    ),
    (r"\bthe (?:challenge|problem|question) (?:was|is|would be) (?:to|how|whether)\b", 1.2),
    (
        r"\b(?:first|to start|before anything),? I(?:'d|’d| would| will) (?:clarify|understand|find out|figure out|"
        r"check|assess|gather|confirm)\b|\bmy (?:first )?(?:priority|goal) would be\b",
        1.2,
    ),
    (r"\b(?:so that|in order to) (?:we|I) (?:could|can|would)\b", 0.5),
]
_ACTION_CUES: list[tuple[str, float]] = [
    (r"\bI (?:decided|chose|started|began|proposed|offered) to\b", 1.0),
    (r"\b(?:so|then|first|next|after that|afterwards),? I\b", 0.6),
    (r"\bmy (?:first|next) step (?:was|would be)\b", 1.2),
    (r"\bI (?:would|'d|’d) start by\b", 1.2),
]
_RESULT_CUES: list[tuple[str, float]] = [
    (
        r"\b(?:as a result|in the end|eventually|ultimately|consequently|thanks to (?:this|that)|because of (?:this|that)|"
        r"the (?:result|outcome|impact|effect) (?:was|is|would be)|at the end)\b",
        1.2,
    ),
    (r"\b(?:this|that|it|which) (?:led|resulted|helped|allowed|enabled|meant) (?:to|in|us|me|the)\b", 1.0),
    (
        r"\b(?:reduced|increased|improved|cut|saved|grew|boosted|decreased|lowered|raised|doubled|tripled|halved|"
        r"dropped|fell|rose|went (?:up|down))\b",
        0.7,
    ),
    (r"\b(?:by|to|from) [$€£]?\d+(?:[.,]\d+)?\s?(?:%|percent|x|ms|seconds?|minutes?|hours?|days?|weeks?)", 0.6),
    (
        r"\b(?:reduced|increased|improved|cut|saved|grew|dropped|fell|rose|decreased|lowered|raised|went (?:up|down))\b"
        r".*\b(?:\d+|zero|half|one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|thousand)\b",
        0.5,
    ),
    (
        r"\b(?:we|I|the team|they) (?:shipped|launched|delivered|hit|met|finished|completed|won|closed|resolved|"
        r"fixed|released|passed|exceeded)\b",
        0.6,
    ),
    (r"\bI (?:learned|learnt|realized|realised)\b|\b(?:lesson|takeaway)\b", 0.8),
    (r"\b(?:feedback|customers?|users?|manager|client|stakeholders?) (?:was|were|said|praised|thanked|told)\b", 0.7),
    (
        r"\b(?:this|that|it) (?:would|should|will) (?:help|ensure|lead|result|reduce|improve|make|allow|prevent|keep)\b",
        1.0,
    ),
    (r"\bthe (?:expected )?(?:outcome|result) would be\b", 1.2),
    (r"\b(?:in the following|over the next|since then|afterwards|from then on)\b", 0.8),
    (
        r"\b(?:we|I|the team|they) had (?:zero|no)\b|\bzero (?:\w+ )?(?:incidents?|duplicates?|errors?|complaints?|outages?|bugs?|charges?)\b",
        0.8,
    ),
    (r"\b(?:was|were) (?:all )?(?:done|completed|finished|resolved|fixed|restored|refunded|back)\b", 0.5),
    (r"\bwithin \d+ (?:minutes?|hours?|days?|weeks?)\b", 0.5),
    (r"\bsince then\b|\bto this day\b|\bstill (?:use|used|running)\b", 0.8),
]
_DEFINITION_CUES: list[tuple[str, float]] = [
    (r"^(?:[\w\-/()]+\s+){0,6}?(?:is|are)\s+(?:a|an|the|when|used|basically|essentially|simply|one of)\b", 1.0),
    (
        r"\b(?:refers? to|is defined as|stands for|means that|is called|are called|is known as|is a (?:type|kind|form|way|"
        r"method|technique|measure|metric|process|function|model|algorithm|family|class))\b",
        1.2,
    ),
    (r"^(?:in short|simply put|put simply|in a nutshell|basically),", 0.8),
]
_EXAMPLE_CUES: list[tuple[str, float]] = [
    (
        r"\b(?:for example|for instance|e\.g\.|as an example|a good example|an example|such as|imagine|say we have|"
        r"suppose|consider|like when|in practice|in my (?:last|previous|current) (?:project|job|role|team))\b",
        1.2,
    ),
    (r"\b(?:I|we) (?:used|built|applied|implemented|deployed|trained|tuned)\b", 0.8),
    (r"\b\d+(?:[.,]\d+)?\s?(?:%|percent)\b", 0.4),
]
_TRADE_OFF_CUES: list[tuple[str, float]] = [
    (
        r"\b(?:trade-?offs?|downsides?|drawbacks?|disadvantages?|advantages?|pros and cons|limitations?|on the other hand|"
        r"at the (?:cost|expense) of|the (?:cost|price) is|whereas|in contrast|compared (?:to|with)|instead of|it depends|"
        r"depends on|the catch|caveat|overhead|risk of|is prone to|suffers from|doesn't scale|does not scale)\b",
        1.2,
    ),
    (r"\b(?:however|but|although|though|unless|while)\b", 0.5),
    (
        r"\b(?:slower|faster|cheaper|more expensive|simpler|more complex|less accurate|more accurate|more memory|less memory)\b",
        0.6,
    ),
    (r"\b(?:better|worse) (?:than|when|for|if)\b", 0.6),
]


def _compile(cues: list[tuple[str, float]]) -> list[tuple[re.Pattern[str], float]]:
    return [(re.compile(pattern, _FLAGS), weight) for pattern, weight in cues]


_STAR_CUES = {
    "situation": _compile(_SITUATION_CUES),
    "task": _compile(_TASK_CUES),
    "action": _compile(_ACTION_CUES),
    "result": _compile(_RESULT_CUES),
}
_TECHNICAL_CUES = {
    "definition": _compile(_DEFINITION_CUES),
    "example": _compile(_EXAMPLE_CUES),
    "trade_off": _compile(_TRADE_OFF_CUES),
}


def cue_strength(sentence: str, cues: list[tuple[re.Pattern[str], float]]) -> float:
    """Sum the weights of the cue patterns a sentence matches."""
    return sum(weight for pattern, weight in cues if pattern.search(sentence))


def _part_strength(part: str, sentence: str, cues: list[tuple[re.Pattern[str], float]]) -> float:
    strength = cue_strength(sentence, cues)
    if part == "action":
        # Owned actions ("I rolled back") are the core of STAR; team actions count for less.
        strength += 1.0 if has_first_person_action(sentence) else 0.6 if has_team_action(sentence) else 0.0
    return strength


def _best_sentences(
    sentences: Sequence[str], cue_table: dict[str, list[tuple[re.Pattern[str], float]]], prefer_late: set[str]
) -> dict[str, str | None]:
    best: dict[str, str | None] = {}
    for part, cues in cue_table.items():
        strengths = [_part_strength(part, s, cues) for s in sentences]
        order = range(len(sentences) - 1, -1, -1) if part in prefer_late else range(len(sentences))
        chosen = max(order, key=lambda i: strengths[i], default=None)
        best[part] = sentences[chosen] if chosen is not None and strengths[chosen] >= PART_THRESHOLD else None
    return best


def detect_star(sentences: Sequence[str], hypothetical: bool = False) -> StarStructure:
    """Find the situation, task, action and result sentences of a story-like answer.

    Args:
        sentences: the answer's sentences in order.
        hypothetical: the question poses a scenario ("what would you do if..."), so the
            situation part is optional.
    """
    parts = _best_sentences(sentences, _STAR_CUES, prefer_late={"result"})
    opening_is_context = (
        len(sentences) >= 3 and parts["action"] is not None and sentences[0] not in (parts["action"], parts["task"])
    )
    if parts["situation"] is None and opening_is_context and not hypothetical:
        # A story usually opens with its context even without a cue phrase ("Our API kept timing out.").
        opening = sentences[0]
        if _part_strength("action", opening, _STAR_CUES["action"]) < PART_THRESHOLD:
            parts["situation"] = opening
    return StarStructure(**parts, situation_optional=hypothetical)


def detect_technical_structure(sentences: Sequence[str]) -> TechnicalStructure:
    """Find the definition, example and trade-off sentences of a technical explanation."""
    parts = _best_sentences(sentences, _TECHNICAL_CUES, prefer_late=set())
    missing = [part for part in TECHNICAL_PARTS if parts[part] is None]
    return TechnicalStructure(**parts, missing=missing)


def baseline_parts(sentence: str, family: str) -> set[str]:
    """Return the parts one sentence expresses by the old rules (its cue strength reaches the threshold)."""
    table = _STAR_CUES if family == "star" else _TECHNICAL_CUES
    return {part for part, cues in table.items() if _part_strength(part, sentence, cues) >= PART_THRESHOLD}
