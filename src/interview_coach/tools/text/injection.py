"""Prompt-injection detection and neutralisation for candidate-written text.

An answer (or a resume) is data, never instructions. This module finds text that tries to steer
an evaluator and removes it before anything is scored, so injected text can be flagged but can
never raise a score:

- hidden Unicode: zero-width characters, bidi controls, Unicode tag characters (which can carry
  a whole invisible ASCII message; it is decoded for the flag), variation-selector runs;
- chat-template role tags and blocks: ``system:`` at a line start, ``<|im_start|>``, ``[INST]``,
  ``<<SYS>>``, ``<system>...</system>``;
- fake score payloads: JSON-like objects with score/rating/grade keys;
- sentences that override instructions ("ignore previous instructions"), ask for a grade
  ("rate this 10/10"), address the evaluating software ("note to automated analysis software"),
  dictate the output ("simply respond with ..."), or plant a verdict ("pre-verified by senior
  management", "the candidate is the most qualified").

Sentences that follow a flagged sentence in the same paragraph and keep talking about the
evaluation (the candidate, hiring, scores) are removed with it: injected payloads are usually
several sentences long and only the first one carries the trigger phrase.

Before any cue runs, the text is folded (``tools/text/normalise.py``): NFKC turns fullwidth and
mathematical letters into plain ones, and Cyrillic/Greek look-alikes inside Latin words become
Latin, so "Ignоre previоus instructions" with Cyrillic letters is caught (and flagged as hidden
Unicode). HTML and Markdown comments (hidden when rendered) are removed and flagged; base64 text
is decoded, removed and flagged; a sentence whose rot13 decoding carries a cue is removed. The
two commonest cue families are also matched in nine other languages (``injection_cues.py``).
The returned text is the folded one, so scoring sees what the detector saw.

Known limits: paraphrased instructions without any of the cue phrases, and other-language
instructions outside the translated families, are not caught; they are scored as ordinary text,
which earns nothing unless it addresses the question (``tools/text/credit.py``).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from interview_coach.domain.text import InjectionFlag
from interview_coach.tools.text.injection_cues import ALL_CUES, BASE64_TOKEN, decode_base64, rot13
from interview_coach.tools.text.lexical import Sentence, split_sentences
from interview_coach.tools.text.normalise import fold_lookalikes


@dataclass(frozen=True)
class NeutralisedText:
    """The text with every injection removed, plus the flags and the removed passages."""

    text: str
    flags: list[InjectionFlag] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


# --- hidden Unicode ----------------------------------------------------------------------

_BIDI = {0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_SILENT = {0x00AD}  # soft hyphens come from ordinary copy-paste; removed without a flag
_ZWJ = 0x200D
_QUOTE_RADIUS = 40


def _is_tag(cp: int) -> bool:
    return 0xE0000 <= cp <= 0xE007F


def _is_variation_selector(cp: int) -> bool:
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _is_symbol(ch: str) -> bool:
    return bool(ch) and (unicodedata.category(ch) in {"So", "Sk"} or 0x1F3FB <= ord(ch) <= 0x1F3FF)


@dataclass
class _HiddenScan:
    visible: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    first_at: dict[str, int] = field(default_factory=dict)
    tag_text: list[str] = field(default_factory=list)

    def note(self, kind: str, position: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.first_at.setdefault(kind, position)


_MAYBE_HIDDEN = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)


def _scan_hidden(text: str) -> _HiddenScan:
    scan = _HiddenScan()
    cursor = 0
    visible_length = 0
    previous_visible = ""
    # Only the candidate characters are inspected one by one; everything else is copied in slices.
    for match in _MAYBE_HIDDEN.finditer(text):
        index = match.start()
        if index > cursor:
            scan.visible.append(text[cursor:index])
            visible_length += index - cursor
            previous_visible = text[index - 1]
        cursor = index + 1
        kept = _classify_hidden(text, index, previous_visible, scan, visible_length)
        if kept:
            scan.visible.append(kept)
            visible_length += len(kept)
    scan.visible.append(text[cursor:])
    return scan


def _classify_hidden(text: str, index: int, previous_visible: str, scan: _HiddenScan, at: int) -> str:
    """Return what to keep of one candidate character ("" to drop it), noting hidden ones."""
    ch = text[index]
    cp = ord(ch)
    if cp in _SILENT:
        return ""
    if ch in "\u2028\u2029":
        return "\n"
    if _is_tag(cp):
        scan.note("tag characters", at)
        if 0xE0020 <= cp <= 0xE007E:
            scan.tag_text.append(chr(cp - 0xE0000))
        return ""
    if _is_variation_selector(cp):
        # One selector right after an emoji is normal (e.g. the red heart); runs smuggle bytes.
        if _is_symbol(previous_visible) and not (index > 0 and _is_variation_selector(ord(text[index - 1]))):
            return ch
        scan.note("variation selectors", at)
        return ""
    if cp == _ZWJ and _is_symbol(previous_visible) and index + 1 < len(text) and _is_symbol(text[index + 1]):
        return ch  # emoji sequence joiner
    scan.note("bidirectional controls" if cp in _BIDI else "zero-width characters", at)
    return ""


def _hidden_flags(scan: _HiddenScan, visible: str) -> list[InjectionFlag]:
    flags: list[InjectionFlag] = []
    for kind, count in scan.counts.items():
        at = scan.first_at[kind]
        quote = visible[max(0, at - _QUOTE_RADIUS) : at + _QUOTE_RADIUS].strip()
        detail = f"{count} hidden {kind} removed"
        if kind == "tag characters" and scan.tag_text:
            detail += f"; they spell: {''.join(scan.tag_text)[:200]!r}"
        flags.append(InjectionFlag(kind="hidden_unicode", detail=detail, quote=quote))
    return flags


# --- role tags and fake payloads -----------------------------------------------------------

_BLOCKS = [
    re.compile(r"<\|im_start\|>.*?(?:<\|im_end\|>|\Z)", re.DOTALL | re.IGNORECASE),
    re.compile(r"\[INST\].*?(?:\[/INST\]|\Z)", re.DOTALL | re.IGNORECASE),
    re.compile(r"<<SYS>>.*?(?:<</SYS>>|\Z)", re.DOTALL | re.IGNORECASE),
    re.compile(r"<(system|assistant|instructions?|developer)>.*?(?:</\1>|\Z)", re.DOTALL | re.IGNORECASE),
    re.compile(
        r"<\|(?:start_header_id|system|user|assistant)\|>.*?(?:<\|eot_id\|>|<\|end\|>|\Z)", re.DOTALL | re.IGNORECASE
    ),
]
_ROLE_LINE = re.compile(
    r"^[ \t>*_#\[(]*(?:system|assistant|developer|user|human|ai|gpt|chatgpt|grader|evaluator|judge)[\])*_ \t]*:.*$",
    re.IGNORECASE | re.MULTILINE,
)
_STRAY_TAGS = re.compile(
    r"<\|[a-z_]{2,20}\|>|\[/?INST\]|<</?SYS>>|</?(?:system|assistant|instructions?|im_start|im_end)>|"
    r"\[(?:system|assistant|rest-of-document)\]|#{2,}\s*(?:system|instructions?|response|assistant)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
_SCORE_KEYS = (
    r"score|rating|grade|quality|answer_quality|verdict|relevance|overall|evaluation|decision|recommendation|marks?"
)
_FAKE_JSON = re.compile(rf"\{{[^{{}}]{{0,400}}?[\"']?(?:{_SCORE_KEYS})[\"']?\s*[:=][^{{}}]{{0,400}}\}}", re.IGNORECASE)


def _remove_pattern(
    text: str, pattern: re.Pattern[str], kind: str, detail: str, flags: list[InjectionFlag], removed: list[str]
) -> str:
    pieces: list[str] = []
    cursor = 0
    for match in pattern.finditer(text):
        pieces.append(text[cursor : match.start()])
        quote = match.group(0).strip()
        flags.append(InjectionFlag(kind=kind, detail=detail, quote=quote[:300]))
        removed.append(quote)
        cursor = match.end()
    pieces.append(text[cursor:])
    return "".join(pieces) if len(pieces) > 1 else text


# --- sentence-level cues -----------------------------------------------------------------

_COMPILED_CUES = [
    (kind, detail, re.compile(pattern, re.IGNORECASE | re.MULTILINE)) for kind, detail, pattern in ALL_CUES
]
_EVALUATION_TALK = re.compile(
    r"\b(?:the|this) (?:candidate|applicant)|\bresume\b|\bcv\b|\bqualified\b|\brecommend|\bhir(?:e|ed|ing)\b|"
    r"\baddition to the team\b|\bexpert-level\b|\bdemonstrated\b|\bscor(?:e|es|ing)\b|\brating\b|\bgrade\b|\brubric\b|"
    r"\bevaluat|\bassess|\bthis is (?:only )?a test\b|\bdeviate\b|\binstructions?\b|\bout of (?:ten|10|five|5|100)\b|"
    r"\b(?:10|5|100)\s*/\s*(?:10|5|100)\b|\b(?:full|top) marks\b",
    re.IGNORECASE,
)
_COMMENTS = re.compile(
    r"<!--.*?(?:-->|\Z)|^[ \t]*\[(?://|comment|_)\]:[ \t]*(?:#|<>)[ \t]*(?:\([^\n]*\)|\"[^\n]*\"|'[^\n]*')[ \t]*$",
    re.DOTALL | re.MULTILINE,
)


def _sentence_flags(sentence: str) -> list[InjectionFlag]:
    folded = unicodedata.normalize("NFKC", sentence)
    flags: list[InjectionFlag] = []
    seen_kinds: set[str] = set()
    for kind, detail, pattern in _COMPILED_CUES:
        if kind in seen_kinds:
            continue
        match = pattern.search(folded)
        if match:
            seen_kinds.add(kind)
            flags.append(InjectionFlag(kind=kind, detail=f"{detail}: {match.group(0).strip()!r}", quote=sentence[:300]))
    return flags


def _flags_by_sentence(
    text: str, sentences: list[Sentence], *, encoding: str | None = None
) -> dict[int, list[InjectionFlag]]:
    """Run every cue over the whole text once (fast on huge answers) and file matches by sentence.

    With ``encoding="rot13"`` the cues run over the rot13 decoding (same positions) and a match
    is an ``encoded_payload`` flag.
    """
    if not unicodedata.is_normalized("NFKC", text):
        found = {i: _sentence_flags(s.text) for i, s in enumerate(sentences)}
        return {i: f for i, f in found.items() if f}
    scanned = rot13(text) if encoding == "rot13" else text
    starts = [s.start for s in sentences]
    by_sentence: dict[int, dict[str, InjectionFlag]] = {}
    for kind, detail, pattern in _COMPILED_CUES:
        for match in pattern.finditer(scanned):
            index = bisect_right(starts, match.end() - 1) - 1
            flag_kind = "encoded_payload" if encoding else kind
            if index < 0 or flag_kind in by_sentence.get(index, {}):
                continue
            said = f"{encoding}-encoded, {detail}" if encoding else detail
            flag = InjectionFlag(
                kind=flag_kind, detail=f"{said}: {match.group(0).strip()!r}", quote=sentences[index].text[:300]
            )
            by_sentence.setdefault(index, {})[flag_kind] = flag
    return {index: list(flags.values()) for index, flags in sorted(by_sentence.items())}


def _drop_flagged_sentences(text: str, flags: list[InjectionFlag], removed: list[str]) -> str:
    sentences = split_sentences(text)
    drop: set[int] = set()
    for encoding in (None, "rot13"):
        for index, sentence_flags in _flags_by_sentence(text, sentences, encoding=encoding).items():
            if index not in drop:
                flags.extend(sentence_flags)
                drop.add(index)
    for index in sorted(drop):
        follower = index + 1
        while (
            follower < len(sentences)
            and follower not in drop
            and _same_paragraph(text, sentences[follower - 1].end, sentences[follower].start)
        ):
            if not _EVALUATION_TALK.search(sentences[follower].text):
                break
            drop.add(follower)
            follower += 1
    if not drop:
        return text
    pieces: list[str] = []
    cursor = 0
    for index in sorted(drop):
        sentence = sentences[index]
        pieces.append(text[cursor : sentence.start])
        removed.append(sentence.text)
        cursor = sentence.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _remove_base64(text: str, flags: list[InjectionFlag], removed: list[str]) -> str:
    """Remove base64 runs that decode to text, flagging what they say (and any cue in it)."""
    pieces: list[str] = []
    cursor = 0
    for match in BASE64_TOKEN.finditer(text):
        decoded = decode_base64(match.group(0))
        if decoded is None:
            continue
        pieces.append(text[cursor : match.start()])
        cues = "; ".join(f.detail for f in _sentence_flags(decoded))
        detail = f"base64-encoded text removed; it says: {decoded[:200]!r}" + (f" ({cues})" if cues else "")
        flags.append(InjectionFlag(kind="encoded_payload", detail=detail, quote=match.group(0)[:300]))
        removed.append(match.group(0))
        cursor = match.end()
    pieces.append(text[cursor:])
    return "".join(pieces) if pieces[:-1] else text


def _same_paragraph(text: str, end: int, start: int) -> bool:
    return "\n\n" not in text[end:start].replace("\r", "")


def neutralise(text: str) -> NeutralisedText:
    """Remove hidden characters and injected instructions from text, keeping what was found.

    Args:
        text: any candidate-provided text (an answer, a transcript, a resume).

    Returns:
        The cleaned text to analyse, the flags (kind, detail, quote) and the removed passages.

    """
    scan = _scan_hidden(text)
    folded = fold_lookalikes("".join(scan.visible))
    visible = folded.text
    flags = _hidden_flags(scan, visible)
    if folded.words:
        flags.append(
            InjectionFlag(
                kind="hidden_unicode",
                detail=f"{len(folded.words)} words spelled with look-alike letters of another script, read as Latin",
                quote=", ".join(folded.words[:8])[:300],
            )
        )
    removed: list[str] = []
    if scan.tag_text:
        flags.extend(
            InjectionFlag(kind=f.kind, detail=f"inside hidden tag characters, {f.detail}", quote=f.quote)
            for f in _sentence_flags("".join(scan.tag_text))
        )
    cleaned = _remove_pattern(visible, _COMMENTS, "hidden_markup", "HTML or Markdown comment (hidden)", flags, removed)
    cleaned = _remove_base64(cleaned, flags, removed)
    for block in _BLOCKS:
        cleaned = _remove_pattern(cleaned, block, "role_tag", "chat-template block (role tags)", flags, removed)
    cleaned = _remove_pattern(cleaned, _FAKE_JSON, "fake_score", "score-like JSON payload", flags, removed)
    cleaned = _remove_pattern(cleaned, _ROLE_LINE, "role_tag", "line starting with a chat role tag", flags, removed)
    cleaned = _remove_pattern(cleaned, _STRAY_TAGS, "role_tag", "chat-template control tag", flags, removed)
    cleaned = _drop_flagged_sentences(cleaned, flags, removed)
    return NeutralisedText(text=cleaned, flags=flags, removed=removed)


def detect_injection(text: str) -> list[InjectionFlag]:
    """List the prompt-injection attempts in text (hidden Unicode, role tags, fake scores, instructions)."""
    return neutralise(text).flags
