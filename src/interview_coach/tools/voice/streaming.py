"""Voice analysis of a microphone answer while it is being spoken.

The room's microphone sends PCM16 chunks of any size at its own sample rate. The analyser
resamples them to 16 kHz exactly as the saved WAV is resampled, runs the Silero VAD
incrementally (frame for frame the batch probabilities), and when the VAD has heard a
silence after enough speech it closes the segment and transcribes it with the same
``Transcriber`` (same model instance, same filler-preserving prompt) as the batch path.
When the candidate stops, only the last open segment is transcribed; the measures are then
built by :func:`~interview_coach.tools.voice.analysis.combine_measures`, the code the batch
path ends in, so both produce the same typed ``VoiceAnalysis``.

:class:`BackgroundVoiceAnalysis` runs an analyser on a worker thread so an event loop only
ever enqueues bytes.
"""

from __future__ import annotations

import logging
import queue
import threading

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from interview_coach.core.ports import Transcriber
from interview_coach.domain.voice import LONG_PAUSE_MIN_S, TimedWord, Transcript, VoiceAnalysis
from interview_coach.tools.media.decode import MediaError
from interview_coach.tools.voice import fillers as filler_rules
from interview_coach.tools.voice.activity import speech_regions
from interview_coach.tools.voice.analysis import combine_measures
from interview_coach.tools.voice.prosody import ProsodyTracks, prosody_tracks
from interview_coach.tools.voice.stream_buffers import GrowingAudio, Resampler
from interview_coach.tools.voice.transcribe import SAMPLE_RATE
from interview_coach.tools.voice.vad_stream import StreamingVad

__all__ = ["BackgroundVoiceAnalysis", "LiveVoiceStats", "StreamingVoiceAnalyzer"]

logger = logging.getLogger(__name__)

CLOSE_SILENCE_S = 0.5
"""A silence this long after speech may close a segment (the shortest pause the analysis reports)."""
MIN_SEGMENT_S = 3.0
"""A segment is closed only once it holds this much audio, so Whisper keeps some context."""
_PCM_SCALE = 32768.0


class LiveVoiceStats(BaseModel):
    """Running measures of an answer still being spoken (for live nudges and progress)."""

    model_config = ConfigDict(frozen=True)

    elapsed_s: float = 0.0
    """Audio received so far."""
    speech_s: float = 0.0
    """Speech heard so far (VAD)."""
    response_delay_s: float | None = None
    """When speech first started, from the start of the recording; ``None`` before any."""
    silence_s: float = 0.0
    """How long the candidate has been silent since their last speech (0 while speaking)."""
    word_count: int = 0
    """Words in the transcribed segments (fillers not counted, as in the final analysis)."""
    wpm: float | None = None
    """Words per minute over the transcribed segments' speaking span."""
    filler_count: int = 0
    """Hesitation fillers (um, uh...) in the transcribed segments."""
    long_pause_count: int = 0
    """Silences between speech of at least the long-pause length, so far."""
    segments_transcribed: int = 0


class StreamingVoiceAnalyzer:
    """Analyse PCM16 microphone audio incrementally; :meth:`finish` returns the ``VoiceAnalysis``.

    Not thread-safe: one owner calls :meth:`feed` and :meth:`finish` (see
    :class:`BackgroundVoiceAnalysis` to run it off an event loop).
    """

    def __init__(
        self,
        transcriber: Transcriber,
        *,
        sample_rate: int,
        time_budget_s: float | None = None,
        max_duration_s: float | None = None,
        close_silence_s: float = CLOSE_SILENCE_S,
        min_segment_s: float = MIN_SEGMENT_S,
    ) -> None:
        """Prepare an empty stream; the VAD model loads with the first audio.

        Args:
            transcriber: the process-wide speech-to-text engine the batch path uses.
            sample_rate: rate of the PCM16 chunks in Hz (the room's microphone rate).
            time_budget_s: the question's time budget, to flag over-long answers.
            max_duration_s: audio past this length is dropped; the answer up to it is analysed
                and :attr:`cut_at_limit` says so.
            close_silence_s: silence after speech that may close a segment.
            min_segment_s: audio a segment must hold before it is closed.

        Raises:
            MediaError: ``sample_rate`` is not positive.

        """
        if sample_rate <= 0:
            raise MediaError("The audio sample rate must be positive.")
        self._transcriber = transcriber
        self._rate = sample_rate
        self._time_budget_s = time_budget_s
        self._max_samples = None if max_duration_s is None else int(max_duration_s * SAMPLE_RATE)
        self._close_silence_s = close_silence_s
        self._min_segment_s = min_segment_s
        self._resampler = Resampler(sample_rate)
        self._vad: StreamingVad | None = None
        self._audio = GrowingAudio()
        self._odd_byte = b""
        self._segment_start = 0
        self._words: list[TimedWord] = []
        self._language_probabilities: list[float] = []
        self._segments = 0
        self._word_count = 0
        self._filler_count = 0
        self._speech_s = 0.0
        self._long_pauses = 0
        self._regions_counted = 0
        self._next_region = 0
        self._too_long = False
        self._finished = False
        # (segment start, cut, closed regions then, transcript) of the open segment, see _speculate.
        self._ahead: tuple[int, int, int, Transcript] | None = None
        self._track_pieces: list[ProsodyTracks] = []
        self._tracked = 0

    @property
    def cut_at_limit(self) -> bool:
        """Whether audio past ``max_duration_s`` was dropped (the analysis covers the limit only)."""
        return self._too_long

    @property
    def duration_s(self) -> float:
        """Audio received so far, in seconds at 16 kHz."""
        return self._audio.size / SAMPLE_RATE

    def feed(self, pcm: bytes) -> None:
        """Add little-endian PCM16 mono bytes (any length, even odd); may transcribe a closed segment.

        Raises:
            RuntimeError: :meth:`finish` was already called.
            ModelUnavailableError: the Whisper model is not installed.

        """
        if self._finished:
            raise RuntimeError("The answer is finished; start a new stream.")
        data = self._odd_byte + pcm
        usable = len(data) - len(data) % 2
        self._odd_byte = data[usable:]
        if usable == 0 or self._too_long:
            return
        samples = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / _PCM_SCALE
        self._take(self._resampler.push(samples, last=False))
        self._close_segments()
        self._speculate()

    def live(self) -> LiveVoiceStats:
        """Return the running measures (safe to call between feeds)."""
        vad = self._vad
        if vad is None:
            return LiveVoiceStats(elapsed_s=round(self.duration_s, 3), silence_s=round(self.duration_s, 3))
        closed = vad.closed_regions
        for start, end in closed[self._regions_counted :]:
            if self._regions_counted and start - closed[self._regions_counted - 1][1] >= LONG_PAUSE_MIN_S:
                self._long_pauses += 1
            self._speech_s += end - start
            self._regions_counted += 1
        first = vad.first_speech_s
        minutes = (self._words[-1].end - first) / 60.0 if first is not None and self._words else 0.0
        return LiveVoiceStats(
            elapsed_s=round(self.duration_s, 3),
            speech_s=round(self._speech_s, 3),
            response_delay_s=None if first is None else round(first, 3),
            silence_s=round(vad.silence_s(), 3),
            word_count=self._word_count,
            wpm=round(self._word_count / minutes, 1) if minutes > 0 else None,
            filler_count=self._filler_count,
            long_pause_count=self._long_pauses,
            segments_transcribed=self._segments,
        )

    def finish(self) -> VoiceAnalysis:
        """Transcribe the last open segment and return the analysis of the whole answer.

        Raises:
            MediaError: no audio was received.
            ModelUnavailableError: the Whisper model is not installed.

        """
        if self._finished:
            raise RuntimeError("The answer is already finished.")
        self._finished = True
        self._take(self._resampler.push(np.zeros(0, dtype=np.float32), last=True))
        if self._audio.size == 0:
            raise MediaError("No audio was recorded.")
        vad = self._ensure_vad()
        vad.flush()
        audio = self._audio.view()
        regions = speech_regions(vad.probabilities(), duration_s=audio.size / SAMPLE_RATE)
        transcript = None
        if regions:
            # Trailing silence after the last closed segment holds nothing to transcribe.
            if regions[-1].end > self._segment_start / SAMPLE_RATE:
                ahead = self._ahead
                # Reusable only if no speech followed the pause it was cut in: the flush leaves
                # speech that runs to the end of the recording open, not closed.
                unchanged = (
                    ahead is not None
                    and ahead[0] == self._segment_start
                    and ahead[2] == len(vad.closed_regions)
                    and vad.open_speech_s is None
                )
                end = ahead[1] if ahead is not None and unchanged else audio.size
                self._transcribe(self._segment_start, end)
            transcript = Transcript(
                text=" ".join(w.word for w in self._words),
                words=self._words,
                language_probability=min(self._language_probabilities, default=None),
                duration_s=round(audio.size / SAMPLE_RATE, 3),
                model=self._transcriber.model_name,
            )
        self._track_until(audio.size)
        return combine_measures(
            audio,
            regions,
            transcript,
            model=self._transcriber.model_name,
            time_budget_s=self._time_budget_s,
            tracks=ProsodyTracks.joined(self._track_pieces) if self._track_pieces else None,
        )

    def _ensure_vad(self) -> StreamingVad:
        if self._vad is None:
            self._vad = StreamingVad()
        return self._vad

    def _take(self, samples: NDArray[np.float32]) -> None:
        if samples.size == 0:
            return
        # Rounded to PCM16 like the WAV the room saves, so both paths see the same samples.
        samples = (np.clip(np.round(samples * _PCM_SCALE), -_PCM_SCALE, _PCM_SCALE - 1) / _PCM_SCALE).astype(np.float32)
        if self._max_samples is not None and self._audio.size + samples.size > self._max_samples:
            self._too_long = True
            samples = samples[: max(0, self._max_samples - self._audio.size)]
            if samples.size == 0:
                return
        self._audio.extend(samples)
        self._ensure_vad().push(samples)

    def _close_segments(self) -> None:
        """Transcribe every segment that a long enough silence after enough audio has closed.

        Gaps are taken in time order from the VAD's regions, so where segments are cut does
        not depend on how the audio was chunked.
        """
        vad = self._vad
        if vad is None:
            return
        closed = vad.closed_regions
        while self._next_region < len(closed):
            end = closed[self._next_region][1]
            following = self._next_region + 1
            next_start = closed[following][0] if following < len(closed) else vad.open_speech_s
            silence = (vad.seconds if next_start is None else next_start) - end
            if silence < self._close_silence_s and next_start is None:
                return  # the silence may still grow long enough
            self._next_region += 1
            segment_start_s = self._segment_start / SAMPLE_RATE
            if silence < self._close_silence_s or end - segment_start_s < self._min_segment_s:
                continue
            # Cut inside the silence, leaving part of it on both sides so no word is clipped.
            cut = round((end + self._close_silence_s / 2) * SAMPLE_RATE)
            self._transcribe(self._segment_start, cut)
            self._segment_start = cut
            self._track_until(cut)

    def _track_until(self, end: int) -> None:
        """Measure the pitch and intensity tracks up to ``end`` while the candidate speaks."""
        piece = prosody_tracks(self._audio.view(), SAMPLE_RATE, self._tracked, end)
        if piece is not None:
            self._track_pieces.append(piece)
        self._tracked = end

    def _speculate(self) -> None:
        """Transcribe the open segment ahead of time when the candidate pauses.

        Whisper's cost for a segment is mostly fixed (it encodes a 30-s window), so the last
        segment dominated the time from "stop" to feedback. From a pause of half the closing
        silence on, the segment up to its would-be cut is transcribed, and reused when that
        pause closes the segment or the answer ends without more speech.
        """
        vad = self._vad
        if vad is None or vad.open_speech_s is not None or not vad.closed_regions:
            return
        end = vad.closed_regions[-1][1]
        cut = round((end + self._close_silence_s / 2) * SAMPLE_RATE)
        if end * SAMPLE_RATE <= self._segment_start or cut > self._audio.size:
            return
        if self._ahead is None or self._ahead[:2] != (self._segment_start, cut):
            transcript = self._transcriber.transcribe(self._audio.view()[self._segment_start : cut])
            self._ahead = (self._segment_start, cut, len(vad.closed_regions), transcript)

    def _transcribe(self, start: int, end: int) -> None:
        if end - start <= 0:
            return
        ahead = self._ahead
        if ahead is not None and ahead[:2] == (start, end):
            transcript = ahead[3]
        else:
            transcript = self._transcriber.transcribe(self._audio.view()[start:end])
        offset = start / SAMPLE_RATE
        self._words.extend(
            w.model_copy(update={"start": round(w.start + offset, 3), "end": round(w.end + offset, 3)})
            for w in transcript.words
        )
        tokens = [w.word for w in transcript.words]
        hesitations = {span.first for span in filler_rules.find_fillers(tokens)}
        self._filler_count += len(hesitations)
        self._word_count += sum(filler_rules.spoken_word_count(t) for i, t in enumerate(tokens) if i not in hesitations)
        if transcript.language_probability is not None:
            self._language_probabilities.append(transcript.language_probability)
        self._segments += 1


class BackgroundVoiceAnalysis:
    """Run a :class:`StreamingVoiceAnalyzer` on its own thread; :meth:`feed` never blocks."""

    def __init__(self, analyzer: StreamingVoiceAnalyzer) -> None:
        """Start the worker thread that feeds ``analyzer`` in arrival order."""
        self._analyzer = analyzer
        self._chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._done = threading.Event()
        self._cancelled = False
        self._result: VoiceAnalysis | None = None
        self._error: BaseException | None = None
        self._live = LiveVoiceStats()
        self._thread = threading.Thread(target=self._run, name="voice-stream", daemon=True)
        self._thread.start()

    @property
    def live(self) -> LiveVoiceStats:
        """The running measures after the last processed chunk."""
        return self._live

    def feed(self, pcm: bytes) -> None:
        """Queue PCM16 bytes for analysis and return at once."""
        if not self._done.is_set():
            self._chunks.put(bytes(pcm))

    def finish(self, timeout_s: float | None = None) -> VoiceAnalysis:
        """Wait for the queued audio and the last segment, then return the analysis.

        Args:
            timeout_s: give up after this long (``None`` waits as long as it takes).

        Raises:
            TimeoutError: the analysis did not finish in time.
            MediaError: no usable audio (see :meth:`StreamingVoiceAnalyzer.finish`).

        """
        self._chunks.put(None)
        if not self._done.wait(timeout_s):
            raise TimeoutError("The streaming voice analysis did not finish in time.")
        if self._error is not None:
            raise self._error
        if self._result is None:
            raise RuntimeError("The streaming voice analysis was cancelled.")
        return self._result

    def cancel(self) -> None:
        """Stop analysing; queued audio is dropped."""
        self._cancelled = True
        self._chunks.put(None)

    def _run(self) -> None:
        try:
            while (chunk := self._chunks.get()) is not None:
                if self._cancelled:
                    return
                self._analyzer.feed(chunk)
                self._live = self._analyzer.live()
            if not self._cancelled:
                self._result = self._analyzer.finish()
        except Exception as exc:  # handed to the caller of finish(), which decides what to do
            logger.warning("streaming voice analysis failed: %s", exc)
            self._error = exc
        finally:
            self._done.set()
