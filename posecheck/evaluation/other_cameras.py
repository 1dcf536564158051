"""The labelled corpus as other cameras would film it: views the corpus does not show, with
the same timeline, so the same labels score them.

- ``mirrored``: the camera on the person's other side (the picture flipped left to right;
  the person's left and right legs exchange, so knee-to-chest sides are exchanged in the
  labels);
- ``crooked``: a phone propped 12 degrees off level;
- ``tilted``: the camera turned 10 degrees further down (a phone or a laptop's screen leaning
  forward); a camera turned about its own centre films exactly the picture warped by a
  homography, so nothing but the view's edges is made up;
- ``far``: the camera twice as far away (the picture at half size, in the middle of a grey
  frame);
- ``near``: the camera 1.3 times closer (the middle of the picture enlarged to fill it: a
  head, hands or feet near the edge leave the picture, as with a laptop set too close);
- ``dim``: a dim room filmed by a webcam (a third of the light, with the sensor's grain);
- ``slow``: a camera or an animated GIF at 10 frames a second (every frame kept in its
  place on the timeline, the others dropped).

Each changed clip is written once (lossless enough for the model: OpenCV's MPEG-4 at the
clip's own size and frame rate) next to the track cache, and its pose track is cached as
any clip's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np

from posecheck.errors import OutputError
from posecheck.pipeline.source import VideoFileSource

CROOKED_DEG = 12.0
TILTED_DEG = 10.0
FOCAL_LENGTH_OF_LONGER_SIDE = 0.75
"""A phone's or laptop's camera sees about 65-70 degrees across its longer side: a focal
length of 0.75 times that side, in pixels."""
FAR_SCALE = 0.5
FAR_BACKGROUND_GREY = 110
NEAR_SCALE = 1.3
DIM_LIGHT = 1 / 3
DIM_GRAIN = 6.0
"""Grey levels of sensor noise (standard deviation) in a dim picture: a webcam raises its
gain in a dim room, and the grain rises with it."""
SLOW_FPS = 10.0


class CameraChange(StrEnum):
    MIRRORED = "mirrored"
    CROOKED = "crooked"
    TILTED = "tilted"
    FAR = "far"
    NEAR = "near"
    DIM = "dim"
    SLOW = "slow"


def _mirrored(image: np.ndarray) -> np.ndarray:
    return cv2.flip(image, 1)


def _crooked(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), CROOKED_DEG, 1.0)
    return cv2.warpAffine(image, turn, (width, height), borderMode=cv2.BORDER_REFLECT)


def _tilted(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    focal = FOCAL_LENGTH_OF_LONGER_SIDE * max(width, height)
    camera = np.array([[focal, 0.0, width / 2], [0.0, focal, height / 2], [0.0, 0.0, 1.0]])
    angle = math.radians(TILTED_DEG)
    # Turning the camera down about its horizontal axis: what was ahead rises in the picture.
    turn = np.array(
        [[1.0, 0.0, 0.0], [0.0, math.cos(angle), -math.sin(angle)], [0.0, math.sin(angle), math.cos(angle)]]
    )
    warp = camera @ turn @ np.linalg.inv(camera)
    grey = (FAR_BACKGROUND_GREY,) * 3
    return cv2.warpPerspective(image, warp, (width, height), borderMode=cv2.BORDER_CONSTANT, borderValue=grey)


def _far(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    small = cv2.resize(
        image, (round(width * FAR_SCALE), round(height * FAR_SCALE)), interpolation=cv2.INTER_AREA
    )
    canvas = np.full_like(image, FAR_BACKGROUND_GREY)
    top, left = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    canvas[top : top + small.shape[0], left : left + small.shape[1]] = small
    return canvas


def _near(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    kept_width, kept_height = round(width / NEAR_SCALE), round(height / NEAR_SCALE)
    left, top = (width - kept_width) // 2, (height - kept_height) // 2
    middle = image[top : top + kept_height, left : left + kept_width]
    return cv2.resize(middle, (width, height), interpolation=cv2.INTER_LINEAR)


def _dim(image: np.ndarray) -> np.ndarray:
    # The grain is seeded by the picture, so the same clip is always dimmed the same way.
    grain = np.random.default_rng(int(image.sum(dtype=np.int64))).normal(0.0, DIM_GRAIN, image.shape)
    return np.clip(image.astype(np.float32) * DIM_LIGHT + grain, 0, 255).astype(np.uint8)


def _unchanged(image: np.ndarray) -> np.ndarray:
    return image


PICTURE_CHANGES: dict[CameraChange, Callable[[np.ndarray], np.ndarray]] = {
    CameraChange.MIRRORED: _mirrored,
    CameraChange.CROOKED: _crooked,
    CameraChange.TILTED: _tilted,
    CameraChange.FAR: _far,
    CameraChange.NEAR: _near,
    CameraChange.DIM: _dim,
    CameraChange.SLOW: _unchanged,
}

FRAME_RATES = {CameraChange.SLOW: SLOW_FPS}
"""Changes that film fewer frames a second than the clip."""

SIDES_SEEN_MIRRORED = {"left": "right", "right": "left"}


CHANGE_FOLDERS = {
    CameraChange.MIRRORED: "mirrored",
    CameraChange.CROOKED: f"crooked-{CROOKED_DEG:g}deg",
    CameraChange.TILTED: f"tilted-down-{TILTED_DEG:g}deg",
    CameraChange.FAR: f"far-{FAR_SCALE:g}x",
    CameraChange.NEAR: f"near-{NEAR_SCALE:g}x",
    CameraChange.DIM: f"dim-{DIM_LIGHT:.2f}-grain-{DIM_GRAIN:g}",
    CameraChange.SLOW: f"slow-{SLOW_FPS:g}fps",
}
"""Named by their settings, so that a changed setting writes its clips again."""


def seen_as(video: Path, change: CameraChange, folder: Path) -> Path:
    """The clip as the changed camera films it, written into ``folder`` once."""
    target = folder / CHANGE_FOLDERS[change] / video.name
    if target.exists() and target.stat().st_mtime >= video.stat().st_mtime:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.mp4")
    with VideoFileSource(video) as source:
        info = source.info
        every = max(1, round(info.fps / FRAME_RATES[change])) if change in FRAME_RATES else 1
        writer = cv2.VideoWriter(
            str(partial), cv2.VideoWriter.fourcc(*"mp4v"), info.fps / every, (info.width, info.height)
        )
        if not writer.isOpened():
            raise OutputError(f"cannot write {partial}: choose a writable cache folder (--cache)")
        try:
            for index, frame in enumerate(source):
                if index % every == 0:
                    writer.write(PICTURE_CHANGES[change](frame.image))
        finally:
            writer.release()
    partial.replace(target)
    return target
