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

from evals.common import SuiteResult, product_text_scorer
from evals.degrade import filler_heavy, first_sentence_only, key_point_sentences, off_topic_answer, remove_key_facts
from interview_coach.core.settings import Settings
from interview_coach.domain import Question, QuestionKind, TextAnalysis
from interview_coach.memory.embeddings import SentenceTransformerEmbedder

THEORY_BUDGET_S = 60
QUICK_QUESTIONS = 12
QUICK_LLMBAR_PER_SUBSET = 6
LLMBAR_SUBSETS = ("Natural", "Adversarial/Neighbor", "Adversarial/GPTInst", "Adversarial/GPTOut", "Adversarial/Manual")

_QUESTION_LINE = re.compile(r"^\*\*(?P<q>.+?)\*\*\s*$")
_DIFFICULTY = re.compile("[\U0001f476\u2b50\U0001f680\ufe0f\u200d]")
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
    """Return one embedder per model spec for all suites of a process.

    Torch runs single-threaded here: the suites embed many small batches, and on a shared
    2-core machine two torch threads oversubscribe the CPU (measured 3-4x slower).
    """
    import torch

    torch.set_num_threads(1)
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


# --- theory pairs ------------------------------------------------------------------------


def degraded_versions(items: list[TheoryItem], index: int) -> dict[str, str]:
    """Build the degraded versions of one model answer (skipping degradations that change nothing)."""
    item = items[index]
    answers = [i.model_answer for i in items]
    candidates: dict[str, str | None] = {
        "first_sentence_only": first_sentence_only(item.model_answer),
        "off_topic": off_topic_answer(answers, index),
        "key_facts_removed": remove_key_facts(item.model_answer, list(item.question.key_points)),
        "filler_heavy": filler_heavy(item.model_answer),
    }
    return {name: text for name, text in candidates.items() if text and text != item.model_answer}


def _evaluate_theory(result: SuiteResult, items: list[TheoryItem], embedder: SentenceTransformerEmbedder) -> None:
    wins: dict[str, list[bool]] = {}
    margins: list[int] = []
    model_scores: list[int] = []
    for index, item in enumerate(items):
        model = analyze_text(item.model_answer, item.question, embedder)
        model_value = model.answer_quality.value or 0
        model_scores.append(model_value)
        for name, degraded_text in degraded_versions(items, index).items():
            degraded = analyze_text(degraded_text, item.question, embedder)
            degraded_value = degraded.answer_quality.value or 0
            won = model_value > degraded_value
            wins.setdefault(name, []).append(won)
            margins.append(model_value - degraded_value)
            if not won:
                result.details.append(
                    {
                        "case": "theory_pair_lost",
                        "question": item.question.text,
                        "degradation": name,
                        "model_quality": model_value,
                        "degraded_quality": degraded_value,
                    }
                )
    all_pairs = [won for outcomes in wins.values() for won in outcomes]
    result.metrics["theory_questions"] = float(len(items))
    result.metrics["theory_pairs"] = float(len(all_pairs))
    result.metrics["theory_pairwise_accuracy"] = round(sum(all_pairs) / max(len(all_pairs), 1), 4)
    for name, outcomes in sorted(wins.items()):
        result.metrics[f"theory_accuracy_{name}"] = round(sum(outcomes) / len(outcomes), 4)
    result.metrics["theory_mean_margin"] = round(sum(margins) / max(len(margins), 1), 2)
    result.metrics["theory_model_answer_mean_quality"] = round(sum(model_scores) / max(len(model_scores), 1), 2)


# --- LLMBar --------------------------------------------------------------------------------


JUDGES = ("quality_first", "relevance_first")


def _judge_keys(analysis: TextAnalysis) -> dict[str, tuple[float, float]]:
    quality = float(analysis.answer_quality.value or 0)
    return {"quality_first": (quality, analysis.relevance_raw), "relevance_first": (analysis.relevance_raw, quality)}


def judge_pair(instruction: str, output_1: str, output_2: str, embedder: SentenceTransformerEmbedder) -> dict[str, int]:
    """Pick the better output (1, 2, or 0 for a tie) for an instruction from text features alone.

    Two builtin judges are reported: ``quality_first`` ranks by answer_quality, then raw relevance
    (what the interview scorer values); ``relevance_first`` ranks by raw relevance to the
    instruction, then answer_quality. Each output is analysed on its own, so neither judge can
    depend on the order of the pair.
    """
    question = Question(
        id="llmbar",
        text=instruction[:2000],
        kind=QuestionKind.TECHNICAL,
        competency="instruction following",
        time_budget_s=THEORY_BUDGET_S,
    )
    keys_1 = _judge_keys(analyze_text(output_1, question, embedder))
    keys_2 = _judge_keys(analyze_text(output_2, question, embedder))
    return {
        judge: 1 if keys_1[judge] > keys_2[judge] else 2 if keys_2[judge] > keys_1[judge] else 0 for judge in JUDGES
    }


def load_llmbar(root: Path, quick: bool) -> dict[str, list[dict[str, Any]]]:
    """Read the LLMBar subsets that exist under ``root`` (quick: the first pairs of each)."""
    subsets: dict[str, list[dict[str, Any]]] = {}
    for subset in LLMBAR_SUBSETS:
        path = root / subset / "dataset.json"
        if path.is_file():
            pairs = json.loads(path.read_text(encoding="utf-8"))
            subsets[subset] = pairs[:QUICK_LLMBAR_PER_SUBSET] if quick else pairs
    return subsets


def _evaluate_llmbar(result: SuiteResult, root: Path, quick: bool, embedder: SentenceTransformerEmbedder) -> None:
    subsets = load_llmbar(root, quick)
    if not subsets:
        result.notes.append(f"LLMBar not found under {root}; that part was skipped.")
        return
    scores: dict[tuple[str, str], list[float]] = {}
    consistent: list[bool] = []
    ties = dict.fromkeys(JUDGES, 0)
    for subset, pairs in subsets.items():
        group = "natural" if subset == "Natural" else "adversarial"
        name = subset.replace("Adversarial/", "adversarial_").lower()
        for pair in pairs:
            forward = judge_pair(pair["input"], pair["output_1"], pair["output_2"], embedder)
            swapped = judge_pair(pair["input"], pair["output_2"], pair["output_1"], embedder)
            for judge in JUDGES:
                choice = forward[judge]
                score = 1.0 if choice == pair["label"] else 0.5 if choice == 0 else 0.0
                for key in ((judge, name), (judge, group)) if name != group else ((judge, group),):
                    scores.setdefault(key, []).append(score)
                consistent.append({0: 0, 1: 2, 2: 1}[swapped[judge]] == choice)
                ties[judge] += choice == 0
    prefix = {"quality_first": "llmbar_accuracy", "relevance_first": "llmbar_relevance_judge_accuracy"}
    for (judge, name), values in sorted(scores.items()):
        result.metrics[f"{prefix[judge]}_{name}"] = round(sum(values) / len(values), 4)
    result.metrics["llmbar_pairs"] = float(sum(len(p) for p in subsets.values()))
    result.metrics["llmbar_ties"] = float(ties["quality_first"])
    result.metrics["llmbar_position_consistency"] = round(sum(consistent) / len(consistent), 4)


analyze_text = product_text_scorer(Settings(_env_file=None).models_dir)  # type: ignore[call-arg]


def run(settings: Settings, quick: bool = False) -> SuiteResult:
    """Run the evaluator suite (see the module docstring)."""
    global analyze_text  # noqa: PLW0603 -- the product scorer, bound to this run's model registry
    analyze_text = product_text_scorer(settings.models_dir)
    result = SuiteResult(
        name="evaluator",
        targets={"theory_pairwise_accuracy": (">=", 0.9), "llmbar_position_consistency": ("==", 1.0)},
    )
    theory = Path(settings.shared_data_dir) / "data-science-interviews" / "theory.md"
    if not theory.is_file():
        result.skipped = f"shared data not found: {theory} (set INTERVIEW_COACH_SHARED_DATA_DIR)"
        return result
    embedder = cached_embedder(settings.embedding_model)
    items = parse_theory(theory)
    if quick:
        step = max(1, len(items) // QUICK_QUESTIONS)
        items = items[::step][:QUICK_QUESTIONS]
    _evaluate_theory(result, items, embedder)
    _evaluate_llmbar(result, Path(settings.shared_data_dir) / "llmbar", quick, embedder)
    result.notes += [
        "Key points are derived at run time from the model answer's most content-rich sentences, so the "
        "model answer covers them verbatim; the pairs test whether degradations lower the score, not absolute "
        "grading accuracy.",
        "theory.md answers are community-written; some are lists or formulas that read poorly as speech.",
        "LLMBar accuracy is reported without a target: the judge only sees relevance, structure, specificity, "
        "length and hedging (an interview rubric, not an instruction-following one), and the adversarial "
        "subsets are built so that the worse output looks better on such surface features. Ties count as "
        "half right. llmbar_accuracy_* ranks by answer_quality then relevance (the product's scorer); "
        "llmbar_relevance_judge_accuracy_* ranks by raw relevance to the instruction first.",
        "Position consistency checks that swapping the two outputs mirrors the decision (the builtin judge "
        "scores each output on its own, so it must be 1.0).",
    ]
    if quick:
        result.notes.append(f"quick slice: {len(items)} questions, {QUICK_LLMBAR_PER_SUBSET} LLMBar pairs per subset.")
    return result


if __name__ == "__main__":
    from evals.runner import main

    raise SystemExit(main(["--suite", "evaluator"]))
