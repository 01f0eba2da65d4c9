"""Slot extraction from a coach message: question ordinals and topics, session cues, time windows.

These read the words that *name* a thing ("my second answer", "last week", "the one about
failure"); what the message *asks* is left to the embedding classifier.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "7th": 7,
    "8th": 8,
    "9th": 9,
    "10th": 10,
}
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Words the slot rules and the classifier rely on; a typo close to one of them is corrected.
SLOT_VOCABULARY = (
    *ORDINALS,
    *NUMBER_WORDS,
    *WEEKDAYS,
    *MONTHS,
    "session",
    "sessions",
    "interview",
    "interviews",
    "question",
    "questions",
    "answer",
    "answers",
    "previous",
    "yesterday",
    "today",
    "week",
    "month",
    "last",
    "latest",
    "final",
)

_QUESTION_NOUN = r"(?:questions?|answers?|ones?|responses?|replies|reply|q|story)"
_SESSION_NOUN = r"(?:sessions?|interviews?|mocks?|practice|round|time|attempt)"
_NUMBERED = re.compile(
    r"\b(?:q|question|answer|response|number|no\.?)\s*#?\s*(\d{1,2})\b|#(\d{1,2})\b"
    r"|\b(?:question|number)\s+(?P<word>one|two|three|four|five|six|seven|eight|nine|ten)\b"
)
_ORDINAL = re.compile(
    r"\b(?P<ord>" + "|".join(ORDINALS) + r"|last|final)\b(?P<rest>(?:\s+[\w'-]+){0,2})", re.IGNORECASE
)
_SESSION_AFTER = re.compile(r"^\s+(?:\w+\s+)?" + _SESSION_NOUN + r"\b|^\s+(?:week|month|year|night)\b")
_QUESTION_AFTER = re.compile(r"^\s+(?:[\w'-]+\s+)?" + _QUESTION_NOUN + r"\b")
_TOPIC_AFTER_NOUN = re.compile(
    r"\b" + _QUESTION_NOUN + r"\s+(?:about|on|regarding|concerning|around|with|where|when)\s+"
    r"(?:the\s+|a\s+|an\s+|my\s+|i\s+)?(?P<topic>[a-z][\w\-' ]{2,60}?)(?=[?.!,]|$|\s+(?:so|and|again|please|scored|go|went)\b)"
)
_TOPIC_BEFORE_NOUN = re.compile(
    r"\b(?:the|my|that|this)\s+(?P<topic>[a-z][\w\-' ]{1,40}?)\s+(?:question|one|answer|story)\b"
)
_NOT_TOPICS = re.compile(
    r"^(?:" + "|".join(ORDINALS) + r"|last|final|next|previous|other|same|whole|very|my|\d+\w*|"
    r"best|worst|weakest|strongest|lowest|highest|first few|last few|\w+ (?:session|interview)\b.*)$"
)
_SESSION_TOPIC = re.compile(
    r"\b" + _SESSION_NOUN + r"\s+(?:about|on|where|with|when)\s+(?:i\s+\w+\s+(?:about\s+)?|the\s+|a\s+|my\s+)?"
    r"(?P<topic>[a-z][\w\-' ]{2,60}?)(?=[?.!,]|$)"
)
_CURRENT = re.compile(
    r"\b(?:this|today'?s?|current|the\s+one\s+(?:i\s+)?just\s+(?:did|finished))\s+" + _SESSION_NOUN + r"\b|\bjust now\b"
)
_BACK_WORDS = re.compile(
    r"\b(?:last|previous|latest|most recent|prior|recent)\s+(?:\w+\s+)?" + _SESSION_NOUN + r"\b|\blast time\b"
)
_N_AGO = re.compile(r"\b(?P<n>\d|" + "|".join(NUMBER_WORDS) + r")\s+" + _SESSION_NOUN + r"\s+ago\b")
_BEFORE_LAST = re.compile(r"\b(?:before last|second[- ]to[- ]last|second[- ]last|penultimate)\b")
_BEFORE_THAT = re.compile(r"\b(?:before that|prior to that|the one before|previous one)\b")
_FIRST = re.compile(r"\b(?:very\s+)?first\s+(?:ever\s+)?" + _SESSION_NOUN + r"\b|\bfirst ever\b")
_DAYS_AGO = re.compile(r"\b(?P<n>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")\s+(?P<unit>days?|weeks?)\s+ago\b")
_DAY_OF_MONTH = re.compile(
    r"\b(?:on\s+)?(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?(?:\s+(?P<month>" + "|".join(MONTHS) + r"))?\b"
)
_MONTH_DAY = re.compile(r"\b(?P<month>" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*\.?\s+(?P<day>\d{1,2})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def normalise(text: str, vocabulary: set[str]) -> str:
    """Lower-case a message and correct typos close to known words ("secnd" -> "second").

    Args:
        text: the raw message.
        vocabulary: known words (the example bank, the slot words, the session's question words).
    """
    words = re.findall(r"[\w'#-]+|[^\w\s]", text.lower())
    fixed: list[str] = []
    for word in words:
        match = None
        if len(word) >= 4 and word.isalpha() and word not in vocabulary:
            match = next(iter(difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.8)), None)
        fixed.append(match or word)
    return re.sub(r"\s+([?.!,])", r"\1", " ".join(fixed))


def question_number(text: str, count: int) -> int | None:
    """Read an explicit question reference: "Q3", "question 2", "#2", "my second answer", "the last one".

    Args:
        text: the normalised message.
        count: how many main questions the session in focus has ("last" is the last of them).
    """
    numbered = _NUMBERED.search(text)
    if numbered:
        word = numbered.group("word")
        return NUMBER_WORDS[word] if word else int(numbered.group(1) or numbered.group(2))
    for match in _ORDINAL.finditer(text):
        rest = match.group("rest")
        if _SESSION_AFTER.match(rest):
            continue
        named = re.search(r"\b(?:the|my|that)\s*$", text[: match.start()]) is not None
        at_end = named and rest.strip().rstrip("?.!") in {"", "please", "again"}
        if _QUESTION_AFTER.match(rest) or at_end:
            word = match.group("ord").lower()
            return count if word in {"last", "final"} else ORDINALS[word]
    return None


def question_topic(text: str) -> str | None:
    """Read the phrase that names a question by its subject ("the message-queue question" -> "message-queue")."""
    for pattern in (_TOPIC_AFTER_NOUN, _TOPIC_BEFORE_NOUN):
        for match in pattern.finditer(text):
            topic = match.group("topic").strip(" '-")
            if topic and not _NOT_TOPICS.match(topic):
                return topic
    return None


@dataclass(frozen=True)
class SessionCues:
    """The words of a message that point at a session.

    Attributes:
        current: "this session", "today's interview".
        back: how many sessions back ("last session" 1, "two sessions ago" 2).
        before_that: "the session before that" (one further back than the previous turn's session).
        first: "my first session".
        window: a time window ("last week"), with the words that named it.
        topic: a phrase naming the session by its subject ("the interview about kafka").
    """

    current: bool = False
    back: int | None = None
    before_that: bool = False
    first: bool = False
    window: tuple[datetime, datetime, str] | None = None
    topic: str | None = None

    @property
    def any(self) -> bool:
        """Whether any cue was found."""
        return bool(self.current or self.back or self.before_that or self.first or self.window or self.topic)


def session_cues(text: str, now: datetime) -> SessionCues:
    """Find the session cues of a normalised message."""
    back: int | None = None
    ago = _N_AGO.search(text)
    if ago:
        n = ago.group("n")
        back = int(n) if n.isdigit() else NUMBER_WORDS[n]
    elif _BEFORE_LAST.search(text):
        back = 2
    elif _BACK_WORDS.search(text):
        back = 1
    topic = _SESSION_TOPIC.search(text)
    return SessionCues(
        current=bool(_CURRENT.search(text)),
        back=back,
        before_that=bool(_BEFORE_THAT.search(text)),
        first=bool(_FIRST.search(text)),
        window=time_window(text, now),
        topic=topic.group("topic").strip() if topic else None,
    )


def _day(now: datetime, days_back: int) -> tuple[datetime, datetime]:
    start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days_back)
    return start, start + timedelta(days=1)


def _month_start(when: datetime) -> datetime:
    return when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def time_window(text: str, now: datetime) -> tuple[datetime, datetime, str] | None:
    """Turn "yesterday", "last week", "3 days ago", "on Tuesday", "the 18th" into a [start, end) window."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = today - timedelta(days=today.weekday())
    this_month = _month_start(now)
    if "yesterday" in text:
        return (*_day(now, 1), "yesterday")
    if re.search(r"\btoday\b", text):
        return (*_day(now, 0), "today")
    if re.search(r"\b(?:last|previous|past) week\b|\ba week ago\b", text):
        return week_start - timedelta(days=7), week_start, "last week"
    if re.search(r"\bthis week\b", text):
        return week_start, now + timedelta(seconds=1), "this week"
    if re.search(r"\b(?:last|previous|past) month\b|\ba month ago\b", text):
        return _month_start(this_month - timedelta(days=1)), this_month, "last month"
    if re.search(r"\b(?:start|beginning) of (?:the|this) month\b", text):
        return this_month, this_month + timedelta(days=7), "the start of the month"
    if re.search(r"\bthis month\b", text):
        return this_month, now + timedelta(seconds=1), "this month"
    ago = _DAYS_AGO.search(text)
    if ago:
        n = int(ago.group("n")) if ago.group("n").isdigit() else NUMBER_WORDS[ago.group("n")]
        if ago.group("unit").startswith("week"):
            start = week_start - timedelta(days=7 * n)
            return start, start + timedelta(days=7), ago.group(0)
        start, _ = _day(now, n + 1)
        return start, start + timedelta(days=3), ago.group(0)
    for index, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}'?s?\b", text):
            back = (today.weekday() - index) % 7 or 7
            return (*_day(now, back), f"on {name.title()}")
    return _calendar_date(text, now)


def _calendar_date(text: str, now: datetime) -> tuple[datetime, datetime, str] | None:
    iso = _ISO_DATE.search(text)
    month_day = _MONTH_DAY.search(text)
    day_month = _DAY_OF_MONTH.search(text)
    try:
        if iso:
            start = now.replace(year=int(iso[1]), month=int(iso[2]), day=int(iso[3]))
        elif month_day:
            month = next(i for i, m in enumerate(MONTHS, 1) if m.startswith(month_day["month"]))
            start = now.replace(month=month, day=int(month_day["day"]))
        elif day_month and (day_month["month"] or re.search(r"\b(?:on\s+)?the\s+\d{1,2}(?:st|nd|rd|th)\b", text)):
            month = MONTHS.index(day_month["month"]) + 1 if day_month["month"] else now.month
            start = now.replace(month=month, day=int(day_month["day"]))
        else:
            return None
    except ValueError:
        return None
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if start > now:
        start = start.replace(year=start.year - 1)
    return start, start + timedelta(days=1), f"on {start:%d %b}"
