"""Frame source: decoded frames with the timestamps the file itself carries.

Recorded video runs on the frames' own clock (presentation timestamps), so variable frame
rate and dropped frames give true times; everything downstream sees only ``timestamp_s``.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posecheck.closing import Closing
from posecheck.errors import OutputError, VideoNotFoundError, VideoUnreadableError

# FFmpeg opens a photo as a one-frame "video"; these signatures catch it before it does.
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_IMAGE_FTYP_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"heif": "HEIF", b"mif1": "HEIF", b"avif": "AVIF"}


def _still_image_kind(path: Path) -> str | None:
    """The image format a file's first bytes announce, or None when they announce no still image."""
    with path.open("rb") as file:
        head = file.read(16)
    for signature, kind in _IMAGE_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp":
        return _IMAGE_FTYP_BRANDS.get(head[8:12])
    return None


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded picture (BGR, as OpenCV gives it) and when it was shown.

    ``model_picture`` (the pose model's own copy of the picture) and ``grey_thumbnail`` are
    the pose stage's views of it when they were made ahead, on the decoding thread
    (``prefetched`` with ``prepare``); None when not.
    """

    index: int
    timestamp_s: float
    image: np.ndarray
    model_picture: object | None = None
    grey_thumbnail: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class VideoInfo:
    path: Path
    width: int
    height: int
    fps: float
    frame_count: int

    @property
    def duration_s(self) -> float:
        """Duration announced by the container (0.0 where it announces nothing)."""
        return self.frame_count / self.fps if self.fps > 0 and self.frame_count > 0 else 0.0


class VideoFileSource(Closing):
    """Streams the frames of a video file, never holding more than one.

    ``stride`` keeps every n-th decoded frame (the others are grabbed, not decoded).
    Rotation metadata of phone videos is applied, so portrait clips come out upright.
    """

    def __init__(self, path: str | os.PathLike[str], stride: int = 1) -> None:
        self.path = Path(path)
        if stride < 1:
            raise ValueError("stride must be 1 or more")
        self.stride = stride
        try:
            self._check_file()
        except OSError as error:
            raise VideoUnreadableError(
                f"cannot open {self.path} ({error.strerror or type(error).__name__}): check the path "
                "and that the file is readable"
            ) from None
        self._capture = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not self._capture.isOpened():
            self._capture.release()
            raise VideoUnreadableError(
                f"cannot read {self.path} as a video: give an MP4/MOV/AVI file "
                "(re-export it if it is damaged)"
            )
        self._capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        self.info = self._read_info()
        self.last_timestamp_s = 0.0
        self.frames_decoded = 0
        self._reached_s = 0.0  # time of the last frame read, kept or skipped by the stride

    def _check_file(self) -> None:
        """Refuses what is not a video file, each case with its fix."""
        if not self.path.exists():
            raise VideoNotFoundError(f"video not found: {self.path} (check the path)")
        if self.path.is_dir():
            raise VideoUnreadableError(f"{self.path} is a folder: give one video file")
        if self.path.stat().st_size == 0:
            raise VideoUnreadableError(f"{self.path} is empty (0 bytes): copy or export the video again")
        image_kind = _still_image_kind(self.path)
        if image_kind is not None:
            raise VideoUnreadableError(
                f"{self.path} is a still {image_kind} image, not a video: give a video file (MP4/MOV/AVI)"
            )

    def _read_info(self) -> VideoInfo:
        # With ORIENTATION_AUTO on, OpenCV already reports the size of the rotated frames it returns.
        capture = self._capture
        return VideoInfo(
            path=self.path,
            width=int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=float(capture.get(cv2.CAP_PROP_FPS) or 0.0),
            frame_count=max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT))),
        )

    def __iter__(self) -> Iterator[Frame]:
        capture = self._capture
        index = -1
        previous_timestamp_s = -1.0
        while True:
            index += 1
            if index % self.stride:
                if not capture.grab():
                    break
                self._reached_s = max(self._reached_s, capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
                continue
            ok, image = capture.read()
            if not ok or image is None:
                break
            timestamp_s = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            if timestamp_s <= previous_timestamp_s:
                # Some containers repeat or lack timestamps; keep time strictly increasing.
                fps = self.info.fps if self.info.fps > 0 else 30.0
                timestamp_s = previous_timestamp_s + self.stride / fps
            previous_timestamp_s = timestamp_s
            self._reached_s = max(self._reached_s, timestamp_s)
            self.last_timestamp_s = timestamp_s
            self.frames_decoded += 1
            yield Frame(index=index, timestamp_s=timestamp_s, image=image)
        if self.frames_decoded == 0:
            raise VideoUnreadableError(
                f"no frame of {self.path} could be decoded: the file is damaged or not a "
                "video; re-export or copy it again"
            )

    def ended_early(self) -> bool:
        """True when decoding stopped well before the duration the container announces.

        Frames skipped by the stride count as read, so a large stride alone never ends early.
        """
        announced = self.info.duration_s
        frame_period = 1.0 / self.info.fps if self.info.fps > 0 else 0.04
        return announced > 0 and self._reached_s < announced - max(1.0, 5 * frame_period)

    def close(self) -> None:
        self._capture.release()


_END = object()


def prefetched(
    frames: Iterable[Frame], depth: int = 4, prepare: Callable[[Frame], Frame] | None = None
) -> Iterator[Frame]:
    """Decodes ahead on a thread while the caller runs the model on the current frame.

    OpenCV's decoder and the pose model both release the GIL, so on two cores decoding
    hides behind inference. ``prepare``, run on the same thread, moves per-frame picture
    work (colour conversion, thumbnails) there too, off the model's. At most ``depth``
    frames wait in the queue; an error in the decoder is raised in the caller. The caller
    may stop early: the thread then stops too.
    """
    waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def decode() -> None:
        try:
            for decoded in frames:
                frame = prepare(decoded) if prepare is not None else decoded
                while not stop.is_set():
                    try:
                        waiting.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put(_END)
        except BaseException as error:  # handed to the caller, who raises it
            waiting.put(error)

    worker = threading.Thread(target=decode, name="posecheck-decoder", daemon=True)
    worker.start()
    try:
        while True:
            item = waiting.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():
            try:
                waiting.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)


def write_excerpt(video: str | os.PathLike[str], seconds: float, target: str | os.PathLike[str]) -> Path:
    """Writes the first ``seconds`` of a video to ``target`` (MPEG-4 Part 2, as OpenCV can
    write it everywhere): short real clips for tests, benchmarks and bug reports."""
    destination = Path(target)
    with VideoFileSource(video) as source:
        size = (source.info.width, source.info.height)
        fps = source.info.fps if source.info.fps > 0 else 25.0
        writer = cv2.VideoWriter(str(destination), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
        if not writer.isOpened():
            raise OutputError(f"cannot write {destination}: choose a writable .mp4 path")
        try:
            for frame in source:
                if frame.timestamp_s >= seconds:
                    break
                writer.write(frame.image)
        finally:
            writer.release()
    return destination
