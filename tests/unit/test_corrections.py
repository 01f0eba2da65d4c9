"""The "Not right" reply parser: reason and corrected score."""

from __future__ import annotations

import pytest

from interview_coach.ui.corrections import Correction, parse_correction


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ("I covered the trade-offs, it should be 70", 70),
        ("70/100", 70),
        ("7/10 at least", 70),
        ("4 out of 5, the example was concrete", 80),
        ("closer to 65% I think", 65),
        ("85", 85),
        ("deserves a 90 because the numbers were there", 90),
        ("I mentioned 3 trade-offs and 2 failure modes", None),
        ("The card says I skipped Kafka but I talked about it in Q1", None),
        ("should be 250", None),
        ("12/10", None),
    ],
)
def test_score_is_read_only_when_stated_as_a_score(reply: str, score: int | None) -> None:
    correction = parse_correction(reply)
    assert correction.corrected_score == score
    assert correction.reason == reply


@pytest.mark.parametrize("reply", ["skip", "Skip.", "", "   ", "never mind"])
def test_skip_gives_an_empty_correction(reply: str) -> None:
    assert parse_correction(reply).empty


def test_reason_is_trimmed_and_capped() -> None:
    correction = parse_correction("  too   harsh\n on pace  " + "x" * 5000)
    assert correction.reason.startswith("too harsh on pace")
    assert len(correction.reason) == 4000
    assert not Correction(reason="a").empty
