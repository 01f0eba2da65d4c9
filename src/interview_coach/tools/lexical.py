"""Rule-based lexical features of an answer: sentences, hedges, fillers, specifics, repetitions.

Everything here is pure string processing with precompiled, linear-time regular expressions, so
it is deterministic and fast enough for very long answers. Each finding keeps the exact quote it
came from so the report can show why a number moved.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

MAX_SENTENCE_WORDS = 60
"""Run-on sentences (typical of speech transcripts) are cut into pieces of at most this many words."""

_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "vs",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "inc",
        "ltd",
        "co",
        "corp",
        "approx",
        "fig",
        "no",
        "st",
        "jr",
        "sr",
        "dept",
        "est",
        "misc",
        "al",
        "cf",
    ]
)
_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*\s+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


class Finding(BaseModel):
    """One lexical match: what it is and the words that showed it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    text: str
    quote: str


@dataclass(frozen=True)
class Sentence:
    """A sentence with its character span in the analysed text."""

    text: str
    start: int
    end: int


def count_words(text: str) -> int:
    """Count word tokens (letters/digits with inner apostrophes or hyphens)."""
    return sum(1 for _ in _WORD.finditer(text))


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences at end punctuation, line breaks and bullets.

    Abbreviations such as "e.g." do not end a sentence; run-on sentences longer than
    ``MAX_SENTENCE_WORDS`` words are cut into word-bounded pieces.
    """
    sentences: list[Sentence] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        line_start = offset
        offset += len(line)
        bullet = _BULLET.match(line)
        body_start = line_start + (bullet.end() if bullet else 0)
        for start, end in _line_spans(text, body_start, line_start + len(line.rstrip())):
            sentences.extend(_cut_run_on(text, start, end))
    return sentences


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        if _ends_with_abbreviation(text, cursor, match.start()):
            continue
        following = text[match.end() : match.end() + 1]
        if following and following.islower():
            continue
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    return [(s, e) for s, e in (_strip_span(text, s, e) for s, e in spans) if e > s]


def _ends_with_abbreviation(text: str, start: int, dot: int) -> bool:
    token_start = dot
    while token_start > start and not text[token_start - 1].isspace():
        token_start -= 1
    token = text[token_start:dot].lower().strip("(\"'")
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha() and token != "i")


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_run_on(text: str, start: int, end: int) -> list[Sentence]:
    words = list(_WORD.finditer(text, start, end))
    if len(words) <= MAX_SENTENCE_WORDS:
        return [Sentence(text[start:end], start, end)] if words else []
    pieces: list[Sentence] = []
    for first in range(0, len(words), MAX_SENTENCE_WORDS):
        chunk = words[first : first + MAX_SENTENCE_WORDS]
        piece_start = start if first == 0 else chunk[0].start()
        last = first + MAX_SENTENCE_WORDS >= len(words)
        piece_end = end if last else chunk[-1].end()
        pieces.append(Sentence(text[piece_start:piece_end], piece_start, piece_end))
    return pieces


def sentence_of(sentences: list[Sentence], position: int) -> str:
    """Return the sentence text containing a character position (the quote for a finding)."""
    for sentence in sentences:
        if sentence.start <= position < sentence.end:
            return sentence.text
    return ""


# --- hedges and fillers ------------------------------------------------------------------

_HEDGE_PATTERNS: dict[str, str] = {
    "i think": r"\bI think\b",
    "i guess": r"\bI guess\b",
    "i believe": r"\bI believe\b",
    "i suppose": r"\bI suppose\b",
    "i feel like": r"\bI feel like\b",
    "not sure": r"\b(?:I'?m |I am )?not (?:really |entirely |totally |100% |quite )?sure\b",
    "i don't know": r"\bI (?:don'?t|do not) (?:really )?know\b",
    "maybe": r"\bmaybe\b",
    "perhaps": r"\bperhaps\b",
    "probably": r"\bprobably\b",
    "possibly": r"\bpossibly\b",
    "kind of": r"\bkind of\b",
    "sort of": r"\bsort of\b",
    "somewhat": r"\bsomewhat\b",
    "more or less": r"\bmore or less\b",
    "i would say": r"\bI(?:'d| would) say\b",
    "if i remember correctly": r"\bif I (?:remember|recall) (?:correctly|right)\b",
    "not an expert": r"\bnot an expert\b",
    "hopefully": r"\bhopefully\b",
    "or something": r"\bor something(?: like that)?\b",
    "something like that": r"\bsomething like that\b",
    "i'm no expert": r"\bI'?m no expert\b",
}
_FILLER_PATTERNS: dict[str, str] = {
    "um": r"\bu+m+\b|\bu+h+m+\b",
    "uh": r"\bu+h+\b",
    "er": r"\ber+m*\b",
    "ah": r"\ba+h+\b",
    "hmm": r"\bh+m+\b",
    "like": r"\blike,(?=\s)|,\s*like\s+(?=[a-z])",
    "you know": r"\byou know(?=[,.?!]|\s*$)|,\s*you know\b",
    "i mean": r"\bI mean(?=,)",
    "basically": r"\bbasically\b",
    "literally": r"\bliterally\b",
    "actually": r"\bactually\b",
    "so yeah": r"\bso yeah\b",
    "you see": r"\byou see(?=,)",
    "right?": r"\bright\?",
}
_HEDGES = [(label, re.compile(p, re.IGNORECASE | re.MULTILINE)) for label, p in _HEDGE_PATTERNS.items()]
_FILLERS = [(label, re.compile(p, re.IGNORECASE | re.MULTILINE)) for label, p in _FILLER_PATTERNS.items()]
_CASE_SENSITIVE_FILLERS = frozenset({"er", "ah"})


_DISCOURSE_MARKER = re.compile(
    r"(?:^|(?<=[,.!?]\s))(?:so|well|yeah|okay|ok|right|now)\s*,", re.IGNORECASE | re.MULTILINE
)


def count_substantive_words(text: str) -> int:
    """Count the words left once fillers, hedges and bare discourse markers ("so,", "well,") are removed."""
    for _, pattern in (*_FILLERS, *_HEDGES):
        text = pattern.sub(" ", text)
    return count_words(_DISCOURSE_MARKER.sub(" ", text))


def find_hedges(text: str, sentences: list[Sentence]) -> list[Finding]:
    """Find hedging phrases ("I think", "maybe", "kind of"...), each with its sentence."""
    return _find_all(_HEDGES, text, sentences, "hedge")


def find_fillers(text: str, sentences: list[Sentence]) -> list[Finding]:
    """Find filler words written or transcribed in the answer ("um", "you know", ", like,")."""
    return _find_all(_FILLERS, text, sentences, "filler")


def _find_all(
    patterns: list[tuple[str, re.Pattern[str]]], text: str, sentences: list[Sentence], kind: str
) -> list[Finding]:
    hits: list[tuple[int, Finding]] = []
    taken: set[int] = set()
    for label, pattern in patterns:
        for match in pattern.finditer(text):
            if label in _CASE_SENSITIVE_FILLERS and match.group(0)[:1].isupper():
                continue  # "Er"/"Ah" at a sentence start are more often names or interjections we keep
            if match.start() in taken:
                continue
            taken.add(match.start())
            hits.append((match.start(), Finding(kind=kind, text=label, quote=sentence_of(sentences, match.start()))))
    return [finding for _, finding in sorted(hits, key=lambda hit: hit[0])]


# --- specificity -------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.])[$€£]?\d+(?:[.,:]\d+)*(?:\s?(?:%|percent|k\b|K\b|M\b|ms\b|x\b|×))?"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|dozen|doubled|tripled|halved|twice|half)\b",
    re.IGNORECASE,
)
ACTION_VERBS = (
    "built|led|wrote|made|took|ran|set|began|started|sent|spoke|met|drove|chose|found|brought|gave|held|kept|"
    "taught|told|went|did|got|rewrote|broke|caught|fought|shipped|fixed|created|designed|implemented|developed|"
    "launched|organized|organised|decided|proposed|introduced|analyzed|analysed|measured|tested|migrated|"
    "refactored|automated|reduced|increased|improved|negotiated|mentored|coached|trained|hired|scheduled|"
    "prioritized|prioritised|wrote|presented|convinced|persuaded|escalated|investigated|debugged|profiled|"
    "deployed|reviewed|documented|delegated|coordinated|collaborated|owned|drafted|planned|researched|"
    "interviewed|asked|called|emailed|contacted|worked|helped|managed|handled|resolved|solved|identified|"
    "discovered|noticed|realized|realised|suggested|recommended|replaced|removed|added|split|merged|"
    "rolled|pushed|pulled|monitored|tracked|benchmarked|optimized|optimised|configured|installed|"
    "used|applied|compared|evaluated|validated|prototyped|sketched|mapped|defined|explained|clarified|"
    "aligned|listened|apologized|apologised|paired|shadowed|volunteered|stepped|took|focused|focussed|"
    "reached|simplified|streamlined|cut|saved|grew|raised|lowered|established|formed|facilitated|ran|"
    "gathered|collected|cleaned|trained|tuned|labelled|labeled|wrapped|delivered|finished|completed|"
    "achieved|won|secured|earned|learned|learnt|adopted|built|run|lead|write|build|create|design|implement|"
    "use|analyze|analyse|test|fix|talk|ask|check|measure|start|begin|schedule|review|split|set|prioritize|"
    "prioritise|escalate|document|deploy|monitor|communicate|explain|gather|collect|meet"
)
_I_ACTION = re.compile(
    rf"\bI(?:\s+(?:then|also|first|quickly|personally|immediately|eventually|finally|just))?\s+(?:{ACTION_VERBS})\b"
    rf"|\bI(?:'d|’d| would| will|'ll|’ll)\s+(?:first\s+|then\s+|also\s+)?(?:{ACTION_VERBS})\b",
)
_WE_ACTION = re.compile(
    rf"\b[Ww]e(?:\s+(?:then|also|first|quickly|eventually|finally|just))?\s+(?:{ACTION_VERBS})\b"
    rf"|\b[Ww]e(?:'d|’d| would| will|'ll|’ll)\s+(?:first\s+|then\s+)?(?:{ACTION_VERBS})\b",
)
_KNOWN_TECH = (
    "python|java|javascript|typescript|golang|rust|kotlin|swift|scala|ruby|php|c\\+\\+|c#|sql|nosql|bash|"
    "react|angular|vue|django|flask|fastapi|spring|rails|node\\.?js|express|graphql|rest|grpc|"
    "postgres(?:ql)?|mysql|sqlite|mongodb|redis|cassandra|elasticsearch|kafka|rabbitmq|spark|hadoop|airflow|"
    "dbt|snowflake|bigquery|redshift|databricks|pandas|numpy|scikit-learn|sklearn|pytorch|tensorflow|keras|"
    "xgboost|lightgbm|catboost|docker|kubernetes|k8s|terraform|ansible|jenkins|github|gitlab|git|jira|"
    "confluence|aws|gcp|azure|lambda|s3|ec2|linux|nginx|grafana|prometheus|datadog|splunk|sentry|tableau|"
    "looker|excel|figma|slack|salesforce|hubspot|okrs?|kpis?|scrum|kanban|agile|ci/cd|a/b test(?:s|ing)?|"
    "microservices?|kubectl|helm|celery|pytest|junit|selenium|playwright|webpack|html|css|oauth|jwt|tls|"
    "http|tcp|dns|cdn|api|sdk|llm|bert|transformers?|word2vec|tf-idf|svm|knn|k-means|pca|lstm|cnn|rnn|"
    "gradient boosting|random forest|logistic regression|linear regression|cross-validation|"
    "regulari[sz]ation|backpropagation|dropout|batch normali[sz]ation|adam|sgd"
)
_TECH = re.compile(rf"(?<![\w/])(?:{_KNOWN_TECH})(?![\w])", re.IGNORECASE)
_ACRONYM = re.compile(r"\b(?!I\b|OK\b|AM\b|PM\b|TV\b)[A-Z][A-Z0-9]{1,7}s?\b")
_CAMEL = re.compile(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b")
_PROPER = re.compile(r"(?<=[a-z,;:]\s)[A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})*")
_STOP_PROPER = frozenset(
    [
        "The",
        "This",
        "That",
        "These",
        "Those",
        "When",
        "While",
        "After",
        "Before",
        "Then",
        "And",
        "But",
        "However",
        "Also",
        "Because",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "English",
    ]
)


def find_numbers(text: str, sentences: list[Sentence]) -> list[Finding]:
    """Find numbers, percentages, amounts and number words ("doubled", "three")."""
    return [
        Finding(kind="number", text=m.group(0), quote=sentence_of(sentences, m.start())) for m in _NUMBER.finditer(text)
    ]


def find_first_person_actions(text: str, sentences: list[Sentence]) -> tuple[list[Finding], list[Finding]]:
    """Find concrete actions owned by "I" and by "we" ("I built", "we would deploy")."""
    mine = [
        Finding(kind="i_action", text=m.group(0), quote=sentence_of(sentences, m.start()))
        for m in _I_ACTION.finditer(text)
    ]
    ours = [
        Finding(kind="we_action", text=m.group(0), quote=sentence_of(sentences, m.start()))
        for m in _WE_ACTION.finditer(text)
    ]
    return mine, ours


def find_named_terms(text: str, sentences: list[Sentence]) -> list[Finding]:
    """Find named tools, technologies, acronyms and proper names (unique, first occurrence)."""
    seen: dict[str, Finding] = {}
    positions: dict[str, int] = {}
    for pattern in (_TECH, _ACRONYM, _CAMEL, _PROPER):
        for match in pattern.finditer(text):
            term = match.group(0)
            key = term.lower()
            if term in _STOP_PROPER or key in seen:
                continue
            seen[key] = Finding(kind="named_term", text=term, quote=sentence_of(sentences, match.start()))
            positions[key] = match.start()
    return [seen[key] for key in sorted(seen, key=lambda k: positions[k])]


# --- repetition --------------------------------------------------------------------------

_DOUBLED_WORD = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
_ALLOWED_DOUBLES = frozenset({"that", "had", "is", "very", "bye", "no", "yes", "ha", "so"})
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "so",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "i",
        "we",
        "you",
        "he",
        "she",
        "they",
        "me",
        "my",
        "our",
        "your",
        "their",
        "them",
        "us",
        "do",
        "did",
        "does",
        "have",
        "has",
        "had",
        "not",
        "no",
        "can",
        "could",
        "would",
        "should",
        "will",
        "just",
        "very",
        "really",
        "also",
        "about",
        "into",
        "over",
        "than",
        "there",
        "here",
        "what",
        "which",
        "who",
        "how",
        "when",
        "where",
        "why",
        "all",
        "any",
        "some",
        "more",
        "most",
        "such",
        "only",
        "own",
        "same",
        "too",
        "up",
        "out",
    ]
)


def normalise_for_comparison(text: str) -> str:
    """Lower-case a text and keep only its words, to compare sentences for duplication."""
    return " ".join(w.lower() for w in _WORD.findall(text))


def find_repetitions(text: str, sentences: list[Sentence]) -> list[Finding]:
    """Find doubled words, repeated sentences and phrases repeated three or more times."""
    findings = [
        Finding(kind="doubled_word", text=m.group(0), quote=sentence_of(sentences, m.start()))
        for m in _DOUBLED_WORD.finditer(text)
        if m.group(1).lower() not in _ALLOWED_DOUBLES
    ]
    normalised = [normalise_for_comparison(s.text) for s in sentences]
    counts = Counter(n for n in normalised if len(n.split()) >= 3)
    for sentence, key in zip(sentences, normalised, strict=True):
        if counts.get(key, 0) > 1:
            findings.append(Finding(kind="repeated_sentence", text=f"x{counts[key]}", quote=sentence.text))
            counts[key] = 0  # report each repeated sentence once
    findings.extend(_repeated_phrases(sentences))
    return findings


def _repeated_phrases(sentences: list[Sentence], n: int = 3, min_count: int = 3) -> list[Finding]:
    grams: Counter[tuple[str, ...]] = Counter()
    first_quote: dict[tuple[str, ...], str] = {}
    seen_sentences: set[str] = set()
    for sentence in sentences:
        key = normalise_for_comparison(sentence.text)
        if key in seen_sentences:
            continue  # whole repeated sentences are reported once, not as phrases
        seen_sentences.add(key)
        words = key.split()
        for i in range(len(words) - n + 1):
            gram = tuple(words[i : i + n])
            if all(w in _STOPWORDS for w in gram):
                continue
            grams[gram] += 1
            first_quote.setdefault(gram, sentence.text)
    return [
        Finding(kind="repeated_phrase", text=f"{' '.join(gram)} (x{count})", quote=first_quote[gram])
        for gram, count in grams.most_common(5)
        if count >= min_count
    ]


def content_words(text: str) -> set[str]:
    """Return the lower-cased non-stopword words of a text (crude stems: trailing s removed)."""
    return {w.lower().rstrip("s") for w in _WORD.findall(text) if w.lower() not in _STOPWORDS and len(w) > 2}
