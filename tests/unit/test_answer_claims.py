"""One window answers at a time: the holds that keep a second tab from overtaking a recording."""

from __future__ import annotations

from interview_coach.ui.chainlit.answering import STALE_AFTER_S, AnswerClaims, refusal


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_first_window_holds_the_interview_and_the_second_is_refused() -> None:
    clock = Clock()
    claims = AnswerClaims(clock=clock)
    assert claims.claim("s1", "tab-a", "a camera answer", "q1") is None
    other = claims.claim("s1", "tab-b", "a spoken answer")
    assert other is not None and other.owner == "tab-a" and other.what == "a camera answer"
    assert claims.held_by_other("s1", "tab-b") == other
    assert claims.held_by_other("s1", "tab-a") is None  # the holder itself may submit
    assert claims.held_by_other("s2", "tab-b") is None  # another interview is not held
    clock.now += 12
    message = refusal(other, claims)
    assert "another window" in message and "a camera answer started 12 s ago" in message


def test_releasing_lets_the_other_window_answer_and_only_the_holder_can_release() -> None:
    claims = AnswerClaims(clock=Clock())
    claims.claim("s1", "tab-a", "a camera answer")
    claims.release("s1", "tab-b")
    assert claims.held_by_other("s1", "tab-b") is not None
    claims.release("s1", "tab-a")
    assert claims.held_by_other("s1", "tab-b") is None
    assert claims.claim("s1", "tab-b", "a spoken answer") is None


def test_a_hold_without_recording_activity_expires_and_activity_keeps_it() -> None:
    clock = Clock()
    claims = AnswerClaims(clock=clock)
    claims.claim("s1", "tab-a", "a camera answer")
    for _ in range(3):  # a recording sends pieces: the hold outlives STALE_AFTER_S in total
        clock.now += STALE_AFTER_S * 0.9
        claims.touch("s1", "tab-a")
        claims.touch("s1", "tab-b")  # another window's activity does not count
        assert claims.held_by_other("s1", "tab-b") is not None
    clock.now += STALE_AFTER_S + 1  # a closed tab sends nothing
    assert claims.held_by_other("s1", "tab-b") is None
    assert claims.claim("s1", "tab-b", "a spoken answer") is None
