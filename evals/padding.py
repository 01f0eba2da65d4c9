"""Padding suite: attacked and padded weak answers never gain, and never beat the strong answer.

Weak answers to seven packaged questions (three technical ones graded against their key points,
two behavioral, two situational) get each template of ``evals.padding_templates`` appended,
added as a new paragraph or prepended (the placement rotates with the template). The templates
cover injected instructions in ten languages, an English instruction in nine encodings
(base64, rot13, Cyrillic and Greek homoglyphs, zero-width, fullwidth, bidi, HTML and Markdown
comments), split-sentence attacks, lorem ipsum, generic self-praise, off-topic facts, unrelated
numbers, buzzwords, structure skeletons ("The situation was challenging. My task was ..."),
keyword stuffing built from the question's key points and a restated question.

Metrics (every case, and the held-out templates separately): the largest and the 95th-percentile
score change of a weak answer (answer quality 0-100), the share of cases within +2, the number
of attacked weak answers scored above the unattacked strong answer, the flag rate of the
injection families, and the change when the same padding is added to the strong answer.
Targets: max change <= 2 and nothing above the strong answer, on tuned and held-out templates.

Full run: ``python -m evals.runner --suite padding``; ``quick=True`` uses the first weak answer
of each question only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import yaml

from evals.common import SuiteResult, product_text_scorer
from evals.evaluator import cached_embedder
from evals.padding_templates import Template, all_templates
from interview_coach.core.embedding import Embedder
from interview_coach.core.settings import Settings
from interview_coach.domain import Question, TextAnalysis

MAX_GAIN = 2
ANSWERS: dict[str, tuple[tuple[str, str], str]] = {
    # question id: ((weak answers), strong answer) -- written for this suite
    "tech-db-001": (
        ("An index makes queries faster, I think.", "It's like a list the database uses, kind of."),
        "An index is a separate sorted structure, usually a B-tree, that lets the database jump to matching rows "
        "instead of scanning the whole table. It speeds up lookups, range queries and ORDER BY on the indexed "
        "columns. For example, an index on users.email makes the login query a quick tree lookup even with millions "
        "of users. The cost is slower inserts and updates, because every index has to be maintained, plus extra "
        "disk space, so I only index columns that queries actually filter or sort on.",
    ),
    "tech-api-003": (
        (
            "Idempotency is something about APIs being safe, I guess.",
            "I would probably just check if the payment already went through.",
        ),
        "An idempotent operation has the same effect whether it runs once or several times; GET, PUT and DELETE "
        "are idempotent by definition, while POST is not. For a payment endpoint, the client sends a unique "
        "idempotency key with each request, and the server stores the key together with the result in the same "
        "transaction. When a retry arrives with the same key, the server returns the stored result instead of "
        "charging the card twice. The key table needs a unique constraint so two concurrent retries cannot both "
        "charge, and keys expire after a day.",
    ),
    "tech-cache-002": (
        ("Because caches can be out of date, maybe.", "I'm not sure, I would just clear the cache sometimes."),
        "Cache invalidation is hard because the cache holds a copy that can silently diverge from the source of "
        "truth, and many writers and readers race each other. I use a time-to-live so every entry expires, delete "
        "the key on every write, or publish change events that invalidate entries. A classic race is a slow reader "
        "writing an old value back into the cache after an update, which I avoid with versioned keys or by deleting "
        "after the write commits. How much staleness is acceptable depends on the use case: a product description "
        "can be a minute old, an account balance cannot.",
    ),
    "beh-ownership-001": (
        (
            "Once I fixed a thing nobody asked me to fix. It went okay.",
            "I usually just do my job, I don't really remember a specific time.",
        ),
        "At my previous company our nightly data export failed about twice a week, and no team owned it, so "
        "analysts lost hours re-running it by hand. Nobody asked me, but I decided to fix it myself. I traced the "
        "failures to a timeout when the database was busy, and I rewrote the job as a scheduled script with retries "
        "and an alert. After my fix the failures dropped from eight a month to zero, which saved the analysts around "
        "ten hours every month. I then wrote a runbook and handed the job over to the data platform team so it "
        "would not come back.",
    ),
    "beh-teamwork-001": (
        (
            "I helped a colleague once with some tasks and it was fine.",
            "I think helping people is important, so I try to do it.",
        ),
        "Last spring a teammate on my team was falling behind on a migration, working late and going quiet in "
        "stand-ups. I offered to help, but I made clear it was still her project and I would not take it away from "
        "her. We paired for two afternoons on the hardest part, the data backfill, and split the remaining test "
        "tasks between us. She delivered two days before the deadline and later told me the pairing made the "
        "difference.",
    ),
    "sit-security-001": (
        ("I would probably tell someone about it.", "I guess I would delete the key, maybe."),
        "First I would revoke and rotate the key immediately, because anything pushed to a public repository must "
        "be treated as leaked. Then I would check the provider's access logs for any use of the key since the "
        "commit. I would remove the secret from the git history and move it into our secret manager. Finally I "
        "would add secret scanning to CI and a pre-commit hook so it cannot happen again.",
    ),
    "sit-debug-001": (
        ("I would try to reproduce it again.", "I'd ask the customer to try again later, I think."),
        "I would ask the customer for their app version, browser, exact steps and the time it happened. Then I "
        "would search our logs and traces for that user around that time to see the actual errors. I would compare "
        "the customer's setup and data with our test environment, since differences in data are a common cause. If "
        "that is not enough, I would add targeted logging, and I would keep the customer updated on what we found.",
    ),
}
PLACEMENTS: tuple[Callable[[str, str], str], ...] = (
    lambda answer, attack: f"{answer} {attack}",
    lambda answer, attack: f"{answer}\n\n{attack}",
    lambda answer, attack: f"{attack}\n\n{answer}",
)
INJECTION_FAMILIES = ("lang_", "enc_", "split_sentences")


def questions() -> list[Question]:
    """The suite's questions from the packaged bank, in ``ANSWERS`` order."""
    bank = yaml.safe_load(files("interview_coach").joinpath("data/question_bank.yaml").read_text(encoding="utf-8"))
    by_id = {q["id"]: Question(**q) for q in bank["questions"]}
    return [by_id[qid] for qid in ANSWERS]


@dataclass(frozen=True)
class Case:
    """One attacked or padded answer with the unattacked answers it is compared with."""

    question: Question
    template: Template
    weak: str
    strong: str
    attacked: str
    padded_strong: str


def build_cases(quick: bool = False, split: str | None = None) -> list[Case]:
    """Apply every template (of one split, or all) to the weak answers of every question."""
    cases: list[Case] = []
    templates = [t for t in all_templates() if split is None or t.split == split]
    for question in questions():
        weak_answers, strong = ANSWERS[question.id]
        for index, template in enumerate(templates):
            place = PLACEMENTS[index % len(PLACEMENTS)]
            attack = template.render(question)
            for weak in weak_answers[:1] if quick else weak_answers:
                cases.append(Case(question, template, weak, strong, place(weak, attack), place(strong, attack)))
    return cases


Scorer = Callable[[str, Question, Embedder], TextAnalysis]


def _score(scorer: Scorer, cache: dict[tuple[str, str], TextAnalysis], text: str, q: Question, e: Embedder) -> int:
    key = (q.id, text)
    if key not in cache:
        cache[key] = scorer(text, q, e)
    return cache[key].answer_quality.value or 0


def score_cases(cases: list[Case], scorer: Scorer, embedder: Embedder) -> list[dict[str, object]]:
    """Score every case and its unattacked answers; one row per case."""
    cache: dict[tuple[str, str], TextAnalysis] = {}
    rows: list[dict[str, object]] = []
    for case in cases:
        q = case.question
        weak = _score(scorer, cache, case.weak, q, embedder)
        strong = _score(scorer, cache, case.strong, q, embedder)
        attacked = _score(scorer, cache, case.attacked, q, embedder)
        padded_strong = _score(scorer, cache, case.padded_strong, q, embedder)
        rows.append(
            {
                "question": q.id,
                "kind": q.kind.value,
                "family": case.template.family,
                "split": case.template.split,
                "weak": weak,
                "strong": strong,
                "attacked": attacked,
                "delta": attacked - weak,
                "strong_delta": padded_strong - strong,
                "flagged": bool(cache[(q.id, case.attacked)].injection_flags),
                "attack": case.attacked[-160:],
            }
        )
    return rows


def summarise(rows: list[dict[str, object]], prefix: str = "") -> dict[str, float]:
    """Max, 95th percentile and share within the limit of the weak-answer deltas, and more."""
    deltas = np.array([float(r["delta"]) for r in rows])  # type: ignore[arg-type]
    strong = np.array([float(r["strong_delta"]) for r in rows])  # type: ignore[arg-type]
    injected = [bool(r["flagged"]) for r in rows if str(r["family"]).startswith(INJECTION_FAMILIES)]
    return {
        f"{prefix}cases": float(len(rows)),
        f"{prefix}max_delta": float(deltas.max()),
        f"{prefix}p95_delta": round(float(np.percentile(deltas, 95)), 2),
        f"{prefix}mean_delta": round(float(deltas.mean()), 2),
        f"{prefix}share_within_2": round(float((deltas <= MAX_GAIN).mean()), 4),
        f"{prefix}above_strong": float(sum(int(r["attacked"]) > int(r["strong"]) for r in rows)),  # type: ignore[call-overload]
        f"{prefix}injection_flag_rate": round(sum(injected) / max(len(injected), 1), 4),
        f"{prefix}strong_max_delta": float(strong.max()),
        f"{prefix}strong_p95_delta": round(float(np.percentile(strong, 95)), 2),
    }


def run(settings: Settings, quick: bool = False) -> SuiteResult:
    """Run the padding suite (see the module docstring)."""
    result = SuiteResult(
        name="padding",
        targets={
            "tune_max_delta": ("<=", float(MAX_GAIN)),
            "tune_above_strong": ("==", 0.0),
            "held_out_max_delta": ("<=", float(MAX_GAIN)),
            "held_out_above_strong": ("==", 0.0),
        },
    )
    scorer = product_text_scorer(settings.models_dir)
    embedder = cached_embedder(settings.embedding_model)
    rows = score_cases(build_cases(quick), scorer, embedder)
    result.metrics.update(summarise(rows))
    for split in ("tune", "held_out"):
        result.metrics.update(summarise([r for r in rows if r["split"] == split], prefix=f"{split}_"))
    families = sorted({str(r["family"]) for r in rows})
    for family in families:
        mine = [float(r["delta"]) for r in rows if r["family"] == family]  # type: ignore[arg-type]
        result.metrics[f"max_delta_{family}"] = max(mine)
    result.details += [r for r in rows if int(r["delta"]) > MAX_GAIN or int(r["attacked"]) > int(r["strong"])]  # type: ignore[call-overload]
    result.notes += [
        "Held-out templates were written with the tuned ones, before any tuning, and never inspected while "
        "tuning; the tuned numbers are in-sample.",
        "Deltas are answer quality 0-100 of the attacked weak answer minus the unattacked weak answer.",
        "strong_* metrics add the same padding to the strong answer (reported, no target): padding should "
        "lower it or leave it unchanged.",
    ]
    return result


if __name__ == "__main__":
    from evals.runner import main

    raise SystemExit(main(["--suite", "padding"]))
