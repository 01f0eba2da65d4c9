"""Speed and memory of the voice analysis on 30-s, 60-s and 180-s spoken answers.

Run: ``python benchmarks/bench_voice.py [--repeats N]``. Prints a table and writes
``benchmarks/results/voice.json``. RTF = processing time / audio length (target <= 0.15).
The answers are espeak-ng speech with pauses and fillers, analysed end to end from a WAV
file (decode, VAD, Whisper tiny.en int8, prosody, scoring).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the evals package of the checkout

from evals.voice import SENTENCES  # the same fallback sentence pool as the voice eval

from interview_coach.core.settings import Settings
from interview_coach.demo.tts import build_spoken_answer, tts_available
from interview_coach.tools.media.decode import decode_audio
from interview_coach.tools.voice.activity import speech_probabilities, speech_regions
from interview_coach.tools.voice.analysis import analyze_voice
from interview_coach.tools.voice.prosody import measure_prosody
from interview_coach.tools.voice.transcribe import Transcriber

LENGTHS_S = (30, 60, 180)
RTF_TARGET = 0.15


def answer_sentences(settings: Settings) -> list[str]:
    """Return varied plain sentences: community answers from the shared interview set, else a small pool.

    Repeating a few sentences makes Whisper's compression-ratio check fire and re-decode with
    sampling, which is slow and unlike a real answer, so long answers need varied text.
    """
    source = settings.shared_data_dir / "data-science-interviews" / "theory.md"
    if not source.is_file():
        return SENTENCES
    sentences = []
    for raw_line in source.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line[0] in "#*-<|!`[" or line.startswith("**"):
            continue
        for sentence in re.split(r"(?<=[.?!])\s+", line):
            words = sentence.rstrip(".?!").split()
            if 6 <= len(words) <= 25 and re.fullmatch(r"[A-Za-z ,']+", sentence.rstrip(".?!")):
                sentences.append(sentence.rstrip(".?!"))
    return list(dict.fromkeys(sentences)) or SENTENCES


def make_answer(seconds: float, folder: Path, sentences: list[str]) -> Path:
    """Generate a spoken answer of about ``seconds`` length with pauses and fillers."""
    rng = random.Random(int(seconds))
    parts: list[str | float] = []
    estimated = 0.0
    for sentence in sentences:
        if estimated >= seconds - 2:
            break
        parts.append(sentence)
        estimated += len(sentence.split()) / 3.0
        if rng.random() < 0.3:
            parts += [0.2, rng.choice(["um", "uh"]), 0.2]
            estimated += 0.8
        pause = rng.choice([0.3, 0.6, 1.0, 2.2])
        parts.append(pause)
        estimated += pause
    return build_spoken_answer(parts, folder / f"answer_{int(seconds)}s.wav", leading_silence_s=1.0).path


def rss_mb() -> float:
    """Return the current resident set size in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    """Return the peak resident set size of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(function: Any, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - started


def bench_length(path: Path, settings: Settings, transcriber: Transcriber, repeats: int) -> dict[str, Any]:
    """Time the full analysis and its stages on one file."""
    totals = [_timed(analyze_voice, path, settings, transcriber)[1] for _ in range(repeats)]
    audio, decode_s = _timed(decode_audio, path, settings)
    probabilities, vad_s = _timed(speech_probabilities, audio)
    regions = speech_regions(probabilities)
    _, whisper_s = _timed(transcriber.transcribe, audio)
    _, prosody_s = _timed(measure_prosody, audio, 16000, regions)
    seconds = audio.size / 16000
    total = statistics.median(totals)
    return {
        "audio_s": round(seconds, 1),
        "total_s": round(total, 3),
        "rtf": round(total / seconds, 4),
        "decode_s": round(decode_s, 3),
        "vad_s": round(vad_s, 3),
        "whisper_s": round(whisper_s, 3),
        "prosody_s": round(prosody_s, 3),
        "runs": [round(t, 3) for t in totals],
    }


def main() -> None:
    """Run the benchmark and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--lengths", type=int, nargs="*", default=list(LENGTHS_S))
    args = parser.parse_args()
    if not tts_available():
        sys.exit("espeak-ng and sox are needed to generate the benchmark answers")
    settings = Settings()
    rss_before = rss_mb()
    transcriber = Transcriber(settings)
    _, load_s = _timed(transcriber.load)
    rss_model = rss_mb()
    rows: dict[str, Any] = {}
    sentences = answer_sentences(settings)
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        for seconds in args.lengths:
            path = make_answer(seconds, Path(tmp), sentences)
            rows[f"{seconds}s"] = bench_length(path, settings, transcriber, args.repeats)
    report = {
        "name": "voice",
        "model": settings.whisper_model,
        "compute_type": settings.whisper_compute_type,
        "cpu_count": os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "model_load_s": round(load_s, 3),
        "rss_before_model_mb": round(rss_before, 1),
        "rss_after_model_mb": round(rss_model, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rtf_target": RTF_TARGET,
        "results": rows,
        "rtf_target_met": all(r["rtf"] <= RTF_TARGET for r in rows.values()),
    }
    out = Path(__file__).parent / "results" / "voice.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"model load {load_s:.2f} s, RSS {rss_before:.0f} -> {rss_model:.0f} MB, peak {report['peak_rss_mb']:.0f} MB")
    print(
        f"{'answer':>7} {'audio s':>8} {'total s':>8} {'RTF':>6} {'decode':>7} {'vad':>6} {'whisper':>8} {'prosody':>8}"
    )
    for name, r in rows.items():
        print(
            f"{name:>7} {r['audio_s']:>8} {r['total_s']:>8} {r['rtf']:>6} {r['decode_s']:>7} {r['vad_s']:>6} "
            f"{r['whisper_s']:>8} {r['prosody_s']:>8}"
        )
    print(
        f"RTF target <= {RTF_TARGET}: {'met' if report['rtf_target_met'] else 'MISSED'} (load avg {report['load_avg']})"
    )


if __name__ == "__main__":
    main()
