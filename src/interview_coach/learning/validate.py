"""Check exported JSONL files against the chat and preference fine-tuning formats.

The chat format is OpenAI's supervised fine-tuning format (also read by most local LoRA
trainers): one JSON object per line with ``messages``, an optional leading ``system`` message,
then ``user``/``assistant`` turns alternating, ending with an ``assistant`` turn; every content
a non-empty string; the example within a token budget. The preference format is OpenAI's
preference (DPO) format: ``input.messages`` (ending with a user turn) plus one
``preferred_output`` and one ``non_preferred_output`` assistant message that differ.

Token counts are estimated without a tokenizer download (about 3.5 characters per token plus
a few tokens of overhead per message), which errs on the long side for English text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

DatasetFormat = Literal["chat", "preference"]
DEFAULT_MAX_TOKENS = 16_384
CHARS_PER_TOKEN = 3.5
TOKENS_PER_MESSAGE = 4
ROLES = frozenset({"system", "user", "assistant"})


def estimate_tokens(messages: Iterable[dict[str, Any]]) -> int:
    """Estimate the token count of chat messages (conservative for English)."""
    return sum(TOKENS_PER_MESSAGE + math.ceil(len(str(m.get("content", ""))) / CHARS_PER_TOKEN) for m in messages)


@dataclass
class ValidationReport:
    """The outcome of validating one JSONL file.

    Attributes:
        path: the file checked.
        lines: number of non-empty lines.
        valid: lines that passed every check.
        errors: ``(line number, message)`` for each failing line (the first problem of each).
        max_tokens_seen: the largest estimated example length.

    """

    path: Path
    lines: int = 0
    valid: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    max_tokens_seen: int = 0

    @property
    def ok(self) -> bool:
        """Whether every line is valid."""
        return not self.errors


def chat_messages_error(messages: Any, *, final_role: str) -> str | None:
    """Return why a message list breaks the chat format, or ``None`` when it is valid."""
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty list"
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"message {i} is not an object"
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            return f"message {i} has role {role!r}; allowed: system, user, assistant"
        if not isinstance(content, str) or not content.strip():
            return f"message {i} ({role}) has empty or non-string content"
        extra = set(message) - {"role", "content", "name", "weight"}
        if extra:
            return f"message {i} has unknown keys {sorted(extra)}"
    roles = [m["role"] for m in messages]
    if "system" in roles[1:]:
        return "a system message may only come first"
    turns = roles[1:] if roles[0] == "system" else roles
    if not turns or turns[0] != "user":
        return "the first turn after the system message must be from the user"
    for i, (previous, current) in enumerate(pairwise(turns), start=1):
        if previous == current:
            return f"turn {i} repeats the role {current!r}; user and assistant must alternate"
    if turns[-1] != final_role:
        return f"the last message must be from the {final_role}"
    return None


def chat_example_error(example: Any, *, max_tokens: int = DEFAULT_MAX_TOKENS) -> str | None:
    """Return why one chat fine-tuning example is invalid, or ``None``."""
    if not isinstance(example, dict) or "messages" not in example:
        return "each line must be an object with 'messages'"
    problem = chat_messages_error(example["messages"], final_role="assistant")
    if problem:
        return problem
    tokens = estimate_tokens(example["messages"])
    if tokens > max_tokens:
        return f"about {tokens} tokens, over the limit of {max_tokens}"
    return None


def _single_assistant(value: Any, name: str) -> str | None:
    if not isinstance(value, list) or len(value) != 1:
        return f"{name} must be a list with exactly one assistant message"
    message = value[0]
    if not isinstance(message, dict) or message.get("role") != "assistant":
        return f"{name} must hold an assistant message"
    content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        return f"{name} has empty content"
    return None


def preference_example_error(example: Any, *, max_tokens: int = DEFAULT_MAX_TOKENS) -> str | None:
    """Return why one preference (chosen/rejected) example is invalid, or ``None``."""
    if not isinstance(example, dict):
        return "each line must be an object"
    inputs = example.get("input")
    if not isinstance(inputs, dict):
        return "'input' must be an object with 'messages'"
    problem = chat_messages_error(inputs.get("messages"), final_role="user")
    for key in ("preferred_output", "non_preferred_output"):
        problem = problem or _single_assistant(example.get(key), key)
    if problem:
        return problem
    if example["preferred_output"][0]["content"].strip() == example["non_preferred_output"][0]["content"].strip():
        return "preferred and non-preferred outputs are identical"
    longest = max(example["preferred_output"], example["non_preferred_output"], key=lambda m: len(m[0]["content"]))
    tokens = estimate_tokens([*inputs["messages"], *longest])
    if tokens > max_tokens:
        return f"about {tokens} tokens, over the limit of {max_tokens}"
    return None


def example_tokens(example: dict[str, Any], fmt: DatasetFormat) -> int:
    """Estimate the token length of a valid example."""
    if fmt == "chat":
        return estimate_tokens(example["messages"])
    outputs = [*example["preferred_output"], *example["non_preferred_output"]]
    return estimate_tokens([*example["input"]["messages"], *outputs])


def validate_jsonl(path: Path, fmt: DatasetFormat, *, max_tokens: int = DEFAULT_MAX_TOKENS) -> ValidationReport:
    """Validate every line of a JSONL file in the chat or preference format."""
    report = ValidationReport(path=path)
    check = chat_example_error if fmt == "chat" else preference_example_error
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            report.lines += 1
            try:
                example = json.loads(line)
            except ValueError as exc:
                report.errors.append((number, f"not JSON: {exc}"))
                continue
            problem = check(example, max_tokens=max_tokens)
            if problem:
                report.errors.append((number, problem))
                continue
            report.valid += 1
            report.max_tokens_seen = max(report.max_tokens_seen, example_tokens(example, fmt))
    return report
