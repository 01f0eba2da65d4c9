"""Feedback-cases suite: does the current scorer agree with the users' score corrections?

``interview-coach export --format eval-cases`` turns corrections ("this score is too low because
...") into ``eval_cases.jsonl``. Each case keeps the question, the answer (PII-scrubbed), the
scores shown when the user complained and the direction the user asked for. This suite
re-scores every stored answer with the current deterministic pipeline
(``tools.text.analyze_text`` + ``agents.evaluator.compute_scores``) and classifies each case:

* ``agrees``: the score moved the way the user asked (the scorer now follows the correction);
* ``unchanged`` / ``moved_against``: disagreements (both counted in ``disagreed``);
* ``no_direction``: the correction does not say higher or lower; current and recorded scores
  are reported;
* ``not_comparable``: the recorded or the current score is "not measured";
* ``not_replayable``: no question or answer in the case (report feedback, a skipped question),
  or a score that needs the recording (fluency, confidence, stress: cases keep only the
  transcript).

Input: every ``<data_dir>/eval-cases/*.jsonl`` plus any file or folder passed as ``case_paths``.
Without case files the suite builds its own cases at run time (real sessions through
``InterviewService`` with the builtin engine in a temporary data folder, real ``FeedbackStore``
corrections, ``run_export(..., "eval-cases", ...)``); replaying them with an unchanged scorer
must reproduce every recorded score (target ``reproduced_rate == 1.0`` in that mode), which
checks that the replay path scores answers exactly like a live session.

Full run: ``python -m evals.runner --suite feedback_cases`` or
``python -m evals.feedback_cases [CASES.jsonl | FOLDER ...]``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from evals.common import SuiteResult
from interview_coach.assessment.scoring import compute_scores
from interview_coach.core.embedding import Embedder
from interview_coach.core.settings import Settings
from interview_coach.domain import AnswerAnalysis, InterviewPlanRequest, Question

CASES_FOLDER = "eval-cases"
QUICK_CASES = 40
# Only the text analysis can be replayed: a case keeps the transcript, not the recording.
REPLAYABLE_SCORES = frozenset({"answer_quality"})
Verdict = Literal["agrees", "unchanged", "moved_against", "no_direction", "not_comparable", "not_replayable"]
VERDICTS: tuple[Verdict, ...] = (
    "agrees",
    "unchanged",
    "moved_against",
    "no_direction",
    "not_comparable",
    "not_replayable",
)


class FeedbackCase(BaseModel):
    """One line of ``eval_cases.jsonl`` (the fields this suite reads; others are ignored)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    target: str
    correction: str
    score_name: str | None = None
    expected_direction: Literal["higher", "lower"] | None = None
    question: Question | None = None
    answer_text: str | None = None
    input_mode: str | None = None
    scores: dict[str, int | None] = {}


@dataclass(frozen=True)
class LoadedCase:
    """A parsed case and the file line it came from."""

    case: FeedbackCase
    source: str


@dataclass
class CaseFiles:
    """Every case read from the case files, with what could not be read."""

    cases: list[LoadedCase]
    files: int
    invalid: list[dict[str, Any]]
    duplicates: int


@dataclass(frozen=True)
class Replay:
    """The outcome of re-scoring one case."""

    verdict: Verdict
    score_name: str | None
    recorded: int | None = None
    current: int | None = None
    reason: str = ""

    @property
    def delta(self) -> int | None:
        """Current minus recorded score, when both are measured."""
        if self.recorded is None or self.current is None:
            return None
        return self.current - self.recorded


# --------------------------------------------------------------------------------------------
# Reading case files
# --------------------------------------------------------------------------------------------


def case_files(settings: Settings, case_paths: Sequence[Path] = ()) -> list[Path]:
    """List the JSONL case files: ``<data_dir>/eval-cases/*.jsonl`` plus the given files or folders.

    Raises:
        FileNotFoundError: a path given in ``case_paths`` does not exist.

    """
    found: list[Path] = sorted((settings.data_dir / CASES_FOLDER).glob("*.jsonl"))
    for path in case_paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.jsonl")))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"Eval case file or folder not found: {path}")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


def read_cases(paths: Sequence[Path]) -> CaseFiles:
    """Parse every case line; malformed lines and repeated case ids are counted, not fatal."""
    cases: list[LoadedCase] = []
    invalid: list[dict[str, Any]] = []
    seen: set[str] = set()
    duplicates = 0
    for path in paths:
        for number, line in _lines(path):
            source = f"{path.name}:{number}"
            try:
                case = FeedbackCase.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValidationError) as exc:
                invalid.append({"case": "invalid", "source": source, "error": str(exc).splitlines()[0][:200]})
                continue
            if case.id in seen:
                duplicates += 1
                continue
            seen.add(case.id)
            cases.append(LoadedCase(case=case, source=source))
    return CaseFiles(cases=cases, files=len(paths), invalid=invalid, duplicates=duplicates)


# --------------------------------------------------------------------------------------------
# Replaying one case
# --------------------------------------------------------------------------------------------


def compared_score(case: FeedbackCase) -> str | None:
    """Name the score a correction is about; feedback on a whole answer is about its quality."""
    if case.score_name:
        return case.score_name
    return "answer_quality" if case.target == "question_feedback" else None


def _not_replayable_reason(case: FeedbackCase, score_name: str | None) -> str | None:
    if score_name is None:
        return f"{case.target} feedback names no score"
    if case.question is None or case.answer_text is None:
        return "the case has no question or answer"
    if case.input_mode == "skipped":
        return "the question was skipped"
    if score_name not in REPLAYABLE_SCORES:
        return f"{score_name} needs the recording; eval cases keep only the transcript"
    return None


def current_scores(
    case: FeedbackCase, embedder: Embedder, max_answer_chars: int, models_root: Path | None = None
) -> dict[str, int | None]:
    """Score the case's stored answer the way a live session does (truncate, analyse, score)."""
    from interview_coach.assessment.pipeline import truncate_answer
    from interview_coach.assessment.text_scores import assess_answer_text

    assert case.question is not None and case.answer_text is not None
    text, truncated = truncate_answer(case.answer_text, max_answer_chars)
    mode: Literal["text", "audio", "video"] = "audio" if case.input_mode == "audio" else "text"
    if case.input_mode == "video":
        mode = "video"
    analysis = AnswerAnalysis(answer_text=text, input_mode=mode, truncated=truncated)
    analysis.text = assess_answer_text(text, case.question, embedder, models_root=models_root)
    return {name: score.value for name, score in compute_scores(analysis).items()}


def judge(direction: Literal["higher", "lower"] | None, recorded: int | None, current: int | None) -> Verdict:
    """Classify how the current score relates to the recorded one and the user's direction."""
    if recorded is None or current is None:
        return "not_comparable"
    if direction is None:
        return "no_direction"
    delta = current - recorded if direction == "higher" else recorded - current
    return "agrees" if delta > 0 else "unchanged" if delta == 0 else "moved_against"


def replay(case: FeedbackCase, embedder: Embedder, max_answer_chars: int, models_root: Path | None = None) -> Replay:
    """Re-score one case and judge it against the correction."""
    score_name = compared_score(case)
    reason = _not_replayable_reason(case, score_name)
    if reason is not None:
        return Replay(verdict="not_replayable", score_name=score_name, reason=reason)
    assert score_name is not None
    recorded = case.scores.get(score_name)
    current = current_scores(case, embedder, max_answer_chars, models_root).get(score_name)
    verdict = judge(case.expected_direction, recorded, current)
    reason = ""
    if verdict == "not_comparable":
        reason = "no recorded score" if recorded is None else "the current scorer does not measure it"
    return Replay(verdict=verdict, score_name=score_name, recorded=recorded, current=current, reason=reason)


def _detail(loaded: LoadedCase, outcome: Replay) -> dict[str, Any]:
    case = loaded.case
    return {
        "case": case.id,
        "source": loaded.source,
        "target": case.target,
        "question_id": case.question.id if case.question else None,
        "score": outcome.score_name,
        "expected_direction": case.expected_direction,
        "recorded": outcome.recorded,
        "current": outcome.current,
        "delta": outcome.delta,
        "verdict": outcome.verdict,
        "reason": outcome.reason,
        "correction": case.correction[:200],
    }


# --------------------------------------------------------------------------------------------
# Cases built at run time when there are no case files
# --------------------------------------------------------------------------------------------

BOOTSTRAP_QUESTION = "tech-db-001"
WEAK_ANSWER = "I think it is kind of when things are the same, maybe."
SOLID_ANSWER = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the whole "
    "table. It speeds up lookups, range queries and sorting on the indexed columns; for example an index on the user "
    "email column makes login fast. The cost is slower writes, extra storage and maintenance."
)


@dataclass(frozen=True)
class BootstrapCorrection:
    """A session answer plus the feedback a user gives on it."""

    user: str
    answer: str
    target: Literal["score", "question_feedback", "report"]
    target_ref: str
    correction: str


BOOTSTRAP_CORRECTIONS = (
    BootstrapCorrection(
        "weak-user",
        WEAK_ANSWER,
        "score",
        f"{BOOTSTRAP_QUESTION}:answer_quality",
        "This score is too low because I explained what an index is.",
    ),
    BootstrapCorrection(
        "solid-user",
        SOLID_ANSWER,
        "score",
        f"{BOOTSTRAP_QUESTION}:answer_quality",
        "The score is too high: I did not say when an index is not worth it.",
    ),
    BootstrapCorrection(
        "solid-user",
        SOLID_ANSWER,
        "question_feedback",
        BOOTSTRAP_QUESTION,
        "The feedback should mention that my example was about logins.",
    ),
    BootstrapCorrection(
        "weak-user", WEAK_ANSWER, "report", "report", "The report calls me nervous but I typed my answers."
    ),
)


def _isolated_settings(settings: Settings, data_dir: Path) -> Settings:
    """Copy the settings into a throwaway data folder with the builtin engine and local stores."""
    return settings.model_copy(
        update={
            "data_dir": data_dir,
            "llm_model": "builtin",
            "qdrant_path": None,
            "qdrant_url": None,
            "checkpointer_dsn": None,
            "chat_db_url": None,
        }
    )


async def _record_sessions(settings: Settings, embedder: Embedder) -> None:
    from interview_coach.deps import AppDeps
    from interview_coach.graphs.service import InterviewService
    from interview_coach.memory.feedback import FeedbackCreate
    from interview_coach.memory.store import QdrantMemoryStore

    deps = AppDeps(
        settings=settings, embedder=embedder, memory=QdrantMemoryStore(embedder, path=settings.resolved_qdrant_path)
    )
    try:
        async with InterviewService.open(deps) as service:
            sessions: dict[str, str] = {}
            for item in BOOTSTRAP_CORRECTIONS:
                if item.user not in sessions:
                    request = InterviewPlanRequest(question_count=1, question_ids=[BOOTSTRAP_QUESTION])
                    turn = await service.start(item.user, request)
                    turn = await service.send(turn.session_id, item.user, item.answer)
                    if turn.waiting_for == "answer":  # a follow-up question: finish the session
                        await service.send(turn.session_id, item.user, "/end")
                    sessions[item.user] = turn.session_id
                feedback = FeedbackCreate(
                    session_id=sessions[item.user],
                    target=item.target,
                    target_ref=item.target_ref,
                    rating=-1,
                    correction=item.correction,
                )
                service.feedback.add(item.user, feedback)
    finally:
        deps.close()


def bootstrap_cases(settings: Settings, embedder: Embedder, work_dir: Path) -> Path:
    """Record real sessions and corrections in ``work_dir`` and export them as eval cases.

    Returns:
        The exported ``eval_cases.jsonl``.

    """
    from interview_coach.learning.export import run_export

    isolated = _isolated_settings(settings, work_dir / "data")
    isolated.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(_record_sessions(isolated, embedder))
    summary = run_export(isolated, "eval-cases", work_dir / "export", accepted_only=False, val_fraction=0, seed=0)
    return Path(summary.files[0])


# --------------------------------------------------------------------------------------------
# The suite
# --------------------------------------------------------------------------------------------


def _default_embedder(settings: Settings) -> Embedder:
    from evals.evaluator import cached_embedder

    return cached_embedder(settings.embedding_model)


def measure(
    result: SuiteResult,
    loaded: CaseFiles,
    embedder: Embedder,
    max_answer_chars: int,
    limit: int | None,
    models_root: Path | None = None,
) -> None:
    """Replay the cases into ``result``: counts per verdict, agreement and reproduction rates."""
    chosen = loaded.cases[:limit] if limit is not None else loaded.cases
    verdicts: Counter[str] = Counter()
    reproduced: list[bool] = []
    for item in chosen:
        outcome = replay(item.case, embedder, max_answer_chars, models_root)
        verdicts[outcome.verdict] += 1
        if outcome.verdict not in {"not_replayable", "not_comparable"}:
            reproduced.append(outcome.delta == 0)
        result.details.append(_detail(item, outcome))
    result.details.extend(loaded.invalid)
    directed = verdicts["agrees"] + verdicts["unchanged"] + verdicts["moved_against"]
    result.metrics.update(
        {
            "files": float(loaded.files),
            "cases": float(len(chosen)),
            "invalid_lines": float(len(loaded.invalid)),
            "duplicates": float(loaded.duplicates),
        }
    )
    result.metrics.update({verdict: float(verdicts[verdict]) for verdict in VERDICTS})
    result.metrics["with_direction"] = float(directed)
    result.metrics["disagreed"] = float(verdicts["unchanged"] + verdicts["moved_against"])
    if directed:
        result.metrics["agreement_rate"] = round(verdicts["agrees"] / directed, 4)
    if reproduced:
        result.metrics["reproduced_rate"] = round(sum(reproduced) / len(reproduced), 4)
    if limit is not None and len(loaded.cases) > limit:
        result.notes.append(f"quick run: first {limit} of {len(loaded.cases)} cases")


def run(
    settings: Settings,
    quick: bool = False,
    *,
    case_paths: Sequence[Path] = (),
    embedder: Embedder | None = None,
) -> SuiteResult:
    """Run the feedback-cases suite (see the module docstring).

    Args:
        settings: ``data_dir`` locates ``eval-cases/*.jsonl``; ``embedding_model`` and
            ``max_answer_chars`` are used for re-scoring.
        quick: replay at most ``QUICK_CASES`` cases.
        case_paths: more case files, or folders of ``*.jsonl`` files.
        embedder: the sentence embedder (default: the suites' shared cached one).

    Raises:
        FileNotFoundError: a path in ``case_paths`` does not exist.

    """
    result = SuiteResult(name="feedback_cases")
    model = embedder or _default_embedder(settings)
    limit = QUICK_CASES if quick else None
    paths = case_files(settings, case_paths)
    if paths:
        measure(result, read_cases(paths), model, settings.max_answer_chars, limit, settings.models_dir)
        result.metrics["bootstrapped"] = 0.0
        result.notes.append(
            "agreement_rate: share of corrections with a direction whose score now moved that way; "
            "no target, it tracks how far the scorer follows user corrections."
        )
        return result
    with tempfile.TemporaryDirectory(prefix="feedback-cases-") as work:
        exported = bootstrap_cases(settings, model, Path(work))
        measure(result, read_cases([exported]), model, settings.max_answer_chars, limit, settings.models_dir)
    result.metrics["bootstrapped"] = 1.0
    result.targets["reproduced_rate"] = ("==", 1.0)
    result.notes.append(
        f"No case files in {settings.data_dir / CASES_FOLDER}: cases were built at run time from "
        f"{len({c.user for c in BOOTSTRAP_CORRECTIONS})} builtin-engine sessions and "
        f"{len(BOOTSTRAP_CORRECTIONS)} corrections; with the scorer unchanged since they were recorded, "
        "every replayed score must equal the recorded one and no correction can be agreed with yet."
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Replay the given case files (or the data folder's) and print the table."""
    from evals.runner import render_table

    args = list(sys.argv[1:] if argv is None else argv)
    quick = "--quick" in args
    paths = [Path(a) for a in args if a != "--quick"]
    try:
        result = run(Settings(), quick=quick, case_paths=paths)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(render_table([result]))
    return 0 if result.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
