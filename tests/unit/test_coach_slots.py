"""Slot extraction from coach messages: question ordinals and topics, session cues, time words, typos."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from interview_coach.assessment.coach_nlu.slots import (
    SLOT_VOCABULARY,
    normalise,
    question_number,
    question_topic,
    session_cues,
    time_window,
)

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("why was my second answer scored low?", 2),
        ("what went wrong with q3?", 3),
        ("explain why #2 got that score", 2),
        ("tell me what was weak about my answer to question four", 4),
        ("why did i do so badly on the last question?", 5),
        ("i wanna reanswer the 4th", 4),
        ("why did the first one score lower?", 1),
        ("what did i do in my last session?", None),
        ("remind me what happened last week", None),
        ("what should i work on first?", None),
        ("i have an interview in 2 weeks", None),
    ],
)
def test_question_number(text: str, expected: int | None) -> None:
    assert question_number(text, 5) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("why was the message-queue question rated so low", "message-queue"),
        ("break down the grade for the one about failure", "failure"),
        ("what pulled down my score on the question about responsibility", "responsibility"),
        ("can i retake the queue one", "queue"),
        ("why was my second answer scored low?", None),
        ("why did the first one score lower", None),
    ],
)
def test_question_topic(text: str, expected: str | None) -> None:
    assert question_topic(text) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("what happened yesterday", datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC)),
        ("remind me what i did last week", datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)),
        ("what did i practise on tuesday", datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)),
        ("my interview from last month", datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
        (
            "how did the interview on the 18th go",
            datetime(2026, 11, 18, tzinfo=UTC),
            datetime(2026, 11, 19, tzinfo=UTC),
        ),
        ("the session on nov 2", datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)),
        ("the one on 2026-10-15", datetime(2026, 10, 15, tzinfo=UTC), datetime(2026, 10, 16, tzinfo=UTC)),
    ],
)
def test_time_window(text: str, start: datetime, end: datetime) -> None:
    window = time_window(text, NOW)
    assert window is not None and window[:2] == (start, end)


def test_days_ago_window_contains_that_day_and_a_future_date_means_last_year() -> None:
    window = time_window("summarize my interview 3 days ago", NOW)
    assert window is not None and window[0] <= datetime(2026, 11, 24, 12, tzinfo=UTC) < window[1]
    december = time_window("the session on dec 20", NOW)
    assert december is not None and december[0].year == 2025
    assert time_window("show my progress", NOW) is None


def test_session_cues() -> None:
    assert session_cues("what questions did i get two sessions ago?", NOW).back == 2
    assert session_cues("how did my previous interview go", NOW).back == 1
    assert session_cues("the session before last", NOW).back == 2
    assert session_cues("what did we cover in the session before that?", NOW).before_that
    assert session_cues("how was my very first session?", NOW).first
    assert session_cues("how did this interview go overall?", NOW).current
    assert session_cues("the interview about kafka", NOW).topic == "kafka"
    assert not session_cues("show my progress", NOW).any


def test_typos_are_corrected_towards_known_words_only() -> None:
    vocabulary = {*SLOT_VOCABULARY, "what", "scored", "sre", "happened"}
    assert normalise("why was my secnd answer scored so low", vocabulary) == "why was my second answer scored so low"
    assert normalise("wat did we do in the SRE sesion", vocabulary) == "wat did we do in the sre session"
    assert normalise("what happend?", vocabulary) == "what happened?"
    assert normalise("kubernetes", vocabulary) == "kubernetes"
