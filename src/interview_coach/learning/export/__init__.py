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

Modules: ``common`` (loading, PII scrubbing, dedup, split, writing), ``turns`` (agent turns of a
session and their feedback), ``chat``, ``preference`` and ``eval_cases`` (one per format),
``dataset`` (one export end to end).
"""

from interview_coach.learning.export.common import (
    BuildResult,
    Candidate,
    SavedSession,
    deduplicate,
    load_feedback,
    load_sessions,
    profile_names,
    scrubber_for,
    split_groups,
    write_jsonl,
)
from interview_coach.learning.export.dataset import (
    EXPORT_FORMATS,
    ExportFormat,
    ExportSummary,
    build_examples,
    export_dataset,
    run_export,
)
from interview_coach.learning.export.eval_cases import build_eval_cases, eval_case, expected_direction
from interview_coach.learning.export.turns import SYSTEM_PROMPTS, AgentTurn, coach_prompt, session_turns

__all__ = [
    "EXPORT_FORMATS",
    "SYSTEM_PROMPTS",
    "AgentTurn",
    "BuildResult",
    "Candidate",
    "ExportFormat",
    "ExportSummary",
    "SavedSession",
    "build_eval_cases",
    "build_examples",
    "coach_prompt",
    "deduplicate",
    "eval_case",
    "expected_direction",
    "export_dataset",
    "load_feedback",
    "load_sessions",
    "profile_names",
    "run_export",
    "scrubber_for",
    "session_turns",
    "split_groups",
    "write_jsonl",
]
