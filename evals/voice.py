"""Accuracy of the voice analysis: ASR word error rate and timing measures against ground truth.

Two kinds of data:

* real speech with reference transcripts (``shared_data_dir``): JFK's inaugural excerpt
  (faster-whisper test clip) and 12 Harvard sentences (speechbrain ASR samples) -> WER;
* synthetic answers built with espeak-ng where every pause, filler and the response delay
  is known exactly (:func:`interview_coach.demo.tts.build_spoken_answer`), clean and with
  pink noise at 20 dB and 10 dB SNR -> WPM error, pause precision/recall/F1 (>= 1 s),
  filler recall, response-delay error. Pauses are measured two ways (Silero VAD frames, as
  shipped, and Whisper word gaps, for comparison); fillers with and without the
  filler-preserving Whisper prompt.

Full run: ``python -m evals.voice`` (about 3-4 min on 2 cores). ``quick=True`` (CI): JFK +
3 clips + 3 clean synthetic answers.
"""

from __future__ import annotations

import csv
import itertools
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evals.common import SuiteResult
from interview_coach.assessment.voice_scores import assess_voice
from interview_coach.core.settings import Settings
from interview_coach.demo.tts import SpokenAnswer, build_spoken_answer, mix_noise, tts_available
from interview_coach.domain import TimedSpan, TimeSpan, Transcript, VoiceAnalysis
from interview_coach.tools.media.decode import decode_audio
from interview_coach.tools.voice.analysis import analyze_audio
from interview_coach.tools.voice.fillers import HESITATIONS
from interview_coach.tools.voice.transcribe import Transcriber

PAUSE_EVAL_MIN_S = 1.0
FILLER_TOLERANCE_S = 0.5
NOISE_SNRS_DB: tuple[float | None, ...] = (None, 20.0, 10.0)
TARGETS: dict[str, tuple[str, float]] = {
    "wer_jfk": ("<=", 0.10),
    "wer_speechbrain": ("<=", 0.25),
    "wpm_error_clean": ("<=", 0.05),
    "pause_f1_clean": (">=", 0.95),
    "filler_recall_clean": (">=", 0.9),
    "wpm_error_snr20": ("<=", 0.05),
    "pause_f1_snr20": (">=", 0.95),
    "filler_recall_snr20": (">=", 0.9),
}

SENTENCES = [
    "I led the migration of our billing service to a new cloud provider",
    "the main challenge was keeping the old system running during the move",
    "we split the work into small steps and tested each one carefully",
    "my role was to plan the rollout and talk to the other teams",
    "at first the database was too slow for the new traffic",
    "so we added a cache and rewrote the heaviest queries",
    "the result was a faster checkout and fewer support tickets",
    "I learned that clear communication matters as much as good code",
    "one of my colleagues disagreed with the design we had chosen",
    "we met for an hour and wrote down the risks of each option",
    "in the end we picked a simpler approach that both of us trusted",
    "the project finished two weeks early and under budget",
    "I would measure success by the number of incidents after launch",
    "when a deadline slips I tell the stakeholders as early as possible",
    "my manager asked me to mentor a new engineer on the team",
    "we paired on small tasks until she felt confident on her own",
]


@dataclass
class Scenario:
    """One synthetic answer: its parts (text and silences), rate and leading silence."""

    name: str
    parts: list[str | float]
    wpm: int
    leading_silence_s: float


def run(settings: Settings, quick: bool = False) -> SuiteResult:
    """Run the voice suite (see the module docstring)."""
    result = SuiteResult(name="voice", targets=dict(TARGETS))
    if not tts_available():
        result.skipped = "espeak-ng and sox are needed for the synthetic voice cases"
        return result
    transcriber = Transcriber(settings)
    started = time.perf_counter()
    transcriber.load()
    result.metrics["model_load_s"] = round(time.perf_counter() - started, 3)
    _evaluate_wer(result, settings, transcriber, quick)
    no_prompt = None if quick else Transcriber(settings, initial_prompt=None)
    scenarios = make_scenarios(quick)
    snrs = (None,) if quick else NOISE_SNRS_DB
    with tempfile.TemporaryDirectory(prefix="eval-voice-") as tmp:
        for snr in snrs:
            _evaluate_synthetic(result, scenarios, snr, Path(tmp), transcriber, no_prompt)
    if quick:
        for metric in [m for m in result.targets if "snr" in m]:
            del result.targets[metric]
    result.notes += [
        "Synthetic speech is espeak-ng (robotic, monotone); real interview speech is harder for ASR.",
        "espeak says 'um' as /Vm/ and 'uh' as /V/; Whisper's recognition of real hesitations may differ.",
        f"Pause metrics count pauses >= {PAUSE_EVAL_MIN_S} s; a detection matches when it overlaps a true pause.",
        "Noise is stationary pink noise; SNR is relative to the active-speech power.",
        "WPM counts spoken words (hesitations excluded); numbers written as digits are expanded to word counts.",
    ]
    return result


def make_scenarios(quick: bool) -> list[Scenario]:
    """Build reproducible synthetic answers covering rates 110-190 WPM, pauses 0.6-3 s and fillers."""
    rng = random.Random(7)
    rates = [110, 130, 150, 170, 190]
    pauses = [0.6, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0]
    count = 3 if quick else 12
    scenarios = []
    for index in range(count):
        sentences = rng.sample(SENTENCES, 6 if index % 6 != 5 else 14)
        parts: list[str | float] = []
        for position, sentence in enumerate(sentences):
            if position:
                parts.append(rng.choice(pauses) if rng.random() < 0.7 else 0.3)
            if rng.random() < 0.45:
                words = sentence.split()
                cut = rng.randint(2, len(words) - 2)
                gap = rng.choice([0.0, 0.15, 0.3])
                parts += [" ".join(words[:cut]), gap, rng.choice(["um", "uh"]), gap, " ".join(words[cut:])]
            else:
                parts.append(sentence)
        scenarios.append(
            Scenario(
                name=f"answer{index:02d}",
                parts=[p for p in parts if not (isinstance(p, float) and p == 0.0)],
                wpm=rates[index % len(rates)],
                leading_silence_s=round(rng.uniform(0.3, 3.0), 2),
            )
        )
    return scenarios


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Return the word error rate after normalising case, punctuation and small numbers."""
    ref, hyp = normalize_words(reference), normalize_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, hyp_word in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
        previous = current
    return previous[-1] / len(ref)


_NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


def normalize_words(text: str) -> list[str]:
    """Lower-case, drop punctuation and spell out the numbers 0-12."""
    words = re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split()
    return [_NUMBER_WORDS[int(w)] if w.isdigit() and int(w) < len(_NUMBER_WORDS) else w for w in words]


def _evaluate_wer(result: SuiteResult, settings: Settings, transcriber: Transcriber, quick: bool) -> None:
    data = settings.shared_data_dir
    if not data.is_dir():
        result.notes.append(f"WER skipped: shared data folder {data} is absent")
        for metric in ("wer_jfk", "wer_speechbrain"):
            result.targets.pop(metric, None)
        return
    jfk = data / "faster-whisper" / "jfk.flac"
    reference = (data / "faster-whisper" / "jfk.txt").read_text().strip()
    result.metrics["wer_jfk"] = round(_case_wer(result, settings, transcriber, "jfk", jfk, reference), 4)
    rows = list(csv.DictReader((data / "speechbrain-asr" / "transcripts.csv").open()))
    if quick:
        rows = rows[:3]
    errors, words = 0.0, 0
    for row in rows:
        wav = data / "speechbrain-asr" / row["wav"]
        wer = _case_wer(result, settings, transcriber, row["ID"], wav, row["reference"])
        errors += wer * len(normalize_words(row["reference"]))
        words += len(normalize_words(row["reference"]))
    result.metrics["wer_speechbrain"] = round(errors / words, 4) if words else 0.0
    result.metrics["speechbrain_clips"] = len(rows)


def _case_wer(
    result: SuiteResult, settings: Settings, transcriber: Transcriber, name: str, path: Path, reference: str
) -> float:
    transcript = transcriber.transcribe(decode_audio(path, settings))
    wer = word_error_rate(reference, transcript.text)
    result.details.append({"case": name, "kind": "wer", "wer": round(wer, 4), "hypothesis": transcript.text})
    return wer


@dataclass
class _Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: _Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 1.0

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _evaluate_synthetic(
    result: SuiteResult,
    scenarios: list[Scenario],
    snr: float | None,
    folder: Path,
    transcriber: Transcriber,
    no_prompt: Transcriber | None,
) -> None:
    label = "clean" if snr is None else f"snr{snr:.0f}"
    vad_pauses, gap_pauses, fillers, fillers_no_prompt = _Counts(), _Counts(), _Counts(), _Counts()
    wpm_errors, delay_errors, boundary_errors, gap_boundary_errors, whisper_delay_errors = [], [], [], [], []
    seconds, elapsed = 0.0, 0.0
    for scenario in scenarios:
        truth = _synthesize(scenario, folder)
        path = truth.path
        if snr is not None:
            path = mix_noise(
                truth.path, folder / f"{scenario.name}_{label}.wav", snr, seed=len(scenario.name) + int(snr)
            )
        audio = decode_audio(path, Settings())
        started = time.perf_counter()
        analysis = assess_voice(analyze_audio(audio, transcriber))
        elapsed += time.perf_counter() - started
        seconds += truth.duration_s
        measured = [TimeSpan.of(p.start, p.end) for p in analysis.pauses]
        vad_counts, errors = _match_pauses(truth, measured)
        vad_pauses.add(vad_counts)
        boundary_errors += errors
        gap_counts, gap_errors = _match_pauses(truth, _word_gap_pauses(analysis))
        gap_pauses.add(gap_counts)
        gap_boundary_errors += gap_errors
        filler_counts = _match_fillers(truth, analysis.fillers)
        fillers.add(filler_counts)
        if no_prompt is not None and snr is None:
            fillers_no_prompt.add(_match_fillers(truth, _transcript_fillers(no_prompt.transcribe(audio))))
        wpm_error = abs((analysis.wpm or 0.0) - truth.wpm) / truth.wpm
        wpm_errors.append(wpm_error)
        delay_error = abs((analysis.response_delay_s or 0.0) - truth.speech_start_s)
        delay_errors.append(delay_error)
        if analysis.words:
            whisper_delay_errors.append(abs(analysis.words[0].start - truth.speech_start_s))
        result.details.append(
            _detail(scenario, label, truth, analysis, wpm_error, delay_error, vad_counts, filler_counts)
        )
    metrics = result.metrics
    metrics[f"wpm_error_{label}"] = round(float(np.mean(wpm_errors)), 4)
    metrics[f"wpm_error_max_{label}"] = round(float(np.max(wpm_errors)), 4)
    metrics[f"pause_precision_{label}"] = round(vad_pauses.precision(), 4)
    metrics[f"pause_recall_{label}"] = round(vad_pauses.recall(), 4)
    metrics[f"pause_f1_{label}"] = round(vad_pauses.f1(), 4)
    metrics[f"pause_f1_whisper_gaps_{label}"] = round(gap_pauses.f1(), 4)
    metrics[f"pause_boundary_error_s_{label}"] = round(float(np.mean(boundary_errors)) if boundary_errors else 0.0, 4)
    metrics[f"pause_boundary_error_s_whisper_gaps_{label}"] = round(
        float(np.mean(gap_boundary_errors)) if gap_boundary_errors else 0.0, 4
    )
    metrics[f"filler_recall_{label}"] = round(fillers.recall(), 4)
    metrics[f"filler_precision_{label}"] = round(fillers.precision(), 4)
    if no_prompt is not None and snr is None:
        metrics[f"filler_recall_no_prompt_{label}"] = round(fillers_no_prompt.recall(), 4)
    metrics[f"response_delay_error_s_{label}"] = round(float(np.mean(delay_errors)), 4)
    metrics[f"response_delay_error_s_whisper_{label}"] = round(float(np.mean(whisper_delay_errors or [0.0])), 4)
    metrics[f"rtf_{label}"] = round(elapsed / seconds, 4)


def _synthesize(scenario: Scenario, folder: Path) -> SpokenAnswer:
    return build_spoken_answer(
        scenario.parts,
        folder / f"{scenario.name}.wav",
        wpm=scenario.wpm,
        leading_silence_s=scenario.leading_silence_s,
    )


def _match_pauses(truth: SpokenAnswer, measured: list[TimeSpan]) -> tuple[_Counts, list[float]]:
    """Count pauses >= 1 s: a true pause is found by any measured pause overlapping it, and vice versa."""
    true_long = [TimeSpan.of(p.start_s, p.end_s) for p in truth.pauses if p.duration_s >= PAUSE_EVAL_MIN_S]
    all_true = [TimeSpan.of(p.start_s, p.end_s) for p in truth.pauses]
    measured_long = [m for m in measured if m.duration >= PAUSE_EVAL_MIN_S]
    counts = _Counts()
    errors: list[float] = []
    for pause in true_long:
        hits = [m for m in measured if m.overlaps(pause)]
        if hits:
            counts.tp += 1
            best = max(hits, key=lambda m: min(m.end, pause.end) - max(m.start, pause.start))
            errors += [abs(best.start - pause.start), abs(best.end - pause.end)]
        else:
            counts.fn += 1
    counts.fp = sum(1 for m in measured_long if not any(m.overlaps(p) for p in all_true))
    return counts, errors


def _word_gap_pauses(analysis: VoiceAnalysis) -> list[TimeSpan]:
    words = analysis.words
    return [TimeSpan.of(a.end, b.start) for a, b in itertools.pairwise(words) if b.start - a.end >= 0.5]


def _match_fillers(truth: SpokenAnswer, found: list[Any]) -> _Counts:
    hesitations = [f for f in found if f.word in HESITATIONS]
    counts = _Counts()
    used: set[int] = set()
    for filler in truth.fillers:
        match = next(
            (
                i
                for i, f in enumerate(hesitations)
                if i not in used
                and TimeSpan.of(f.start, max(f.end, f.start + 0.01)).overlaps(
                    TimeSpan.of(filler.start_s, filler.end_s), FILLER_TOLERANCE_S
                )
            ),
            None,
        )
        if match is None:
            counts.fn += 1
        else:
            counts.tp += 1
            used.add(match)
    counts.fp = len(hesitations) - len(used)
    return counts


def _transcript_fillers(transcript: Transcript) -> list[Any]:
    from interview_coach.tools.voice.fillers import find_fillers

    words = transcript.words
    return [
        TimedSpan(word=s.label, start=words[s.first].start, end=words[s.last].end)
        for s in find_fillers([w.word for w in words])
    ]


def _detail(
    scenario: Scenario,
    label: str,
    truth: SpokenAnswer,
    analysis: VoiceAnalysis,
    wpm_error: float,
    delay_error: float,
    pauses: _Counts,
    fillers: _Counts,
) -> dict[str, Any]:
    return {
        "case": f"{scenario.name}_{label}",
        "kind": "synthetic",
        "espeak_rate": scenario.wpm,
        "duration_s": round(truth.duration_s, 2),
        "true_wpm": round(truth.wpm, 1),
        "wpm": analysis.wpm,
        "wpm_error": round(wpm_error, 4),
        "true_delay_s": truth.speech_start_s,
        "delay_error_s": round(delay_error, 3),
        "true_pauses_ge_1s": sum(p.duration_s >= PAUSE_EVAL_MIN_S for p in truth.pauses),
        "pause_tp_fp_fn": [pauses.tp, pauses.fp, pauses.fn],
        "true_fillers": len(truth.fillers),
        "filler_tp_fp_fn": [fillers.tp, fillers.fp, fillers.fn],
        "fluency": analysis.fluency_score.value,
        "vocal_confidence": analysis.vocal_confidence_score.value,
        "mean_word_probability": analysis.mean_word_probability,
    }


def main() -> None:
    """Run the suite from the command line and print its metrics."""
    import json

    quick = "--quick" in sys.argv
    result = run(Settings(), quick=quick)
    out = Path("evals/results")
    out.mkdir(parents=True, exist_ok=True)
    (out / f"voice{'_quick' if quick else ''}.json").write_text(json.dumps(result.to_dict(), indent=2))
    for name, value in result.metrics.items():
        met = result.target_met(name)
        print(f"{name:36s} {value:>10}  {'' if met is None else ('ok' if met else 'MISSED')}")
    print("passed" if result.passed else "FAILED", result.skipped or "")


if __name__ == "__main__":
    main()
