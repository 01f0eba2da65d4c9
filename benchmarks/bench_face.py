"""Speed and memory of face + gesture analysis.

Run: ``.venv/bin/python benchmarks/bench_face.py`` (about 1-2 minutes on 2 cores).
Writes ``benchmarks/results/face.json``.

Measures
- analysed frames per second at 640x480 and 1280x720 on in-memory frames (no decoding),
  face only and with hands + pose (which run at up to 5 fps);
- end-to-end seconds (decode + analyse) for a 60-s 15-fps 640x480 video at several
  sampling rates, and whether a 0.5-s look-away and a 0.5-s absence are still found;
- peak resident memory.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from interview_coach.core.settings import Settings  # noqa: E402
from interview_coach.demo.sample_video import make_sample_video, sample_frames  # noqa: E402
from interview_coach.tools.face.analyzer import FaceAnalyzer  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "face.json"
THROUGHPUT_FRAMES = 150
VIDEO_S = 60.0
SHORT_EVENT = (30.0, 30.5)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def throughput(analyzer: FaceAnalyzer, size: tuple[int, int], include_gestures: bool) -> dict[str, float]:
    frames = list(sample_frames(duration_s=THROUGHPUT_FRAMES / 15.0, fps=15.0, size=size, look_away_at=None))
    analyzer.analyze_frames(frames[:5], fps=15.0, include_gestures=include_gestures)  # warm-up
    start, cpu_start = time.perf_counter(), time.process_time()
    face, _ = analyzer.analyze_frames(frames, fps=15.0, include_gestures=include_gestures)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "frames": face.frames_analyzed,
        "seconds": round(seconds, 3),
        "frames_per_s": round(face.frames_analyzed / seconds, 1),
        "cpu_ms_per_frame": round(cpu / face.frames_analyzed * 1000, 2),
    }


def end_to_end(
    analyzer: FaceAnalyzer, video: Path, fps: float, include_gestures: bool, style: str
) -> dict[str, object]:
    start, cpu_start = time.perf_counter(), time.process_time()
    face, _ = analyzer.analyze(video, sample_fps=fps, include_gestures=include_gestures)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    events = face.looking_away_events if style == "turn" else face.absences
    found = [e for e in events if e.start < SHORT_EVENT[1] and e.end > SHORT_EVENT[0]]
    return {
        "sample_fps": fps,
        "gestures": include_gestures,
        "event": f"0.5-s {'look-away' if style == 'turn' else 'absence'}",
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "frames_analyzed": face.frames_analyzed,
        "event_found": bool(found),
        "event_span": [found[0].start, found[0].end] if found else None,
    }


def main() -> None:
    settings = Settings()
    analyzer = FaceAnalyzer(settings)
    results: dict[str, object] = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
    }
    e2e = []
    with tempfile.TemporaryDirectory() as tmp:
        for style in ("turn", "blank"):
            video = make_sample_video(
                None,
                Path(tmp) / f"{style}.mp4",
                duration_s=VIDEO_S,
                look_away_at=SHORT_EVENT,
                away_style=style,  # type: ignore[arg-type]
                fps=15.0,
            )
            configs = (
                [(10.0, True), (10.0, False), (5.0, True), (5.0, False), (4.0, False)]
                if style == "turn"
                else [(10.0, True), (5.0, False)]
            )
            for fps, gestures in configs:
                row = end_to_end(analyzer, video, fps, gestures, style)
                e2e.append(row)
                print(row, flush=True)
    results["end_to_end_60s_15fps_640x480"] = e2e
    # Peak memory of the product path (decode + analyse), before the throughput test holds
    # 150 decoded frames in memory.
    results["peak_rss_mb_end_to_end"] = round(peak_rss_mb(), 1)

    rows = []
    for size in ((640, 480), (1280, 720)):
        for gestures in (False, True):
            row = {"size": f"{size[0]}x{size[1]}", "gestures": gestures, **throughput(analyzer, size, gestures)}
            rows.append(row)
            print(row, flush=True)
    results["throughput_in_memory"] = rows
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)

    print()
    print(f"{'size':<10}{'gestures':<10}{'frames/s':>10}{'cpu ms/frame':>14}")
    for row in rows:
        print(f"{row['size']:<10}{row['gestures']!s:<10}{row['frames_per_s']:>10}{row['cpu_ms_per_frame']:>14}")
    print()
    print(f"{'event':<20}{'fps':>5}{'gestures':>10}{'seconds':>9}{'cpu s':>7}{'found':>7}")
    for row in e2e:
        line = f"{row['event']!s:<20}{row['sample_fps']:>5}{row['gestures']!s:>10}{row['seconds']:>9}"
        print(line + f"{row['cpu_s']:>7}{row['event_found']!s:>7}")
    print(f"\npeak RSS {results['peak_rss_mb_end_to_end']} MB end to end, {results['peak_rss_mb']} MB overall")
    print(f"load average at start {results['load_average_at_start']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
