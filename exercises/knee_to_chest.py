"""Single knee to chest (lumbar flexion), side view.

Cues: lie on your back, both knees bent with the feet on the floor; bring one knee towards
your chest and hold it 15-30 s; alternate legs, 2-4 times each; when comfortable, both
knees at once (the hold's side is then "both", and the other leg's checks do not apply).
The start is any lying position with no knee pulled in: feet down, raised, or with the legs
straight, and its phase is named after the one seen.

Angles are measured on the 3D (world) landmarks, so a camera a little off the side still
reads true; "which leg" is the one whose hip is folded more.
"""

from __future__ import annotations

import math

import numpy as np

from posecheck.pipeline.landmarks import Landmark as L
from posecheck.rules.body import Body, Side
from posecheck.rules.events import Phase
from posecheck.rules.geometry import world_elevation_deg
from posecheck.rules.view import on_either_side
from posecheck.rules.vocabulary import (
    CameraView,
    Check,
    Exercise,
    Facing,
    HoldTarget,
    Measurement,
    Settle,
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


def _pulled_shin_rise_deg(body: Body) -> float:
    """How far the pulled leg's shin rises from its knee to its ankle above the floor: a
    hugged knee's shin hangs level or lower (-5 to 25 degrees; the knee angle less the hip's),
    where feet held up to the ceiling (happy baby) stand the shin upright (60-80)."""
    prefix = _pulled_side(body).value.upper() + "_"
    world = body.pose.world_xyz
    return world_elevation_deg(world[L[prefix + "ANKLE"]] - world[L[prefix + "KNEE"]], body.up)


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
    return body.trunk_incline_deg


def _face_up(body: Body) -> float:
    """Nose height above the ears in torso lengths: positive lying on the back, negative
    or near zero face down."""
    return float(body.ears[1] - body.nose[1]) / body.torso_length


def _both_feet_down_deg(body: Body) -> float:
    return min(body.hip_flexion_deg(Side.LEFT), body.hip_flexion_deg(Side.RIGHT))


def one_knee_in(body: Body) -> bool:
    """One knee pulled in, the other leg down: only then is there another leg to judge."""
    return side_of(body) in (Side.LEFT.value, Side.RIGHT.value)


OTHER_FOOT_IN_THE_AIR = 0.5
"""The other foot half a torso length or more above its hip is held up in the air, not resting
on the floor: with the knee bent and the foot down it is level with the hip or below (-0.15 to
0.05), lifted a little it is the fault "Keep the other foot resting on the floor" (from 0.35);
with its thigh upright (a figure-four stretch, the ankle crossed over the pulled knee: 0.7-1.3)
the position is another exercise. Both knees hugged have no other foot (NaN: not judged)."""

HUG_DEEPENING_DEG_PER_S = 15.0
""""Hold that knee" is not "keep it frozen": a knee hugged and drawn a little further in moves
its hip angle 9-11 degrees a second (17 degrees over 2 s), where pulling it in from the floor
takes 50-80 degrees a second. A hold may deepen at up to 15 (see ``Settle.deepening_per_s``)."""

SHIN_UPRIGHT_DEG = 45.0
"""A shin rising more than half-way to upright holds the foot up, not a hugged knee: hugged
knees read -5 to 25 degrees (the knee angle less the hip's: 70 - 48), feet held up to the
ceiling by the soles 60-80."""

FEET_RAISED_DEG = 105.0
"""Both hips flexed to 105 degrees or less at the start: the thighs stand near upright with
the feet off the floor (about 90), where with the feet down they lean to 120-140."""


LEGS_STRAIGHT_DEG = 150.0
"""Both knees opened to 150 degrees or more: the legs lie straight (or are lifted straight),
not bent with the feet on the floor. With the foot flat near the level of the hip, thigh and
shin (about equal in length) slope up to the knee and down from it equally, so the knee
angle is 180 less twice the thigh's rise: knees bent with the feet down read 50-105 (thighs
about 40-65 degrees up). At 150 the thigh rises 15 degrees and the knee stands a quarter of a
thigh (a hand's breadth) off the floor: the foot has slid out and the leg lies nearly flat.
Straight legs read 155-180, lying or lifted (the model seldom reads a straight knee 180)."""

FEET_DOWN = "feet down"
FEET_RAISED = "feet raised"
LEGS_STRAIGHT = "legs straight"


def start_variant(body: Body) -> str:
    """How the start position was taken: knees bent with the feet on the floor, as the
    instructions say; raised (both knees bent over the hips); or with both legs straight."""
    more_bent_knee = min(body.knee_angle_deg(Side.LEFT), body.knee_angle_deg(Side.RIGHT))
    if more_bent_knee >= LEGS_STRAIGHT_DEG:
        return LEGS_STRAIGHT
    highest = max(body.hip_flexion_deg(Side.LEFT), body.hip_flexion_deg(Side.RIGHT))
    return FEET_RAISED if highest <= FEET_RAISED_DEG else FEET_DOWN


def side_of(body: Body) -> str | None:
    left, right = body.hip_flexion_deg(Side.LEFT), body.hip_flexion_deg(Side.RIGHT)
    if left <= KNEE_IN_DEG and right <= KNEE_IN_DEG:
        return "both"
    if min(left, right) <= KNEE_IN_DEG:
        return _pulled_side(body).value
    return None


knee_to_chest = Measurement(
    "knee_to_chest",
    "deg",
    _knee_to_chest_deg,
    on_either_side("your hips and thighs", "SHOULDER", "HIP", "KNEE"),
)
pulled_knee = Measurement(
    "pulled_knee_angle", "deg", _pulled_knee_deg, on_either_side("your knees", "HIP", "KNEE", "ANKLE")
)
pulled_shin_rise = Measurement(
    "pulled_shin_rise", "deg", _pulled_shin_rise_deg, on_either_side("your shins", "KNEE", "ANKLE")
)
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
        at_most(pulled_shin_rise, enter=SHIN_UPRIGHT_DEG, exit=SHIN_UPRIGHT_DEG + 10.0),
        at_most(other_foot_height, enter=OTHER_FOOT_IN_THE_AIR, exit=OTHER_FOOT_IN_THE_AIR + 0.1),
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
    settle=Settle(deepening_per_s=HUG_DEEPENING_DEG_PER_S),
    reps_target=4,
    reps_are_per_side=True,
    side_of=side_of,
    start_variant_of=start_variant,
    start_labels={
        FEET_DOWN: "lying on your back, feet down",
        FEET_RAISED: "lying on your back, feet raised",
        LEGS_STRAIGHT: "lying on your back, legs straight",
    },
    phase_labels={
        Phase.AWAY: "get into position: lie on your back, knees bent",
        Phase.START: "lying on your back, feet down",
        Phase.MOVING_IN: "bringing the knee in",
        Phase.HOLD: "hold",
        Phase.MOVING_OUT: "lowering the leg",
    },
)
