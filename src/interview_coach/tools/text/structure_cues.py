"""Lexical cues for answer structure: weighted patterns per STAR and technical part.

A sentence's strength for a part is the sum of the weights of the patterns it matches (plus
an owned-action bonus for ``action``); ``tools/text/structure.py`` adds the embedding vote.
Patterns are written for paraphrases, not templates: an interjected clause ("my task, as the
on-call lead, was to"), passive voice ("the fix was deployed by me"), "we ended up", numbers
moving "from 900 ms to 150 ms", and present-tense definitions ("an idempotent operation has the
same effect...").
"""

from __future__ import annotations

import re

from interview_coach.tools.text.lexical import has_first_person_action, has_team_action

Cue = tuple[re.Pattern[str], float]

_FLAGS = re.IGNORECASE
_ASIDE = r"(?:,[^,]{1,50},)?"
"""An interjected clause between a subject and its verb: "my task, as the on-call lead, was"."""
_NUMBER_WORD = (
    r"(?:\d+|zero|half|a third|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundred|thousand|million)"
)
_ROLE_NOUN = (
    r"(?:task|goal|job|role|responsibility|assignment|objective|mission|mandate|challenge|priority|aim|ask|"
    r"target|brief|remit|focus)"
)

_SITUATION: list[tuple[str, float]] = [
    (r"\b(?:when|while|after|before) (?:I|we) (?:was|were|worked|joined|started|moved|had|led|first)\b", 1.0),
    (
        r"\b(?:at|in|on|during) (?:my|our) (?:previous|last|current|former|old|first|second) "
        r"(?:job|role|company|team|position|internship|employer|startup|project|workplace)\b",
        1.0,
    ),
    (r"\bduring (?:my|an|our) (?:internship|placement|first|time)\b", 1.0),
    (
        r"\b(?:last|one|a few|a couple of|two|three|several|some) (?:years?|months?|weeks?|quarters?|summers?) "
        r"(?:ago|back)\b",
        1.0,
    ),
    (r"^(?:so,? )?(?:last|this past|earlier this) (?:year|month|quarter|summer|spring|fall|autumn|winter)\b", 1.0),
    (r"\blast (?:year|month|quarter|summer|spring|fall|autumn|winter|sprint)\b", 0.8),
    (r"\b(?:in|back in|during) (?:19|20)\d\d\b", 0.8),
    (r"\b(?:there was a time|one time|a time when|once,|back when|at the time|recently, at)\b", 1.0),
    (r"\b(?:the|our|some) (?:situation|context|background|setting)\b", 1.2),
    (
        r"^(?:our|the|my|one of our|a|an) (?:[\w'-]+ ){0,3}(?:kept|had (?:grown|started|become|been|just)|started)\b",
        1.0,
    ),
    (
        r"^(?:so,? |well,? )?(?:we|our (?:[\w-]+ ){0,2}|the (?:team|company|client|customer|project|system|"
        r"business|org(?:anisation|anization)?|product|data|legacy [\w-]+)|(?:customers|users|clients)) "
        r"(?:had|was|were|faced|struggled|used|ran|kept|did not|didn't|grew|became|changed|started|relied)\b",
        1.0,
    ),
    (r"\b(?:customers|users|clients|people) (?:were|kept) (?:complaining|unhappy|angry|frustrated|leaving)\b", 1.0),
    (r"\bthere (?:was|were) (?:a|an|no|this|some|two|three)\b", 0.8),
    (r"\b(?:we|I|they) (?:had|'d) (?:just|recently) (?:\w+)\b", 0.8),
    (r"\bhad (?:just |already |recently |never )?(?:\w+ed|lost|grown|become|been|begun|gone|heard)\b", 0.8),
    (r"\b(?:was|were) (?:using|split|only|still|already|behind|late|running|getting|stuck|written|based)\b", 0.6),
    (r"^(?!(?:I|we)\b)(?:[\w'’-]+ ){0,5}(?:was|were|had|went|ran|kept)\b", 0.4),
    (
        r"\b(?:I was working|I worked|I was a|I was an|I was the (?!one)|I was part of|I joined|I had just joined)\b",
        1.0,
    ),
    (r"\bit was (?:my|our) (?:first|second|third|last) (?:week|month|year|day)\b|\bit was during\b", 1.0),
    (
        r"\b(?:in|during) my (?:first|second|third|fourth|last|final|previous) (?:year|months?|role|job|internship)\b",
        1.0,
    ),
    (
        r"\bat (?:a|an|my|our) (?:[\w-]+ ){0,3}(?:startup|company|bank|agency|firm|consultancy|scale-?up|retailer|"
        r"hospital|school|university|non-?profit)\b",
        0.8,
    ),
    (r"\bI worked for\b|\bthe (?:\w+ )?I worked (?:for|at|in)\b", 1.0),
    (r"^(?:if|in (?:this|that|such a) (?:situation|scenario|case)|assuming|given that|suppose)\b", 1.0),
    (
        r"\b(?:problem|issue|challenge|conflict|outage|incident|deadline|bug|disagreement) "
        r"(?:was|were|came up|arose|happened|started)\b",
        0.6,
    ),
    (r"\b(?:no|without any) (?:documentation|tests|owner|process|monitoring)\b", 0.5),
]
_TASK: list[tuple[str, float]] = [
    (rf"\bmy (?:main |first |primary |own |specific )?{_ROLE_NOUN}{_ASIDE} (?:was|is|would be|will be)\b", 1.5),
    (rf"\bthe (?:main |key |primary )?{_ROLE_NOUN}(?: (?:[\w']+ ){{0,4}}?)?{_ASIDE} (?:was|is|would be)\b", 1.2),
    (
        r"\bI (?:was|had been|am|got) (?:asked|tasked|responsible|in charge|assigned|expected|supposed|hired|"
        r"brought in|chosen|the one)\b",
        1.5,
    ),
    (r"\bI (?:had|needed|have) to\b|\bwhat I (?:had|needed) to do\b", 1.0),
    (r"\b(?:we|the team|our team) (?:had|needed) to\b", 0.8),
    (r"\bI (?:would|'d|’d) (?:need|have) to\b", 1.0),
    (r"\b(?:it was|it's|it is|it would be) (?:my|up to me|on me)\b|\b(?:was|is) (?:on|up to) me\b", 1.0),
    (r"\bfell to me\b|\bI owned\b|\btook it upon myself\b|\bmy (?:responsibility|call|decision)\b", 1.0),
    (r"\bnobody (?:had )?(?:asked|owned|was responsible|took)\b|\bno (?:clear )?owner\b", 1.0),
    (r"\b(?:took|take|taking) (?:on |over )?(?:ownership|responsibility|the lead)\b|\bstep(?:ped)? (?:in|up)\b", 1.0),
    (
        r"\bI (?:wanted|needed|aimed|tried) to (?:make sure|ensure|fix|find|get|keep|reduce|improve|deliver|ship|"
        r"avoid|convince)\b",
        1.0,
    ),
    (r"\bthe (?:challenge|problem|question|key thing|thing) (?:for me )?(?:was|is|would be) (?:to|how|whether)\b", 1.2),
    (
        r"\b(?:first|to start|before anything),? I(?:'d|’d| would| will) (?:clarify|understand|find out|figure out|"
        r"check|assess|gather|confirm)\b|\bmy (?:first )?(?:priority|goal) would be\b",
        1.2,
    ),
    (r"\b(?:so that|in order to) (?:we|I) (?:could|can|would)\b", 0.5),
    (r"\bthe deadline was\b|\bby the end of the (?:day|week|month|quarter)\b", 0.6),
]
_ACTION: list[tuple[str, float]] = [
    (r"\bI (?:decided|chose|started|began|proposed|offered|volunteered) to\b", 1.0),
    (r"\b(?:so|then|first|next|after that|afterwards|once I \w+ [\w ]{0,40}),? I\b", 0.6),
    (r"\bmy (?:first|next) (?:step|move) (?:was|would be)\b|\bmy approach was\b", 1.2),
    (r"\bthe first thing I (?:did|would do)\b|\bwhat I did was\b", 1.2),
    (r"\bI (?:would|'d|’d) (?:start by|begin by|first)\b", 1.2),
    (r"\b(?:was|were) (?:written|deployed|built|fixed|designed|led|done|created|shipped) by me\b", 1.5),
    (r"^(?:so,? |then,? )?we (?:moved|split|built|added|rewrote|migrated|set up|introduced|changed|replaced)\b", 0.5),
    (r"^i (?:\w+ed|set|put|led|wrote|built|ran|made|took|got|sat|went|dug|paired|talked)\b", 0.5),
    (r"\bI (?:sat|dug|went|got|took|ran|put|set|spent|met|sent|brought|drove|held|kept|told|gave)\b", 0.5),
]
_RESULT: list[tuple[str, float]] = [
    (
        r"\b(?:as a result|in the end|eventually|ultimately|consequently|thanks to (?:this|that)|because of "
        r"(?:this|that)|at the end|overall|end result)\b",
        1.2,
    ),
    (
        r"\bthe (?:expected )?(?:result|outcome|impact|effect|upshot|payoff)s?(?: [\w ]{0,20})? (?:was|is|would be)\b",
        1.2,
    ),
    (r"\b(?:we|I|the team|they) (?:ended up|wound up|managed to)\b|\bturned out (?:well|great|fine)\b", 1.2),
    (
        r"\b(?:this|that|it|which) (?:led|resulted|helped|allowed|enabled|meant|brought|got) (?:to|in|us|me|the|down)\b",
        1.0,
    ),
    (
        r"\b(?:reduced|increased|improved|cut|saved|grew|boosted|decreased|lowered|raised|doubled|tripled|halved|"
        r"dropped|fell|rose|went (?:up|down)|came down|jumped)\b",
        0.7,
    ),
    (r"\b(?:by|to|from) [$€£]?\d+(?:[.,]\d+)?\s?(?:%|percent|x|ms|seconds?|minutes?|hours?|days?|weeks?)", 0.6),
    (rf"\bfrom (?:about |roughly )?[$€£]?{_NUMBER_WORD}\b.{{0,30}}\bto (?:about |almost )?[$€£]?{_NUMBER_WORD}\b", 0.8),
    (rf"\b(?:down|up) to (?:about |almost |roughly )?(?:{_NUMBER_WORD}|zero)\b", 0.6),
    (
        r"\b(?:reduced|increased|improved|cut|saved|grew|dropped|fell|rose|decreased|lowered|raised|went (?:up|down))\b"
        rf".*\b{_NUMBER_WORD}\b",
        0.5,
    ),
    (rf"\b{_NUMBER_WORD} times (?:more|less|faster|slower|fewer)\b", 0.8),
    (
        r"\b(?:we|I|the team|they|it) (?:shipped|launched|delivered|hit|met|finished|completed|won|closed|resolved|"
        r"fixed|released|passed|exceeded)\b",
        0.6,
    ),
    (r"\b(?:went out|was delivered|were delivered|shipped|finished|delivered) (?:on time|early|ahead)\b", 1.0),
    (r"\b(?:on time|under budget|ahead of schedule|a week early|days? early|a success|successful)\b", 0.6),
    (r"\bI (?:learned|learnt|realized|realised)\b|\b(?:lesson|takeaway)\b|\btaught me\b|\blooking back\b", 1.0),
    (r"\bnext time,? I(?: would|'d)\b|\bI would have\b", 1.0),
    (
        r"\b(?:feedback|customers?|users?|manager|client|stakeholders?|CEO) (?:was|were|said|praised|thanked|told)\b",
        0.7,
    ),
    (r"\bpositive feedback\b|\b(?:happy|pleased|proud|thank-you)\b|\bwas promoted\b|\bmentioned the\b", 1.0),
    (
        r"\b(?:this|that|it) (?:would|should|will) (?:also )?(?:help|ensure|lead|result|reduce|improve|make|allow|prevent|keep|get)\b",
        1.0,
    ),
    (r"\b(?:in the following|over the next|since then|afterwards|from then on|ever since|after that)\b", 0.8),
    (r"\b(?:after|within) (?:two|three|four|a few|\d+) (?:days|weeks|months)\b", 0.5),
    (
        r"\b(?:we|I|the team|they) had (?:zero|no)\b|\bzero (?:\w+ )?(?:incidents?|duplicates?|errors?|complaints?|"
        r"outages?|bugs?|charges?|data loss|findings)\b|\bno (?:customer )?(?:complaints|findings|incidents)\b",
        0.8,
    ),
    (
        r"\b(?:was|were) (?:all |fully )?(?:done|completed|finished|resolved|fixed|restored|refunded|back|adopted)\b",
        0.6,
    ),
    (r"\b(?:became|is now|are now|still uses?|now (?:finishes|takes|runs|reviews|uses))\b", 0.6),
    (r"\bwithin \d+ (?:minutes?|hours?|days?|weeks?)\b", 0.5),
    (r"\bsince then\b|\bto this day\b|\bstill (?:use|used|running)\b", 0.8),
    (r"\bwent from\b", 0.8),
    (r"\b(?:it|this|that) worked\b|\bgot (?:much |a lot )?(?:better|faster|easier)\b|\bbecame the\b", 0.8),
    (r"\b(?:renewed|we won|hit the target|met the (?:target|deadline)|was worth)\b", 1.0),
    (r"\bwithin (?:a|an|one|two|three|four|five|ten|a few) (?:minutes?|hours?|days?|weeks?)\b", 0.5),
    (r"\b(?:and|which) (?:brought|cut|saved|reduced|got)\b", 0.4),
]
_DEFINITION: list[tuple[str, float]] = [
    (r"^(?:[\w\-/().+]+\s+){0,6}?(?:is|are)\s+(?:a|an|the|when|used|basically|essentially|simply|one of|about)\b", 1.0),
    (
        r"\b(?:refers? to|is defined as|stands? for|means?(?: that)?|is called|are called|is known as|is a (?:type|kind|"
        r"form|way|method|technique|measure|metric|process|function|model|algorithm|family|class))\b",
        1.2,
    ),
    (r"^(?:in short|simply put|put simply|in a nutshell|basically|in simple terms|in other words),", 1.0),
    (r"\bI(?:'d| would) (?:describe|define|explain) (?:\w+ ){1,4}as\b|^what (?:an? |the )?[\w ]+ does is\b", 1.2),
    (
        r"^(?:an?|the) (?:[\w\-/().+]+\s+){0,5}?(?:has|have|lets|allows|tells|splits|copies|adds|stores|updates|"
        r"estimates|decouples|packages|combines|maps|keeps|loads|gives|takes|returns|holds|ensures|makes|runs)\b",
        1.0,
    ),
    (
        r"^(?:\w+(?:[\s-]\w+){0,3}) (?:lets|allows|splits|copies|adds|stores|updates|estimates|decouples|packages|"
        r"combines|maps|keeps|loads|has|have|lets|tells|gives|holds|returns)\b",
        1.0,
    ),
    (r"\bis (?:about|when|where|how)\b", 0.6),
    (
        r"^(?!(?:I|we|you|it|this|that|there|they|my|our|so|but|however|for|say|let's)\b)(?:[\w\-/().+']+\s+){1,5}?"
        r"(?:is|are) \w+ing\b",
        1.0,
    ),
]
_EXAMPLE: list[tuple[str, float]] = [
    (
        r"\b(?:for example|for instance|e\.g\.|as an example|a good example|an example|one example|such as|imagine|"
        r"say (?:we|you) have|let's say|suppose|consider|picture|think of|like when|in practice|a (?:typical|"
        r"concrete|real[- ]world|common|classic) (?:case|example)|take (?:a|an|the)|an everyday)\b",
        1.2,
    ),
    (r"\bin (?:my|our) (?:last|previous|current|own)? ?(?:project|job|role|team|company|service|app)\b", 1.2),
    (r"\bat my (?:last|previous|current) (?:job|company|role)\b|\bwhen we (?:moved|built|migrated|had)\b", 1.0),
    (r"\b(?:I|we) (?:used|built|applied|implemented|deployed|trained|tuned|wrote|had|once|moved|ran)\b", 0.8),
    (r"^(?:for|with) (?:a|an|our|my) [\w ]{2,40},", 0.8),
    (r"\b\d+(?:[.,]\d+)?\s?(?:%|percent)\b", 0.4),
    (
        r"\b(?:Redis|Kafka|Stripe|Netflix|Amazon|Django|Flask|Postgres(?:QL)?|MySQL|SQS|Kubernetes|Terraform|"
        r"Spark|Airflow|React|Google|Uber|AWS)\b",
        0.4,
    ),
]
_TRADE_OFF: list[tuple[str, float]] = [
    (
        r"\b(?:trade-?offs?|downsides?|drawbacks?|disadvantages?|advantages?|pros and cons|limitations?|on the other "
        r"hand|at the (?:cost|expense|price) of|the (?:cost|price|catch|risk)(?: you pay| is)?|whereas|in contrast|"
        r"compared (?:to|with)|instead of|it depends|depends on|caveat|overhead|risk of|is prone to|suffers from|"
        r"doesn't scale|does not scale|that said|a balance between|vs\.?|versus|only (?:works|when|if|for)|"
        r"(?:doesn't|does not|can't|cannot|won't) (?:work|help|serve|scale|easily))\b",
        1.2,
    ),
    (r"\b(?:however|but|although|though|unless|while|yet)\b", 1.0),
    (
        r"\b(?:slower|faster|cheaper|more expensive|expensive|simpler|more complex|complexity|less accurate|more "
        r"accurate|more memory|less memory|harder|easier|weaker|stronger)\b",
        0.5,
    ),
    (r"\b(?:better|worse) (?:than|when|for|if)\b|\bworth (?:it|the)\b|\byou (?:gain|lose)\b", 0.6),
    (r"^(?:if|when) (?:the|you|your) [\w ]{2,40},", 0.4),
]


def _compile(cues: list[tuple[str, float]]) -> list[Cue]:
    return [(re.compile(pattern, _FLAGS), weight) for pattern, weight in cues]


STAR_CUES: dict[str, list[Cue]] = {
    "situation": _compile(_SITUATION),
    "task": _compile(_TASK),
    "action": _compile(_ACTION),
    "result": _compile(_RESULT),
}
TECHNICAL_CUES: dict[str, list[Cue]] = {
    "definition": _compile(_DEFINITION),
    "example": _compile(_EXAMPLE),
    "trade_off": _compile(_TRADE_OFF),
}


def cue_strength(sentence: str, cues: list[Cue]) -> float:
    """Sum the weights of the cue patterns a sentence matches."""
    return sum(weight for pattern, weight in cues if pattern.search(sentence))


def lexical_strength(part: str, sentence: str) -> float:
    """Return a sentence's lexical cue strength for one structure part (STAR or technical)."""
    cues = STAR_CUES.get(part) or TECHNICAL_CUES[part]
    strength = cue_strength(sentence, cues)
    if part == "action":
        # Owned actions ("I rolled back") are the core of STAR; team actions count for less.
        strength += 1.0 if has_first_person_action(sentence) else 0.6 if has_team_action(sentence) else 0.0
    return strength
