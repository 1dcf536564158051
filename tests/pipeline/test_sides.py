"""Left and right kept consistent over time (posecheck.pipeline.sides), on real pose tracks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline.landmarks import Landmark
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.recording import PoseTrack
from posecheck.pipeline.sides import SideKeeper, left_right_swapped

SIDE_VIEW_CLIPS = (
    "videos/prone_press_up__flowai_bhujangasana_man_side.mp4",
    "videos/childs_pose__clinically_balasana.mp4",
    "videos/confuser__jennermaxim_supine_spinal_twist.mp4",
)


@pytest.fixture(scope="module")
def tracks(corpus: Path, model_path: Path, track_cache: Path) -> dict[str, PoseTrack]:
    return {clip: corpus_track(corpus / clip, model_path, track_cache) for clip in SIDE_VIEW_CLIPS}


def _kept(track: PoseTrack, poses: list[Pose | None]) -> tuple[list[Pose | None], SideKeeper]:
    keeper = SideKeeper()
    return [keeper.keep(pose) for pose in poses], keeper


def test_mirroring_exchanges_left_and_right_and_twice_is_the_same_pose(tracks: dict[str, PoseTrack]) -> None:
    pose = next(frame.pose for frame in tracks[SIDE_VIEW_CLIPS[0]] if frame.pose is not None)
    flipped = left_right_swapped(pose)
    assert np.array_equal(flipped.image_xy[Landmark.LEFT_KNEE], pose.image_xy[Landmark.RIGHT_KNEE])
    assert np.array_equal(flipped.world_xyz[Landmark.RIGHT_ANKLE], pose.world_xyz[Landmark.LEFT_ANKLE])
    assert np.array_equal(flipped.image_xy[Landmark.NOSE], pose.image_xy[Landmark.NOSE])
    assert np.array_equal(left_right_swapped(flipped).image_xy, pose.image_xy)


@pytest.mark.parametrize("clip", SIDE_VIEW_CLIPS)
def test_real_tracks_keep_the_models_labels_where_it_did_not_swap_them(
    tracks: dict[str, PoseTrack], clip: str
) -> None:
    poses = [frame.pose for frame in tracks[clip]]
    kept, keeper = _kept(tracks[clip], poses)
    assert keeper.swaps == 0
    assert all(a is b for a, b in zip(kept, poses, strict=True))


@pytest.mark.parametrize("clip", SIDE_VIEW_CLIPS)
def test_a_span_of_swapped_labels_is_swapped_back(tracks: dict[str, PoseTrack], clip: str) -> None:
    poses = [frame.pose for frame in tracks[clip]]
    present = [index for index, pose in enumerate(poses) if pose is not None]
    first, last = present[len(present) // 3], present[len(present) // 3 + 40]
    swapped = [
        left_right_swapped(pose) if pose is not None and first <= index <= last else pose
        for index, pose in enumerate(poses)
    ]
    kept, keeper = _kept(tracks[clip], swapped)
    assert keeper.swaps == sum(1 for pose in swapped[first : last + 1] if pose is not None)
    for original, restored in zip(poses, kept, strict=True):
        if original is not None:
            assert restored is not None
            assert np.array_equal(restored.image_xy, original.image_xy)
            assert np.array_equal(restored.world_xyz, original.world_xyz)


def test_after_a_long_gap_the_models_labels_stand(tracks: dict[str, PoseTrack]) -> None:
    poses = [frame.pose for frame in tracks[SIDE_VIEW_CLIPS[0]] if frame.pose is not None][:60]
    keeper = SideKeeper(forget_after_s=0.5)
    for pose in poses[:30]:
        keeper.keep(pose)
    later = poses[30]
    moved_on = Pose.from_arrays(
        poses[29].timestamp_s + 2.0,
        later.image_xy,
        later.image_z,
        later.world_xyz,
        later.visibility,
        later.presence,
        later.image_size,
    )
    flipped = left_right_swapped(moved_on)
    assert keeper.keep(flipped) is flipped
    assert keeper.swaps == 0


def test_a_cut_to_another_scene_keeps_the_models_labels(tracks: dict[str, PoseTrack]) -> None:
    """Joined clips: the first pose after the cut is far from the last before it, mirrored
    or not; it is another body, not a swap."""
    before = [frame.pose for frame in tracks[SIDE_VIEW_CLIPS[0]] if frame.pose is not None][-30:]
    after = [frame.pose for frame in tracks[SIDE_VIEW_CLIPS[1]] if frame.pose is not None][:30]
    keeper = SideKeeper()
    step = after[0].timestamp_s - before[-1].timestamp_s - 0.04
    for pose in before:
        keeper.keep(pose)
    for pose in after:
        moved = Pose.from_arrays(
            pose.timestamp_s - step,
            pose.image_xy,
            pose.image_z,
            pose.world_xyz,
            pose.visibility,
            pose.presence,
            pose.image_size,
        )
        assert np.array_equal(keeper.keep(moved).image_xy, pose.image_xy)
    assert keeper.swaps == 0
