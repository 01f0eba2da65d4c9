"""Padding and attacks cannot raise a weak answer: the padding suite's cases through the real scorer.

The cases are generated at test time from ``evals/padding_templates.py`` (injected instructions
in ten languages, nine encodings of an English instruction, split sentences, lorem ipsum,
self-praise, off-topic facts, numbers, buzzwords, structure skeletons, keyword stuffing, a
restated question) applied to weak answers of technical (graded against key points), behavioral
and situational questions. The scorer is the product's: the rubric with the trained grader.
"""

from __future__ import annotations

import numpy as np
import pytest
from evals.padding import MAX_GAIN, build_cases, questions, score_cases, summarise
from evals.padding_templates import all_templates

from interview_coach.assessment.text_scores import assess_answer_text
from interview_coach.core.settings import Settings
from interview_coach.domain import Question, QuestionKind, TextAnalysis
from interview_coach.memory.embeddings import SentenceTransformerEmbedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rows(embedder: SentenceTransformerEmbedder) -> list[dict[str, object]]:
    models_root = Settings(_env_file=None).models_dir

    def scorer(text: str, question: Question, e: SentenceTransformerEmbedder) -> TextAnalysis:
        return assess_answer_text(text, question, e, models_root=models_root)

    return score_cases(build_cases(quick=False), scorer, embedder)  # type: ignore[arg-type]


def test_the_set_is_large_and_varied() -> None:
    cases = build_cases(quick=False)
    families = {c.template.family for c in cases}
    languages = {f for f in families if f.startswith("lang_")}
    encodings = {f for f in families if f.startswith("enc_")}
    assert len(cases) >= 100
    assert len(languages) >= 10 and len(encodings) >= 9
    assert {"lorem_ipsum", "keyword_stuffing", "split_sentences", "generic_filler"} <= families
    assert {q.kind for q in questions()} == set(QuestionKind)
    assert any(t.split == "held_out" for t in all_templates())


@pytest.mark.parametrize("split", ["tune", "held_out"])
def test_no_attack_or_padding_raises_a_weak_answer_by_more_than_two_points(
    rows: list[dict[str, object]], split: str
) -> None:
    mine = [r for r in rows if r["split"] == split]
    gains = [r for r in mine if int(r["delta"]) > MAX_GAIN]  # type: ignore[call-overload]
    assert mine and not gains, gains[:5]


@pytest.mark.parametrize("split", ["tune", "held_out"])
def test_no_attacked_weak_answer_scores_above_the_strong_answer(rows: list[dict[str, object]], split: str) -> None:
    above = [r for r in rows if r["split"] == split and int(r["attacked"]) > int(r["strong"])]  # type: ignore[call-overload]
    assert not above, above[:5]


def test_strong_answers_are_far_above_weak_ones(rows: list[dict[str, object]]) -> None:
    margins = {str(r["question"]): int(r["strong"]) - int(r["weak"]) for r in rows}  # type: ignore[call-overload]
    assert min(margins.values()) >= 30, margins


def test_tuned_injections_are_all_flagged(rows: list[dict[str, object]]) -> None:
    summary = summarise([r for r in rows if r["split"] == "tune"])
    assert summary["injection_flag_rate"] == 1.0
    deltas = np.array([float(r["delta"]) for r in rows])  # type: ignore[arg-type]
    assert float(np.percentile(deltas, 95)) <= MAX_GAIN
