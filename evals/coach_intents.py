"""Coach message understanding: intent and reference accuracy on a labelled set, beside the old rules.

Data: ``evals/data/coach_messages.jsonl``, coach messages written for this project (several
phrasings per intent, typos included). Each row has the expected intent, the question number
and the session it refers to, the chat it was sent in (a session's coach chat or outside any
session) and the earlier messages of the turn, if it is a follow-up. Every third row of each
intent is ``held_out``; only the ``tune`` rows were looked at while writing the example bank and
choosing thresholds. The tune rows are also part of the product's example bank (its training
data), so ``tune_*`` accuracy is a fit check; ``tune_cv_intent_accuracy`` classifies each tune
row with its fold (5 folds) removed from the bank, the honest estimate from tune data alone.

The context is a fixed history: a backend interview today (the session in focus, five questions)
and four earlier sessions (Data Engineer, Site Reliability Engineer, Frontend Engineer, Product
Manager) at known dates. A reference is correct when both the question number and the session
match the label (both ``None`` when the message names neither).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.coach_intents_baseline import baseline_resolve
from evals.common import SuiteResult
from interview_coach.assessment.coach_nlu import ResolutionContext, SessionInfo, resolve_message
from interview_coach.assessment.coach_nlu.classifier import IntentClassifier, load_examples
from interview_coach.assessment.coach_nlu.models import question_topics
from interview_coach.assessment.coach_nlu.resolve import message_vocabulary
from interview_coach.assessment.coach_nlu.slots import normalise
from interview_coach.assessment.question_bank import load_question_bank
from interview_coach.core.embedding import Embedder
from interview_coach.core.settings import Settings

DATA = Path(__file__).resolve().parent / "data" / "coach_messages.jsonl"
SPLITS = ("tune", "held_out")
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
# key -> (role, date, bank question ids)
SESSIONS: dict[str, tuple[str, datetime, list[str]]] = {
    "backend": (
        "Backend Software Engineer",
        datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
        ["beh-ownership-001", "tech-queue-001", "beh-failure-001", "beh-conflict-001", "sit-pressure-002"],
    ),
    "data": (
        "Data Engineer",
        datetime(2026, 11, 24, 18, 30, tzinfo=UTC),
        ["beh-data-002", "tech-de-002", "beh-data-001"],
    ),
    "sre": (
        "Site Reliability Engineer",
        datetime(2026, 11, 18, 9, 0, tzinfo=UTC),
        ["beh-pressure-002", "tech-obs-002", "beh-ownership-005"],
    ),
    "fe": (
        "Frontend Engineer",
        datetime(2026, 11, 2, 20, 0, tzinfo=UTC),
        ["tech-fe-002", "tech-fe-003", "beh-customer-001"],
    ),
    "pm": ("Product Manager", datetime(2026, 10, 15, 12, 0, tzinfo=UTC), ["beh-failure-005", "sit-customer-001"]),
}
TARGETS: dict[str, tuple[str, float]] = {
    "held_out_intent_accuracy": (">=", 0.9),
    "held_out_reference_accuracy": (">=", 0.9),
}


def load_rows() -> list[dict[str, Any]]:
    """Read the labelled coach messages."""
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def fixture_context(*, in_session: bool) -> ResolutionContext:
    """The fixed history every row is resolved against (the backend interview is the one in focus)."""
    bank = load_question_bank()
    sessions = [
        SessionInfo(
            session_id=key,
            role=role,
            created_at=when,
            questions=[bank.by_id(qid).text for qid in ids],
            question_topics=[question_topics(bank.by_id(qid).competency, bank.by_id(qid).tags) for qid in ids],
            is_current=in_session and key == "backend",
        )
        for key, (role, when, ids) in SESSIONS.items()
    ]
    focus = sessions[0]
    return ResolutionContext(
        now=NOW,
        questions=focus.questions,
        question_topics=focus.question_topics,
        sessions=sessions,
    )


def cross_validated_intent_accuracy(embedder: Embedder, rows: list[dict[str, Any]], folds: int = 5) -> float:
    """Intent accuracy on the tune rows, each fold classified with its own rows left out of the bank."""
    tune = [r for r in rows if r["split"] == "tune"]
    vocabulary = message_vocabulary(fixture_context(in_session=True))
    bank = load_examples()
    correct = 0
    for fold in range(folds):
        test = tune[fold::folds]
        left_out = {r["text"].lower() for r in test}
        classifier = IntentClassifier(embedder, [e for e in bank if e.text.lower() not in left_out])
        for row in test:
            label = classifier.classify(normalise(row["text"], vocabulary)).label
            if label == "follow_up":  # takes the previous turn's intent, "explain" without one
                label = row["intent"] if row.get("history") else "explain"
            correct += label == row["intent"]
    return round(correct / (len(tune) or 1), 3)


def evaluate(embedder: Embedder, rows: list[dict[str, Any]] | None = None) -> SuiteResult:
    """Resolve every row with the product's resolver and with the old rules; score both per split."""
    rows = rows if rows is not None else load_rows()
    contexts = {True: fixture_context(in_session=True), False: fixture_context(in_session=False)}
    metrics: dict[str, float] = {}
    details: list[dict[str, Any]] = []
    outcomes: list[tuple[str, bool, bool, bool, bool, bool]] = []
    for row in rows:
        in_session = row["context"] == "in_session"
        got = resolve_message(row["text"], contexts[in_session], embedder, row.get("history", []))
        old_intent, old_question, old_session = baseline_resolve(
            row["text"], in_session=in_session, current_session="backend"
        )
        expected_ref = (row["question"], row["session"])
        intent_ok = got.intent == row["intent"]
        ref_ok = (got.question, got.session_id) == expected_ref
        referencing = expected_ref != (None, None)
        outcomes.append(
            (
                row["split"],
                intent_ok,
                ref_ok,
                referencing,
                old_intent == row["intent"],
                (old_question, old_session) == expected_ref,
            )
        )
        if not (intent_ok and ref_ok):
            details.append(
                {
                    "id": row["id"],
                    "split": row["split"],
                    "text": row["text"],
                    "expected": {"intent": row["intent"], "question": row["question"], "session": row["session"]},
                    "got": {"intent": got.intent, "question": got.question, "session": got.session_id},
                    "confidence": got.confidence,
                }
            )
    for split in SPLITS:
        chosen = [o for o in outcomes if o[0] == split]
        referencing = [o for o in chosen if o[3]]
        n = len(chosen) or 1
        metrics[f"{split}_rows"] = len(chosen)
        metrics[f"{split}_intent_accuracy"] = round(sum(o[1] for o in chosen) / n, 3)
        metrics[f"{split}_reference_accuracy"] = round(sum(o[2] for o in chosen) / n, 3)
        metrics[f"{split}_reference_accuracy_named_only"] = round(
            sum(o[2] for o in referencing) / (len(referencing) or 1), 3
        )
        metrics[f"baseline_{split}_intent_accuracy"] = round(sum(o[4] for o in chosen) / n, 3)
        metrics[f"baseline_{split}_reference_accuracy"] = round(sum(o[5] for o in chosen) / n, 3)
        metrics[f"baseline_{split}_reference_accuracy_named_only"] = round(
            sum(o[5] for o in referencing) / (len(referencing) or 1), 3
        )
    metrics["tune_cv_intent_accuracy"] = cross_validated_intent_accuracy(embedder, rows)
    return SuiteResult(
        name="coach-intents",
        metrics=metrics,
        targets=dict(TARGETS),
        details=details,
        notes=[
            f"{len(rows)} hand-written messages; every third row per intent is held out and was never tuned on.",
            "baseline_* = the coach's previous regular expressions and keyword lists (no session resolution).",
            "reference = (question number, session) both right; *_named_only counts only rows that name one.",
            "held-out intent accuracy was measured three times while building (errors never inspected): 0.846 with "
            "the written prototypes only, 0.892 after adding the tune rows to the bank (k=3 chosen by tune CV), "
            "0.908 after more written prototypes for the confusions tune CV showed.",
        ],
    )


def run(settings: Settings, quick: bool = False) -> SuiteResult:
    """Run the suite with the product's embedder (the bundled MiniLM by default)."""
    from interview_coach.memory.embeddings import SentenceTransformerEmbedder

    return evaluate(SentenceTransformerEmbedder(settings.embedding_model))
