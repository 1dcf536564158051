"""A camera in front of the person and looking down at the mat (a phone on a table) or up
from the floor: the rules judge lying and kneeling against the floor the body rests on, so
the holds stay where they were.

The model's world points are in the camera's axes. Walking the camera round towards the
person's front (a three-quarter view, the trunk still short of pointing at the camera, where
``posecheck.rules.view`` stops judging angles at the hip) turns them about the vertical axis
(which changes no incline), and pitching it turns
them about the camera's horizontal axis; the test turns the world points of real corpus
tracks so. (Seen side-on, a pitch barely changes the inclines of a body lying across the
picture; seen from the front, it tilts them by the whole pitch.)
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from posecheck.analysis.video import analyze_track
from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.recording import PoseTrack, TrackFrame

THREE_QUARTER_DEG = 35.0


def _pitched(pose: Pose, degrees: float) -> Pose:
    yaw, pitch = math.radians(THREE_QUARTER_DEG), math.radians(degrees)
    round_to_the_front = np.array(
        [[math.cos(yaw), 0.0, math.sin(yaw)], [0.0, 1.0, 0.0], [-math.sin(yaw), 0.0, math.cos(yaw)]]
    )
    tilted = np.array(
        [[1.0, 0.0, 0.0], [0.0, math.cos(pitch), -math.sin(pitch)], [0.0, math.sin(pitch), math.cos(pitch)]]
    )
    turn = tilted @ round_to_the_front
    return Pose.from_arrays(
        pose.timestamp_s,
        pose.image_xy,
        pose.image_z,
        pose.world_xyz @ turn.T,
        pose.visibility,
        pose.presence,
        pose.image_size,
    )


def _pitched_track(track: PoseTrack, degrees: float) -> PoseTrack:
    frames = tuple(
        TrackFrame(frame.timestamp_s, None if frame.pose is None else _pitched(frame.pose, degrees))
        for frame in track
    )
    return dataclasses.replace(track, frames=frames)


@pytest.mark.parametrize(
    ("clip", "exercise"),
    [
        ("childs_pose__clinically_balasana.mp4", "childs_pose"),
        ("childs_pose__purecalm_balasana_rehabme.mp4", "childs_pose"),
        ("knee_to_chest__adaptx_side_alternating_both.mp4", "knee_to_chest"),
    ],
)
@pytest.mark.parametrize("pitch_deg", [-35.0, 35.0], ids=["looking-down", "looking-up"])
def test_a_pitched_camera_finds_the_same_holds(
    clip: str, exercise: str, pitch_deg: float, corpus: Path, model_path: Path, track_cache: Path
) -> None:
    track = corpus_track(corpus / "videos" / clip, model_path, track_cache)
    level = analyze_track(track, exercise)
    pitched = analyze_track(_pitched_track(track, pitch_deg), exercise)
    assert level.holds
    assert len(pitched.holds) == len(level.holds)
    for seen_level, seen_pitched in zip(level.holds, pitched.holds, strict=True):
        assert seen_pitched.start_s == pytest.approx(seen_level.start_s, abs=0.5)
        assert seen_pitched.end_s == pytest.approx(seen_level.end_s, abs=0.5)
        assert seen_pitched.side == seen_level.side
