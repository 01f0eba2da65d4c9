"""Build fine-tuning and evaluation datasets from saved sessions and user feedback.

``interview-coach export --format ...`` writes one of:

- ``openai-chat-jsonl``: supervised examples (``train.jsonl``, ``validation.jsonl``) for the three
  agents, each ``system`` (the agent's prompt) → ``user`` (the exact prompt the agent builds) →
  ``assistant`` (its structured output as JSON, the shape native/prompted output modes return).
  Turns with a thumbs-down are left out; a correction replaces the output.
- ``preference-jsonl``: chosen/rejected pairs for preference tuning (DPO): a correction is
  preferred over the output it corrects; a thumbs-down LLM output loses to the builtin engine's
  evidence-based output for the same input.
- ``eval-cases``: ``eval_cases.jsonl``, one case per corrected score or feedback ("this score is
  wrong because ..."), with the question, the answer and the scores, for the evaluation suites.

Every text is PII-scrubbed (names from the profile and resume, e-mails, phones, URLs), examples
are deduplicated, and the split into train/validation keeps each session on one side so the
validation set measures generalisation to unseen sessions. Each written file is validated.

Feedback refers to its turn by ``target`` and ``target_ref``: ``interviewer_question`` and
``question_feedback`` by question id (e.g. ``tech-db-001`` or ``tech-db-001~fu1``),
``coach_reply`` by the index of the message in the session's conversation, ``score`` by
``<question id>:<score name>`` (or the score name with ``evidence["question_id"]``), ``report``
by anything.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict

from interview_coach.agents import prompts
from interview_coach.agents.evaluator import FeedbackDraft, builtin_feedback, evidence_prompt
from interview_coach.agents.interviewer import question_prompt
from interview_coach.agents.llm import delimit_untrusted
from interview_coach.assessment.findings import find_patterns
from interview_coach.core.settings import Settings
from interview_coach.domain import CandidateProfile, Question, QuestionReport, SessionReport
from interview_coach.learning.pii import PiiScrubber, ScrubReport, resume_header_name, scrub_value
from interview_coach.learning.validate import (
    DEFAULT_MAX_TOKENS,
    DatasetFormat,
    chat_example_error,
    preference_example_error,
    validate_jsonl,
)
from interview_coach.memory.feedback import FeedbackPublic, FeedbackStore
from interview_coach.memory.sessions import SessionPublic, SessionStore

ExportFormat = Literal["openai-chat-jsonl", "preference-jsonl", "eval-cases"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)
AgentName = Literal["interviewer", "evaluator", "coach"]
SYSTEM_PROMPTS: dict[str, str] = {
    "interviewer": prompts.INTERVIEWER,
    "evaluator": prompts.EVALUATOR,
    "coach": prompts.COACH,
}
_HIGHER = re.compile(
    r"\b(too (?:low|harsh|strict)|should be higher|(?:deserve[sd]?|worth) (?:more|higher)|underrated|higher)\b", re.I
)
_LOWER = re.compile(
    r"\b(too (?:high|generous|lenient)|should be lower|(?:deserve[sd]?|worth) (?:less|lower)|overrated|lower)\b", re.I
)


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


# --------------------------------------------------------------------------------------------
# Reading sessions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedSession:
    """One session's index row and its final graph state."""

    info: SessionPublic
    values: dict[str, Any]

    @property
    def group(self) -> str:
        """A stable pseudonymous id for the session (never the raw id or the user id)."""
        return hashlib.sha256(self.info.session_id.encode()).hexdigest()[:12]


async def load_sessions(settings: Settings) -> list[SavedSession]:
    """Read every session's final state from the checkpointer, oldest first."""
    from interview_coach.graphs.service import open_checkpointer
    from interview_coach.graphs.supervisor import build_graph

    store = SessionStore.from_settings(settings)
    try:
        infos = store.all()
    finally:
        store.close()
    saved: list[SavedSession] = []
    async with open_checkpointer(settings.resolved_checkpointer_dsn) as saver:
        graph = build_graph().compile(checkpointer=saver)
        for info in sorted(infos, key=lambda i: i.created_at):
            snapshot = await graph.aget_state({"configurable": {"thread_id": info.session_id}})
            if snapshot.values:
                saved.append(SavedSession(info=info, values=dict(snapshot.values)))
    return saved


def load_feedback(settings: Settings, *, accepted_only: bool) -> list[FeedbackPublic]:
    """Read the feedback items, only reviewed ones when ``accepted_only``."""
    store = FeedbackStore.from_settings(settings)
    try:
        return store.all(accepted_only=accepted_only)
    finally:
        store.close()


# --------------------------------------------------------------------------------------------
# Turns: what each agent was asked and answered
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentTurn:
    """One agent call that can become a training example.

    Attributes:
        agent: interviewer, evaluator or coach.
        prompt: the user prompt the agent builds for this turn.
        output: the structured output shown to the user (JSON-shaped).
        target: the feedback target that refers to this turn.
        refs: the ``target_ref`` values that refer to this turn.
        alternative: the builtin engine's output for the same input when the LLM wrote ``output``.

    """

    agent: AgentName
    prompt: str
    output: dict[str, Any]
    target: str
    refs: frozenset[str]
    alternative: dict[str, Any] | None = None


def _questions_by_id(values: dict[str, Any]) -> dict[str, Question]:
    found = {q["id"]: Question.model_validate(q) for q in values.get("plan") or []}
    for result in values.get("results") or []:
        question = result.get("question") or {}
        if question.get("id"):
            found[question["id"]] = Question.model_validate(question)
    current = values.get("current")
    if current and current.get("id"):
        found.setdefault(current["id"], Question.model_validate(current))
    return found


def interviewer_turns(values: dict[str, Any]) -> list[AgentTurn]:
    """List the questions the interviewer asked, with the prompt that phrases each one."""
    questions = _questions_by_id(values)
    turns: list[AgentTurn] = []
    for index, message in enumerate(values.get("messages") or []):
        question_id = message.get("question_id")
        if message.get("role") != "interviewer" or question_id not in questions:
            continue
        question = questions[question_id]
        alternative = {"text": question.text} if message.get("text") != question.text else None
        turns.append(
            AgentTurn(
                agent="interviewer",
                prompt=question_prompt(question),
                output={"text": message.get("text", "")},
                target="interviewer_question",
                refs=frozenset({question_id, str(index)}),
                alternative=alternative,
            )
        )
    return turns


def evaluator_turns(values: dict[str, Any]) -> list[AgentTurn]:
    """List the answer evaluations, rebuilding each evaluator prompt from the stored evidence."""
    turns: list[AgentTurn] = []
    for raw in values.get("results") or []:
        result = QuestionReport.model_validate(raw)
        evaluation, analysis = result.evaluation, result.analysis
        if result.input_mode == "skipped" or evaluation is None or analysis is None:
            continue
        findings = find_patterns(analysis, result.question.kind)
        draft = FeedbackDraft(
            explanation=evaluation.explanation,
            strengths=evaluation.strengths[:3],
            improvements=evaluation.improvements[:3],
            flags=evaluation.flags[:3],
        )
        alternative = None
        if evaluation.engine != "builtin":
            builtin = builtin_feedback(result.question, analysis, evaluation.scores, findings)
            alternative = builtin.model_dump(mode="json")
        turns.append(
            AgentTurn(
                agent="evaluator",
                prompt=evidence_prompt(result.question, analysis, evaluation.scores, findings),
                output=draft.model_dump(mode="json"),
                target="question_feedback",
                refs=frozenset({result.question.id}),
                alternative=alternative,
            )
        )
    return turns


def coach_prompt(report: SessionReport | None, message: str) -> str:
    """Build the coach prompt from what a saved session keeps: the report and the message.

    The live prompt also carries long-term memories and the rules engine's draft, which are not
    reproducible later; the rest of its layout is the same.
    """
    parts: list[str] = []
    if report is not None:
        from interview_coach.assessment.report import render_markdown

        parts.append(delimit_untrusted("REPORT", render_markdown(report)[:8000]))
    parts.append(delimit_untrusted("CANDIDATE MESSAGE", message))
    return "\n\n".join(parts)


def coach_turns(values: dict[str, Any]) -> list[AgentTurn]:
    """List the coach's replies with the candidate message each one answered."""
    report = SessionReport.model_validate(values["report"]) if values.get("report") else None
    turns: list[AgentTurn] = []
    last_candidate: str | None = None
    for index, message in enumerate(values.get("messages") or []):
        role, data = message.get("role"), message.get("data") or {}
        if role == "candidate":
            last_candidate = message.get("text", "")
            continue
        if role != "coach" or "engine" not in data or not last_candidate:
            continue
        turns.append(
            AgentTurn(
                agent="coach",
                prompt=coach_prompt(report, last_candidate),
                output={"text": message.get("text", "")},
                target="coach_reply",
                refs=frozenset({str(index)}),
            )
        )
        last_candidate = None
    return turns


def session_turns(values: dict[str, Any]) -> list[AgentTurn]:
    """List every agent turn of a session."""
    return [*interviewer_turns(values), *evaluator_turns(values), *coach_turns(values)]


# --------------------------------------------------------------------------------------------
# Feedback applied to turns
# --------------------------------------------------------------------------------------------


def feedback_for(turn: AgentTurn, items: Iterable[FeedbackPublic]) -> list[FeedbackPublic]:
    """Return the feedback items that refer to a turn."""
    return [f for f in items if f.target == turn.target and f.target_ref in turn.refs]


def corrected_output(turn: AgentTurn, correction: str) -> dict[str, Any]:
    """Return the turn's output with the user's correction in place of the written text."""
    if turn.agent == "evaluator":
        return {**turn.output, "explanation": correction}
    return {**turn.output, "text": correction}


def _correction(items: Sequence[FeedbackPublic]) -> str | None:
    corrections = [f.correction.strip() for f in items if f.correction and f.correction.strip()]
    return corrections[-1] if corrections else None


def _messages(turn: AgentTurn, output: dict[str, Any] | None) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": SYSTEM_PROMPTS[turn.agent]}, {"role": "user", "content": turn.prompt}]
    if output is not None:
        messages.append({"role": "assistant", "content": json.dumps(output, ensure_ascii=False)})
    return messages


@dataclass
class Candidate:
    """An example before deduplication and splitting."""

    group: str
    agent: str
    record: dict[str, Any]


@dataclass
class BuildResult:
    """Examples built from sessions plus the bookkeeping for the summary."""

    candidates: list[Candidate] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    pii: ScrubReport = field(default_factory=ScrubReport)


def profile_names(values: dict[str, Any]) -> list[str]:
    """Return the person names a session's candidate profile and resume header reveal."""
    request = values.get("request") or {}
    profile = CandidateProfile.model_validate(request.get("profile") or {})
    header = resume_header_name(profile.resume_text)
    return [profile.name, header] if header else [profile.name]


def scrubber_for(sessions: Sequence[SavedSession]) -> PiiScrubber:
    """Build one PII scrubber that knows every candidate name of the exported sessions.

    One list for all sessions, because a name from one session can appear in another
    (a shared resume, a colleague who also practises).
    """
    return PiiScrubber([name for session in sessions for name in profile_names(session.values)])


def _chat_record(turn: AgentTurn, items: list[FeedbackPublic], result: BuildResult) -> dict[str, Any] | None:
    correction = _correction(items)
    if correction:
        return {"messages": _messages(turn, corrected_output(turn, correction))}
    if any(f.rating < 0 for f in items):
        result.skipped["thumbs_down"] += 1
        return None
    if not any(str(v).strip() for v in turn.output.values()):
        result.skipped["empty_output"] += 1
        return None
    return {"messages": _messages(turn, turn.output)}


def _preference_record(turn: AgentTurn, items: list[FeedbackPublic], result: BuildResult) -> dict[str, Any] | None:
    correction = _correction(items)
    disliked = any(f.rating < 0 for f in items)
    if correction:
        chosen = corrected_output(turn, correction)
    elif disliked and turn.alternative is not None:
        chosen = turn.alternative
    else:
        if disliked:
            result.skipped["thumbs_down_without_alternative"] += 1
        return None
    if chosen == turn.output:
        result.skipped["chosen_equals_rejected"] += 1
        return None
    return {
        "input": {"messages": _messages(turn, None)},
        "preferred_output": [{"role": "assistant", "content": json.dumps(chosen, ensure_ascii=False)}],
        "non_preferred_output": [{"role": "assistant", "content": json.dumps(turn.output, ensure_ascii=False)}],
    }


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
            record = _chat_record(turn, related, result) if fmt == "chat" else _preference_record(turn, related, result)
            if record is None:
                continue
            clean = scrub_value(record, scrubber, result.pii)
            assert isinstance(clean, dict)
            if check(clean, max_tokens=DEFAULT_MAX_TOKENS):
                result.skipped["invalid_format"] += 1
                continue
            result.candidates.append(Candidate(group=session.group, agent=turn.agent, record=clean))
    return result


# --------------------------------------------------------------------------------------------
# Eval cases from corrections
# --------------------------------------------------------------------------------------------


def expected_direction(correction: str) -> Literal["higher", "lower"] | None:
    """Read which way the user says a score should move ("too low" → higher)."""
    higher, lower = bool(_HIGHER.search(correction)), bool(_LOWER.search(correction))
    if higher == lower:
        return None
    return "higher" if higher else "lower"


def _score_ref(item: FeedbackPublic) -> tuple[str | None, str | None]:
    question_id = item.evidence.get("question_id")
    if item.target == "score":
        if ":" in item.target_ref:
            qid, name = item.target_ref.rsplit(":", 1)
            return qid, name
        return (str(question_id) if question_id else None), item.target_ref
    if item.target == "question_feedback":
        return item.target_ref, None
    return (str(question_id) if question_id else None), None


def eval_case(
    session: SavedSession, item: FeedbackPublic, scrubber: PiiScrubber, result: BuildResult
) -> dict[str, Any] | None:
    """Turn one corrected feedback item into an evaluation case (``None`` without a correction)."""
    correction = (item.correction or "").strip()
    if not correction:
        return None
    question_id, score_name = _score_ref(item)
    results = [QuestionReport.model_validate(r) for r in session.values.get("results") or []]
    match = next((r for r in results if r.question.id == question_id), None)
    case: dict[str, Any] = {
        "id": f"feedback-{item.id[:12]}",
        "source": "user_feedback",
        "session": session.group,
        "target": item.target,
        "score_name": score_name,
        "rating": item.rating,
        "correction": correction,
        "expected_direction": expected_direction(correction),
        "question": match.question.model_dump(mode="json") if match else None,
        "answer_text": match.answer_text if match else None,
        "input_mode": match.input_mode if match else None,
        "scores": {k: v.value for k, v in match.scores.items()} if match else {},
        "prompt_version": prompts.PROMPT_VERSION,
    }
    if item.target in {"score", "question_feedback"} and match is None:
        result.skipped["case_question_not_found"] += 1
    clean = scrub_value(case, scrubber, result.pii)
    assert isinstance(clean, dict)
    return clean


def build_eval_cases(sessions: Sequence[SavedSession], feedback: Sequence[FeedbackPublic]) -> BuildResult:
    """Turn corrected feedback on scores, feedback and reports into evaluation cases."""
    result = BuildResult()
    by_id = {s.info.session_id: s for s in sessions}
    scrubber = scrubber_for(sessions)
    for item in feedback:
        session = by_id.get(item.session_id)
        if session is None:
            result.skipped["feedback_without_session"] += 1
            continue
        case = eval_case(session, item, scrubber, result)
        if case is None:
            result.skipped["no_correction"] += 1
            continue
        result.candidates.append(Candidate(group=session.group, agent="evaluator", record=case))
    return result


# --------------------------------------------------------------------------------------------
# Deduplication, split, writing
# --------------------------------------------------------------------------------------------


def _normalised(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False).lower()
    return re.sub(r"\s+", " ", text)


def deduplicate(candidates: Sequence[Candidate], *, ignore: Iterable[str] = ()) -> tuple[list[Candidate], int]:
    """Drop examples whose content repeats an earlier one (case and whitespace ignored).

    Args:
        candidates: examples in order.
        ignore: record keys that do not make two examples different (e.g. ids).

    Returns:
        The unique examples, in order, and how many were dropped.

    """
    skip = set(ignore)
    seen: set[str] = set()
    unique: list[Candidate] = []
    for candidate in candidates:
        key = hashlib.sha256(
            _normalised({k: v for k, v in candidate.record.items() if k not in skip}).encode()
        ).hexdigest()
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique, len(candidates) - len(unique)


def split_groups(groups: Iterable[str], val_fraction: float, seed: int) -> set[str]:
    """Choose the groups (sessions) that go to validation, deterministically for a seed.

    At least one group goes to each side when there are two or more groups and
    ``0 < val_fraction < 1``.
    """
    ordered = sorted(set(groups))
    if val_fraction <= 0 or len(ordered) < 2:
        return set()
    random.Random(seed).shuffle(ordered)
    count = min(len(ordered) - 1, max(1, round(val_fraction * len(ordered))))
    return set(ordered[:count])


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records as JSON lines; return how many were written."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


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
