"""Child's pose (prayer stretch), best filmed from the side.

Cues: from hands and knees, sit back until the buttocks rest on the heels; stretch the
arms forward across the mat to lengthen the spine; hold 10-30 s; 2-3 times.

Kneeling bodies are short and deep in the picture, so every angle here is measured on the
3D (world) landmarks, averaged over the sides the camera sees. Filmed head-on, the thighs and
heels lie hidden behind the trunk: the fold is then read from the head hanging below the
hips, and "buttocks on heels" is named as not checked.
"""

from __future__ import annotations

import math

import numpy as np

from posecheck.pipeline.landmarks import Landmark as L
from posecheck.rules.body import Body, Side
from posecheck.rules.events import Phase
from posecheck.rules.view import on_each_of, on_either_side
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

THIGHS = ("SHOULDER", "HIP", "KNEE")
LEGS = ("HIP", "KNEE", "ANKLE")
SHINS = ("KNEE", "ANKLE")


def _seen_or_both(body: Body, joints: tuple[str, ...]) -> tuple[Side, ...]:
    """The sides the camera sees these joints on; both where it sees neither (the guess is
    kept to say what came nearest, and decides nothing)."""
    return body.sides_showing(*joints) or (Side.LEFT, Side.RIGHT)


def _hip_fold_deg(body: Body) -> float:
    """Angle between trunk and thighs: about 115 kneeling upright, 90 on hands and knees, 35
    folded over the thighs."""
    sides = _seen_or_both(body, THIGHS)
    return sum(body.hip_flexion_deg(side) for side in sides) / len(sides)


def _knee_bend_deg(body: Body) -> float:
    """Knee angle: about 90 on hands and knees, 30-45 with the buttocks on the heels."""
    sides = _seen_or_both(body, LEGS)
    return sum(body.knee_angle_deg(side) for side in sides) / len(sides)


def _shins_incline_deg(body: Body) -> float:
    sides = _seen_or_both(body, SHINS)
    world = body.pose.world_xyz
    knees = np.mean([world[L[f"{side.value.upper()}_KNEE"]] for side in sides], axis=0)
    ankles = np.mean([world[L[f"{side.value.upper()}_ANKLE"]] for side in sides], axis=0)
    return body.incline_deg(ankles, knees)


def _head_above_hips(body: Body) -> float:
    """Height of the head (the ears) above the hips, off the floor, in torso lengths: in the
    pose the trunk rests folded over the thighs and the head hangs below the hips (-0.2 to
    -0.4 in the corpus); with the chest still lifted on straight arms it is level with them
    or above (+0.1), on hands and knees +0.2 to +0.3, kneeling upright +1.3."""
    length = body.world_torso_length
    if length == 0.0:
        return math.nan
    ears = body.world_mid(L.LEFT_EAR, L.RIGHT_EAR)
    return float(np.dot(ears - body.world_mid(L.LEFT_HIP, L.RIGHT_HIP), body.up)) / length


def _head_folded_below_hips(body: Body) -> float:
    """The head's height above the hips (as ``head_above_hips``), only with the chest facing
    the floor: the fold read where the thighs cannot be seen. NaN face up or on one side."""
    return _head_above_hips(body) if body.chest_up <= FACING_FLOOR else math.nan


def _arms_reach(body: Body) -> float:
    """How far the hands reach beyond the shoulders along the spine, in torso lengths."""
    shoulders = body.world_mid(L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    trunk = body.world_trunk
    length = float(np.linalg.norm(trunk))
    if length == 0.0:
        return math.nan
    wrists = body.world_mid(L.LEFT_WRIST, L.RIGHT_WRIST)
    return float(np.dot(wrists - shoulders, trunk / length)) / length


FACING_FLOOR = -0.35
"""Chest facing the floor (``Facing.DOWN``): folded over the thighs it reads -0.87 to -1.0."""

HEAD_HANGING = -0.2
"""The head below the hips by a fifth of a torso length or more: folded over the thighs it
hangs 0.17-0.42 below them (the trunk slopes down from hips on heels to the head on the mat);
on hands and knees it is 0.2-0.3 above them, lying face down or in a plank about level. Where
the thighs are hidden this stands in for the fold, so it asks for a clear slope."""

SINKING_IN_DEG_PER_S = 3.0
"""The fold may still deepen slowly once held: the back lets go and the hips sink 2-3 degrees a
second for a second or two (41-44 degrees over 1.3 s in the outdoor clip), where sitting back
into the fold takes 15-40 degrees a second."""

ARMS_STRETCHED = 0.8
"""Hands this far beyond the shoulders along the spine (torso lengths) have the arms stretched
forward: a straight arm (about 1.15 torso lengths) within 45 degrees of the spine's line reaches
0.8 or more; held stretched in the corpus 0.84-0.99; elbows bent by the head 0.4-0.6. The hold
is dated from when they got there ("stretch your hands forward", then hold), where they do."""

FOLDED_DEG = 60.0
"""Trunk to thighs in the pose: folded over the thighs it reads 30-45 degrees, and up to 55 for
someone whose buttocks stay a little above the heels; the same man reads 41-56 seen from
either side of him. Halfway between hands and knees (90) and fully folded (30) leaves that
room; the head below the hips tells the pose from a chest still lifted on straight arms."""

KNEELING_UP_DEG = 45.0
"""The trunk raised at least halfway from level to upright: kneeling upright (sitting on the
heels or tall) it rises 70-88 degrees from the floor, on hands and knees 4-20 (seen from the
side or head-on). The trunk to thigh angle parts the two by a few degrees only (kneeling
106-130, hands and knees 90-102), the trunk's rise by fifty. Folding forward from kneeling,
the trunk passes below halfway in the last second before the fold, and reads as hands and
knees then."""

FROM_KNEELING = "from kneeling"
FROM_HANDS_AND_KNEES = "from hands and knees"


def start_variant(body: Body) -> str:
    """Where the pose was entered from: the instructions start on hands and knees; many
    start kneeling upright and fold forward."""
    return FROM_KNEELING if body.trunk_incline_deg >= KNEELING_UP_DEG else FROM_HANDS_AND_KNEES


HEAD_AND_HIPS = on_each_of("your head and hips", (L.LEFT_EAR, L.RIGHT_EAR), (L.LEFT_HIP, L.RIGHT_HIP))

hip_fold = Measurement("hip_fold", "deg", _hip_fold_deg, on_either_side("your thighs", *THIGHS))
knee_bend = Measurement("knee_bend", "deg", _knee_bend_deg, on_either_side("your knees and heels", *LEGS))
shins_incline = Measurement("shins_incline", "deg", _shins_incline_deg, on_either_side("your shins", *SHINS))
arms_reach = Measurement(
    "arms_reach",
    "torso lengths",
    _arms_reach,
    on_each_of("your hands", (L.LEFT_WRIST, L.RIGHT_WRIST), (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)),
)
head_above_hips = Measurement("head_above_hips", "torso lengths", _head_above_hips, HEAD_AND_HIPS)
head_folded_below_hips = Measurement(
    "head_above_hips_face_down", "torso lengths", _head_folded_below_hips, HEAD_AND_HIPS
)

SIT_BACK = "Sit back until your buttocks rest on your heels."


EXERCISE = Exercise(
    name="childs_pose",
    title="Child's pose (prayer stretch)",
    instructions=(
        "Start on your hands and knees.",
        "Sit back until your buttocks rest on your heels.",
        "Stretch your hands forward across the mat to lengthen your spine.",
        "Hold for 10 to 30 seconds. Repeat 2 to 3 times.",
    ),
    view=CameraView.SIDE,
    facing=Facing.DOWN,
    position=(
        at_most(shins_incline, enter=30.0, exit=40.0),
        at_most(knee_bend, enter=110.0, exit=120.0),
    ),
    start=(
        at_least(hip_fold, enter=70.0, exit=60.0, stand_in=at_least(head_above_hips, enter=0.15, exit=0.05)),
    ),
    target=(
        at_most(
            hip_fold,
            enter=FOLDED_DEG,
            exit=FOLDED_DEG + 10.0,
            stand_in=at_most(head_folded_below_hips, enter=HEAD_HANGING, exit=HEAD_HANGING + 0.1),
            cue=SIT_BACK,
        ),
        at_most(knee_bend, enter=75.0, exit=85.0, cue=SIT_BACK),
        at_most(head_above_hips, enter=0.0, exit=0.1),
    ),
    checks=(
        Check(
            kind="buttocks_off_heels",
            cue=SIT_BACK,
            fault_when=at_least(knee_bend, enter=65.0, exit=58.0),
        ),
        Check(
            kind="arms_not_stretched_forward",
            cue="Stretch your arms forward across the mat.",
            fault_when=at_most(arms_reach, enter=0.4, exit=0.55),
        ),
    ),
    settle=Settle(deepening_per_s=SINKING_IN_DEG_PER_S),
    completed_by=(at_least(arms_reach, enter=ARMS_STRETCHED, exit=ARMS_STRETCHED - 0.1),),
    hold=HoldTarget(target_s=10.0, progression_s=30.0),
    reps_target=3,
    start_variant_of=start_variant,
    start_labels={FROM_KNEELING: "kneeling upright", FROM_HANDS_AND_KNEES: "on hands and knees"},
    phase_labels={
        Phase.AWAY: "get into position: on your hands and knees",
        Phase.START: "on hands and knees",
        Phase.MOVING_IN: "sitting back",
        Phase.HOLD: "hold",
        Phase.MOVING_OUT: "coming up",
    },
)
