"""Build, deduplicate, split, write and validate one export; the ``interview-coach export`` entry point."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict

from interview_coach.agents import prompts
from interview_coach.core.settings import Settings
from interview_coach.learning.export.chat import chat_record
from interview_coach.learning.export.common import (
    BuildResult,
    Candidate,
    SavedSession,
    deduplicate,
    load_feedback,
    load_sessions,
    scrubber_for,
    split_groups,
    write_jsonl,
)
from interview_coach.learning.export.eval_cases import build_eval_cases
from interview_coach.learning.export.preference import preference_record
from interview_coach.learning.export.turns import feedback_for, session_turns
from interview_coach.learning.pii import scrub_value
from interview_coach.learning.validate import (
    DEFAULT_MAX_TOKENS,
    DatasetFormat,
    chat_example_error,
    preference_example_error,
    validate_jsonl,
)
from interview_coach.memory.feedback import FeedbackPublic

ExportFormat = Literal["openai-chat-jsonl", "preference-jsonl", "eval-cases"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)


class ExportSummary(BaseModel):
    """What an export wrote and why items were left out.

    Attributes:
        format: the export format.
        out_dir: the folder written to.
        files: the files written (absolute paths).
        sessions: sessions read.
        feedback_items: feedback items used (after the accepted-only filter).
        examples: examples (or cases) written, after deduplication.
        train: examples in ``train.jsonl``.
        validation: examples in ``validation.jsonl``.
        duplicates_removed: examples dropped as duplicates.
        by_agent: examples per agent (interviewer, evaluator, coach).
        skipped: items left out, by reason.
        pii_replacements: replacements by kind (name, email, phone, url).
        invalid_lines: lines of the written files that failed validation (0 unless there is a bug).
        prompt_version: the prompt version the examples were built with.

    """

    model_config = ConfigDict(frozen=True)

    format: str
    out_dir: str
    files: list[str]
    sessions: int
    feedback_items: int
    examples: int
    train: int = 0
    validation: int = 0
    duplicates_removed: int = 0
    by_agent: dict[str, int] = {}
    skipped: dict[str, int] = {}
    pii_replacements: dict[str, int] = {}
    invalid_lines: int = 0
    prompt_version: str = prompts.PROMPT_VERSION


def build_examples(
    sessions: Sequence[SavedSession], feedback: Sequence[FeedbackPublic], fmt: DatasetFormat
) -> BuildResult:
    """Turn sessions and feedback into scrubbed chat or preference examples."""
    result = BuildResult()
    by_session: dict[str, list[FeedbackPublic]] = defaultdict(list)
    for item in feedback:
        by_session[item.session_id].append(item)
    known = {s.info.session_id for s in sessions}
    result.skipped["feedback_without_session"] += sum(len(v) for k, v in by_session.items() if k not in known)
    check = chat_example_error if fmt == "chat" else preference_example_error
    scrubber = scrubber_for(sessions)
    for session in sessions:
        items = by_session.get(session.info.session_id, [])
        for turn in session_turns(session.values):
            related = feedback_for(turn, items)
            record = chat_record(turn, related, result) if fmt == "chat" else preference_record(turn, related, result)
            if record is None:
                continue
            clean = scrub_value(record, scrubber, result.pii)
            assert isinstance(clean, dict)
            if check(clean, max_tokens=DEFAULT_MAX_TOKENS):
                result.skipped["invalid_format"] += 1
                continue
            result.candidates.append(Candidate(group=session.group, agent=turn.agent, record=clean))
    return result


def _check_options(fmt: str, val_fraction: float) -> None:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}.")
    if not 0 <= val_fraction < 1:
        raise ValueError(f"--val-fraction must be in [0, 1); got {val_fraction}.")


def _write_split(
    out_dir: Path, unique: list[Candidate], fmt: DatasetFormat, val_fraction: float, seed: int
) -> dict[str, Any]:
    validation_groups = split_groups((c.group for c in unique), val_fraction, seed)
    train = [c.record for c in unique if c.group not in validation_groups]
    validation = [c.record for c in unique if c.group in validation_groups]
    files: list[Path] = []
    counts = {"train": write_jsonl(out_dir / "train.jsonl", train), "validation": 0}
    files.append(out_dir / "train.jsonl")
    if validation:
        counts["validation"] = write_jsonl(out_dir / "validation.jsonl", validation)
        files.append(out_dir / "validation.jsonl")
    invalid = sum(len(validate_jsonl(path, fmt).errors) for path in files)
    return {"files": [str(p.resolve()) for p in files], "invalid_lines": invalid, **counts}


async def export_dataset(
    settings: Settings,
    fmt: str,
    out_dir: Path,
    *,
    accepted_only: bool = False,
    val_fraction: float = 0.1,
    seed: int = 0,
) -> ExportSummary:
    """Export sessions and feedback as a dataset (see :func:`run_export`).

    Raises:
        ValueError: unknown format or a validation fraction outside [0, 1).

    """
    _check_options(fmt, val_fraction)
    sessions = await load_sessions(settings)
    feedback = await asyncio.to_thread(load_feedback, settings, accepted_only=accepted_only)
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "eval-cases":
        built = build_eval_cases(sessions, feedback)
        unique, dropped = deduplicate(built.candidates, ignore=("id",))
        path = out_dir / "eval_cases.jsonl"
        written = {"files": [str(path.resolve())], "train": 0, "validation": 0, "invalid_lines": 0}
        write_jsonl(path, (c.record for c in unique))
    else:
        dataset_format: DatasetFormat = "chat" if fmt == "openai-chat-jsonl" else "preference"
        built = build_examples(sessions, feedback, dataset_format)
        unique, dropped = deduplicate(built.candidates)
        written = _write_split(out_dir, unique, dataset_format, val_fraction, seed)
    summary = ExportSummary(
        format=fmt,
        out_dir=str(out_dir.resolve()),
        files=written["files"],
        sessions=len(sessions),
        feedback_items=len(feedback),
        examples=len(unique),
        train=written["train"],
        validation=written["validation"],
        duplicates_removed=dropped,
        by_agent=dict(Counter(c.agent for c in unique)),
        skipped={k: v for k, v in built.skipped.items() if v},
        pii_replacements=dict(built.pii.counts),
        invalid_lines=written["invalid_lines"],
    )
    (out_dir / "manifest.json").write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return summary


def run_export(
    settings: Settings, fmt: str, out_dir: Path, *, accepted_only: bool, val_fraction: float, seed: int
) -> ExportSummary:
    """Export sessions and feedback as a fine-tuning or evaluation dataset.

    Args:
        settings: where the sessions, checkpoints and feedback live.
        fmt: ``openai-chat-jsonl``, ``preference-jsonl`` or ``eval-cases``.
        out_dir: folder for ``train.jsonl``/``validation.jsonl`` (or ``eval_cases.jsonl``) and ``manifest.json``.
        accepted_only: use only feedback a reviewer accepted.
        val_fraction: share of sessions held out for validation.
        seed: seed of the session split.

    Returns:
        What was written, with counts of skipped items, duplicates and PII replacements.

    Raises:
        ValueError: unknown format or a validation fraction outside [0, 1).

    """
    return asyncio.run(
        export_dataset(settings, fmt, out_dir, accepted_only=accepted_only, val_fraction=val_fraction, seed=seed)
    )
