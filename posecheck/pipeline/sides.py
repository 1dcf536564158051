"""Left and right kept consistent over time, between the pose stage and smoothing.

Seen from the side, a body's two halves overlap in the picture and the model sometimes
labels the near leg "left" in one frame and "right" in the next. Nothing about the body
changed, but a rule asking "which knee is pulled in" would see the other leg. A real swap of
the limbs between two frames is impossible, so each new pose is compared, as given and
mirrored (every left landmark exchanged with its right twin), against the last kept pose,
and the one closer to it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.pipeline.landmarks import LANDMARK_COUNT, Landmark
from posecheck.pipeline.pose import Pose


def _mirror_order() -> np.ndarray:
    order = np.arange(LANDMARK_COUNT)
    for landmark in Landmark:
        if landmark.name.startswith("LEFT_"):
            twin = Landmark["RIGHT_" + landmark.name.removeprefix("LEFT_")]
            order[landmark], order[twin] = twin, landmark
    return order


MIRROR_ORDER = _mirror_order()
"""Landmark index of each landmark's left/right twin (the nose is its own)."""

LIMB_JOINTS = [
    Landmark[f"{side}_{joint}"]
    for side in ("LEFT", "RIGHT")
    for joint in ("SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE")
]


def left_right_swapped(pose: Pose) -> Pose:
    """The same pose with left and right labels exchanged (positions unchanged)."""
    order = MIRROR_ORDER
    return Pose.from_arrays(
        pose.timestamp_s,
        pose.image_xy[order],
        pose.image_z[order],
        pose.world_xyz[order],
        pose.visibility[order],
        pose.presence[order],
        pose.image_size,
    )


def _limb_points(pose: Pose) -> np.ndarray:
    """Limb joints in the picture with the model's depth, in torso lengths: depth tells
    the near leg from the far one where the picture shows them on top of each other."""
    points = np.column_stack([pose.image_xy[LIMB_JOINTS], pose.image_z[LIMB_JOINTS]])
    xy = pose.image_xy
    torso = float(
        np.linalg.norm(
            (xy[Landmark.LEFT_SHOULDER] + xy[Landmark.RIGHT_SHOULDER]) / 2
            - (xy[Landmark.LEFT_HIP] + xy[Landmark.RIGHT_HIP]) / 2
        )
    )
    return points / max(torso, 1.0)


def mismatch(pose: Pose, reference: Pose) -> float:
    """Mean distance of the limb joints from the reference's, in torso lengths."""
    return float(np.mean(np.linalg.norm(_limb_points(pose) - _limb_points(reference), axis=1)))


@dataclass
class SideKeeper:
    """Feeds poses through, mirroring those whose sides the model swapped.

    A mirrored pose is kept only when it matches the last kept pose better by
    ``margin`` torso lengths (mean over the limb joints): where legs and arms lie on top
    of each other both readings match alike and the model's labels stand. It must also lie
    within ``largest_step`` of the last pose: joints do not travel half a torso length
    between two frames, so a bigger jump is a cut in the video or another person, and the
    model's labels stand. So they do after a gap longer than ``forget_after_s``, in which
    the body may have turned.
    """

    margin: float = 0.05
    largest_step: float = 0.5
    forget_after_s: float = 0.5
    swaps: int = 0
    _last: Pose | None = None

    def keep(self, pose: Pose | None) -> Pose | None:
        if pose is None:
            return None
        last = self._last
        if last is not None and pose.timestamp_s - last.timestamp_s <= self.forget_after_s:
            flipped = left_right_swapped(pose)
            flipped_mismatch = mismatch(flipped, last)
            if flipped_mismatch <= self.largest_step and flipped_mismatch + self.margin < mismatch(
                pose, last
            ):
                pose = flipped
                self.swaps += 1
        self._last = pose
        return pose
