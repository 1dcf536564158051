"""The set-up check on real poses: whole body in the picture, camera at the side."""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck.analysis.setup_check import (
    STEP_INTO_PICTURE,
    TURN_SIDE_ON,
    parts_out_of_picture,
    setup_instructions,
)
from posecheck.pipeline.pose import PersonSelector, Pose, PoseEstimator
from posecheck.pipeline.source import Frame, VideoFileSource
from posecheck.rules.vocabulary import CameraView

SIDE_CLIP = "videos/prone_press_up__flowai_bhujangasana_man_side.mp4"
FRONT_CLIP = "videos/prone_press_up__jennermaxim_cobra_stretch.mp4"  # front view from 10 s


def _frame_at(video: Path, time_s: float) -> Frame:
    with VideoFileSource(video) as source:
        return next(frame for frame in source if frame.timestamp_s >= time_s)


def _pose(model_path: Path, frame: Frame) -> Pose | None:
    with PoseEstimator(model_path) as estimator:
        return PersonSelector().select(estimator.detect(frame))


@pytest.fixture(scope="module")
def side_frame(corpus: Path) -> Frame:
    return _frame_at(corpus / SIDE_CLIP, 20.0)  # lying face down, side-on, whole body


def test_side_on_whole_body_needs_no_instruction(side_frame: Frame, model_path: Path) -> None:
    assert setup_instructions(_pose(model_path, side_frame), CameraView.SIDE) == ()


def test_cutting_off_the_legs_asks_to_move_the_camera_away(side_frame: Frame, model_path: Path) -> None:
    pose = _pose(model_path, side_frame)
    assert pose is not None
    feet_x = float(pose.image_xy[27:29, 0].mean())
    hips_x = float(pose.image_xy[23:25, 0].mean())
    # Keep the side of the picture with the head: cut between the hips and the feet.
    cut = round((feet_x + hips_x) / 2)
    image = side_frame.image[:, cut:] if feet_x < hips_x else side_frame.image[:, :cut]
    cropped = Frame(0, 0.0, image.copy())
    cropped_pose = _pose(model_path, cropped)
    assert cropped_pose is not None
    assert "feet" in parts_out_of_picture(cropped_pose)
    instructions = setup_instructions(cropped_pose, CameraView.SIDE)
    assert any(text.startswith("Move the camera further away") and "feet" in text for text in instructions)


def test_a_front_view_asks_for_the_camera_at_the_side(corpus: Path, model_path: Path) -> None:
    pose = _pose(model_path, _frame_at(corpus / FRONT_CLIP, 14.0))
    assert TURN_SIDE_ON in setup_instructions(pose, CameraView.SIDE)
    assert TURN_SIDE_ON not in setup_instructions(pose, CameraView.FRONT)


def test_nobody_in_the_picture_asks_to_step_in() -> None:
    assert setup_instructions(None, CameraView.SIDE) == (STEP_INTO_PICTURE,)
