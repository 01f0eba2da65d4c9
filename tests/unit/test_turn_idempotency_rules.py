"""The pieces of turn idempotency that need no model: the re-entrant session lock and the turn log."""

from __future__ import annotations

import asyncio

from interview_coach.graphs.locks import SessionLock
from interview_coach.graphs.state import turn_record, turn_span


async def test_the_holder_re_enters_and_others_wait_in_order() -> None:
    lock = SessionLock()
    order: list[str] = []

    async def holder() -> None:
        async with lock:
            async with lock:  # a surface holds the lock around a service call that takes it too
                order.append("holder in")
                await asyncio.sleep(0.05)
            assert lock.locked(), "leaving the inner level keeps the lock"
            order.append("holder out")

    async def other(name: str) -> None:
        await asyncio.sleep(0.01)
        async with lock:
            order.append(name)

    await asyncio.wait_for(asyncio.gather(holder(), other("a"), other("b")), timeout=5)
    assert order == ["holder in", "holder out", "a", "b"]
    assert not lock.locked()


async def test_an_error_inside_releases_every_level() -> None:
    lock = SessionLock()
    try:
        async with lock, lock:
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert not lock.locked()
    await asyncio.wait_for(lock.__aenter__(), timeout=1)


def test_turn_span_finds_a_key_and_the_messages_of_its_turn() -> None:
    state = {
        "messages": [{}] * 9,
        "turns": [
            turn_record("k1", "q1", 2),
            turn_record(None, "q2", 5),  # an input sent without a key still bounds the previous turn
            turn_record("k3", "", 7),
        ],
    }
    assert turn_span(state, "k1") == ("q1", 2, 5)
    assert turn_span(state, "k3") == ("", 7, None)
    assert turn_span(state, "unknown") is None
    assert turn_span(state, "") is None, "an empty key never matches the inputs sent without one"
    assert turn_span({}, "k1") is None
