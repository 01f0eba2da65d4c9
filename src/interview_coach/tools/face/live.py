"""Face and gesture analysis of camera frames while the candidate is still answering.

The room's camera sends small JPEG frames (about 5 per second) while it records. Each frame
is queued here and analysed by one background worker that runs the batch path itself,
:meth:`FaceAnalyzer.analyze_frames`, over the queue: so :meth:`LiveFaceAnalysis.finish`
returns exactly what the batch analysis of the same frames returns, and only the last few
frames remain to analyse when the candidate stops. While the answer goes on,
:meth:`LiveFaceAnalysis.live` reports running numbers (face presence, the current look-away
stretch) for live nudges. The queue is bounded: when the landmarkers fall behind, new frames
are dropped and counted instead of piling up in memory.
"""

from __future__ import annotations

import io
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from interview_coach.domain.face import FaceAnalysis, GestureAnalysis
from interview_coach.tools.face.analyzer import FaceAnalyzer
from interview_coach.tools.face.frames import FaceFrame, face_series
from interview_coach.tools.face.gaze import eye_contact
from interview_coach.tools.face.landmarkers import RgbFrame
from interview_coach.tools.media.decode import MediaError

__all__ = ["LiveFaceAnalysis", "LiveFaceError", "LiveFaceStats", "decode_jpeg"]

# About two seconds of frames at 5 fps: enough to ride out a slow frame, small enough that a
# machine too slow for the frame rate drops frames instead of running minutes behind.
DEFAULT_MAX_QUEUED = 10
MAX_JPEG_BYTES = 512 * 1024
CALLBACK_GRACE_S = 1.0
MAX_FRAME_SIDE = 1920
MIN_FRAME_SIDE = 8
_STOP = object()


class LiveFaceError(RuntimeError):
    """The live analysis was cancelled or failed; the caller can analyse the saved video instead."""


class LiveFaceStats(BaseModel):
    """Running numbers of a camera answer, for live hints while the candidate speaks."""

    model_config = ConfigDict(frozen=True)

    elapsed_s: float = Field(description="Time of the newest frame received, seconds into the answer.")
    frames_received: int = Field(description="Frames handed to the analysis, including dropped ones.")
    frames_analysed: int = Field(description="Frames the landmarkers have finished.")
    frames_dropped: int = Field(description="Frames skipped because the analysis was behind or they came out of order.")
    face_share: float | None = Field(description="Share of analysed frames with a face; None before the first one.")
    looking_away_s: float = Field(
        description="Length of the current continuous look-away stretch (0 when looking at the camera)."
    )


@dataclass
class _Counters:
    received: int = 0
    dropped: int = 0
    last_time: float = -1.0


def decode_jpeg(data: bytes) -> RgbFrame:
    """Decode one camera frame (a JPEG of at most ``MAX_JPEG_BYTES``) to an RGB array.

    Raises:
        MediaError: the bytes are not a JPEG image of a usable size.

    """
    from PIL import Image, UnidentifiedImageError

    if not data or len(data) > MAX_JPEG_BYTES:
        raise MediaError(f"A camera frame must be a JPEG of 1 byte to {MAX_JPEG_BYTES // 1024} KB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            # The header is read first: a small file claiming a huge image is refused before decoding.
            width, height = image.size
            if image.format != "JPEG":
                raise MediaError(f"A camera frame must be a JPEG image, not {image.format}.")
            if not (MIN_FRAME_SIDE <= width <= MAX_FRAME_SIDE and MIN_FRAME_SIDE <= height <= MAX_FRAME_SIDE):
                raise MediaError(f"A camera frame of {width}x{height} pixels is outside the accepted size.")
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except UnidentifiedImageError as exc:
        raise MediaError("A camera frame is not a JPEG image.") from exc
    except (OSError, ValueError) as exc:
        raise MediaError(f"A camera frame could not be decoded ({exc}).") from exc


class LiveFaceAnalysis:
    """Analyse camera frames in one background worker while the answer is recorded.

    ``feed`` may be called from any thread; frames must come in increasing time order (late
    ones are dropped). ``finish`` returns what :meth:`FaceAnalyzer.analyze_frames` returns for
    the frames that were analysed.
    """

    def __init__(
        self,
        analyzer: FaceAnalyzer,
        *,
        fps: float,
        include_gestures: bool = True,
        max_queued: int = DEFAULT_MAX_QUEUED,
        max_duration_s: float | None = None,
    ) -> None:
        """Start the worker; the landmarkers load with the first frame.

        Args:
            analyzer: the process's face analyser (its landmarkers are reused, not copied).
            fps: the rate the frames are sent at (sets the hand and pose sub-sampling).
            include_gestures: also run the hand and pose landmarkers.
            max_queued: frames waiting for the worker before new ones are dropped.
            max_duration_s: frames later than this are dropped (the answer-length limit).

        """
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._analyzer = analyzer
        self._fps = float(fps)
        self._include_gestures = include_gestures
        self._max_duration_s = max_duration_s
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, max_queued))
        self._lock = threading.Lock()
        self._counters = _Counters()
        self._frames: list[FaceFrame] = []
        self._result: tuple[FaceAnalysis, GestureAnalysis | None] | None = None
        self._error: BaseException | None = None
        self._closed = False
        self._cancelled = threading.Event()
        self._worker = threading.Thread(target=self._run, name="live-face", daemon=True)
        self._worker.start()

    @property
    def fps(self) -> float:
        """The frame rate the analysis expects."""
        return self._fps

    def feed(self, time_s: float, rgb: RgbFrame) -> bool:
        """Queue one frame; return ``False`` when it was dropped (behind, late, over the limit, closed).

        Raises:
            MediaError: the array is not an RGB image (nothing is queued).

        """
        if rgb.ndim != 3 or rgb.shape[2] != 3 or min(rgb.shape[:2]) < MIN_FRAME_SIDE:
            raise MediaError(f"A camera frame has an unusable shape {rgb.shape}.")
        with self._lock:
            counters = self._counters
            counters.received += 1
            over_limit = self._max_duration_s is not None and time_s > self._max_duration_s
            if self._closed or time_s <= counters.last_time or over_limit:
                counters.dropped += 1
                return False
            try:
                self._queue.put_nowait((float(time_s), rgb))
            except queue.Full:
                counters.dropped += 1
                return False
            counters.last_time = float(time_s)
            return True

    def live(self) -> LiveFaceStats:
        """Return the running numbers (cheap: a few milliseconds for a long answer)."""
        with self._lock:
            frames = list(self._frames)
            counters = _Counters(self._counters.received, self._counters.dropped, self._counters.last_time)
        present = sum(1 for f in frames if f.face is not None)
        return LiveFaceStats(
            elapsed_s=round(max(counters.last_time, 0.0), 3),
            frames_received=counters.received,
            frames_analysed=len(frames),
            frames_dropped=counters.dropped,
            face_share=round(present / len(frames), 3) if frames else None,
            looking_away_s=self._looking_away_s(frames),
        )

    def _looking_away_s(self, frames: list[FaceFrame]) -> float:
        """Length of the look-away event still going on at the newest frame, as the batch analysis defines it."""
        if not frames:
            return 0.0
        until = frames[-1].time + 1.0 / self._fps
        _, _, events = eye_contact(face_series(frames), until)
        if not events or events[-1].end < frames[-1].time:
            return 0.0
        return round(events[-1].end - events[-1].start, 3)

    def finish(self, timeout_s: float | None = None) -> tuple[FaceAnalysis, GestureAnalysis | None]:
        """Stop accepting frames, wait for the queued ones and return the face and gesture analysis.

        Raises:
            MediaError: no frame could be analysed (e.g. the camera sent nothing).
            LiveFaceError: the analysis was cancelled, did not end within ``timeout_s``, or failed.

        """
        self._close()
        self._worker.join(timeout_s)
        if self._worker.is_alive():
            raise LiveFaceError("The live face analysis did not finish in time.")
        if self._error is not None:
            if isinstance(self._error, MediaError):
                raise self._error
            raise LiveFaceError(f"The live face analysis failed: {self._error}") from self._error
        if self._result is None:
            raise LiveFaceError("The live face analysis was cancelled.")
        return self._result

    def cancel(self) -> None:
        """Stop the analysis and discard its frames (the answer was abandoned)."""
        self._cancelled.set()
        self._close()

    def _close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        # Waits for the worker to free a slot, so the end marker is never dropped; a worker that
        # already stopped (failed) needs no marker.
        while self._worker.is_alive():
            try:
                self._queue.put(_STOP, timeout=0.1)
                return
            except queue.Full:
                continue

    def _frames_from_queue(self) -> Iterator[tuple[float, RgbFrame]]:
        while True:
            item = self._queue.get()
            if item is _STOP or self._cancelled.is_set():
                return
            assert isinstance(item, tuple)
            yield item

    def _on_frame(self, frame: FaceFrame) -> None:
        with self._lock:
            self._frames.append(frame)

    def _run(self) -> None:
        frames = self._frames_from_queue()
        try:
            first = next(frames, None)
            if first is None:
                if not self._cancelled.is_set():
                    self._error = MediaError("The camera sent no frames, so the face was not analysed.")
                return

            def all_frames() -> Iterator[tuple[float, RgbFrame]]:
                yield first
                yield from frames

            result = self._analyzer.analyze_frames(
                all_frames(), fps=self._fps, include_gestures=self._include_gestures, on_frame=self._on_frame
            )
            # A future's done-callbacks run just after its waiters wake: let the last ones land so
            # live() after finish() counts every analysed frame.
            deadline = time.monotonic() + CALLBACK_GRACE_S
            while len(self._frames) < result[0].frames_analyzed and time.monotonic() < deadline:
                time.sleep(0.001)
            if not self._cancelled.is_set():
                self._result = result
        except BaseException as exc:  # reported by finish(), never lost in the thread
            self._error = exc
        finally:
            # Unblocks a producer waiting to put the end marker after a failure.
            while not self._queue.empty():
                self._queue.get_nowait()
