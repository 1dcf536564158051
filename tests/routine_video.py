"""A "routine" video made of real corpus clips played one after the other, as a patient
would film a whole session: it tests recognition and the per-exercise answers on footage
whose every part has a label, with each part's labels shifted by where the part starts.

Each clip keeps its proportions (letterboxed on black, never stretched) and its own clock:
every output frame shows the clip's frame nearest in time, so a label at ``t`` seconds into
a clip lies at ``span.start_s + t`` in the routine.

    spans = compose_routine_video(Path("routine.mp4"), ROUTINE_CLIPS)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posecheck.pipeline.source import Frame, VideoFileSource

VIDEOS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "videos"
ROUTINE_CLIPS = (
    VIDEOS / "prone_press_up__fitsens_cobra_stretch_man.mp4",
    VIDEOS / "knee_to_chest__adaptx_side_alternating_both.mp4",
    VIDEOS / "childs_pose__clinically_balasana.mp4",
)
# The two 1280x720 clips keep every pixel; the smaller child's pose clip is enlarged.
ROUTINE_SIZE = (1280, 720)
ROUTINE_FPS = 30.0


@dataclass(frozen=True, slots=True)
class ClipSpan:
    """Where a clip plays in the routine: its time ``t`` is the routine's ``start_s + t``."""

    clip: Path
    start_s: float
    end_s: float


def letterboxed(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The picture scaled to fit ``size`` with its proportions kept, centred on black."""
    width, height = size
    scale = min(width / image.shape[1], height / image.shape[0])
    fitted = (min(width, round(image.shape[1] * scale)), min(height, round(image.shape[0] * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    scaled = (
        image
        if fitted == (image.shape[1], image.shape[0])
        else cv2.resize(image, fitted, interpolation=interpolation)
    )
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - fitted[1]) // 2, (width - fitted[0]) // 2
    canvas[top : top + fitted[1], left : left + fitted[0]] = scaled
    return canvas


class _Timeline:
    """The routine's frames, written in order: frame ``k`` is shown at ``k / fps``."""

    def __init__(self, writer: cv2.VideoWriter, size: tuple[int, int], fps: float) -> None:
        self.writer, self.size, self.fps = writer, size, fps
        self.written = 0

    def show_until(self, frame: Frame, until_s: float) -> None:
        """Shows ``frame`` at every output time before ``until_s`` not yet written."""
        # The small margin keeps a float a hair over a whole frame from adding one.
        count = max(0, math.ceil(until_s * self.fps - 1e-9) - self.written)
        if count:
            picture = letterboxed(frame.image, self.size)
            for _ in range(count):
                self.writer.write(picture)
            self.written += count


def _play(timeline: _Timeline, clip: Path, start_s: float) -> float:
    """Writes ``clip`` from ``start_s`` on, each output time showing the nearest source frame
    (the switch falls halfway between two frames' timestamps); returns where it ends: its
    last frame's time plus one frame period, as a player shows it."""
    with VideoFileSource(clip) as source:
        period_s = 1.0 / source.info.fps if source.info.fps > 0 else 1.0 / timeline.fps
        first_s: float | None = None
        previous: Frame | None = None
        for frame in source:
            if first_s is None:
                first_s = frame.timestamp_s
            if previous is not None:
                timeline.show_until(
                    previous, start_s + (previous.timestamp_s + frame.timestamp_s) / 2 - first_s
                )
            previous = frame
    assert previous is not None and first_s is not None  # VideoFileSource raises on no frame
    end_s = start_s + previous.timestamp_s - first_s + period_s
    timeline.show_until(previous, end_s)
    return end_s


def compose_routine_video(
    path: Path, clips: Sequence[Path], size: tuple[int, int] = ROUTINE_SIZE, fps: float = ROUTINE_FPS
) -> list[ClipSpan]:
    """Writes ``clips`` one after the other to ``path`` (mp4v) at one ``size`` and ``fps``;
    returns each clip's span, contiguous, from 0 to the sum of the clips' durations."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write an mp4v video to {path}")
    timeline = _Timeline(writer, size, fps)
    spans: list[ClipSpan] = []
    try:
        for clip in clips:
            start_s = spans[-1].end_s if spans else 0.0
            spans.append(ClipSpan(clip, start_s, _play(timeline, clip, start_s)))
    finally:
        writer.release()
    return spans
