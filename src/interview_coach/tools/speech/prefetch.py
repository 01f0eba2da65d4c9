"""Speak the interviewer's questions ahead of time, so that a planned question's audio is ready.

Synthesis runs in one background thread (the Piper voice uses one core), in the order it was
asked for: the question on screen first, then the upcoming ones. Results are kept in a small
cache keyed by the text and the voice settings, so a question prepared while the candidate
answered the previous one is served at once; any other text (a follow-up, an LLM-worded
question) is synthesised on demand through the same thread.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from interview_coach.core.settings import Settings
from interview_coach.tools.speech.tts import SpeechSynthesizer, SynthesizedSpeech, get_synthesizer

logger = logging.getLogger(__name__)

# Enough for a whole planned interview plus its repeats; a WAV of one question is ~0.3 MB.
DEFAULT_CAPACITY = 12
VoiceKey = tuple[str, Path | None, float, int, int]
CacheKey = tuple[VoiceKey, str]


def voice_key(settings: Settings) -> VoiceKey:
    """Return what decides how a text sounds: engine, voice model, pace and length limit."""
    return (
        settings.tts_engine,
        settings.tts_voice_model,
        settings.tts_length_scale,
        settings.tts_espeak_wpm,
        settings.tts_max_chars,
    )


class SpeechCache:
    """Synthesised texts, prepared in one background thread and kept in a bounded LRU cache.

    Thread-safe. Each entry is a future, so a text asked for while it is still being
    synthesised is waited for rather than synthesised twice. Failed syntheses are not kept.
    """

    def __init__(
        self,
        *,
        capacity: int = DEFAULT_CAPACITY,
        synthesizer_for: Callable[[Settings], SpeechSynthesizer | None] = get_synthesizer,
    ) -> None:
        """Create an empty cache.

        Args:
            capacity: the most texts kept; the least recently used is dropped first.
            synthesizer_for: returns the synthesizer the settings choose (None when speech is off).

        Raises:
            ValueError: ``capacity`` is below 1.
        """
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._capacity = capacity
        self._synthesizer_for = synthesizer_for
        self._entries: OrderedDict[CacheKey, Future[SynthesizedSpeech | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speech")

    def prepare(self, settings: Settings, texts: Iterable[str]) -> None:
        """Queue the synthesis of ``texts`` that are not cached yet, without waiting."""
        for text in texts:
            self._entry(settings, text)

    def speech(self, settings: Settings, text: str) -> Future[SynthesizedSpeech | None]:
        """Return the speech of ``text``: done at once when prepared, else queued now.

        The future's result is None when speech is off; it raises ``SynthesisError`` or
        ``OSError`` when the text cannot be spoken.
        """
        return self._entry(settings, text)

    def cached(self, settings: Settings, text: str) -> bool:
        """Return whether ``text`` has been synthesised successfully and is kept."""
        with self._lock:
            future = self._entries.get((voice_key(settings), text))
        return future is not None and future.done() and future.exception() is None

    def __len__(self) -> int:
        """Return how many texts are kept or queued."""
        with self._lock:
            return len(self._entries)

    def _entry(self, settings: Settings, text: str) -> Future[SynthesizedSpeech | None]:
        key = (voice_key(settings), text)
        with self._lock:
            future = self._entries.get(key)
            if future is not None:
                self._entries.move_to_end(key)
                return future
            future = self._pool.submit(self._synthesize, settings, text)
            self._entries[key] = future
            while len(self._entries) > self._capacity:
                # Not cancelled: whoever waits for a dropped entry still gets its speech.
                self._entries.popitem(last=False)
        future.add_done_callback(lambda done: self._forget_failure(key, done))
        return future

    def _synthesize(self, settings: Settings, text: str) -> SynthesizedSpeech | None:
        synthesizer = self._synthesizer_for(settings)
        return synthesizer.synthesize(text) if synthesizer is not None else None

    def _forget_failure(self, key: CacheKey, future: Future[SynthesizedSpeech | None]) -> None:
        if future.cancelled() or future.exception() is not None:
            with self._lock:
                if self._entries.get(key) is future:
                    del self._entries[key]

    def close(self) -> None:
        """Stop the background thread after the queued syntheses (used by tests and shutdown)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
