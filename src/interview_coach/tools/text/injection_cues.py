"""Cue phrases of injected instructions, in English and nine other languages, and encoded payloads.

``ENGLISH_CUES`` are the sentence-level cues of ``tools/text/injection.py`` (instruction
overrides, score requests, addresses to the evaluating software, output directives, planted
verdicts). ``MULTILINGUAL_CUES`` translate the two commonest families, "ignore the
instructions" and "give the maximum score", into French, German, Spanish, Portuguese, Italian,
Russian, Chinese, Japanese, Arabic and Hindi. ``decode_base64`` and ``rot13`` undo the two
encodings most often used to slip an English instruction past such cues.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

__all__ = ["ALL_CUES", "BASE64_TOKEN", "ENGLISH_CUES", "MULTILINGUAL_CUES", "decode_base64", "rot13"]

ENGLISH_CUES: list[tuple[str, str, str]] = [
    (
        "role_tag",
        "starts with a chat role tag",
        r"(?:^|[.!?]\s+)[\s>*_#\[(]*(?:system|assistant|developer|grader|evaluator|judge)[\])*_\s]*:",
    ),
    (
        "score_manipulation",
        "asks to set the score",
        r"\b(?:set|change|make|put|raise|bump)\b[^.!?\n]{0,30}?\b(?:score|rating|grade|marks?)\b[^.!?\n]{0,30}?"
        r"\b(?:to|at)\b[^.!?\n]{0,15}?(?:maximum|max|highest|top|perfect|full|100|10\b|5\b)",
    ),
    (
        "instruction_override",
        "asks the evaluator to ignore or override its instructions",
        r"\b(?:ignore|disregard|forget|override|bypass|neglect|do not follow|don'?t follow)\b[^.!?\n]{0,40}?"
        r"\b(?:instructions?|prompts?|rules|directions|guidelines|directives|indicators|scoring|rubric|criteria|"
        r"context|system prompt|everything (?:above|before)|(?:the )?above|previous|prior)\b",
    ),
    (
        "instruction_override",
        "announces new instructions for the evaluator",
        r"\bnew (?:instructions?|task|rules)\s*[:.-]|\b(?:from now on|starting now),? you\b|\byou are now\b|"
        r"\bdeveloper mode\b|\bjailbreak\b|\bDAN mode\b",
    ),
    (
        "instruction_override",
        "tells the evaluator not to evaluate or to deviate",
        r"\b(?:do not|don'?t|never) (?:evaluate|assess|score|grade|judge|penali[sz]e) (?:the|this|my)\b|"
        r"\b(?:may|must|should) not deviate\b|\bdo not deviate\b",
    ),
    (
        "score_manipulation",
        "asks for a specific or maximum score",
        r"\b(?:rate|score|grade|mark|rank|evaluate|assess)\s+(?:this|that|it|me|my|the|our|him|her|them)\b[^.!?\n]{0,40}?(?:\b10\s*/\s*10|\b10 out of 10|\b100\s*/\s*100|"
        r"\b100 out of 100|\b5\s*/\s*5|\b5 out of 5|\bten out of ten|\bfull marks|\btop marks|\bas (?:perfect|excellent)|"
        r"\b(?:the )?(?:highest|maximum|max|top|best) (?:possible )?(?:score|rating|grade|marks?)|\ban? a\+)",
    ),
    (
        "score_manipulation",
        "asks for a specific or maximum score",
        r"\b(?:give|award|assign|grant)\b[^.!?\n]{0,30}?(?:\bfull marks|\btop marks|\b(?:a )?perfect (?:score|rating|grade)|"
        r"\b(?:the )?(?:maximum|highest|max|top|best) (?:possible )?(?:score|rating|grade|marks?)|\b10\s*/\s*10|"
        r"\b100\s*/\s*100|\b5\s*/\s*5|\ban? a\+|\b(?:10|100|five|ten) points)",
    ),
    (
        "score_manipulation",
        "states a score for itself",
        r"\b(?:score|rating|grade|verdict|answer_quality|quality_1_5)[ \t]*[:=][ \t]*(?:\d+(?:\s*/\s*\d+)?|excellent|perfect|"
        r"pass|strong hire|hire)\b|\b(?:this|my) (?:answer|response|reply)\b[^.!?\n]{0,30}?\b(?:deserves|should (?:get|receive|"
        r"be (?:rated|scored|given|graded)))\b",
    ),
    (
        "evaluator_address",
        "addresses the evaluating software or model",
        r"\bnote to (?:the |any )?(?:automated|ai\b|llm|language model|model|grader|evaluator|assessor|screening|analysis|"
        r"scoring|bot|system|reviewer)|\b(?:dear|attention|hey|hello)[,:]?\s+(?:the\s+)?(?:ai|llm|gpt|chatgpt|language model|"
        r"grader|evaluator|scoring (?:system|model|engine)|automated (?:grader|evaluator|system|reviewer))\b|"
        r"\bif you are an? (?:ai|llm|language model|assistant|bot|automated|grader|evaluator)\b|"
        r"\b(?:automated|ai|llm)[- ](?:analysis|screening|evaluation|grading|scoring|review|assessment) "
        r"(?:software|systems?|tools?|models?|engines?)\b|\bto (?:the )?(?:ai|llm|grader|evaluator|language model)\s*[:,]",
    ),
    (
        "output_directive",
        "dictates what the evaluator must output",
        r"\b(?:simply |just |only )?(?:respond|reply|answer|output|say|print|return)\s+(?:only\s+)?(?:with\s+|exactly\s+)"
        r"[\"'“:]|\b(?:and|then) (?:output|report|respond|reply|say)\s*:|\bfocus exclusively on (?:the )?positive",
    ),
    (
        "planted_verdict",
        "plants a verdict or an authority claim about the candidate",
        r"\bpre-?(?:verified|approved|screened)\b|\bverified by (?:senior |the )?management\b|\b(?:white|hidden|invisible)[- ]text\b|"
        r"\binvisible to (?:humans|people|readers|the reader)\b|\bhidden (?:competency |candidate )?(?:profile|instructions?|"
        r"message|note|prompt)\b|\b(?:trustworthy|trusted) (?:expert )?recruiter\b|\bchain[- ]of[- ]thought result\b|"
        r"\bbest (?:resume|cv|answer|response|candidate) (?:I|we) (?:have|'ve) ever (?:seen|read)\b|"
        r"\b(?:the|this) candidate is (?:the most|supremely|extremely|highly|exceptionally|clearly the best)\b|"
        r"\bhighly recommended for (?:immediate )?hir|\binterview highly recommended\b|\bexceptional match\b|"
        r"\bexceeds all (?:the )?requirements\b|\bstrong hire\b|\bmost qualified (?:candidate|for the job)\b",
    ),
]

_ANY = r"[^.!?。！？।\n]{0,40}?"
MULTILINGUAL_CUES: list[tuple[str, str, str]] = [
    (
        "instruction_override",
        "asks the evaluator to ignore its instructions (not in English)",
        rf"\bignor(?:e|ez|er|a|ad|ar|are|ate|iere|ieren|ieren Sie)\b{_ANY}\b(?:instructions?|consignes?|règles|"
        r"anweisungen|vorgaben|regeln|instrucciones|reglas|instruções|instrucoes|regras|istruzioni|regole)\b|"
        rf"игнорир\w*{_ANY}(?:инструкци|правил|указани)\w*|(?:忽略|忽视){_ANY}(?:指令|指示|说明|规则)|"
        rf"(?:指示|命令|ルール){_ANY}無視|تجاهل{_ANY}(?:التعليمات|الإرشادات|القواعد)|"
        rf"निर्देश\w*{_ANY}(?:अनदेखा|नज़रअंदाज़|नजरअंदाज)",
    ),
    (
        "score_manipulation",
        "asks for the maximum score (not in English)",
        r"\bnote (?:maximale|parfaite)\b|\b(?:höchste|maximale|volle)n? (?:punktzahl|bewertung|punkte)\b|"
        r"\b(?:puntuación|calificación|nota|pontuação) (?:máxima|perfecta)\b|\b(?:punteggio|voto) (?:massimo|pieno)\b|"
        r"максимальн\w* (?:балл|оценк)\w*|满分|満点|الدرجة الكاملة|العلامة الكاملة|पूरे अंक|पूर्ण अंक",
    ),
]
ALL_CUES = ENGLISH_CUES + MULTILINGUAL_CUES

BASE64_TOKEN = re.compile(r"(?<![A-Za-z0-9+/=])(?=[A-Za-z0-9+/]*[0-9+/A-Z])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
"""A run of base64 characters long enough to carry a sentence (plain words are rejected on decoding)."""
_PRINTABLE_SHARE = 0.95


def decode_base64(token: str) -> str | None:
    """Return the text a base64 token carries, or ``None`` when it is not base64-encoded text."""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    printable = sum(ch.isprintable() or ch.isspace() for ch in text)
    if not text or printable / len(text) < _PRINTABLE_SHARE or len(text.split()) < 3:
        return None
    return text


def rot13(text: str) -> str:
    """Apply rot13 (its own inverse); length and positions are unchanged."""
    return codecs.encode(text, "rot13")
