# mypy: disable-error-code="no-untyped-call"
# (Chainlit ships py.typed but leaves user_session, Message.send and friends unannotated.)
"""Ratings in the room: Helpful / Not right on cards and reports, Chainlit's own thumbs.

"Not right" asks the candidate why and which score they would give, and stores both against
the question, so a reviewer can accept the correction into the learning loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

import chainlit as cl

from interview_coach.memory.feedback import FeedbackCreate, FeedbackTarget
from interview_coach.ui import registry
from interview_coach.ui.chainlit.session import AUTHORS, chat_state, say, thread_id, user_id
from interview_coach.ui.corrections import Correction, parse_correction

ASK_TIMEOUT_S = 600
THANKS = "Thanks, noted for the coach's learning loop."


def rating_actions(target: FeedbackTarget, ref: str, *, label: str = "", score: int | None = None) -> list[cl.Action]:
    """Return the Helpful / Not right buttons for a feedback card or report.

    Chainlit's own thumbs only show on a turn's last message, so cards carry these.

    Args:
        target: what the buttons rate.
        ref: the question id (cards) or session id (report).
        label: how the candidate knows the item (``Q2``, ``the report``).
        score: the answer-quality score shown on the card, quoted when asking for a correction.
    """
    payload: dict[str, Any] = {"target": target, "ref": ref, "label": label, "score": score}
    return [
        cl.Action(
            name="rate",
            payload={**payload, "rating": 1},
            label="👍 Helpful",
            tooltip=f"The feedback on {label} is useful" if label else "This feedback is useful",
        ),
        cl.Action(
            name="rate",
            payload={**payload, "rating": -1},
            label="👎 Not right",
            tooltip=f"Say what is wrong with the feedback on {label}" if label else "Say what is wrong",
        ),
    ]


def correction_question(label: str, score: int | None, *, scored: bool) -> str:
    """Return what the room asks after "Not right"."""
    subject = f"the feedback on {label}" if label else "this feedback"
    ask = f"What is not right about {subject}? Tell me why in a sentence"
    if scored and score is not None:
        ask += f", and the score you would give instead of {score}/100 (for example 70/100)"
    return ask + ". Reply `skip` to leave it at a thumbs-down."


def correction_receipt(label: str, correction: Correction, score: int | None) -> str:
    """Return the confirmation shown once a correction is stored."""
    subject = label or "this feedback"
    if correction.empty:
        return f"Noted for {subject}: marked as not right. {THANKS}"
    text = f"Noted for {subject}: “{correction.reason}”."
    if correction.corrected_score is not None:
        shown = f" (the card said {score}/100)" if score is not None else ""
        text += f" Your score: {correction.corrected_score}/100{shown}."
    return f"{text} {THANKS}"


async def handle_rating(action: cl.Action) -> None:
    """Store a Helpful / Not right click; for Not right, ask why and for the corrected score first."""
    payload = action.payload or {}
    target: FeedbackTarget = payload.get("target", "question_feedback")
    label = str(payload.get("label") or "")
    score = payload.get("score") if isinstance(payload.get("score"), int) else None
    positive = payload.get("rating") == 1
    correction = Correction()
    if not positive:
        try:
            reply = await cl.AskUserMessage(
                content=correction_question(label, score, scored=target == "question_feedback"),
                author=AUTHORS["feedback"],
                timeout=ASK_TIMEOUT_S,
            ).send()
        finally:
            # Chainlit restarts the "running" state after an ask, and action callbacks never end it,
            # which would leave the composer disabled.
            await cl.context.emitter.task_end()
        correction = parse_correction(str(reply.get("output", ""))) if reply else Correction()
        if target != "question_feedback":
            correction = Correction(reason=correction.reason)
    item = FeedbackCreate(
        session_id=chat_state().get("session_id") or thread_id(),
        target=target,
        target_ref=str(payload.get("ref", ""))[:200] or "unknown",
        rating=1 if positive else -1,
        comment=correction.reason,
        correction=correction.reason or None,
        corrected_score=correction.corrected_score,
        evidence={"message_id": action.forId, "source": "chat_action", "label": label, "shown_score": score},
    )
    await asyncio.to_thread(registry.get_service().feedback.add, user_id(), item)
    if positive:
        await cl.context.emitter.send_toast(THANKS, "success")
    else:
        await say(correction_receipt(label, correction, score), AUTHORS["feedback"])


async def handle_thumbs(feedback: Any) -> None:
    """Store Chainlit's own thumbs (and its comment) against what the message was."""
    targets: dict[str, tuple[FeedbackTarget, str]] = cl.user_session.get("feedback_targets") or {}
    target, ref = targets.get(str(feedback.forId), ("coach_reply", str(feedback.forId)))
    negative = int(feedback.value) != 1
    correction = parse_correction(feedback.comment or "") if negative else Correction()
    item = FeedbackCreate(
        session_id=chat_state().get("session_id") or thread_id(),
        target=target,
        target_ref=ref,
        rating=-1 if negative else 1,
        comment=(feedback.comment or "")[:4000],
        correction=correction.reason or None,
        corrected_score=correction.corrected_score if target == "question_feedback" else None,
        evidence={"message_id": str(feedback.forId), "thread_id": feedback.threadId},
    )
    await asyncio.to_thread(registry.get_service().feedback.add, user_id(), item)
