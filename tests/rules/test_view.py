"""What the view lets a reading judge (``posecheck.rules.view``), on generated bodies whose
visibility, place in the picture and depth are set exactly, and how the levels and the rule
engine treat a reading the view cannot judge."""

from __future__ import annotations

import numpy as np

from posecheck.pipeline.landmarks import Landmark
from posecheck.pipeline.pose import Pose
from posecheck.rules.body import Body, Side
from posecheck.rules.levels import Condition
from posecheck.rules.registry import exercise_named
from posecheck.rules.view import (
    Unjudged,
    Unseen,
    chain_unseen,
    joint_unseen,
    on_each_of,
    on_either_side,
    side_on,
    towards_camera,
)
from posecheck.rules.vocabulary import Measurement, at_most
from tests.figures import prone

LEFT_LEG = (Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE)


def _changed(pose: Pose, *, visibility: dict[Landmark, float] | None = None, xy=None, world=None) -> Pose:
    seen = pose.visibility.copy()
    for landmark, value in (visibility or {}).items():
        seen[landmark] = value
    return Pose.from_arrays(
        pose.timestamp_s,
        pose.image_xy if xy is None else xy,
        pose.image_z,
        pose.world_xyz if world is None else world,
        seen,
        pose.presence,
        pose.image_size,
    )


def test_a_joint_the_model_barely_sees_is_hidden() -> None:
    pose = _changed(prone(0.0, 30.0), visibility={Landmark.LEFT_KNEE: 0.2})
    assert joint_unseen(pose, Landmark.LEFT_KNEE) is Unseen.HIDDEN
    assert joint_unseen(pose, Landmark.RIGHT_KNEE) is None


def test_a_joint_beyond_the_picture_edge_is_out_of_the_picture() -> None:
    pose = prone(0.0, 30.0)
    xy = pose.image_xy.copy()
    xy[Landmark.LEFT_ANKLE] = (-100.0, xy[Landmark.LEFT_ANKLE][1])
    assert joint_unseen(_changed(pose, xy=xy), Landmark.LEFT_ANKLE) is Unseen.OUT_OF_PICTURE


def test_a_segment_more_in_depth_than_across_the_picture_points_at_the_camera() -> None:
    pose = prone(0.0, 30.0)
    world = pose.world_xyz.copy()
    hip = world[Landmark.LEFT_HIP]
    world[Landmark.LEFT_KNEE] = hip + np.array([0.2, 0.0, 0.3])  # 56 degrees into the picture
    turned = _changed(pose, world=world)
    assert towards_camera(turned, Landmark.LEFT_HIP, Landmark.LEFT_KNEE)
    assert chain_unseen(turned, LEFT_LEG) is Unseen.TOWARDS_CAMERA
    world[Landmark.LEFT_KNEE] = hip + np.array([0.3, 0.0, 0.2])  # 34 degrees: still judged
    assert not towards_camera(_changed(pose, world=world), Landmark.LEFT_HIP, Landmark.LEFT_KNEE)


def test_a_reading_of_both_sides_uses_the_side_seen_and_names_the_part_when_neither_is() -> None:
    need = on_either_side("your knees", "HIP", "KNEE", "ANKLE")
    one_hidden = _changed(prone(0.0, 30.0), visibility={Landmark.LEFT_KNEE: 0.1})
    assert need(Body.of(one_hidden)) is None
    assert Body.of(one_hidden).sides_showing("HIP", "KNEE", "ANKLE") == (Side.RIGHT,)
    both_hidden = _changed(one_hidden, visibility={Landmark.RIGHT_ANKLE: 0.1})
    missing = need(Body.of(both_hidden))
    assert missing == Unjudged("your knees", Unseen.HIDDEN)
    assert missing.reason == "your knees were hidden from the camera"
    assert missing.advice == "film from the side"


def test_either_joint_of_a_pair_will_do() -> None:
    need = on_each_of("your head and hips", (Landmark.LEFT_EAR, Landmark.RIGHT_EAR))
    one_ear = _changed(prone(0.0, 30.0), visibility={Landmark.LEFT_EAR: 0.1})
    assert need(Body.of(one_ear)) is None
    no_ears = _changed(one_ear, visibility={Landmark.RIGHT_EAR: 0.1})
    assert need(Body.of(no_ears)) == Unjudged("your head and hips", Unseen.HIDDEN)


def test_a_picture_measurement_needs_the_body_across_the_picture() -> None:
    body = Body.of(prone(0.0, 30.0))
    assert side_on("your hips")(body) is None
    world = body.pose.world_xyz.copy()
    world[:, [0, 2]] = world[:, [2, 0]]  # the body turned to lie along the camera's axis
    turned = Body.of(_changed(body.pose, world=world))
    assert side_on("your hips")(turned) == Unjudged("your hips", Unseen.NOT_SIDE_ON)


def test_a_level_the_view_cannot_judge_decides_nothing_and_its_stand_in_judges_instead() -> None:
    hidden = Unjudged("your thighs", Unseen.HIDDEN)
    guessed = Measurement("fold", "deg", lambda body: 90.0, lambda body: hidden)
    hanging = Measurement("head", "torso lengths", lambda body: -0.3)
    body = Body.of(prone(0.0, 30.0))
    alone = Condition(at_most(guessed, enter=60.0, exit=70.0)).read(body)
    assert alone.on is None and alone.reading.unjudged == hidden
    stood_in = Condition(
        at_most(guessed, enter=60.0, exit=70.0, stand_in=at_most(hanging, enter=-0.2, exit=-0.1))
    ).read(body)
    assert stood_in.on is True and stood_in.stood_in


def test_a_face_up_body_is_never_in_a_face_down_exercise() -> None:
    face_down = Body.of(prone(0.0, 30.0))
    world = face_down.pose.world_xyz.copy()
    world[:, 2] = -world[:, 2]  # the same figure mirrored in depth: the chest faces up
    face_up = Body.of(_changed(face_down.pose, world=world))
    press_up = exercise_named("prone_press_up")
    assert press_up.facing is not None
    assert not press_up.facing.reversed_in(face_down)
    assert press_up.facing.reversed_in(face_up)
