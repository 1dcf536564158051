"""Both knees to chest (the progression of single knee to chest), as an exercise of its own.

Cues: lie on your back, knees bent and feet on the floor; bring both knees to your chest
and hold them 15-30 s; 2-4 times. This file is all it takes: ``tests/rules/test_fourth_exercise.py``
adds it to a copy of the project's ``exercises/``, installs it, and shows it listed, analysed,
recognised and timed live.
"""

from __future__ import annotations

from posecheck.pipeline.landmarks import Landmark
from posecheck.rules.body import Body, Side
from posecheck.rules.events import Phase
from posecheck.rules.vocabulary import (
    CameraView,
    Exercise,
    Facing,
    HoldTarget,
    Measurement,
    at_least,
    at_most,
)


def _less_folded_hip_deg(body: Body) -> float:
    """The hip angle of the leg brought in less: both knees are in when it is small too."""
    return max(body.hip_flexion_deg(Side.LEFT), body.hip_flexion_deg(Side.RIGHT))


def _more_folded_hip_deg(body: Body) -> float:
    return min(body.hip_flexion_deg(Side.LEFT), body.hip_flexion_deg(Side.RIGHT))


def _trunk_incline_deg(body: Body) -> float:
    hips = body.world_mid(Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    return body.incline_deg(hips, body.world_mid(Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER))


both_knees_in = Measurement("both_knees_in", "deg", _less_folded_hip_deg)
no_knee_in = Measurement("no_knee_in", "deg", _more_folded_hip_deg)
trunk_incline = Measurement("trunk_incline", "deg", _trunk_incline_deg)

EXERCISE = Exercise(
    name="both_knees_to_chest",
    title="Both knees to chest",
    instructions=(
        "Lie on your back, knees bent, feet on the floor.",
        "Bring both knees to your chest and hold them for 15 to 30 seconds.",
        "Repeat 2 to 4 times.",
    ),
    view=CameraView.SIDE,
    facing=Facing.UP,
    position=(at_most(trunk_incline, enter=30.0, exit=40.0),),
    start=(at_least(no_knee_in, enter=85.0, exit=80.0),),
    target=(at_most(both_knees_in, enter=70.0, exit=80.0),),
    checks=(),
    hold=HoldTarget(target_s=15.0, progression_s=30.0),
    reps_target=4,
    phase_labels={Phase.START: "lying on your back, feet down", Phase.HOLD: "hold"},
)
