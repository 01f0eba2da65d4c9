"""Time from "stop" to a finished voice analysis: streaming microphone analysis vs batch.

Run: ``python benchmarks/bench_streaming.py [--seconds 30 60] [--stop-after 0.3 1.0] [--repeats 3]
[--fast]``. Writes ``benchmarks/results/streaming.json``. Each answer is generated with espeak-ng
at run time (fillers and a 2.5-s pause in the script, ending ``--stop-after`` seconds after the
last word), converted to the room's 24 kHz PCM16 and analysed both ways, side by side in one
run with the same loaded model:

- **batch** (the room before streaming): on stop, write the WAV (``pcm16_to_wav``) and run
  ``analyze_voice`` on it;
- **streaming**: chunks of 100 ms are fed to ``StreamingVoiceAnalyzer`` at real-time pace
  (``--fast`` feeds them without waiting), then on stop ``finish()`` transcribes the last
  open segment and builds the analysis. The CPU time used while feeding, per second of
  answer, shows whether streaming leaves the UI a core.

Both results are compared with the voice eval's tolerances (WPM 5 %, fillers 1, long pauses).
The machine is shared, so the load average is recorded; compare the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import soxr

from interview_coach.core.settings import Settings
from interview_coach.demo.tts import build_spoken_answer, read_wav
from interview_coach.domain import VoiceAnalysis
from interview_coach.domain.voice import LONG_PAUSE_MIN_S
from interview_coach.tools.media.decode import pcm16_to_wav
from interview_coach.tools.voice.analysis import analyze_voice
from interview_coach.tools.voice.streaming import StreamingVoiceAnalyzer
from interview_coach.tools.voice.transcribe import Transcriber

ROOM_RATE = 24000
CHUNK_S = 0.1
RESULTS = Path(__file__).resolve().parent / "results" / "streaming.json"
PHRASES: list[str | float] = [
    "I led the migration of our billing service to a new cloud provider",
    2.5,
    "the main challenge was keeping the old system running during the move",
    0.3,
    "um",
    0.3,
    "we split the work into small steps and tested each one carefully",
    0.8,
    "so we built a second pipeline next to the first one and compared every invoice",
    0.6,
    "uh",
    0.3,
    "it took about three months and",
    0.2,
    "um",
    0.2,
    "we found eleven differences that way",
    1.0,
    "in the end the project finished two weeks early and",
    0.2,
    "uh",
    0.2,
    "under budget",
    1.0,
]


def _script(seconds: float) -> list[str | float]:
    # The base script speaks for about 30 s at 150 wpm; longer answers repeat it.
    repeats = max(1, round(seconds / 30.0))
    return [part for _ in range(repeats) for part in PHRASES][:-1]


def _pcm(path: Path) -> bytes:
    audio = soxr.resample(read_wav(path)[0], 16000, ROOM_RATE)
    return bytes(np.clip(np.round(audio * 32768.0), -32768, 32767).astype("<i2").tobytes())


def _batch(pcm: bytes, wav: Path, settings: Settings, transcriber: Transcriber) -> tuple[float, VoiceAnalysis]:
    started = time.perf_counter()
    pcm16_to_wav(pcm, ROOM_RATE, wav)
    result = analyze_voice(wav, settings, transcriber, time_budget_s=120.0)
    return time.perf_counter() - started, result


def _stream(pcm: bytes, transcriber: Transcriber, *, paced: bool) -> dict[str, Any]:
    analyzer = StreamingVoiceAnalyzer(transcriber, sample_rate=ROOM_RATE, time_budget_s=120.0)
    step = int(ROOM_RATE * CHUNK_S) * 2
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for index, offset in enumerate(range(0, len(pcm), step)):
        if paced:
            due = wall0 + index * CHUNK_S
            time.sleep(max(0.0, due - time.perf_counter()))
        analyzer.feed(pcm[offset : offset + step])
    feed_wall, feed_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    segments = analyzer.live().segments_transcribed
    started = time.perf_counter()
    result = analyzer.finish()
    return {
        "stop_to_done_s": time.perf_counter() - started,
        "feed_wall_s": feed_wall,
        "cpu_s_per_answer_s": feed_cpu / (len(pcm) / 2 / ROOM_RATE),
        "segments_before_stop": segments,
        "result": result,
    }


def _agreement(batch: VoiceAnalysis, streamed: VoiceAnalysis) -> dict[str, Any]:
    def long(analysis: VoiceAnalysis) -> list[list[float]]:
        return [[p.start, p.end] for p in analysis.pauses if p.duration_s >= LONG_PAUSE_MIN_S]

    wpm_error = abs((streamed.wpm or 0.0) - (batch.wpm or 0.0)) / (batch.wpm or 1.0)
    return {
        "wpm_batch": batch.wpm,
        "wpm_streaming": streamed.wpm,
        "wpm_rel_error": round(wpm_error, 4),
        "fillers_batch": batch.filler_count,
        "fillers_streaming": streamed.filler_count,
        "long_pauses_batch": long(batch),
        "long_pauses_streaming": long(streamed),
        "within_eval_tolerances": wpm_error <= 0.05
        and abs(streamed.filler_count - batch.filler_count) <= 1
        and long(batch) == long(streamed),
    }


def _case(seconds: float, stop_after_s: float, repeats: int, paced: bool, settings: Settings,
          transcriber: Transcriber, folder: Path) -> dict[str, Any]:  # fmt: skip
    path = folder / f"answer-{seconds:.0f}-{stop_after_s}.wav"
    spoken = build_spoken_answer(_script(seconds), path, leading_silence_s=1.0, trailing_silence_s=stop_after_s)
    pcm = _pcm(spoken.path)
    batch_times, stream_times, cpu, segments, checks = [], [], [], [], []
    for _ in range(repeats):  # interleaved, so both paths see the same machine load
        batch_s, batch = _batch(pcm, folder / "room.wav", settings, transcriber)
        streamed = _stream(pcm, transcriber, paced=paced)
        batch_times.append(batch_s)
        stream_times.append(streamed["stop_to_done_s"])
        cpu.append(streamed["cpu_s_per_answer_s"])
        segments.append(streamed["segments_before_stop"])
        checks.append(_agreement(batch, streamed["result"]))
    batch_median, stream_median = statistics.median(batch_times), statistics.median(stream_times)
    return {
        "answer_s": round(len(pcm) / 2 / ROOM_RATE, 2),
        "stop_after_last_word_s": stop_after_s,
        "batch_stop_to_done_s": [round(t, 3) for t in batch_times],
        "streaming_stop_to_done_s": [round(t, 3) for t in stream_times],
        "batch_median_s": round(batch_median, 3),
        "streaming_median_s": round(stream_median, 3),
        "streaming_over_batch": round(stream_median / batch_median, 3),
        "streaming_cpu_s_per_answer_s": [round(c, 3) for c in cpu],
        "segments_transcribed_before_stop": segments,
        "agreement": checks,
    }


def main() -> None:
    """Run the benchmark and write the results JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, nargs="+", default=[30.0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--stop-after",
        type=float,
        nargs="+",
        default=[0.3, 1.0],
        help="seconds between the last word and stop (0.3 leaves the last segment open)",
    )
    parser.add_argument("--fast", action="store_true", help="feed chunks without real-time pacing")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="bench-streaming-") as tmp:
        folder = Path(tmp)
        settings = Settings(data_dir=folder / "data", _env_file=None)
        transcriber = Transcriber(settings)
        transcriber.transcribe(np.zeros(16000, np.float32))  # load the model outside the timings
        load_before = os.getloadavg()
        cases = [
            _case(s, stop, args.repeats, not args.fast, settings, transcriber, folder)
            for s in args.seconds
            for stop in args.stop_after
        ]
    results = {
        "benchmark": "stop-to-analysis time, streaming microphone analysis vs batch",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_1_5_15": load_before},
        "model": transcriber.model_name,
        "paced_real_time": not args.fast,
        "chunk_s": CHUNK_S,
        "room_rate_hz": ROOM_RATE,
        "cases": cases,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for case in cases:
        print(
            f"{case['answer_s']:.0f}-s answer, stop {case['stop_after_last_word_s']} s after the last word: batch {case['batch_median_s']:.2f} s, streaming "
            f"{case['streaming_median_s']:.2f} s after stop ({case['streaming_over_batch']:.2f}x); streaming CPU "
            f"{statistics.median(case['streaming_cpu_s_per_answer_s']):.2f} s per s of answer"
        )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
