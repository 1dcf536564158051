"""A second look at frames where nobody was found, turned a quarter turn each way.

The model's person detector is trained mostly on upright people and sometimes misses a body
lying across the picture, which is how the three exercises are filmed. A body lying
horizontally stands upright in the frame turned by 90 degrees, so a missed frame is tried
again turned clockwise and counter-clockwise, and the landmarks found are turned back into
the original picture (image and world coordinates). It runs only where the normal pass found
no one, so it costs nothing while a person is followed.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import vision

from posecheck.closing import Closing
from posecheck.pipeline.pose import Pose, candidate_poses, open_landmarker
from posecheck.pipeline.source import Frame

CLOCKWISE = cv2.ROTATE_90_CLOCKWISE
COUNTER_CLOCKWISE = cv2.ROTATE_90_COUNTERCLOCKWISE


def turned_back(pose: Pose, turn: int, original_size: tuple[int, int]) -> Pose:
    """A pose found in a picture turned by ``turn``, in the original picture's coordinates.

    Turned clockwise, an original pixel (x, y) of a W x H picture lands at (H - y, x); the
    camera's world axes turn the same way, so the world x of the original is the turned
    picture's y, and its y is minus the turned x. Counter-clockwise is the mirror of that.
    """
    width, height = original_size
    xy, world = pose.image_xy, pose.world_xyz
    if turn == CLOCKWISE:
        image_xy = np.column_stack([xy[:, 1], height - xy[:, 0]])
        world_xyz = np.column_stack([world[:, 1], -world[:, 0], world[:, 2]])
    elif turn == COUNTER_CLOCKWISE:
        image_xy = np.column_stack([width - xy[:, 1], xy[:, 0]])
        world_xyz = np.column_stack([-world[:, 1], world[:, 0], world[:, 2]])
    else:
        raise ValueError(f"not a quarter turn: {turn}")
    return Pose.from_arrays(
        pose.timestamp_s, image_xy, pose.image_z, world_xyz, pose.visibility, pose.presence, original_size
    )


class TurnedRetry(Closing):
    """Finds people in a frame turned a quarter turn each way (single-image model runs,
    so the turned pictures do not disturb the tracking of the normal pass)."""

    def __init__(self, model_path: Path, max_people: int = 1) -> None:
        self._landmarker = open_landmarker(model_path, vision.RunningMode.IMAGE, num_poses=max_people)
        self.frames_tried = 0

    def detect(self, frame: Frame) -> list[Pose]:
        """Every person found in the frame turned either way, in the frame's coordinates."""
        self.frames_tried += 1
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        found: list[Pose] = []
        for turn in (CLOCKWISE, COUNTER_CLOCKWISE):
            turned = np.ascontiguousarray(cv2.rotate(rgb, turn))
            result = self._landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=turned))
            size = (int(turned.shape[1]), int(turned.shape[0]))
            found.extend(
                turned_back(pose, turn, frame.size)
                for pose in candidate_poses(result, frame.timestamp_s, size)
            )
        return found

    def close(self) -> None:
        self._landmarker.close()


def turned_retry_for(model_path: Path, wanted: bool) -> contextlib.AbstractContextManager[TurnedRetry | None]:
    """A ``TurnedRetry`` when it is ``wanted``, else nothing."""
    return TurnedRetry(model_path) if wanted else contextlib.nullcontext()
