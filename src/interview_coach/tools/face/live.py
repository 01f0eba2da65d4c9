"""Face and gesture analysis of camera frames while the candidate is still answering.

The room's camera sends small JPEG frames (about 5 per second) while it records. Each frame
is queued here and analysed by one background worker that runs the batch path itself,
:meth:`FaceAnalyzer.analyze_frames`, over the queue: so :meth:`LiveFaceAnalysis.finish`
returns exactly what the batch analysis of the same frames returns, and only the last few
frames remain to analyse when the candidate stops. While the answer goes on,
:meth:`LiveFaceAnalysis.live` reports running numbers (face presence, the current look-away
stretch) for live nudges. The queue is bounded: when the landmarkers fall behind, new frames
are dropped and counted instead of piling up in memory (the bound is looser while the models
load, so the first seconds of an answer are analysed late rather than lost).
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

__all__ = ["MAX_JPEG_BYTES", "LiveFaceAnalysis", "LiveFaceError", "LiveFaceStats", "decode_jpeg", "warm_up"]

# About two seconds of frames at 5 fps: enough to ride out a slow frame, small enough that a
# machine too slow for the frame rate drops frames instead of running minutes behind.
DEFAULT_MAX_QUEUED = 10
# Before the landmarkers are ready (loading three models takes seconds on a busy machine) the
# frames wait instead: 30 s at 5 fps, about 25 MB of 320-px frames, analysed in a burst after.
LOADING_MAX_QUEUED = 150
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
    face_missing_s: float = Field(
        default=0.0, description="Length of the current stretch without a face in the frame (0 while one is seen)."
    )

    @property
    def attention_away_s(self) -> float:
        """How long the candidate has not been looking at the camera: turned away or out of the frame."""
        return max(self.looking_away_s, self.face_missing_s)


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


def warm_up(analyzer: FaceAnalyzer, *, include_gestures: bool = True) -> None:
    """Load the landmarkers a camera answer will borrow, so its first frames are not dropped.

    Loading the three models takes seconds on a busy machine; an analysis of no frames opens
    a set and leaves it idle in ``analyzer`` (a no-op when one is already idle).
    """
    analyzer.analyze_frames(iter(()), fps=1.0, include_gestures=include_gestures)


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
            max_queued: frames waiting for the worker before new ones are dropped, once the
                landmarkers are loaded (until then up to ``LOADING_MAX_QUEUED`` wait).
            max_duration_s: frames later than this are dropped (the answer-length limit).

        """
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._analyzer = analyzer
        self._fps = float(fps)
        self._include_gestures = include_gestures
        self._max_duration_s = max_duration_s
        # Unbounded: feed() enforces the bound, which is larger until the landmarkers are ready.
        self._queue: queue.Queue[object] = queue.Queue()
        self._max_queued = max(1, max_queued)
        self._ready = False
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
            limit = self._max_queued if self._ready else max(self._max_queued, LOADING_MAX_QUEUED)
            if self._closed or time_s <= counters.last_time or over_limit or self._queue.qsize() >= limit:
                counters.dropped += 1
                return False
            self._queue.put_nowait((float(time_s), rgb))
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
            face_missing_s=self._face_missing_s(frames),
        )

    def _face_missing_s(self, frames: list[FaceFrame]) -> float:
        """Length of the stretch without a face that the newest analysed frame is part of."""
        first_missing: FaceFrame | None = None
        for frame in reversed(frames):
            if frame.face is not None:
                break
            first_missing = frame
        if first_missing is None:
            return 0.0
        return round(frames[-1].time + 1.0 / self._fps - first_missing.time, 3)

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
        self._queue.put(_STOP)

    @property
    def ready(self) -> bool:
        """Whether the landmarkers are loaded and taking frames (the queue bound is tighter from then on)."""
        with self._lock:
            return self._ready

    def _frames_from_queue(self) -> Iterator[tuple[float, RgbFrame]]:
        # First pulled by analyze_frames once it holds its landmarkers.
        with self._lock:
            self._ready = True
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
        yielded = 0

        def counted() -> Iterator[tuple[float, RgbFrame]]:
            nonlocal yielded
            for frame in frames:
                yielded += 1
                yield frame

        try:
            # Entered at once, not at the first frame: the landmarkers are borrowed (or loaded)
            # while the browser is still starting the camera, so the first frames do not pile up.
            result = self._analyzer.analyze_frames(
                counted(), fps=self._fps, include_gestures=self._include_gestures, on_frame=self._on_frame
            )
            if yielded == 0:
                if not self._cancelled.is_set():
                    self._error = MediaError("The camera sent no frames, so the face was not analysed.")
                return
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
