"""Overlay: the skeleton, the phase, the hold timer, the rep count and the active cue,
drawn on a frame for annotated videos and the live window."""

from __future__ import annotations

import math
import os
from pathlib import Path

import cv2
import numpy as np

from posecheck.closing import Closing
from posecheck.errors import OutputError
from posecheck.live.coaching import RELEASE_WORDS
from posecheck.pipeline.landmarks import BONES
from posecheck.pipeline.pose import Pose
from posecheck.private_files import make_private
from posecheck.rules.engine import EngineState
from posecheck.rules.events import Phase

BONE_COLOUR = (80, 220, 80)
JOINT_COLOUR = (255, 255, 255)
TEXT_COLOUR = (255, 255, 255)
CUE_COLOUR = (60, 60, 255)
PANEL_COLOUR = (30, 30, 30)


class Overlay:
    def __init__(self, reps_target: int) -> None:
        self.reps_target = reps_target

    def annotate(self, image: np.ndarray, pose: Pose | None, state: EngineState) -> np.ndarray:
        """A copy of ``image`` with everything drawn on it."""
        canvas = image.copy()
        height, width = canvas.shape[:2]
        scale = max(height, width) / 1000.0
        if pose is not None:
            self._draw_skeleton(canvas, pose, scale)
        self._draw_panel(canvas, state, scale, width)
        return canvas

    @staticmethod
    def _draw_skeleton(canvas: np.ndarray, pose: Pose, scale: float) -> None:
        points = np.round(pose.image_xy).astype(int)
        thickness = max(2, int(3 * scale))
        for start, end in BONES:
            cv2.line(canvas, tuple(points[start]), tuple(points[end]), BONE_COLOUR, thickness, cv2.LINE_AA)
        for point in points[11:29]:
            cv2.circle(canvas, tuple(point), thickness + 1, JOINT_COLOUR, -1, cv2.LINE_AA)

    def _draw_panel(self, canvas: np.ndarray, state: EngineState, scale: float, width: int) -> None:
        font = cv2.FONT_HERSHEY_SIMPLEX
        size = 0.9 * scale + 0.3
        line = int(40 * scale + 14)
        rows = [state.phase_label, f"reps {state.holds_done} / {self.reps_target}"]
        if state.phase is Phase.HOLD:
            remaining = state.target_s - state.hold_elapsed_s
            timer = f"{remaining:.0f} s" if remaining > 0 else "lower slowly"
            rows.insert(0, f"hold {state.hold_elapsed_s:4.1f} s  ({timer})")
        panel_height = line * (len(rows) + len(state.active_cues)) + line // 2
        cv2.rectangle(canvas, (0, 0), (width, panel_height), PANEL_COLOUR, -1)
        y = line
        for row in rows:
            cv2.putText(
                canvas, row, (line // 2, y), font, size, TEXT_COLOUR, max(1, int(2 * scale)), cv2.LINE_AA
            )
            y += line
        for cue in state.active_cues:
            cv2.putText(
                canvas, cue, (line // 2, y), font, size, CUE_COLOUR, max(1, int(2 * scale)), cv2.LINE_AA
            )
            y += line


COUNTDOWN_COLOUR = (80, 220, 255)
SETUP_COLOUR = (0, 200, 255)


def mirror_image(image: np.ndarray, pose: Pose | None) -> tuple[np.ndarray, Pose | None]:
    """The picture flipped left-right, as a mirror shows it, and the pose flipped with it."""
    flipped = cv2.flip(image, 1)
    if pose is None:
        return flipped, None
    width = image.shape[1]
    image_xy = pose.image_xy.copy()
    image_xy[:, 0] = width - 1 - image_xy[:, 0]
    return flipped, pose.with_landmarks(image_xy, pose.world_xyz)


class LiveOverlay:
    """The live window's picture: mirrored, with the skeleton, the phase, a large hold
    countdown (target down to zero, then "lower slowly"), the rep counter, the active cue,
    and the set-up instructions until the camera is placed right."""

    def draw(
        self,
        image: np.ndarray,
        pose: Pose | None,
        state: EngineState,
        counter: str,
        setup: tuple[str, ...] = (),
        paused: bool = False,
    ) -> np.ndarray:
        canvas, pose = mirror_image(image, pose)
        height, width = canvas.shape[:2]
        scale = max(height, width) / 1000.0
        if pose is not None:
            Overlay._draw_skeleton(canvas, pose, scale)
        font = cv2.FONT_HERSHEY_SIMPLEX
        size = 0.9 * scale + 0.3
        thickness = max(1, int(2 * scale))
        line = int(40 * scale + 14)
        status = "paused (space to go on)" if paused else state.phase_label
        rows = [(f"reps {counter}", TEXT_COLOUR), (status, TEXT_COLOUR)]
        rows += [(cue, CUE_COLOUR) for cue in state.active_cues]
        rows += [(instruction, SETUP_COLOUR) for instruction in setup]
        cv2.rectangle(canvas, (0, 0), (width, line * len(rows) + line // 2), PANEL_COLOUR, -1)
        for number, (text, colour) in enumerate(rows, start=1):
            cv2.putText(canvas, text, (line // 2, line * number), font, size, colour, thickness, cv2.LINE_AA)
        if state.phase is Phase.HOLD and not paused:
            self._draw_countdown(canvas, state, scale)
        return canvas

    @staticmethod
    def _draw_countdown(canvas: np.ndarray, state: EngineState, scale: float) -> None:
        remaining = state.target_s - state.hold_elapsed_s
        text = f"{math.ceil(remaining)}" if remaining > 0 else RELEASE_WORDS
        font = cv2.FONT_HERSHEY_DUPLEX
        size = (5.0 if remaining > 0 else 2.0) * scale + 0.5
        thickness = max(2, int(8 * scale))
        (text_width, text_height), _ = cv2.getTextSize(text, font, size, thickness)
        height, width = canvas.shape[:2]
        origin = (width - text_width - int(30 * scale) - 10, height - int(40 * scale) - 10)
        corner = (origin[0] - 15, origin[1] - text_height - 15)
        cv2.rectangle(canvas, corner, (width, height), PANEL_COLOUR, -1)
        cv2.putText(canvas, text, origin, font, size, COUNTDOWN_COLOUR, thickness, cv2.LINE_AA)


class AnnotatedVideo(Closing):
    """The analysed video written again with the overlay drawn on every frame (``analyze
    --annotate``). Frames are given as they are decoded, analysed or skipped; the file is
    opened at the first, at the video's frame size and rate, owner-only."""

    def __init__(self, path: str | os.PathLike[str], reps_target: int) -> None:
        self.path = Path(path)
        self.overlay = Overlay(reps_target)
        self._writer: cv2.VideoWriter | None = None

    def write(self, image: np.ndarray, pose: Pose | None, state: EngineState, fps: float) -> None:
        if self._writer is None:
            self._writer = _open_writer(self.path, fps, (image.shape[1], image.shape[0]))
        self._writer.write(self.overlay.annotate(image, pose, state))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()


def _open_writer(path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    try:
        make_private(path)  # OpenCV keeps the mode of the file it finds
    except OSError as error:
        raise OutputError(
            f"cannot write the annotated video {path} ({error.strerror}): choose a writable .mp4 path"
        ) from None
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise OutputError(f"cannot write the annotated video {path}: choose a writable .mp4 path")
    return writer
