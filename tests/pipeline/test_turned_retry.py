"""The turned retry (posecheck.pipeline.turned_retry): landmarks found in a frame turned a quarter turn
are turned back exactly, and on a real frame they land on the person the normal pass sees."""

from __future__ import annotations

from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
import pytest
from mediapipe.tasks.python import BaseOptions, vision

from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline.landmarks import Landmark
from posecheck.pipeline.pose import PersonGate, Pose, candidate_poses
from posecheck.pipeline.source import Frame, VideoFileSource
from posecheck.pipeline.turned_retry import CLOCKWISE, COUNTER_CLOCKWISE, TurnedRetry, turned_back

SIDE_CLIP = "videos/prone_press_up__flowai_bhujangasana_man_side.mp4"  # lying across the picture
FRAME_TIMES_S = (20.0, 45.0)  # lying flat; pressed up


def _turned(pose: Pose, turn: int) -> Pose:
    """The pose as it would be found in the picture turned by ``turn`` (the inverse of
    ``turned_back``, written from the picture's geometry)."""
    width, height = pose.image_size
    x, y = pose.image_xy[:, 0], pose.image_xy[:, 1]
    wx, wy, wz = pose.world_xyz.T
    if turn == CLOCKWISE:
        image, world, size = np.column_stack([height - y, x]), np.column_stack([-wy, wx, wz]), (height, width)
    else:
        image, world, size = np.column_stack([y, width - x]), np.column_stack([wy, -wx, wz]), (height, width)
    return Pose.from_arrays(
        pose.timestamp_s, image, pose.image_z, world, pose.visibility, pose.presence, size
    )


@pytest.fixture(scope="module")
def side_poses(corpus: Path, model_path: Path, track_cache: Path) -> list[Pose]:
    track = corpus_track(corpus / SIDE_CLIP, model_path, track_cache)
    return [frame.pose for frame in track if frame.pose is not None][::200]


@pytest.mark.parametrize("turn", [CLOCKWISE, COUNTER_CLOCKWISE], ids=["clockwise", "counter_clockwise"])
def test_a_turned_pose_turned_back_is_the_original(side_poses: list[Pose], turn: int) -> None:
    for pose in side_poses:
        back = turned_back(_turned(pose, turn), turn, pose.image_size)
        assert np.allclose(back.image_xy, pose.image_xy)
        assert np.allclose(back.world_xyz, pose.world_xyz)
        assert back.image_size == pose.image_size


def frames_at(video: Path, times_s: tuple[float, ...]) -> list[Frame]:
    """The first frame at or after each of these times."""
    frames, wanted = [], list(times_s)
    with VideoFileSource(video) as source:
        for frame in source:
            if wanted and frame.timestamp_s >= wanted[0]:
                frames.append(frame)
                wanted.pop(0)
    return frames


def _upright_detection(model_path: Path, frame: Frame) -> Pose:
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)), running_mode=vision.RunningMode.IMAGE
    )
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
    (pose,) = candidate_poses(result, frame.timestamp_s, frame.size)
    return pose


def _torso_px(pose: Pose) -> float:
    xy = pose.image_xy
    return float(np.linalg.norm(xy[11:13].mean(0) - xy[23:25].mean(0)))


def test_landmarks_found_turned_land_on_the_person_found_upright(corpus: Path, model_path: Path) -> None:
    video = corpus / SIDE_CLIP
    with TurnedRetry(model_path) as retry:
        for frame in frames_at(video, FRAME_TIMES_S):
            upright = _upright_detection(model_path, frame)
            found = [pose for pose in retry.detect(frame) if PersonGate().accepts(pose)]
            assert found, f"no person found turned at {frame.timestamp_s:.1f} s"
            joints = [
                Landmark.LEFT_SHOULDER,
                Landmark.RIGHT_SHOULDER,
                Landmark.LEFT_HIP,
                Landmark.RIGHT_HIP,
                Landmark.NOSE,
            ]
            best = min(
                float(np.median(np.linalg.norm(pose.image_xy[joints] - upright.image_xy[joints], axis=1)))
                for pose in found
            )
            assert best < 0.25 * _torso_px(upright), (frame.timestamp_s, best, _torso_px(upright))
            trunk = [
                pose.world_xyz[11:13].mean(0) - pose.world_xyz[23:25].mean(0) for pose in (found[0], upright)
            ]
            cosine = np.dot(trunk[0], trunk[1]) / np.linalg.norm(trunk[0]) / np.linalg.norm(trunk[1])
            assert cosine > np.cos(np.radians(35.0))


def test_the_turned_retry_runs_only_on_frames_where_nobody_was_found(corpus: Path, model_path: Path) -> None:
    """The clip opens on a title card (no person until 7 s: a drawing, then a blank card),
    then the man on his mat. A drawing known for a still picture is a gap too, without a
    second look (turning a picture does not bring it to life)."""
    from posecheck.analysis.video import PoseStage
    from posecheck.pipeline.pose import PoseEstimator

    found = []
    with (
        VideoFileSource(corpus / SIDE_CLIP, stride=3) as source,
        PoseEstimator(model_path) as estimator,
        TurnedRetry(model_path) as retry,
    ):
        stage = PoseStage(estimator, turned_retry=retry)
        for frame in source:
            if frame.timestamp_s > 12.0:
                break
            found.extend(pose is not None for _, pose in stage(frame))
        found.extend(pose is not None for _, pose in stage.flush())
        tried = retry.frames_tried
    assert 0 < tried <= found.count(False) < len(found)
    assert found[-1]  # the man is followed at 12 s
