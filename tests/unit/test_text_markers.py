"""Typed answers use the same filler definition as speech: hesitations are fillers, discourse markers are apart."""

from __future__ import annotations

from interview_coach.assessment.text_components import hedging_score
from interview_coach.tools.text.lexical import find_discourse_markers, find_fillers, split_sentences


def _both(text: str) -> tuple[list[str], list[str]]:
    sentences = split_sentences(text)
    return [f.text for f in find_fillers(text, sentences)], [m.text for m in find_discourse_markers(text, sentences)]


def test_sentence_openers_are_not_markers() -> None:
    fillers, markers = _both("So, I led the migration. Basically we moved billing. I mean, it worked.")
    assert fillers == [] and markers == []


def test_mid_sentence_markers_are_found_apart_from_fillers() -> None:
    text = "I um rolled back the change and, like, the queue was basically empty, you know. Uh, then I wrote a fix."
    fillers, markers = _both(text)
    assert fillers == ["um", "uh"]
    assert markers == ["like", "basically", "you know"]


def test_markers_are_reported_but_never_cost_points() -> None:
    text = "I rolled back the change and, like, the queue was basically empty."
    sentences = split_sentences(text)
    markers = find_discourse_markers(text, sentences)
    with_markers = hedging_score([], find_fillers(text, sentences), 12, markers)
    without = hedging_score([], [], 12)
    assert with_markers.value == without.value == 100
    signal = next(s for s in with_markers.signals if s.name == "discourse_markers_in_text")
    assert signal.value == 2 and signal.effect == 0.0
