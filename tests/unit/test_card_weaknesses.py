"""A feedback card always has room for the top measured delivery problem."""

from __future__ import annotations

from typing import Literal

from interview_coach.agents.evaluator import card_weaknesses
from interview_coach.domain import Finding


def _weak(name: str, source: Literal["content", "voice", "face"]) -> Finding:
    return Finding(pattern_id=name, metric=name, polarity="weakness", message=name, source=source)


def test_voice_and_face_each_get_a_slot_next_to_many_content_problems() -> None:
    found = [_weak("short", "content"), _weak("no_situation", "content"), _weak("no_task", "content")]
    found += [_weak("face_out_of_view", "face"), _weak("fast", "voice")]
    assert [f.pattern_id for f in card_weaknesses(found)] == ["short", "no_situation", "fast", "face_out_of_view"]


def test_one_kind_only_keeps_the_order() -> None:
    content = [_weak(f"c{i}", "content") for i in range(4)]
    assert [f.pattern_id for f in card_weaknesses(content)] == ["c0", "c1", "c2"]
    delivery = [_weak("fast", "voice"), _weak("slow_start", "voice"), _weak("face_out_of_view", "face")]
    assert [f.pattern_id for f in card_weaknesses(delivery)] == ["fast", "face_out_of_view", "slow_start"]


def test_few_content_problems_leave_room_for_more_delivery() -> None:
    found = [_weak("short", "content"), _weak("fast", "voice"), _weak("face_out_of_view", "face")]
    assert [f.pattern_id for f in card_weaknesses(found)] == ["short", "fast", "face_out_of_view"]


def test_builtin_feedback_carries_content_voice_and_face_problems() -> None:
    from interview_coach.agents.evaluator import builtin_feedback
    from interview_coach.domain import AnswerAnalysis, Question, QuestionKind

    question = Question(id="q", text="Tell me about a conflict.", kind=QuestionKind.BEHAVIORAL, competency="c")
    found = [_weak(f"c{i}", "content") for i in range(3)] + [_weak("fast", "voice"), _weak("face_out_of_view", "face")]
    draft = builtin_feedback(question, AnswerAnalysis(input_mode="video"), {}, found)
    assert [line.split(".")[0].split(" ")[0] for line in draft.improvements] == ["c0", "c1", "fast", "face_out_of_view"]
