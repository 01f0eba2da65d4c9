"""Scrub personal data from text before it leaves the machine in a training dataset.

Recognisers, all offline: e-mail addresses and URLs (regular expressions), phone numbers
(Google's libphonenumber through ``phonenumbers``, which also catches international formats),
and person names from a name list built from the candidate profile and the resume header,
plus names a candidate introduces ("my name is ..."). Each match becomes a placeholder such as
``[EMAIL]`` so the sentence stays useful for training. Numbers that are not phone numbers
(metrics like "cut p99 from 1200 ms to 300 ms") are kept on purpose.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
URL = re.compile(
    r"\b(?:https?://|ftp://|www\.)[^\s<>\"')\]]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|ai|co|me|app|info|edu|gov|uk|de|fr|in)/[^\s<>\"')\]]*",
    re.IGNORECASE,
)
_INTRODUCED_NAME = re.compile(
    r"\b(?i:my name is|my name's|i am called|i'm called)\s+"
    r"(?P<name>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2})"
)
_NAME_WORD = re.compile(r"^(?:[A-Z][A-Za-z'’-]+|[A-Z]\.)$")
_TRAILING_PUNCT = ".,;:!?)]}"
PLACEHOLDER_NAMES = frozenset({"candidate", "user", "anonymous", "me", "you", "demo", "test"})
PHONE_REGIONS = ("US",)
MIN_PHONE_DIGITS = 7


@dataclass
class ScrubReport:
    """How many items of each kind were replaced."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, n: int = 1) -> None:
        """Count ``n`` replacements of one kind."""
        if n:
            self.counts[kind] += n


def name_parts(full_names: Iterable[str]) -> list[str]:
    """Split full names into the words to scrub (full name first, then each part of 2+ letters).

    Placeholders such as "Candidate" are ignored so default profiles do not erase ordinary words.
    """
    parts: list[str] = []
    for full in full_names:
        words = [w.strip(_TRAILING_PUNCT) for w in full.split()]
        words = [w for w in words if len(w) >= 2 and w.lower() not in PLACEHOLDER_NAMES]
        if not words:
            continue
        if len(words) > 1:
            parts.append(" ".join(words))
        parts.extend(words)
    # Longest first so "Ada Lovelace" is replaced before "Ada".
    return sorted(dict.fromkeys(parts), key=len, reverse=True)


def resume_header_name(resume_text: str) -> str | None:
    """Return the resume's first line when it looks like a person's name (2-4 capitalised words)."""
    for line in resume_text.splitlines():
        stripped = line.strip().strip("#*").strip()
        if not stripped:
            continue
        words = stripped.split()
        if 2 <= len(words) <= 4 and all(_NAME_WORD.match(w) for w in words):
            return stripped
        return None
    return None


class PiiScrubber:
    """Replace e-mails, URLs, phone numbers and known names with placeholders."""

    def __init__(self, names: Iterable[str] = (), *, regions: Iterable[str] = PHONE_REGIONS) -> None:
        """Create a scrubber for known person names (e.g. the candidate and their resume name).

        Args:
            names: full names to remove (each word of 2+ letters is removed too).
            regions: phone-number regions for national formats; ``+`` international numbers are
                found whatever the region.

        """
        self.names = name_parts(names)
        self.regions = tuple(regions)
        self._name_pattern = (
            re.compile(r"\b(?:" + "|".join(re.escape(n) for n in self.names) + r")(?:'s|’s)?\b", re.IGNORECASE)
            if self.names
            else None
        )

    def scrub(self, text: str, report: ScrubReport | None = None) -> str:
        """Return the text with personal data replaced by ``[EMAIL]``, ``[URL]``, ``[PHONE]``, ``[NAME]``."""
        report = report if report is not None else ScrubReport()
        text = self._sub(EMAIL, "[EMAIL]", "email", text, report)
        text = self._sub(URL, "[URL]", "url", text, report)
        text = self._phones(text, report)
        text = self._introduced_names(text, report)
        if self._name_pattern is not None:
            text = self._sub(self._name_pattern, "[NAME]", "name", text, report)
        return text

    @staticmethod
    def _sub(pattern: re.Pattern[str], placeholder: str, kind: str, text: str, report: ScrubReport) -> str:
        new_text, count = pattern.subn(placeholder, text)
        report.add(kind, count)
        return new_text

    def _phones(self, text: str, report: ScrubReport) -> str:
        spans: set[tuple[int, int]] = set()
        for region in self.regions:
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
                # Short digit runs (years, latencies, ids) are possible numbers in some plans; keep them.
                if sum(c.isdigit() for c in match.raw_string) >= MIN_PHONE_DIGITS:
                    spans.add((match.start, match.end))
        kept: list[tuple[int, int]] = []
        for start, end in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
            if kept and start < kept[-1][1]:
                continue
            kept.append((start, end))
        for start, end in reversed(kept):
            text = text[:start] + "[PHONE]" + text[end:]
        report.add("phone", len(kept))
        return text

    @staticmethod
    def _introduced_names(text: str, report: ScrubReport) -> str:
        def replace(match: re.Match[str]) -> str:
            report.add("name")
            return match.group(0)[: match.start("name") - match.start(0)] + "[NAME]"

        return _INTRODUCED_NAME.sub(replace, text)


def scrub_value(value: object, scrubber: PiiScrubber, report: ScrubReport) -> object:
    """Scrub every string inside a JSON-shaped value (dicts, lists, strings)."""
    if isinstance(value, str):
        return scrubber.scrub(value, report)
    if isinstance(value, list):
        return [scrub_value(v, scrubber, report) for v in value]
    if isinstance(value, dict):
        return {k: scrub_value(v, scrubber, report) for k, v in value.items()}
    return value
