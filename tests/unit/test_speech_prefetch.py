"""Questions spoken ahead: the real Piper voice behind the bounded speech cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interview_coach.core.settings import Settings
from interview_coach.domain import Question, QuestionKind
from interview_coach.graphs.state import upcoming_questions
from interview_coach.tools.speech import SynthesisError
from interview_coach.tools.speech.prefetch import SpeechCache

NEXT = "Tell me about a time you disagreed with a teammate."
LATER = "What would you do if a release slipped two days before launch?"


@pytest.fixture(scope="module")
def tts_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("prefetch"), _env_file=None)


@pytest.fixture
def cache() -> Iterator[SpeechCache]:
    speech = SpeechCache(capacity=2)
    yield speech
    speech.close()


def test_prepared_question_is_served_from_the_cache(cache: SpeechCache, tts_settings: Settings) -> None:
    cache.prepare(tts_settings, [NEXT])
    prepared = cache.speech(tts_settings, NEXT)
    speech = prepared.result(timeout=120)
    assert speech is not None and speech.engine == "piper"
    assert speech.duration_s > 1.0 and speech.wav[:4] == b"RIFF"
    assert cache.cached(tts_settings, NEXT)
    # Asked for again (the question is shown): the same finished synthesis, nothing queued.
    served = cache.speech(tts_settings, NEXT)
    assert served is prepared and served.done()
    assert len(cache) == 1


def test_voice_settings_are_part_of_the_key(cache: SpeechCache, tts_settings: Settings) -> None:
    cache.speech(tts_settings, NEXT).result(timeout=120)
    slower = tts_settings.model_copy(update={"tts_length_scale": 1.8})
    assert not cache.cached(slower, NEXT)
    slow = cache.speech(slower, NEXT).result(timeout=120)
    fast = cache.speech(tts_settings, NEXT).result(timeout=120)
    assert slow is not None and fast is not None and slow.duration_s > fast.duration_s


def test_cache_is_bounded_least_recently_used_first(cache: SpeechCache, tts_settings: Settings) -> None:
    texts = [NEXT, LATER, "Why this role?"]
    cache.prepare(tts_settings, texts)
    cache.speech(tts_settings, texts[-1]).result(timeout=120)
    assert len(cache) == 2
    assert not cache.cached(tts_settings, NEXT)
    assert cache.cached(tts_settings, LATER) and cache.cached(tts_settings, texts[-1])


def test_failed_synthesis_is_reported_and_not_kept(cache: SpeechCache, tts_settings: Settings) -> None:
    with pytest.raises(SynthesisError, match="no words"):
        cache.speech(tts_settings, "** -- **").result(timeout=60)
    assert len(cache) == 0


def test_speech_off_gives_no_audio(cache: SpeechCache, tts_settings: Settings) -> None:
    off = tts_settings.model_copy(update={"tts_engine": "off"})
    assert cache.speech(off, NEXT).result(timeout=10) is None


def test_capacity_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="capacity"):
        SpeechCache(capacity=0)


def test_upcoming_questions_are_the_planned_ones_after_the_current() -> None:
    plan = [
        Question(id=f"q{i}", text=f"Question {i}?", kind=QuestionKind.BEHAVIORAL, competency="c").model_dump(
            mode="json"
        )
        for i in range(4)
    ]
    assert [q.id for q in upcoming_questions({"plan": plan, "index": 1})] == ["q2", "q3"]
    assert upcoming_questions({"plan": plan, "index": 3}) == []
    assert upcoming_questions({}) == []
