"""Child's pose (prayer stretch), side view.

Cues: from hands and knees, sit back until the buttocks rest on the heels; stretch the
arms forward across the mat to lengthen the spine; hold 10-30 s; 2-3 times.

Kneeling bodies are short and deep in the picture, so every angle here is measured on the
3D (world) landmarks, which hold in any camera view; both sides are averaged.
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


def _hip_fold_deg(body: Body) -> float:
    """Angle between trunk and thighs, both sides averaged: about 115 kneeling upright, 90 on
    hands and knees, 35 folded over the thighs."""
    return (body.hip_flexion_deg(Side.LEFT) + body.hip_flexion_deg(Side.RIGHT)) / 2.0


def _knee_bend_deg(body: Body) -> float:
    """Knee angle, both sides averaged: about 90 on hands and knees, 30-45 with the buttocks
    on the heels."""
    return (body.knee_angle_deg(Side.LEFT) + body.knee_angle_deg(Side.RIGHT)) / 2.0


def _shins_incline_deg(body: Body) -> float:
    knees = body.world_mid(L.LEFT_KNEE, L.RIGHT_KNEE)
    ankles = body.world_mid(L.LEFT_ANKLE, L.RIGHT_ANKLE)
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


def _arms_reach(body: Body) -> float:
    """How far the hands reach beyond the shoulders along the spine, in torso lengths."""
    shoulders = body.world_mid(L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    trunk = body.world_trunk
    length = float(np.linalg.norm(trunk))
    if length == 0.0:
        return math.nan
    wrists = body.world_mid(L.LEFT_WRIST, L.RIGHT_WRIST)
    return float(np.dot(wrists - shoulders, trunk / length)) / length


FOLDED_DEG = 60.0
"""Trunk to thighs in the pose: folded over the thighs it reads 30-45 degrees, and up to 55 for
someone whose buttocks stay a little above the heels; the same man reads 41-56 seen from
either side of him. Halfway between hands and knees (90) and fully folded (30) leaves that
room; the head below the hips tells the pose from a chest still lifted on straight arms."""

KNEELING_UP_DEG = 105.0
"""Trunk to thighs at the start: kneeling upright opens it to 110-130 degrees, on hands and
knees it is near a right angle (90-100)."""


def start_variant(body: Body) -> str:
    """Where the pose was entered from: the instructions start on hands and knees; many
    start kneeling upright and fold forward."""
    return "from kneeling" if _hip_fold_deg(body) >= KNEELING_UP_DEG else "from hands and knees"


hip_fold = Measurement("hip_fold", "deg", _hip_fold_deg)
knee_bend = Measurement("knee_bend", "deg", _knee_bend_deg)
shins_incline = Measurement("shins_incline", "deg", _shins_incline_deg)
arms_reach = Measurement("arms_reach", "torso lengths", _arms_reach)
head_above_hips = Measurement("head_above_hips", "torso lengths", _head_above_hips)


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
    start=(at_least(hip_fold, enter=70.0, exit=60.0),),
    target=(
        at_most(hip_fold, enter=FOLDED_DEG, exit=FOLDED_DEG + 10.0),
        at_most(knee_bend, enter=75.0, exit=85.0),
        at_most(head_above_hips, enter=0.0, exit=0.1),
    ),
    checks=(
        Check(
            kind="buttocks_off_heels",
            cue="Sit back until your buttocks rest on your heels.",
            fault_when=at_least(knee_bend, enter=65.0, exit=58.0),
        ),
        Check(
            kind="arms_not_stretched_forward",
            cue="Stretch your arms forward across the mat.",
            fault_when=at_most(arms_reach, enter=0.4, exit=0.55),
        ),
    ),
    hold=HoldTarget(target_s=10.0, progression_s=30.0),
    reps_target=3,
    start_variant_of=start_variant,
    phase_labels={
        Phase.AWAY: "get into position: on your hands and knees",
        Phase.START: "on hands and knees",
        Phase.MOVING_IN: "sitting back",
        Phase.HOLD: "hold",
        Phase.MOVING_OUT: "coming up",
    },
)
