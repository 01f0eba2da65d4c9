"""Structure and off-topic detection against a labelled set, new detector next to the old one.

Data (written for this project, split by a fixed rule before the detector was built):

- ``evals/data/structure_sentences.jsonl``: sentences from interview answers labelled with the
  STAR part(s) (``family: star``) or definition/example/trade-off (``family: technical``) they
  express; every 4th sentence of each family is ``held_out``.
- ``evals/data/offtopic_answers.jsonl``: short answers, each labelled ``on_topic`` for the bank
  question it was written for and ``off_topic`` for a neighbouring question of the same field
  (plus a few unrelated answers); the answers at every 4th position are ``held_out``.

Thresholds were tuned on ``tune`` only. Per label, precision/recall/F1 are reported for both
splits, for the new detector (``tools/text/structure.py``: lexical cues plus prototype vote),
for the old template-cue detector (``evals/structure_baseline.py``) and (macro F1 only) for the
new cues without the prototype vote, in the same run.
Off-topic compares ``assess_text``'s verdict with the old rule (calibrated relevance < 0.25).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from evals.common import SuiteResult
from evals.structure_baseline import baseline_parts
from interview_coach.core.embedding import Embedder
from interview_coach.core.settings import Settings
from interview_coach.domain.text import STAR_PARTS, TECHNICAL_PARTS

DATA = Path(__file__).resolve().parent / "data"
SENTENCES = DATA / "structure_sentences.jsonl"
OFF_TOPIC = DATA / "offtopic_answers.jsonl"
OLD_OFF_TOPIC_BELOW = 0.25
SPLITS = ("held_out", "tune")
TARGETS: dict[str, tuple[str, float]] = {
    "held_out_star_macro_f1": (">=", 0.8),
    "held_out_off_topic_recall": (">=", 0.8),
    "held_out_off_topic_precision": (">=", 0.8),
}


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _prf(pairs: Iterable[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for predicted, actual in pairs:
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 3), round(recall, 3), round(f1, 3)


def _structure_metrics(
    rows: list[dict[str, Any]], predict: Callable[[dict[str, Any]], set[str]], prefix: str
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    metrics: dict[str, float] = {}
    details: list[dict[str, Any]] = []
    predictions = {row["id"]: predict(row) for row in rows}
    for split in SPLITS:
        for family, parts in (("star", STAR_PARTS), ("technical", TECHNICAL_PARTS)):
            chosen = [r for r in rows if r["split"] == split and r["family"] == family]
            f1s = []
            for part in parts:
                p, r, f1 = _prf((part in predictions[row["id"]], part in row["labels"]) for row in chosen)
                metrics.update({f"{split}_{prefix}{part}_p": p, f"{split}_{prefix}{part}_r": r})
                metrics[f"{split}_{prefix}{part}_f1"] = f1
                f1s.append(f1)
            metrics[f"{split}_{prefix}{family}_macro_f1"] = round(sum(f1s) / len(f1s), 3)
    for row in rows:
        if row["split"] == "held_out" and predictions[row["id"]] != set(row["labels"]) and not prefix:
            details.append(
                {
                    "kind": "structure_miss",
                    "id": row["id"],
                    "text": row["text"],
                    "labels": row["labels"],
                    "predicted": sorted(predictions[row["id"]]),
                }
            )
    return metrics, details


def run_structure_suite(embedder: Embedder, *, include_off_topic: bool = True) -> SuiteResult:
    """Score structure and off-topic detection on the labelled set (held-out and tune, new and old).

    Args:
        embedder: the sentence embedder the product uses (bundled MiniLM).
        include_off_topic: also score the off-topic verdicts (embeds about 80 answers).

    Returns:
        A ``SuiteResult`` named ``structure`` with per-label metrics (``old_`` prefix for the
        old detector), the targets, timings and the held-out misses as details.
    """
    from interview_coach.tools.text.structure import sentence_parts, sentence_similarities

    rows = _rows(SENTENCES)
    vectors = embedder.encode([row["text"] for row in rows])
    similarity = {}
    for family in ("star", "technical"):
        indices = [i for i, row in enumerate(rows) if row["family"] == family]
        sims = sentence_similarities(family, [vectors[i] for i in indices], embedder)
        similarity.update({rows[i]["id"]: sim for i, sim in zip(indices, sims, strict=True)})
    result = SuiteResult(name="structure", targets=dict(TARGETS))
    new, details = _structure_metrics(rows, lambda r: sentence_parts(r["family"], r["text"], similarity[r["id"]]), "")
    old, _ = _structure_metrics(rows, lambda r: baseline_parts(r["text"], r["family"]), "old_")
    lexical, _ = _structure_metrics(rows, lambda r: sentence_parts(r["family"], r["text"], None), "lexical_")
    result.metrics.update(new)
    result.metrics.update(old)
    result.metrics.update({k: v for k, v in lexical.items() if k.endswith("macro_f1")})
    result.details.extend(details)
    if include_off_topic:
        metrics, off_details = _off_topic_metrics(embedder)
        result.metrics.update(metrics)
        result.details.extend(off_details)
    result.notes.append(
        "Labelled set written for this project; thresholds tuned on the tune split only. "
        "old_* = template-cue detector before this change; lexical_* = new cues without the prototype vote; "
        "off-topic old rule = relevance < 0.25."
    )
    return result


def _off_topic_metrics(embedder: Embedder) -> tuple[dict[str, float], list[dict[str, Any]]]:
    from interview_coach.assessment.question_bank import load_question_bank
    from interview_coach.assessment.text_scores import assess_answer_text

    bank = load_question_bank()
    rows = _rows(OFF_TOPIC)
    judged: list[tuple[dict[str, Any], bool, bool]] = []
    started = time.perf_counter()
    for row in rows:
        analysis = assess_answer_text(row["answer"], bank.by_id(row["question_id"]), embedder)
        judged.append((row, analysis.off_topic, analysis.relevance < OLD_OFF_TOPIC_BELOW))
    metrics: dict[str, float] = {"ms_per_answer_assessed": round(1000 * (time.perf_counter() - started) / len(rows), 1)}
    for split in SPLITS:
        chosen = [j for j in judged if j[0]["split"] == split]
        for prefix, index in (("", 1), ("old_", 2)):
            p, r, f1 = _prf((bool(j[index]), j[0]["label"] == "off_topic") for j in chosen)
            metrics.update({f"{split}_{prefix}off_topic_precision": p, f"{split}_{prefix}off_topic_recall": r})
            metrics[f"{split}_{prefix}off_topic_f1"] = f1
    details = [
        {"kind": "off_topic_miss", "id": row["id"], "question_id": row["question_id"], "label": row["label"]}
        for row, verdict, _ in judged
        if row["split"] == "held_out" and verdict != (row["label"] == "off_topic")
    ]
    return metrics, details


def run(settings: Settings, quick: bool = False) -> SuiteResult:
    """Runner entry point: the whole labelled set is small, so ``quick`` runs it all too."""
    from interview_coach.memory.embeddings import SentenceTransformerEmbedder

    del quick
    return run_structure_suite(SentenceTransformerEmbedder(settings.embedding_model))
