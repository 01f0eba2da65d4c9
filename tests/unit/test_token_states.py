"""One-pass token states: pooling spans, unit spans and content-word spans."""

from __future__ import annotations

import numpy as np

from interview_coach.assessment.grading.text import content_word_spans, unit_spans, units, words
from interview_coach.core.embedding import TokenStates


def _pool(tokens: TokenStates, start: int, end: int) -> np.ndarray | None:
    """Reference pooling, span by span with a mask: the oracle for ``pool_many``."""
    inside = (tokens.offsets[:, 1] > tokens.offsets[:, 0]) & (tokens.offsets[:, 0] >= start)
    inside &= tokens.offsets[:, 1] <= end
    if not inside.any():
        return None
    mean = tokens.states[inside].mean(axis=0)
    return mean / np.linalg.norm(mean)


def _states() -> TokenStates:
    states = np.array([[1, 0, 0], [0, 2, 0], [0, 0, 3], [5, 5, 5]], dtype=np.float32)
    offsets = np.array([[0, 0], [0, 4], [5, 9], [0, 0]], dtype=np.int64)
    return TokenStates(states=states, offsets=offsets)


def test_pool_averages_only_the_tokens_inside_the_span() -> None:
    pooled, nothing = _states().pool_many([(0, 4), (10, 20)])
    assert pooled is not None
    np.testing.assert_allclose(pooled, [0.0, 1.0, 0.0])
    (both,) = _states().pool_many([(0, 9)])
    assert both is not None
    np.testing.assert_allclose(both, np.array([0.0, 2.0, 3.0]) / np.sqrt(13.0), rtol=1e-6)
    assert nothing is None  # no token there; special tokens never count


def test_vector_is_the_unit_mean_of_all_tokens() -> None:
    mean = np.array([6.0, 7.0, 8.0]) / 4
    np.testing.assert_allclose(_states().vector(), mean / np.linalg.norm(mean), rtol=1e-6)


def test_unit_spans_follow_units() -> None:
    text = "TCP is reliable. UDP is not!\n- it has no handshake\n- it is fast\n3. Ordering is kept"
    spans = unit_spans(text)
    assert [words(text[a:b]) for a, b in spans] == [words(u) for u in units(text)]
    assert [text[a:b] for a, b in spans][2] == "it has no handshake"


def test_unit_spans_merge_short_fragments_and_cap() -> None:
    text = "Answer:\nThe first full sentence here. Second one here too."
    spans = unit_spans(text)
    assert len(spans) == len(units(text)) == 2
    assert text[spans[0][0] : spans[0][1]] == "Answer:\nThe first full sentence here."
    many = " ".join(f"Sentence number {i} here." for i in range(40))
    capped = unit_spans(many, max_units=5)
    assert len(capped) == 5 and capped[-1][1] == len(many)
    assert unit_spans("") == [] and unit_spans("...") == []


def test_content_word_spans_skip_stop_words() -> None:
    text = "The handshakes synchronise sequence numbers"
    spans = content_word_spans(text)
    assert [text[a:b] for _, a, b in spans] == ["handshakes", "synchronise", "sequence", "numbers"]
    assert spans[0][0] == "hands"  # stem cut to five letters, like the term features


def test_pool_many_equals_masked_pooling_span_by_span() -> None:
    rng = np.random.default_rng(3)
    states = rng.standard_normal((12, 4)).astype(np.float32)
    offsets = np.array([[0, 0]] + [[3 * i, 3 * i + 2] for i in range(10)] + [[0, 0]], dtype=np.int64)
    tokens = TokenStates(states=states, offsets=offsets)
    spans = [(0, 5), (6, 8), (8, 9), (9, 20), (25, 40)]
    many = tokens.pool_many(spans)
    for (a, b), pooled in zip(spans, many, strict=True):
        single = _pool(tokens, a, b)
        if single is None:
            assert pooled is None
        else:
            assert pooled is not None
            np.testing.assert_allclose(pooled, single, rtol=1e-5, atol=1e-6)
    assert many[2] is None  # (8, 9) holds no whole token
    assert tokens.pool_many([]) == []
