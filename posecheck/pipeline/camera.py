"""Live frame source: a camera (index or URL), or a video file played at its real pace.

Live mode runs on the wall clock: a frame's timestamp is when it was captured, counted from
the start of the session. A reader thread keeps only the newest frame; when the pose model
is slower than the camera, older frames are dropped (and counted), never queued, so what is
drawn is always the present.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from posecheck.closing import Closing
from posecheck.credentials import redacted_address
from posecheck.errors import CameraUnavailableError
from posecheck.pipeline.source import Frame

STREAM_OPEN_TIMEOUT_S = 10.0
"""How long a stream address may take to answer: FFmpeg alone waits 30 s on a silent one
(a UDP port nobody sends to) before the user hears that nothing is there."""


@dataclass(frozen=True, slots=True)
class CameraSpec:
    """What ``--camera`` names: a device index, a stream URL or a video file.

    ``value`` is what OpenCV opens, password included; ``describe`` is what may be printed
    or stored (the address without its user and password: see ``credentials``).
    """

    kind: str  # "index", "url" or "file"
    value: str = field(repr=False)

    @staticmethod
    def parse(text: str | int) -> CameraSpec:
        text = str(text).strip()
        if text.isdigit():
            return CameraSpec("index", text)
        if "://" in text:
            return CameraSpec("url", text)
        return CameraSpec("file", text)

    def describe(self) -> str:
        if self.kind == "index":
            return f"camera {self.value}"
        return redacted_address(self.value) if self.kind == "url" else Path(self.value).name


@dataclass(frozen=True, slots=True)
class LiveFrame:
    """A captured frame and when it was captured on the monotonic clock (for latency)."""

    frame: Frame
    captured_at: float


def _cannot_open(spec: CameraSpec, why: str = "") -> CameraUnavailableError:
    return CameraUnavailableError(
        f"cannot open {spec.describe()}{why}: plug in or free the camera (another program "
        "may use it), check the index or URL, or give a video file"
    )


class LiveCamera(Closing):
    """Frames from a camera, newest first; older unread frames are dropped and counted.

    A file is paced by its own timestamps against the wall clock, so it behaves as a camera
    would (a slow consumer loses frames, it does not slow the clip down). ``latest`` raises
    ``CameraUnavailableError`` when a camera stops giving frames (unplugged) and returns None
    at the end of a file.
    """

    def __init__(self, spec: CameraSpec | str | int, *, lost_after_s: float = 2.0) -> None:
        self.spec = spec if isinstance(spec, CameraSpec) else CameraSpec.parse(spec)
        self.lost_after_s = lost_after_s
        self._capture = self._open(self.spec)
        self.width = int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        announced_fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = announced_fps if 0 < announced_fps < 240 else 30.0
        self.frames_captured = 0
        self.frames_taken = 0
        self.frames_dropped = 0
        self._latest: LiveFrame | None = None
        self._ended = False
        self._lost = False
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._started_at = time.monotonic()
        self._reader = threading.Thread(target=self._read, name="posecheck-camera", daemon=True)
        self._reader.start()

    @staticmethod
    def _open(spec: CameraSpec) -> cv2.VideoCapture:
        if spec.kind == "file":
            path = Path(spec.value)
            try:
                is_file = path.is_file()
            except OSError:  # a name the system refuses, too long say
                is_file = False
            if not is_file:
                raise CameraUnavailableError(
                    f"no camera or video file {spec.value}: give a camera index (0), a stream URL "
                    "or an existing video file"
                )
            capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
            if capture.isOpened():
                capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        elif spec.kind == "index":
            capture = cv2.VideoCapture(int(spec.value))
        else:
            return LiveCamera._open_stream(spec)
        if not capture.isOpened():
            capture.release()
            raise _cannot_open(spec)
        return capture

    @staticmethod
    def _open_stream(spec: CameraSpec) -> cv2.VideoCapture:
        """FFmpeg with ``STREAM_OPEN_TIMEOUT_S``; an address FFmpeg refuses at once is tried
        on OpenCV's other back-ends (a GStreamer build), as it was before the timeout."""
        started = time.monotonic()
        open_timeout_ms = round(STREAM_OPEN_TIMEOUT_S * 1000)
        capture = cv2.VideoCapture(
            spec.value, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, open_timeout_ms]
        )
        if capture.isOpened():
            return capture
        capture.release()
        if time.monotonic() - started >= STREAM_OPEN_TIMEOUT_S:
            raise _cannot_open(spec, f" (nothing answered within {STREAM_OPEN_TIMEOUT_S:g} s)")
        capture = cv2.VideoCapture(spec.value)
        if not capture.isOpened():
            capture.release()
            raise _cannot_open(spec)
        return capture

    def elapsed_s(self) -> float:
        """Now on the frames' clock (seconds since the first frame of a file, or since the
        camera opened)."""
        return time.monotonic() - self._started_at

    @property
    def is_file(self) -> bool:
        return self.spec.kind == "file"

    def _read(self) -> None:
        capture = self._capture
        index = 0
        first_file_s: float | None = None
        last_frame_at = time.monotonic()
        while not self._stop.is_set():
            ok, image = capture.read()
            now = time.monotonic()
            if not ok or image is None:
                if self.is_file or now - last_frame_at > self.lost_after_s:
                    break
                time.sleep(0.01)  # a camera may hiccup; give up only after lost_after_s
                continue
            if self.is_file:
                # Pace the file: show each frame when its own timestamp comes due.
                file_s = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                if first_file_s is None:
                    first_file_s = file_s
                    self._started_at = now
                due = self._started_at + (file_s - first_file_s)
                if self._stop.wait(max(0.0, due - now)):
                    break
                now = time.monotonic()
            last_frame_at = now
            frame = Frame(index=index, timestamp_s=now - self._started_at, image=image)
            index += 1
            with self._condition:
                if self._latest is not None:
                    self.frames_dropped += 1
                self._latest = LiveFrame(frame, now)
                self.frames_captured += 1
                self._condition.notify_all()
        with self._condition:
            self._ended = True
            self._lost = not self.is_file and not self._stop.is_set()
            self._condition.notify_all()

    def latest(self, timeout_s: float = 5.0) -> LiveFrame | None:
        """The newest frame not yet taken, waiting for one if needed; None at the end of a
        file (or after ``close``)."""
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while self._latest is None and not self._ended:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._lost = not self.is_file
                    break
                self._condition.wait(remaining)
            taken, self._latest = self._latest, None
            if taken is not None:
                self.frames_taken += 1
                return taken
            if self._lost:
                raise CameraUnavailableError(
                    f"{self.spec.describe()} stopped giving pictures (unplugged?): the summary covers "
                    "what was recorded; plug it in and start again"
                )
            return None

    def close(self) -> None:
        self._stop.set()
        with self._condition:
            self._condition.notify_all()
        self._reader.join(timeout=2.0)
        self._capture.release()
