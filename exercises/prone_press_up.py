"""Prone press-up (lumbar extension), best filmed from the side.

Cues: lie on your stomach, elbows bent underneath, palms flat on the mat; hips and pelvis
stay on the mat; lift the upper torso with the arms, back relaxed; hold 10 s (up to 30 s);
lower slowly; 10 times.

Measured in the picture of a side-on camera, in torso lengths (shoulder to hip) and degrees;
the trunk's lift from the 3D landmarks in other views. The hips' height and the elbows' place
need the side view: elsewhere they are named as not checked.
"""

from __future__ import annotations

import math

import numpy as np

from posecheck.pipeline.landmarks import Landmark
from posecheck.rules import geometry
from posecheck.rules.body import Body
from posecheck.rules.events import Phase
from posecheck.rules.view import all_of, on_each_of, on_either_side, side_on
from posecheck.rules.vocabulary import (
    CameraView,
    Check,
    Exercise,
    Facing,
    HoldTarget,
    Measurement,
    SlowRelease,
    at_least,
    at_most,
)


def _picture_floor(body: Body) -> np.ndarray:
    """The mat in the picture: the line through the near hand, knee and foot, which all
    rest on it in this exercise (a camera looking down at an angle tilts it)."""
    near = body.near
    return geometry.floor_direction(np.array([near.wrist, near.knee, near.ankle]))


def _world_floor_normal(body: Body) -> np.ndarray:
    """The mat in 3D: the plane of the legs and the hip axis, which lie on it."""
    hips = body.world_mid(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    ankles = body.world_mid(Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE)
    hip_axis = body.pose.world_xyz[Landmark.RIGHT_HIP] - body.pose.world_xyz[Landmark.LEFT_HIP]
    return geometry.world_floor_normal(ankles - hips, hip_axis)


def _trunk_lift_deg(body: Body) -> float:
    """Angle of the hip-to-shoulder line above the mat: in the picture when the camera
    is side-on (most exact), else from the 3D landmarks (true in any view)."""
    if body.lies_across_picture:
        near = body.near
        return geometry.incline_deg(near.hip, near.shoulder, _picture_floor(body))
    return geometry.world_elevation_deg(body.world_trunk, _world_floor_normal(body))


def _legs_incline_deg(body: Body) -> float:
    hips = body.world_mid(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    ankles = body.world_mid(Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE)
    return body.incline_deg(ankles, hips)


def _hip_height(body: Body) -> float:
    """Height of the hip joint above the mat in torso lengths (side-on camera only)."""
    if not body.lies_across_picture:
        return math.nan
    near = body.near
    return geometry.height_above(near.hip, near.ankle, _picture_floor(body)) / body.torso_length


def _hands_ahead_of_hips(body: Body) -> float:
    """How far the hands are towards the head from the hips, along the mat, in torso
    lengths: the arms push from in front (not from beside the hips or from the ankles)."""
    normal = _world_floor_normal(body)
    trunk = body.world_trunk
    forward = trunk - np.dot(trunk, normal) * normal
    length = float(np.linalg.norm(trunk))
    forward_length = float(np.linalg.norm(forward))
    if length == 0.0 or forward_length == 0.0:
        return math.nan
    wrists = body.world_mid(Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST)
    hips = body.world_mid(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    return float(np.dot(wrists - hips, forward / forward_length)) / length


def _elbow_offset(body: Body) -> float:
    """Distance along the mat between elbow and shoulder, in torso lengths (side-on only)."""
    if not body.lies_across_picture:
        return math.nan
    near = body.near
    along_floor = float(np.dot(near.elbow - near.shoulder, _picture_floor(body)))
    return abs(along_floor) / body.torso_length


trunk_lift = Measurement(
    "trunk_lift", "deg", _trunk_lift_deg, on_either_side("your shoulders and hips", "HIP", "SHOULDER")
)
legs_incline = Measurement(
    "legs_incline", "deg", _legs_incline_deg, on_either_side("your legs", "HIP", "ANKLE")
)
hip_height = Measurement(
    "hip_height",
    "torso lengths",
    _hip_height,
    all_of(side_on("your hips"), on_either_side("your hips and legs", "HIP", "KNEE", "ANKLE")),
)
hands_ahead_of_hips = Measurement(
    "hands_ahead_of_hips",
    "torso lengths",
    _hands_ahead_of_hips,
    on_each_of("your hands", (Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST)),
)
elbow_offset = Measurement(
    "elbow_offset_from_shoulder",
    "torso lengths",
    _elbow_offset,
    all_of(side_on("your elbows"), on_either_side("your arms", "SHOULDER", "ELBOW")),
)


EXERCISE = Exercise(
    name="prone_press_up",
    title="Prone press-up",
    instructions=(
        "Lie on your stomach on a mat.",
        "Bend your elbows underneath you, palms flat on the mat.",
        "Keep your hips and pelvis on the mat.",
        "Lift your upper torso with your arms, back relaxed, as high as is comfortable.",
        "Hold for 10 seconds (up to 30 when you can), then lower slowly. 10 times.",
    ),
    view=CameraView.SIDE,
    facing=Facing.DOWN,
    position=(
        at_most(legs_incline, enter=30.0, exit=38.0),
        at_least(hands_ahead_of_hips, enter=0.3, exit=0.15),
        at_most(hip_height, enter=0.6, exit=0.7),
    ),
    start=(at_most(trunk_lift, enter=15.0, exit=20.0),),
    target=(at_least(trunk_lift, enter=22.0, exit=17.0),),
    checks=(
        Check(
            kind="hips_lifted",
            cue="Keep your hips and pelvis on the mat.",
            fault_when=at_least(hip_height, enter=0.4, exit=0.32),
        ),
        Check(
            kind="elbows_not_under_shoulders",
            cue="Bend your elbows underneath your shoulders.",
            fault_when=at_least(elbow_offset, enter=0.6, exit=0.45),
            during=Phase.START,
            pauses_hold=False,
        ),
    ),
    slow_release=SlowRelease(kind="lowered_too_fast", cue="Lower down slowly.", minimum_s=0.5),
    hold=HoldTarget(target_s=10.0, progression_s=30.0),
    reps_target=10,
    phase_labels={
        Phase.AWAY: "get into position: lie face down",
        Phase.START: "lying face down",
        Phase.MOVING_IN: "lifting",
        Phase.HOLD: "hold",
        Phase.MOVING_OUT: "lowering",
    },
)
