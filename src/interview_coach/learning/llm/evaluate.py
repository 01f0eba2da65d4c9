"""Feedback quality of an LLM on SAF's unseen splits: verdict accuracy, ROUGE-L, parse rate, latency.

Each answer is put to the model with the same prompt the seed corpus trains on, through the same
in-process runner that serves ``hf:`` models (:class:`~interview_coach.agents.llm.hf.HfChat`),
greedily and with the reply held to one JSON object. A reply *parses* when it validates both as
:class:`SafFeedback` and as the evaluator agent's ``FeedbackDraft``; a reply that does not parse
counts as a wrong verdict and an empty feedback text.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ValidationError

from interview_coach.agents.evaluator import FeedbackDraft
from interview_coach.agents.llm.hf import HfChat, resolve_model_path
from interview_coach.learning.llm.corpus import FeedbackExample, SafFeedback, load_feedback_split, saf_messages

EVAL_SPLITS = ("unseen_answers", "unseen_questions")
DEFAULT_PER_SPLIT = 60
DEFAULT_SEED = 13
MAX_NEW_TOKENS = 72
METRIC_NAMES = ("verdict_accuracy", "parse_rate", "rouge_l", "latency_s")
# Metrics where a higher value is better (latency is reported, never a promotion criterion).
QUALITY_METRICS = ("verdict_accuracy", "parse_rate", "rouge_l")


class SplitMetrics(BaseModel):
    """One model's feedback metrics on one split.

    Attributes:
        split: SAF split name.
        answers: answers evaluated (a seeded sample when the split is larger).
        verdict_accuracy: share of answers whose verdict matches the expert's.
        parse_rate: share of replies that parse into the evaluator's typed output.
        rouge_l: mean ROUGE-L F1 of the explanation against the expert feedback.
        latency_s: mean seconds per answer.
    """

    split: str
    answers: int
    verdict_accuracy: float
    parse_rate: float
    rouge_l: float
    latency_s: float


class ReplyCheck(BaseModel):
    """A parsed (or unparsable) reply."""

    parsed: SafFeedback | None
    error: str | None = None


def parse_reply(text: str) -> ReplyCheck:
    """Parse a reply into the compact feedback and the evaluator's typed output."""
    try:
        FeedbackDraft.model_validate_json(text)
        return ReplyCheck(parsed=SafFeedback.model_validate_json(text))
    except ValidationError as exc:
        return ReplyCheck(parsed=None, error=exc.errors()[0]["type"])


def sample_split(saf_dir: Path, split: str, per_split: int, seed: int) -> list[FeedbackExample]:
    """Return a seeded sample of ``per_split`` answers of a split (all of them when ``per_split <= 0``)."""
    items = load_feedback_split(saf_dir, split)
    if 0 < per_split < len(items):
        items = random.Random(f"{seed}:{split}").sample(items, per_split)
    return items


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 of two texts (stemmed)."""
    from rouge_score import rouge_scorer  # type: ignore[import-untyped]

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return float(scorer.score(reference, prediction)["rougeL"].fmeasure)


def evaluate_split(chat: HfChat, items: Sequence[FeedbackExample], split: str) -> SplitMetrics:
    """Generate feedback for each answer and score it against the expert's."""
    correct = parsed = 0
    rouge: list[float] = []
    latencies: list[float] = []
    for item in items:
        started = time.perf_counter()
        reply = chat.generate(
            saf_messages(item, with_reply=False),
            max_new_tokens=MAX_NEW_TOKENS,
            temperature=None,
            schema=SafFeedback.model_json_schema(),
        )
        latencies.append(time.perf_counter() - started)
        check = parse_reply(reply.text)
        if check.parsed is not None:
            parsed += 1
            correct += int(check.parsed.verdict == item.example.verdict)
        rouge.append(rouge_l(check.parsed.explanation if check.parsed else "", item.feedback))
    count = max(len(items), 1)
    return SplitMetrics(
        split=split,
        answers=len(items),
        verdict_accuracy=round(correct / count, 4),
        parse_rate=round(parsed / count, 4),
        rouge_l=round(statistics.fmean(rouge) if rouge else 0.0, 4),
        latency_s=round(statistics.fmean(latencies) if latencies else 0.0, 3),
    )


def evaluate_model(
    spec: str, saf_dir: Path, *, per_split: int = DEFAULT_PER_SPLIT, seed: int = DEFAULT_SEED
) -> dict[str, SplitMetrics]:
    """Evaluate one model (``hf:<folder or .gguf>`` or a path) on both unseen splits.

    Raises:
        LlmConfigError: nothing loadable at the path.
        DataError: the SAF splits are missing.
    """
    chat = HfChat(resolve_model_path(spec))
    return {split: evaluate_split(chat, sample_split(saf_dir, split, per_split, seed), split) for split in EVAL_SPLITS}


def regressions(new: dict[str, SplitMetrics], old: dict[str, SplitMetrics]) -> list[str]:
    """Name every quality metric on which ``new`` is worse than ``old`` (splits both have)."""
    worse = []
    for split in sorted(set(new) & set(old)):
        for metric in QUALITY_METRICS:
            if getattr(new[split], metric) < getattr(old[split], metric):
                worse.append(f"{split} {metric} {getattr(old[split], metric)} → {getattr(new[split], metric)}")
    return worse
