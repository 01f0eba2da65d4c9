"""Evaluator suite: does the builtin answer scoring prefer better answers?

Two parts:

1. data-science-interviews ``theory.md``: every question with a real model answer is posed with
   key points derived from that answer at run time; the model answer must score a strictly
   higher ``answer_quality`` than each degraded version of it (first sentence only, an answer
   to another question, half of the key facts removed, a filler-heavy rewrite). Target: pairwise
   accuracy >= 0.9.
2. LLMBar (Natural + Adversarial): pick the better of two outputs for an instruction from the
   text features alone (answer_quality, then relevance). Reported, no target: the adversarial
   subsets are built to fool surface features. Every pair is also run with the outputs swapped
   to measure position bias (the builtin judge is order-independent by construction).

Full run: ``python -m evals.runner --suite evaluator`` (all questions, all 419 LLMBar pairs).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from evals.common import SuiteResult
from evals.degrade import filler_heavy, first_sentence_only, key_point_sentences, off_topic_answer, remove_key_facts
from interview_coach.domain import Question, QuestionKind
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.settings import Settings
from interview_coach.tools.text import TextAnalysis, analyze_text

THEORY_BUDGET_S = 60
QUICK_QUESTIONS = 16
QUICK_LLMBAR_PER_SUBSET = 8
LLMBAR_SUBSETS = ("Natural", "Adversarial/Neighbor", "Adversarial/GPTInst", "Adversarial/GPTOut", "Adversarial/Manual")

_QUESTION_LINE = re.compile(r"^\*\*(?P<q>.+?)\*\*\s*$")
_DIFFICULTY = re.compile("[\U0001F476\u2b50\U0001F680\ufe0f\u200d]")
_CODE_FENCE = re.compile(r"```.*?```", re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


@dataclass(frozen=True)
class TheoryItem:
    """One theory.md question with its cleaned model answer."""

    question: Question
    model_answer: str


@lru_cache(maxsize=4)
def cached_embedder(spec: str) -> SentenceTransformerEmbedder:
    """Return one embedder per model spec for all suites of a process."""
    return SentenceTransformerEmbedder(spec)


def clean_markdown(text: str) -> str:
    """Turn a markdown answer into plain prose: no code, images, tables, HTML or emphasis marks."""
    text = _CODE_FENCE.sub("", text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    lines = [line.rstrip() for line in text.splitlines() if not line.lstrip().startswith("|")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_theory(path: Path) -> list[TheoryItem]:
    """Parse theory.md into questions with model answers, skipping "Answer here" placeholders."""
    items: list[TheoryItem] = []
    section = ""
    question_text: str | None = None
    body: list[str] = []

    def flush() -> None:
        if question_text is None:
            return
        answer = clean_markdown("\n".join(body))
        if "answer here" in answer.lower() or len(answer.split()) < 8:
            return
        key_points = key_point_sentences(answer)
        question = Question(
            id=f"theory-{len(items) + 1:03d}",
            text=question_text,
            kind=QuestionKind.TECHNICAL,
            competency=section or "data science",
            key_points=key_points,
            time_budget_s=THEORY_BUDGET_S,
        )
        items.append(TheoryItem(question=question, model_answer=answer))

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            flush()
            question_text, body = None, []
            section = line[3:].strip()
            continue
        match = _QUESTION_LINE.match(line)
        if match and (_DIFFICULTY.search(line) or match.group("q").rstrip().endswith("?")):
            flush()
            question_text, body = _DIFFICULTY.sub("", match.group("q")).strip(), []
            continue
        if question_text is not None:
            body.append(line)
    flush()
    return items
