"""Form faults on real landmark tracks from the corpus, added geometrically.

Real footage rarely shows faults, so a real track is changed where the fault would
show: a span of frames gets the hips raised, or the hands drawn back, by a known amount.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from posecheck.analysis.video import analyze_track
from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline.landmarks import Landmark as L
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.recording import PoseTrack, TrackFrame

# Lifting the pelvis off the mat with the arms lifts the trunk and head along with it.
HIPS_AND_ABOVE = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_ELBOW, L.RIGHT_ELBOW]
HIPS_AND_ABOVE += list(range(L.NOSE, L.MOUTH_RIGHT + 1))
WRISTS_AND_HANDS = [
    L.LEFT_WRIST,
    L.RIGHT_WRIST,
    L.LEFT_PINKY,
    L.RIGHT_PINKY,
    L.LEFT_INDEX,
    L.RIGHT_INDEX,
    L.LEFT_THUMB,
    L.RIGHT_THUMB,
]


def _edited(track: PoseTrack, start_s: float, end_s: float, edit: Callable[[Pose], Pose]) -> PoseTrack:
    frames = tuple(
        TrackFrame(f.timestamp_s, edit(f.pose))
        if f.pose is not None and start_s <= f.timestamp_s < end_s
        else f
        for f in track.frames
    )
    return dataclasses.replace(track, frames=frames)


def _torso(xy: np.ndarray) -> float:
    return float(np.linalg.norm(xy[[11, 12]].mean(0) - xy[[23, 24]].mean(0)))


def _raise_hips(pose: Pose, torso_lengths: float) -> Pose:
    image, world = pose.image_xy.copy(), pose.world_xyz.copy()
    image[HIPS_AND_ABOVE, 1] -= torso_lengths * _torso(image)
    world[HIPS_AND_ABOVE, 1] -= torso_lengths * _torso(world)
    return pose.with_landmarks(image, world)


def _hands_to_shoulders(pose: Pose) -> Pose:
    image, world = pose.image_xy.copy(), pose.world_xyz.copy()
    for hand, shoulder in (
        (WRISTS_AND_HANDS[0::2], L.LEFT_SHOULDER),
        (WRISTS_AND_HANDS[1::2], L.RIGHT_SHOULDER),
    ):
        image[hand] = image[shoulder]
        world[hand] = world[shoulder]
    return pose.with_landmarks(image, world)


@pytest.fixture(scope="module")
def press_up_track(corpus: Path, model_path: Path, track_cache: Path) -> PoseTrack:
    return corpus_track(
        corpus / "videos" / "prone_press_up__flowai_bhujangasana_man_side.mp4", model_path, track_cache
    )


@pytest.fixture(scope="module")
def childs_pose_track(corpus: Path, model_path: Path, track_cache: Path) -> PoseTrack:
    return corpus_track(
        corpus / "videos" / "childs_pose__purecalm_balasana_rehabme.mp4", model_path, track_cache
    )


def test_the_real_press_up_hold_has_no_fault(press_up_track: PoseTrack) -> None:
    (hold,) = [h for h in analyze_track(press_up_track, "prone_press_up").holds if h.complete]
    assert hold.faults == ()


def test_hips_raised_a_third_of_a_torso_mid_hold_are_flagged_on_a_real_track(
    press_up_track: PoseTrack,
) -> None:
    clean = analyze_track(press_up_track, "prone_press_up")
    faulty = analyze_track(
        _edited(press_up_track, 40.0, 45.0, lambda p: _raise_hips(p, 0.35)), "prone_press_up"
    )
    (clean_hold,) = [h for h in clean.holds if h.complete]
    (hold,) = [h for h in faulty.holds if h.complete]
    (fault,) = hold.faults
    assert fault.kind == "hips_lifted"
    assert fault.start_s == pytest.approx(40.0, abs=0.7)
    assert fault.end_s == pytest.approx(45.0, abs=0.7)
    assert clean_hold.duration_s - hold.duration_s == pytest.approx(5.0, abs=1.0)


def test_hips_raised_a_little_stay_within_the_cue(press_up_track: PoseTrack) -> None:
    faulty = analyze_track(
        _edited(press_up_track, 40.0, 45.0, lambda p: _raise_hips(p, 0.08)), "prone_press_up"
    )
    (hold,) = [h for h in faulty.holds if h.complete]
    assert hold.faults == ()


def test_arms_drawn_back_in_childs_pose_are_flagged_on_a_real_track(childs_pose_track: PoseTrack) -> None:
    faulty = analyze_track(_edited(childs_pose_track, 14.0, 18.0, _hands_to_shoulders), "childs_pose")
    first = faulty.holds[0]
    kinds = [fault.kind for fault in first.faults]
    assert kinds == ["arms_not_stretched_forward"]
    assert first.faults[0].start_s == pytest.approx(14.0, abs=0.7)
