"""What the candidate's free-form input means during the interview: an answer or a command."""

from __future__ import annotations

import re

from interview_coach.domain import AnswerInput
from interview_coach.graphs.state import Intent

HELP_TEXT = (
    "Answer in your own words (type, record, or upload audio/video). Commands: "
    "/repeat asks the question again, /skip moves on, /end finishes and writes the report, "
    "/status shows how you are doing, /help shows this."
)
_COMMANDS: dict[str, Intent] = {
    "/repeat": "repeat",
    "/skip": "skip",
    "/end": "end",
    "/help": "help",
    "/status": "status",
}
_FREE_FORM: tuple[tuple[re.Pattern[str], Intent], ...] = (
    (
        re.compile(
            r"^(?:can|could|would) you (?:please )?(?:repeat|say that again|rephrase)|^(?:please )?repeat\b|^pardon\b|^say that again"
        ),
        "repeat",
    ),
    (re.compile(r"^(?:please )?(?:skip|pass|next question)\b|^(?:can|could) (?:we|i) skip"), "skip"),
    (
        re.compile(
            r"^(?:(?:let'?s|please|i want to|i'd like to) )?(?:end|stop|finish|quit)(?: the| this)?(?: interview)?\b"
        ),
        "end",
    ),
    (re.compile(r"how am i doing|how did i do|how's it going"), "status"),
    (re.compile(r"^(?:help|what can i (?:say|do))\b"), "help"),
)
_MAX_COMMAND_WORDS = 8


def classify_input(answer: AnswerInput) -> Intent:
    """Tell an answer from a command ('/skip', 'could you repeat that?', 'how am I doing?')."""
    if answer.audio_path or answer.video_path:
        return "answer"
    text = answer.text.strip()
    if not text:
        return "empty"
    lowered = text.lower()
    if lowered.split()[0] in _COMMANDS:
        return _COMMANDS[lowered.split()[0]]
    if len(lowered.split()) <= _MAX_COMMAND_WORDS:
        for pattern, intent in _FREE_FORM:
            if pattern.search(lowered):
                return intent
    return "answer"
