"""Single knee to chest (lumbar flexion), side view.

Cues: lie on your back, both knees bent with the feet on the floor; bring one knee towards
your chest and hold it 15-30 s; alternate legs, 2-4 times each; when comfortable, both
knees at once (the hold's side is then "both", and the other leg's checks do not apply).
The start is any lying position with no knee pulled in: feet down, or raised.

Angles are measured on the 3D (world) landmarks, so a camera a little off the side still
reads true; "which leg" is the one whose hip is folded more.
"""

from __future__ import annotations

import math

import numpy as np

from posecheck.pipeline.landmarks import Landmark as L
from posecheck.rules.body import Body, Side
from posecheck.rules.events import Phase
from posecheck.rules.vocabulary import (
    CameraView,
    Check,
    Exercise,
    Facing,
    HoldTarget,
    Measurement,
    at_least,
    at_most,
)

KNEE_IN_DEG = 70.0
"""A hip folded to 70 degrees or less brings the knee to the chest. Knees bent with the
feet on the floor measure 120-140; a supine twist or a straight-leg raise about 85-90."""


def _pulled_side(body: Body) -> Side:
    left, right = body.hip_flexion_deg(Side.LEFT), body.hip_flexion_deg(Side.RIGHT)
    return Side.LEFT if left <= right else Side.RIGHT


def _knee_to_chest_deg(body: Body) -> float:
    """Hip angle of the leg pulled in (trunk to thigh): the smaller the closer the knee."""
    return body.hip_flexion_deg(_pulled_side(body))


def _pulled_knee_deg(body: Body) -> float:
    return body.knee_angle_deg(_pulled_side(body))


def _other_leg(body: Body) -> Side | None:
    """The leg that stays down, or None when both knees are pulled in."""
    other = _pulled_side(body).other
    return None if body.hip_flexion_deg(other) <= KNEE_IN_DEG else other


def _other_knee_deg(body: Body) -> float:
    other = _other_leg(body)
    return math.nan if other is None else body.knee_angle_deg(other)


def _other_foot_height(body: Body) -> float:
    """Height of the other ankle above its hip, in torso lengths (3D, level camera)."""
    other = _other_leg(body)
    if other is None:
        return math.nan
    world = body.pose.world_xyz
    prefix = other.value.upper() + "_"
    torso = float(np.linalg.norm(world[L[prefix + "SHOULDER"]] - world[L[prefix + "HIP"]]))
    lift = float(world[L[prefix + "HIP"]][1] - world[L[prefix + "ANKLE"]][1])
    return lift / torso if torso > 0 else math.nan


def _trunk_incline_deg(body: Body) -> float:
    shoulders = body.world_mid(L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    return body.incline_deg(body.world_mid(L.LEFT_HIP, L.RIGHT_HIP), shoulders)


def _face_up(body: Body) -> float:
    """Nose height above the ears in torso lengths: positive lying on the back, negative
    or near zero face down."""
    return float(body.ears[1] - body.nose[1]) / body.torso_length


def _both_feet_down_deg(body: Body) -> float:
    return min(body.hip_flexion_deg(Side.LEFT), body.hip_flexion_deg(Side.RIGHT))


def one_knee_in(body: Body) -> bool:
    """One knee pulled in, the other leg down: only then is there another leg to judge."""
    return side_of(body) in (Side.LEFT.value, Side.RIGHT.value)


FEET_RAISED_DEG = 105.0
"""Both hips flexed to 105 degrees or less at the start: the thighs stand near upright with
the feet off the floor (about 90), where with the feet down they lean to 120-140."""


def start_variant(body: Body) -> str:
    """How the start position was taken: feet on the floor, as the instructions say, or
    raised (both knees bent over the hips)."""
    highest = max(body.hip_flexion_deg(Side.LEFT), body.hip_flexion_deg(Side.RIGHT))
    return "feet raised" if highest <= FEET_RAISED_DEG else "feet down"


def side_of(body: Body) -> str | None:
    left, right = body.hip_flexion_deg(Side.LEFT), body.hip_flexion_deg(Side.RIGHT)
    if left <= KNEE_IN_DEG and right <= KNEE_IN_DEG:
        return "both"
    if min(left, right) <= KNEE_IN_DEG:
        return _pulled_side(body).value
    return None


knee_to_chest = Measurement("knee_to_chest", "deg", _knee_to_chest_deg)
pulled_knee = Measurement("pulled_knee_angle", "deg", _pulled_knee_deg)
other_knee = Measurement("other_knee_angle", "deg", _other_knee_deg)
other_foot_height = Measurement("other_foot_height", "torso lengths", _other_foot_height)
trunk_incline = Measurement("trunk_incline", "deg", _trunk_incline_deg)
face_up = Measurement("face_up", "torso lengths", _face_up)
feet_down = Measurement("smaller_hip_angle", "deg", _both_feet_down_deg)


EXERCISE = Exercise(
    name="knee_to_chest",
    title="Single knee to chest",
    instructions=(
        "Lie on your back.",
        "Bend both knees with your feet resting on the floor.",
        "Bring one knee towards your chest.",
        "Hold it for 15 to 30 seconds.",
        "Alternate legs, 2 to 4 times each; when comfortable, both knees at once.",
    ),
    view=CameraView.SIDE,
    facing=Facing.UP,
    position=(
        at_most(trunk_incline, enter=30.0, exit=40.0),
        at_least(face_up, enter=0.04, exit=0.0),
    ),
    start=(at_least(feet_down, enter=KNEE_IN_DEG + 15.0, exit=KNEE_IN_DEG + 10.0),),
    target=(
        at_most(knee_to_chest, enter=KNEE_IN_DEG, exit=KNEE_IN_DEG + 10.0),
        at_most(pulled_knee, enter=110.0, exit=125.0),
    ),
    checks=(
        Check(
            kind="other_leg_straight",
            cue="Keep the other knee bent with its foot on the floor.",
            fault_when=at_least(other_knee, enter=140.0, exit=130.0),
            applies=one_knee_in,
        ),
        Check(
            kind="other_foot_off_floor",
            cue="Keep the other foot resting on the floor.",
            fault_when=at_least(other_foot_height, enter=0.35, exit=0.25),
            applies=one_knee_in,
        ),
    ),
    hold=HoldTarget(target_s=15.0, progression_s=30.0),
    reps_target=4,
    reps_are_per_side=True,
    side_of=side_of,
    start_variant_of=start_variant,
    phase_labels={
        Phase.AWAY: "get into position: lie on your back, knees bent",
        Phase.START: "lying on your back, feet down",
        Phase.MOVING_IN: "bringing the knee in",
        Phase.HOLD: "hold",
        Phase.MOVING_OUT: "lowering the leg",
    },
)
