"""Stability suite: the same answer scored 5 times gives identical results.

Each answer (theory.md model answers, degraded versions, behavioral answers and an injected
one) is analysed five times:

* three times with the shared, caching embedder (the normal path), and
* twice with an uncached embedder that embeds the answer inside a differently composed batch
  (other sentences before it, so padding and batch shapes change), which is where float
  round-off between runs would come from.

The whole ``TextAnalysis`` JSON must be identical across the five runs (target: identical
rate 1.0). Full run: ``python -m evals.runner --suite stability``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from evals.common import SuiteResult, product_text_scorer
from evals.degrade import filler_heavy, first_sentence_only
from evals.evaluator import cached_embedder, parse_theory
from evals.injection import OWN_ATTACKS, bank_questions
from interview_coach.core.embedding import EMBEDDING_DIM, Embedder, resolve_embedding_model_path
from interview_coach.core.settings import Settings
from interview_coach.domain import Question

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

REPEATS = 5
CACHED_REPEATS = 3
QUICK_ANSWERS = 8
BATCH_PREFIXES = (
    ["The weather was mild for the season and nobody complained about it at all."],
    ["Short.", "A considerably longer distractor sentence that changes the padded length of the whole batch a lot."],
)
BEHAVIORAL_ANSWER = (
    "Last year our release pipeline failed every Friday and nobody owned it. I was asked to fix it before the "
    "holiday freeze. I profiled the jobs, found a flaky integration test and rewrote it with a fake clock. "
    "As a result, failures dropped from five a month to zero and I handed a runbook to the platform team."
)


@lru_cache(maxsize=2)
def _raw_model(spec: str) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(resolve_embedding_model_path(spec)), device="cpu")


class BatchVaryingEmbedder:
    """An uncached embedder that encodes the requested texts after some unrelated ones."""

    dimension = EMBEDDING_DIM

    def __init__(self, spec: str, prefix: list[str]) -> None:
        """Use the model at ``spec``; ``prefix`` texts are embedded in the same batch and dropped."""
        self._model = _raw_model(spec)
        self._prefix = prefix

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed texts inside a batch that starts with the prefix texts."""
        vectors = self._model.encode(
            [*self._prefix, *texts], normalize_embeddings=True, batch_size=64, show_progress_bar=False
        )
        return np.asarray(vectors[len(self._prefix) :], dtype=np.float32)


def stability_cases(theory: Path, quick: bool) -> list[tuple[str, Question]]:
    """Answers to score repeatedly, each with its question."""
    items = parse_theory(theory)
    items = items[:: max(1, len(items) // (QUICK_ANSWERS if quick else 30))]
    cases: list[tuple[str, Question]] = []
    for item in items:
        cases.append((item.model_answer, item.question))
        if not quick:
            cases.append((filler_heavy(item.model_answer), item.question))
            first = first_sentence_only(item.model_answer)
            if first:
                cases.append((first, item.question))
    behavioral = bank_questions()
    if behavioral:
        cases.append((BEHAVIORAL_ANSWER, behavioral[0]))
        cases.append((BEHAVIORAL_ANSWER + " " + OWN_ATTACKS[0], behavioral[0]))
    cases.append(("", items[0].question))
    return cases


analyze_text = product_text_scorer(Settings(_env_file=None).models_dir)  # type: ignore[call-arg]


def run(settings: Settings, quick: bool = False) -> SuiteResult:
    """Run the stability suite (see the module docstring)."""
    global analyze_text  # noqa: PLW0603 -- the product scorer, bound to this run's model registry
    analyze_text = product_text_scorer(settings.models_dir)
    result = SuiteResult(name="stability", targets={"identical_rate": ("==", 1.0)})
    theory = Path(settings.shared_data_dir) / "data-science-interviews" / "theory.md"
    if not theory.is_file():
        result.skipped = f"shared data not found: {theory} (set INTERVIEW_COACH_SHARED_DATA_DIR)"
        return result
    cached = cached_embedder(settings.embedding_model)
    embedders: list[Embedder] = [cached] * CACHED_REPEATS
    embedders += [BatchVaryingEmbedder(settings.embedding_model, list(p)) for p in BATCH_PREFIXES]
    identical: list[bool] = []
    spreads: list[int] = []
    for answer, question in stability_cases(theory, quick):
        runs = [analyze_text(answer, question, embedder) for embedder in embedders[:REPEATS]]
        dumps = {json.dumps(r.model_dump(mode="json"), sort_keys=True) for r in runs}
        identical.append(len(dumps) == 1)
        values = [r.answer_quality.value or 0 for r in runs]
        spreads.append(max(values) - min(values))
        if len(dumps) > 1:
            result.details.append(
                {"case": "unstable", "question": question.text, "answer": answer[:200], "quality": values}
            )
    result.metrics.update(
        {
            "answers": float(len(identical)),
            "repeats": float(REPEATS),
            "identical_rate": round(sum(identical) / len(identical), 4),
            "max_quality_spread": float(max(spreads)),
        }
    )
    result.notes.append(
        "Runs 4-5 use an uncached embedder with a different batch composition; similarities are rounded to 3 "
        "decimals before thresholds, which absorbs batch-dependent float round-off."
    )
    return result


if __name__ == "__main__":
    from evals.runner import main

    raise SystemExit(main(["--suite", "stability"]))
