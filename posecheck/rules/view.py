"""What the camera's view lets a reading judge.

A joint the camera cannot see gives the model nothing to go on: its place is a guess from the
rest of the body (for legs folded behind a trunk seen head-on, a guess of someone on hands and
knees). A reading built on such joints is not evidence either way. Each measurement says which
body part it needs (``Need``); per frame, the part is either seen or ``Unjudged``, with the
reason and the way to film it so that it is seen.

Reasons, from the pose's geometry and the model's own confidence, never from a clip:
- a joint out of the picture (or the model unsure it is in it);
- a joint hidden (the model's visibility under one half: behind the body, or behind something);
- a limb or the trunk pointing at the camera: within 45 degrees of the line of sight more of it
  lies in depth than across the picture, so its direction comes more from the model's depth
  guess than from what the picture shows;
- a measurement drawn in the picture that needs a side-on camera, filmed from elsewhere.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from posecheck.pipeline.landmarks import Landmark

if TYPE_CHECKING:
    from posecheck.pipeline.pose import Pose
    from posecheck.rules.body import Body

SEEN_VISIBILITY = 0.5
"""The model's visibility of a joint it sees: side-on, the near knee reads 0.8-1.0 and the far
knee, behind the near leg, 0.1-0.35; legs folded behind a trunk seen head-on 0.14-0.4."""

IN_PICTURE_PRESENCE = 0.5
"""The model's presence of a joint in the picture, below which it is taken to be outside."""

PICTURE_MARGIN = 0.02
"""A joint this share of the picture beyond its edge is out of it (the model places joints a
little outside the picture when the limb leaves it)."""

TOWARDS_CAMERA_SHARE = math.sqrt(0.5)
"""A segment whose depth is this share of its length or more (0.71) points within 45 degrees
of the camera: its depth is then longer than its picture. Head-on, a folded trunk reads
0.73-0.82; side-on, trunks read under 0.1, three-quarter views 0.3-0.45."""


class Unseen(StrEnum):
    """Why a body part could not be judged in a frame."""

    OUT_OF_PICTURE = "out_of_picture"
    HIDDEN = "hidden"
    TOWARDS_CAMERA = "towards_camera"
    NOT_SIDE_ON = "not_side_on"


_WHY = {
    Unseen.OUT_OF_PICTURE: "{part} were out of the picture",
    Unseen.HIDDEN: "{part} were hidden from the camera",
    Unseen.TOWARDS_CAMERA: "{part} pointed at the camera",
    Unseen.NOT_SIDE_ON: "the camera did not see {part} from the side",
}
_FIX = {
    Unseen.OUT_OF_PICTURE: "move the camera back until your whole body is in the picture",
    Unseen.HIDDEN: "film from the side",
    Unseen.TOWARDS_CAMERA: "film from the side",
    Unseen.NOT_SIDE_ON: "film from the side",
}


@dataclass(frozen=True, slots=True)
class Unjudged:
    """A body part the view did not show well enough to judge, and why."""

    part: str
    why: Unseen

    @property
    def reason(self) -> str:
        """'your knees were hidden from the camera'."""
        return _WHY[self.why].format(part=self.part)

    @property
    def advice(self) -> str:
        """'film from the side'."""
        return _FIX[self.why]


Need = Callable[["Body"], Unjudged | None]
"""What a measurement needs to see: None when the body shows it, else why not. The needs below
are frozen dataclasses, so an exercise pickles whole (batch workers receive it)."""


def joint_unseen(pose: Pose, landmark: Landmark) -> Unseen | None:
    """Whether the model saw one joint: in the picture and visible to it."""
    width, height = pose.image_size
    x, y = pose.image_xy[landmark]
    margin_x, margin_y = PICTURE_MARGIN * width, PICTURE_MARGIN * height
    outside = not (-margin_x <= x <= width + margin_x and -margin_y <= y <= height + margin_y)
    if outside or pose.presence[landmark] < IN_PICTURE_PRESENCE:
        return Unseen.OUT_OF_PICTURE
    if pose.visibility[landmark] < SEEN_VISIBILITY:
        return Unseen.HIDDEN
    return None


def towards_camera(pose: Pose, start: Landmark, end: Landmark) -> bool:
    """Whether the segment between two joints points at (or away from) the camera."""
    segment = pose.world_xyz[end] - pose.world_xyz[start]
    length = float(np.linalg.norm(segment))
    return length == 0.0 or abs(float(segment[2])) / length >= TOWARDS_CAMERA_SHARE


def chain_unseen(pose: Pose, chain: tuple[Landmark, ...]) -> Unseen | None:
    """Whether a chain of joints (shoulder, hip, knee...) is seen: each joint seen, and no
    segment between them pointing at the camera. The first reason found, joints first."""
    for landmark in chain:
        reason = joint_unseen(pose, landmark)
        if reason is not None:
            return reason
    for start, end in itertools.pairwise(chain):
        if towards_camera(pose, start, end):
            return Unseen.TOWARDS_CAMERA
    return None


def side_chain(side: str, joints: tuple[str, ...]) -> tuple[Landmark, ...]:
    """("HIP", "KNEE") on side "left": (LEFT_HIP, LEFT_KNEE)."""
    return tuple(Landmark[f"{side.upper()}_{joint}"] for joint in joints)


@dataclass(frozen=True, slots=True)
class OnEitherSide:
    """Needs one side at least to show the chain of ``joints`` (names like "HIP", "KNEE"):
    measurements that average the two sides average the sides seen."""

    part: str
    joints: tuple[str, ...]

    def __call__(self, body: Body) -> Unjudged | None:
        reasons = [chain_unseen(body.pose, side_chain(side, self.joints)) for side in ("left", "right")]
        if any(reason is None for reason in reasons):
            return None
        return Unjudged(self.part, _first(reasons))


@dataclass(frozen=True, slots=True)
class OnEachOf:
    """Needs one joint of every (left, right) pair seen (ears, hips: either will do)."""

    part: str
    pairs: tuple[tuple[Landmark, Landmark], ...]

    def __call__(self, body: Body) -> Unjudged | None:
        for left, right in self.pairs:
            reasons = [joint_unseen(body.pose, left), joint_unseen(body.pose, right)]
            if all(reason is not None for reason in reasons):
                return Unjudged(self.part, _first(reasons))
        return None


@dataclass(frozen=True, slots=True)
class SideOn:
    """Needs the body across the picture: measurements drawn in the picture are true only there."""

    part: str

    def __call__(self, body: Body) -> Unjudged | None:
        return None if body.lies_across_picture else Unjudged(self.part, Unseen.NOT_SIDE_ON)


@dataclass(frozen=True, slots=True)
class AllOf:
    """Needs everything the given needs need; the first part missing is named."""

    needs: tuple[Need, ...]

    def __call__(self, body: Body) -> Unjudged | None:
        for each in self.needs:
            missing = each(body)
            if missing is not None:
                return missing
        return None


def on_either_side(part: str, *joints: str) -> Need:
    return OnEitherSide(part, joints)


def on_each_of(part: str, *pairs: tuple[Landmark, Landmark]) -> Need:
    return OnEachOf(part, pairs)


def side_on(part: str) -> Need:
    return SideOn(part)


def all_of(*needs: Need) -> Need:
    return AllOf(needs)


def _first(reasons: list[Unseen | None]) -> Unseen:
    """The reason to give for a part missing on both sides: the most telling one."""
    for reason in (Unseen.OUT_OF_PICTURE, Unseen.HIDDEN, Unseen.TOWARDS_CAMERA, Unseen.NOT_SIDE_ON):
        if reason in reasons:
            return reason
    return Unseen.HIDDEN
