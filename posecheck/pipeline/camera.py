"""Live frame source: a camera (index, device path or URL), or a video file played at its
real pace.

Live mode runs on the wall clock: a frame's timestamp is when it was captured, counted from
the start of the session. A reader thread keeps only the newest frame; when the pose model
is slower than the camera, older frames are dropped (and counted), never queued, so what is
drawn is always the present.
"""

from __future__ import annotations

import os
import re
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import cv2

from posecheck.closing import Closing
from posecheck.credentials import redacted_address
from posecheck.errors import (
    CameraFileEndedEarlyError,
    CameraLostError,
    CameraStalledError,
    CameraStoppedError,
    CameraUnavailableError,
)
from posecheck.pipeline.source import Frame

STREAM_OPEN_TIMEOUT_S = 10.0
"""How long a stream address may take to answer: FFmpeg alone waits 30 s on a silent one
(a UDP port nobody sends to) before the user hears that nothing is there."""

STALL_S = 5.0
"""A camera that gives no picture for this long has stalled, and the session ends saying so.
A webcam gives a picture every 1/30 s (every 1/5 s at worst, exposing long in dim light) and
a network camera gets over a lost packet or a Wi-Fi retry within a second or two: 5 s is past
any hiccup, yet short enough that the person in front of the camera hears why the coaching
stopped before taking it for a hang."""

STREAM_READ_TIMEOUT_S = STALL_S + 5.0
"""FFmpeg's own read waits 30 s on a stream that stays connected but sends nothing. Set at
open, later than ``STALL_S`` so that ``latest`` reports the stall first, it frees the reader
thread and the connection soon after instead of half a minute later."""


@dataclass(frozen=True, slots=True)
class CameraSpec:
    """What ``--camera`` names: a device index, a device path, a stream URL or a video file.

    A device path is one under ``/dev`` (``/dev/video0``, ``/dev/v4l/by-id/...``), or any
    character device or named pipe (a program writing MJPEG into a FIFO). ``value`` is what
    OpenCV opens, password included; ``describe`` is what may be printed or stored (the
    address without its user and password: see ``credentials``).
    """

    kind: str  # "index", "device", "url" or "file"
    value: str = field(repr=False)

    @staticmethod
    def parse(text: str | int) -> CameraSpec:
        text = str(text).strip()
        if text.isdigit():
            return CameraSpec("index", text)
        if "://" in text:
            return CameraSpec("url", text)
        if text.startswith("/dev/") or _is_device_or_pipe(Path(text)):
            return CameraSpec("device", text)
        return CameraSpec("file", text)

    def describe(self) -> str:
        if self.kind == "index":
            return f"camera {self.value}"
        if self.kind == "url":
            return redacted_address(self.value)
        if self.kind == "device" and self.value.startswith("/dev/"):
            return self.value
        return Path(self.value).name


def _is_device_or_pipe(path: Path) -> bool:
    try:
        return path.is_char_device() or path.is_fifo()
    except OSError:  # a name the system refuses, too long say
        return False


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


@contextmanager
def _writer_waited_for(path: Path, spec: CameraSpec) -> Iterator[None]:
    """For a named pipe, waits up to ``STREAM_OPEN_TIMEOUT_S`` for something written into it:
    opening a pipe nobody writes to blocks for ever, where FFmpeg's open timeout cannot reach.
    The pipe stays open here until FFmpeg has it, so the writer never finds no reader."""
    if not path.is_fifo():
        yield
        return
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        poll = select.poll()
        poll.register(descriptor, select.POLLIN)
        if not poll.poll(round(STREAM_OPEN_TIMEOUT_S * 1000)):
            raise _cannot_open(spec, f" (nothing written to it within {STREAM_OPEN_TIMEOUT_S:g} s)")
        yield
    finally:
        os.close(descriptor)


class _End(Enum):
    """Why the reader stopped."""

    CLOSED = "closed"
    FILE_END = "end of file"
    FILE_ENDED_EARLY = "file ended early"
    LOST = "lost"
    STALLED = "stalled"


class LiveCamera(Closing):
    """Frames from a camera, newest first; older unread frames are dropped and counted.

    A file is paced by its own timestamps against the wall clock, so it behaves as a camera
    would (a slow consumer loses frames, it does not slow the clip down). ``latest`` returns
    None at the end of a file and raises a ``CameraStoppedError`` saying why a camera stopped
    (see ``latest``). Reading runs on a daemon thread that owns the capture: a read stuck
    inside FFmpeg holds up neither ``latest`` nor ``close``.

    >>> with LiveCamera("0") as camera:  # doctest: +SKIP
    ...     while (live := camera.latest()) is not None:
    ...         show(live.frame.image)
    """

    def __init__(self, spec: CameraSpec | str | int, *, lost_after_s: float = 2.0) -> None:
        self.spec = spec if isinstance(spec, CameraSpec) else CameraSpec.parse(spec)
        self.lost_after_s = lost_after_s
        self._capture = self._open(self.spec)
        self.width = int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        announced_fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = announced_fps if 0 < announced_fps < 240 else 30.0
        # A file's duration as its container announces it (0.0 for a camera, or unannounced).
        frame_count = max(0.0, float(self._capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0))
        self.announced_s = frame_count / announced_fps if self.is_file and announced_fps > 0 else 0.0
        self.frames_captured = 0
        self.frames_taken = 0
        self.frames_dropped = 0
        self._latest: LiveFrame | None = None
        self._end: _End | None = None
        self._last_picture_s = 0.0  # on the frames' clock
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._started_at = time.monotonic()
        self._expecting_since = self._started_at  # a picture has been due since then
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
        elif spec.kind == "device":
            capture = LiveCamera._open_device(spec)
        else:
            return LiveCamera._open_stream(spec)
        if not capture.isOpened():
            capture.release()
            raise _cannot_open(spec)
        return capture

    @staticmethod
    def _open_device(spec: CameraSpec) -> cv2.VideoCapture:
        """``/dev/videoN`` (or a link to it) by its number, as ``--camera N``: OpenCV's V4L2
        back-end opens devices by number, not by name. Any other device or a named pipe
        through FFmpeg, which finds the format in what arrives (MJPEG, say)."""
        try:
            resolved = Path(spec.value).resolve(strict=True)
        except (OSError, RuntimeError):  # missing (unplugged), or a loop of links
            raise _cannot_open(spec, " (no such device)") from None
        number = re.fullmatch(r"/dev/video(\d+)", str(resolved))
        if number is not None:
            return cv2.VideoCapture(int(number[1]))
        read_timeout_ms = round(STREAM_READ_TIMEOUT_S * 1000)
        with _writer_waited_for(resolved, spec):
            return cv2.VideoCapture(
                str(resolved), cv2.CAP_FFMPEG, [cv2.CAP_PROP_READ_TIMEOUT_MSEC, read_timeout_ms]
            )

    @staticmethod
    def _open_stream(spec: CameraSpec) -> cv2.VideoCapture:
        """FFmpeg with ``STREAM_OPEN_TIMEOUT_S`` and ``STREAM_READ_TIMEOUT_S``; an address
        FFmpeg refuses at once is tried on OpenCV's other back-ends (a GStreamer build), as
        it was before the timeouts."""
        started = time.monotonic()
        timeouts_ms = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            round(STREAM_OPEN_TIMEOUT_S * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            round(STREAM_READ_TIMEOUT_S * 1000),
        ]
        capture = cv2.VideoCapture(spec.value, cv2.CAP_FFMPEG, timeouts_ms)
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
        """The reader thread: owns the capture and releases it when done, so that ``close``
        never releases a capture under a read still inside FFmpeg."""
        end = _End.CLOSED
        try:
            end = self._read_frames()
        finally:
            with self._condition:
                if self._end is None:
                    self._end = end
                self._condition.notify_all()
            self._capture.release()

    def _read_frames(self) -> _End:
        capture = self._capture
        index = 0
        first_file_s: float | None = None
        file_s = 0.0
        last_frame_at = time.monotonic()
        while not self._stop.is_set():
            read_at = time.monotonic()
            ok, image = capture.read()
            now = time.monotonic()
            if self._stop.is_set():
                break
            if not ok or image is None:
                if self.is_file:
                    return _End.FILE_ENDED_EARLY if self._ends_early(file_s) else _End.FILE_END
                if now - read_at >= STALL_S:  # FFmpeg's read timeout: nothing came
                    return _End.STALLED
                if now - last_frame_at > self.lost_after_s:
                    return _End.LOST
                time.sleep(0.01)  # a camera may hiccup; give up only after lost_after_s
                continue
            if self.is_file:
                # Pace the file: show each frame when its own timestamp comes due.
                file_s = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                if first_file_s is None:
                    first_file_s = file_s
                    self._started_at = now
                due = self._started_at + (file_s - first_file_s)
                with self._condition:
                    self._expecting_since = max(now, due)
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
                self._last_picture_s = frame.timestamp_s
                self._expecting_since = now
                self.frames_captured += 1
                self._condition.notify_all()
        return _End.CLOSED

    def _ends_early(self, reached_s: float) -> bool:
        """Frames stopped well before the container's announced end (the margin
        ``VideoFileSource.ended_early`` allows)."""
        frame_period = 1.0 / self.fps
        return self.announced_s > 0 and reached_s < self.announced_s - max(1.0, 5 * frame_period)

    def latest(self, stall_s: float = STALL_S) -> LiveFrame | None:
        """The newest frame not yet taken, waiting for one if needed; None at the end of a
        file (or after ``close``).

        Once every frame before it is taken, a camera that stopped raises why, in one line
        naming the fix (each a ``CameraStoppedError``, with ``at_s`` and a session ``note``):
        ``CameraLostError`` when reading fails (unplugged, the stream closed),
        ``CameraStalledError`` after ``stall_s`` without a picture (also while the reader is
        stuck inside FFmpeg), ``CameraFileEndedEarlyError`` for a file whose frames stop
        before its announced end.
        """
        with self._condition:
            while self._latest is None and self._end is None:
                remaining = self._expecting_since + stall_s - time.monotonic()
                if remaining <= 0:
                    self._end = _End.STALLED
                    self._stop.set()  # the reader quits whenever its read comes back
                    break
                self._condition.wait(remaining)
            taken, self._latest = self._latest, None
            if taken is not None:
                self.frames_taken += 1
                return taken
            error = self._stopped(self._end, stall_s)
        if error is not None:
            raise error
        return None

    def _stopped(self, end: _End | None, stall_s: float) -> CameraStoppedError | None:
        name, at_s = self.spec.describe(), self._last_picture_s
        when = f"at {at_s:.1f} s" if self.frames_captured else "before its first picture"
        if end is _End.LOST:
            return CameraLostError(
                f"{name} stopped giving pictures {when} (unplugged, or the stream closed): the "
                "summary covers what was recorded; plug the camera in or restart the stream, "
                "then start again",
                at_s=at_s,
                note=f"The camera stopped giving pictures {when} (unplugged, or the stream closed).",
            )
        if end is _End.STALLED:
            after = f"after {at_s:.1f} s" if self.frames_captured else "since it opened"
            return CameraStalledError(
                f"no picture from {name} for {stall_s:g} s {after}: the camera or its stream "
                "stalled; the summary covers what was recorded; check the camera and its "
                "connection, then start again",
                at_s=at_s,
                note=f"The camera stalled: no picture for {stall_s:g} s {after}.",
            )
        if end is _End.FILE_ENDED_EARLY:
            return CameraFileEndedEarlyError(
                f"{name} ends early (at {at_s:.1f} s of its {self.announced_s:.1f} s): the file "
                "is damaged or truncated; the summary covers what was played, re-export or copy "
                "it again",
                at_s=at_s,
                note=(
                    f"The video ended early, at {at_s:.1f} s of its {self.announced_s:.1f} s "
                    "(damaged or truncated file)."
                ),
            )
        return None

    def close(self) -> None:
        """Stops the reader, waiting for it a moment at most, and not at all after a stall:
        a read stuck inside FFmpeg ends at ``STREAM_READ_TIMEOUT_S``, and the reader then
        releases the capture itself."""
        self._stop.set()
        with self._condition:
            stalled = self._end is _End.STALLED
            self._condition.notify_all()
        if not stalled:
            self._reader.join(timeout=2.0)
