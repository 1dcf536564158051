"""A pose read as a body: the two sides, the side facing the camera, its proportions.

Exercise modules measure on a ``Body`` so their rules can say "the near hip" or "the
other knee" instead of landmark numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from posecheck.pipeline.landmarks import Landmark
from posecheck.pipeline.pose import Pose
from posecheck.rules.geometry import (
    angle_at_deg,
    distance,
    midpoint,
    resting_plane,
    world_elevation_deg,
    world_incline_deg,
)
from posecheck.rules.view import chain_unseen, side_chain


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


# The joints that rest on the mat in these exercises, somewhere between the rest and the
# target position (prone: hands, hips, knees, feet; kneeling: hands, elbows, knees, feet;
# on the back: shoulders, hips, a foot), as (left, right) pairs.
FLOOR_CONTACT_PAIRS: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_ELBOW, Landmark.RIGHT_ELBOW),
    (Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
    (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL),
    (Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX),
)
# A joint resting on a mat has its centre 3-8 cm above it (wrist, knee, ankle), and the
# model's world points wander by a few centimetres more.
FLOOR_CONTACT_TOLERANCE_M = 0.05
# Hands to feet or shoulders to feet, lying or on hands and knees: 0.8 m or more. A trunk
# alone (shoulders to hips, the legs lifted) or two feet standing span less: too small a
# patch of floor to read a slant from.
SHORTEST_FLOOR_SPAN_M = 0.8

_FLOOR_CONTACTS = np.array(FLOOR_CONTACT_PAIRS)

_SIDE_JOINTS = ("SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE", "EAR")


@dataclass(frozen=True, slots=True)
class Limbs:
    """Picture coordinates (pixels) of one side's joints."""

    side: Side
    shoulder: np.ndarray
    elbow: np.ndarray
    wrist: np.ndarray
    hip: np.ndarray
    knee: np.ndarray
    ankle: np.ndarray
    ear: np.ndarray
    depth: float

    @staticmethod
    def of(pose: Pose, side: Side) -> Limbs:
        prefix = side.value.upper() + "_"
        index = {name: Landmark[prefix + name] for name in _SIDE_JOINTS}
        xy = pose.image_xy
        leg_and_trunk = [index[name] for name in ("SHOULDER", "HIP", "KNEE", "ANKLE")]
        return Limbs(
            side=side,
            shoulder=xy[index["SHOULDER"]],
            elbow=xy[index["ELBOW"]],
            wrist=xy[index["WRIST"]],
            hip=xy[index["HIP"]],
            knee=xy[index["KNEE"]],
            ankle=xy[index["ANKLE"]],
            ear=xy[index["EAR"]],
            depth=float(np.mean(pose.image_z[leg_and_trunk])),
        )


@dataclass(frozen=True, slots=True)
class Body:
    pose: Pose
    left: Limbs
    right: Limbs
    _found: dict[str, np.ndarray | None] = field(default_factory=dict, compare=False, repr=False)
    """What was measured once on this body and is asked for again (the floor it rests on:
    several levels read it each frame)."""

    @staticmethod
    def of(pose: Pose) -> Body:
        return Body(pose=pose, left=Limbs.of(pose, Side.LEFT), right=Limbs.of(pose, Side.RIGHT))

    @property
    def near(self) -> Limbs:
        """The side facing the camera: its joints are seen, the far side's are guessed.

        Visibility saturates near 1.0 on both sides, so the model's depth decides.
        """
        return self.left if self.left.depth <= self.right.depth else self.right

    def limbs(self, side: Side) -> Limbs:
        return self.left if side is Side.LEFT else self.right

    @property
    def nose(self) -> np.ndarray:
        return self.pose.image_xy[Landmark.NOSE]

    @property
    def shoulders(self) -> np.ndarray:
        return midpoint(self.left.shoulder, self.right.shoulder)

    @property
    def hips(self) -> np.ndarray:
        return midpoint(self.left.hip, self.right.hip)

    @property
    def ears(self) -> np.ndarray:
        return midpoint(self.left.ear, self.right.ear)

    @property
    def torso_length(self) -> float:
        """Shoulder-to-hip length of the near side in pixels: the body's yardstick."""
        near = self.near
        return max(distance(near.shoulder, near.hip), 1.0)

    def sides_showing(self, *joints: str) -> tuple[Side, ...]:
        """The sides whose chain of ``joints`` ("SHOULDER", "HIP", "KNEE") the camera sees
        (see ``posecheck.rules.view``): a reading of the other side would be the model's guess."""
        return tuple(side for side in Side if chain_unseen(self.pose, side_chain(side.value, joints)) is None)

    def world_mid(self, left: Landmark, right: Landmark) -> np.ndarray:
        """Mid-point of a left/right landmark pair in world coordinates (metres)."""
        world = self.pose.world_xyz
        return (world[left] + world[right]) / 2.0

    @property
    def body_axis_depth(self) -> float:
        """How much the hip-to-ankle axis points into the camera (0 across the picture,
        1 straight at the camera), from the world landmarks."""
        hips = self.world_mid(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
        ankles = self.world_mid(Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE)
        axis = ankles - hips
        length = float(np.linalg.norm(axis))
        return abs(float(axis[2])) / length if length > 0 else 1.0

    @property
    def lies_across_picture(self) -> bool:
        """True when the body lies across the picture, so angles drawn in the picture are
        true angles (within 30 degrees of the picture plane)."""
        return self.body_axis_depth < 0.5

    @property
    def camera_at_its_side(self) -> bool:
        """True when the camera looks at the body's side: the shoulder line points into
        the camera (within about 50 degrees), whatever the posture."""
        world = self.pose.world_xyz
        axis = world[Landmark.RIGHT_SHOULDER] - world[Landmark.LEFT_SHOULDER]
        length = float(np.linalg.norm(axis))
        return length > 0 and abs(float(axis[2])) / length >= 0.64

    @property
    def resting_floor_normal(self) -> np.ndarray | None:
        """Unit normal, in the camera's axes, of the floor the body rests on (None when no
        floor shows: standing, or a body too short a patch to measure)."""
        if "floor" not in self._found:
            world = self.pose.world_xyz
            normal = resting_plane(
                world, world[_FLOOR_CONTACTS], FLOOR_CONTACT_TOLERANCE_M, SHORTEST_FLOOR_SPAN_M
            )
            if normal is not None:
                normal.setflags(write=False)
            self._found["floor"] = normal
        return self._found["floor"]

    @property
    def up(self) -> np.ndarray:
        """The unit vector up from the floor, in the camera's axes: the normal of the floor
        the body rests on, else the camera's own up (a level camera)."""
        normal = self.resting_floor_normal
        return normal if normal is not None else np.array([0.0, -1.0, 0.0])

    @property
    def world_torso_length(self) -> float:
        """Shoulders to hips in metres, from the world landmarks: the yardstick in 3D."""
        shoulders = self.world_mid(Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)
        return float(np.linalg.norm(shoulders - self.world_mid(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)))

    @property
    def world_trunk(self) -> np.ndarray:
        """Hips to shoulders in metres (mid-points), from the world landmarks."""
        shoulders = self.world_mid(Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)
        return shoulders - self.world_mid(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)

    @property
    def trunk_incline_deg(self) -> float:
        """How far the trunk (hips to shoulders, 3D) rises from the floor, in degrees: near 0
        lying or on hands and knees, near 90 kneeling or sitting upright (see ``incline_deg``)."""
        hips = self.world_mid(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
        return self.incline_deg(hips, self.world_mid(Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER))

    @property
    def chest_up(self) -> float:
        """Vertical part of the unit vector out of the chest (3D landmarks, level camera): +1
        lying on the back, -1 lying face down, 0 upright or on one side. The shoulder line
        (right to left) crossed with the trunk points where the chest faces."""
        world = self.pose.world_xyz
        shoulder_line = world[Landmark.LEFT_SHOULDER] - world[Landmark.RIGHT_SHOULDER]
        chest = np.cross(shoulder_line, self.world_trunk)
        length = float(np.linalg.norm(chest))
        return -float(chest[1]) / length if length > 0 else math.nan

    def hip_flexion_deg(self, side: Side) -> float:
        """Trunk to thigh at one hip, 3D: about 180 standing or lying straight, 90 sitting,
        under 70 with the knee pulled to the chest."""
        world, prefix = self.pose.world_xyz, side.value.upper() + "_"
        return angle_at_deg(
            world[Landmark[prefix + "SHOULDER"]],
            world[Landmark[prefix + "HIP"]],
            world[Landmark[prefix + "KNEE"]],
        )

    def knee_angle_deg(self, side: Side) -> float:
        """Thigh to shin at one knee, 3D: 180 straight, about 40 sitting on the heels."""
        world, prefix = self.pose.world_xyz, side.value.upper() + "_"
        return angle_at_deg(
            world[Landmark[prefix + "HIP"]],
            world[Landmark[prefix + "KNEE"]],
            world[Landmark[prefix + "ANKLE"]],
        )

    def incline_deg(self, start: np.ndarray, end: np.ndarray) -> float:
        """How far a world segment rises from the floor, in degrees, whatever the camera's
        pitch: the smaller of its incline to the camera's level (true for a level camera)
        and to the floor the body rests on (true for a camera looking down or up at it, as
        far as the model's depths hold). A camera pitched 30 degrees down tilts the first by
        30 degrees, as much as the rules' limits on lying and kneeling."""
        level = abs(world_incline_deg(start, end))
        normal = self.resting_floor_normal
        if normal is None:
            return level
        return min(level, abs(world_elevation_deg(np.asarray(end) - np.asarray(start), normal)))
