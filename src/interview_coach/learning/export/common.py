"""Shared by every export format: reading sessions and feedback, PII scrubbing, dedup, split, writing."""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview_coach.core.settings import Settings
from interview_coach.domain import CandidateProfile
from interview_coach.learning.pii import PiiScrubber, ScrubReport, resume_header_name
from interview_coach.memory.feedback import FeedbackPublic, FeedbackStore
from interview_coach.memory.sessions import SessionPublic, SessionStore

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
# Examples before deduplication, and the PII scrubber
# --------------------------------------------------------------------------------------------


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
