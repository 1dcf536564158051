"""The track check (posecheck.pipeline.track_check): a fresh look every few seconds puts right a
track the model keeps on a wrong fit, and leaves a right track, another reading of left and
right, and another person alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
import pytest
from mediapipe.tasks.python import vision

from posecheck.analysis.other_people import OtherPeopleSearch
from posecheck.analysis.video import VideoOptions, analyze_video, model_stages, video_poses
from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline.looks import LooksThread
from posecheck.pipeline.pose import Pose, SingleImageModel, candidate_poses, model_picture, open_landmarker
from posecheck.pipeline.sides import left_right_swapped
from posecheck.pipeline.source import VideoFileSource, prefetched
from posecheck.pipeline.track_check import (
    DRIFTED_TORSO_LENGTHS,
    LIMB_JOINTS,
    TrackCheck,
    box_overlap,
    has_drifted,
    limb_disagreement,
)
from tests.pipeline.test_turned_retry import frames_at

KNEELING_CLIP = "videos/childs_pose__wanshape_three_quarter_outdoor.mp4"
"""Kneeling, three-quarter view. Seen mirrored (from the man's other side), the model
followed a wrong fit (hips at the knees) through the whole clip."""

LABELLED_HOLD_S = (2.5, 8.2)

FEP_CLIP = "videos/childs_pose__fep_side_count_overlay.mp4"


def _pose_at(poses: list[tuple[float, Pose | None]], time_s: float) -> Pose:
    pose = min(poses, key=lambda pair: abs(pair[0] - time_s))[1]
    assert pose is not None
    return pose


def _moved(pose: Pose, dx: float, dy: float) -> Pose:
    return dataclasses.replace(pose, image_xy=pose.image_xy + np.array([dx, dy]))


@pytest.fixture(scope="module")
def fep_poses(corpus: Path, model_path: Path, track_cache: Path) -> list[tuple[float, Pose | None]]:
    return [
        (frame.timestamp_s, frame.pose) for frame in corpus_track(corpus / FEP_CLIP, model_path, track_cache)
    ]


def test_a_fit_against_itself_or_with_left_and_right_exchanged_has_not_drifted(fep_poses) -> None:
    pose = _pose_at(fep_poses, 25.0)
    assert limb_disagreement(pose, pose) == 0.0 and not has_drifted(pose, pose)
    exchanged = left_right_swapped(pose)
    assert limb_disagreement(exchanged, pose) == 0.0 and not has_drifted(exchanged, pose)


def test_the_same_body_read_facing_the_other_way_has_drifted(fep_poses) -> None:
    """Head where the feet were, in the same box: the wrong fit a track can keep."""
    folded = _pose_at(fep_poses, 25.0)
    limbs = folded.image_xy[LIMB_JOINTS]
    across = limbs[:, 0].min() + limbs[:, 0].max()
    turned_round = dataclasses.replace(folded, image_xy=folded.image_xy * [-1, 1] + [across, 0])
    assert box_overlap(turned_round, folded) == pytest.approx(1.0)
    assert limb_disagreement(turned_round, folded) >= DRIFTED_TORSO_LENGTHS
    assert has_drifted(turned_round, folded)


def test_someone_else_found_elsewhere_is_not_a_drift(fep_poses) -> None:
    pose = _pose_at(fep_poses, 25.0)
    width = float(np.ptp(pose.image_xy[:, 0]))
    elsewhere = _moved(_pose_at(fep_poses, 5.0), 1.5 * width, 0.0)
    assert box_overlap(pose, elsewhere) == 0.0
    assert not has_drifted(pose, elsewhere)


@pytest.fixture(scope="module")
def mirrored_kneeling(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kneeling clip as a camera on the man's other side sees it."""
    target = tmp_path_factory.mktemp("mirrored") / "kneeling_mirrored.mp4"
    with VideoFileSource(corpus / KNEELING_CLIP) as source:
        height, width = source.info.height, source.info.width
        writer = cv2.VideoWriter(
            str(target), cv2.VideoWriter.fourcc(*"mp4v"), source.info.fps, (width, height)
        )
        for frame in source:
            writer.write(cv2.flip(frame.image, 1))
        writer.release()
    return target


def _fresh_fits(video: Path, model_path: Path, times_s: tuple[float, ...]) -> dict[float, Pose]:
    """The model on each of these frames alone."""
    fits = {}
    with (
        VideoFileSource(video) as source,
        open_landmarker(model_path, vision.RunningMode.IMAGE, num_poses=1) as landmarker,
    ):
        wanted = list(times_s)
        for frame in source:
            if wanted and frame.timestamp_s >= wanted[0]:
                rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
                result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
                fits[wanted.pop(0)] = candidate_poses(result, frame.timestamp_s, frame.size)[0]
    return fits


SAMPLE_TIMES_S = (3.0, 5.0, 7.0)


def test_a_track_kept_on_a_wrong_fit_is_put_right_by_a_fresh_look(
    mirrored_kneeling: Path, model_path: Path
) -> None:
    fresh = _fresh_fits(mirrored_kneeling, model_path, SAMPLE_TIMES_S)
    unchecked = list(video_poses_without_check(mirrored_kneeling, model_path))
    checked = list(video_poses(mirrored_kneeling, model_path))
    for time_s, fit in fresh.items():
        assert limb_disagreement(_pose_at(unchecked, time_s), fit) >= DRIFTED_TORSO_LENGTHS, time_s
        assert limb_disagreement(_pose_at(checked, time_s), fit) < DRIFTED_TORSO_LENGTHS, time_s


def test_the_kneeling_man_seen_from_his_other_side_is_found_holding_the_pose(
    mirrored_kneeling: Path, model_path: Path
) -> None:
    session = analyze_video(mirrored_kneeling, "childs_pose", model_path, people_check_period_s=None)
    (hold,) = session.holds
    assert hold.start_s == pytest.approx(LABELLED_HOLD_S[0], abs=1.5)
    assert hold.end_s == pytest.approx(LABELLED_HOLD_S[1], abs=1.5)


def video_poses_without_check(video: Path, model_path: Path) -> list[tuple[float, Pose | None]]:
    options = VideoOptions(track_check_period_s=None, people_check_period_s=None)
    with VideoFileSource(video) as source, model_stages(model_path, options) as (pose_stage, _):
        assert pose_stage.track_check is None
        released = [pair for frame in prefetched(source) for pair in pose_stage(frame)]
        return released + pose_stage.flush()


def test_a_right_track_is_never_restarted(corpus: Path, model_path: Path) -> None:
    with (
        VideoFileSource(corpus / KNEELING_CLIP) as source,
        model_stages(model_path, VideoOptions()) as (stage, _),
    ):
        for frame in source:
            stage(frame)
        assert isinstance(stage.track_check, TrackCheck)
        assert stage.track_check.looks >= 4
        assert stage.track_check.drifts == 0


def _turned_round(pose: Pose) -> Pose:
    limbs = pose.image_xy[LIMB_JOINTS]
    return dataclasses.replace(
        pose, image_xy=pose.image_xy * [-1, 1] + [limbs[:, 0].min() + limbs[:, 0].max(), 0]
    )


def test_a_drift_is_followed_only_once_a_second_look_soon_after_confirms_it(
    corpus: Path, model_path: Path, fep_poses
) -> None:
    """A wrong fit (the body read facing the other way) on real frames of a folded child's
    pose: the first look only suspects it; a second look 0.5 s later confirms it; a second
    look that comes much later (nobody followed meanwhile) is a first look again."""
    times = (25.0, 25.5, 30.0, 30.5)
    frames = dict(zip(times, frames_at(corpus / FEP_CLIP, times), strict=True))
    wrong = {time_s: _turned_round(_pose_at(fep_poses, frames[time_s].timestamp_s)) for time_s in times}
    with TrackCheck(model_path) as soon:
        assert soon.fresh_fit(frames[25.0], wrong[25.0]) is None
        confirmed = soon.fresh_fit(frames[25.5], wrong[25.5])
        assert confirmed is not None and soon.drifts == 1
        assert limb_disagreement(_pose_at(fep_poses, 25.5), confirmed) < DRIFTED_TORSO_LENGTHS
    with TrackCheck(model_path) as late:
        assert late.fresh_fit(frames[25.0], wrong[25.0]) is None
        assert late.fresh_fit(frames[30.0], wrong[30.0]) is None  # too late to confirm: suspected anew
        assert late.fresh_fit(frames[30.5], wrong[30.5]) is not None
        assert late.looks == 3 and late.drifts == 1


def test_a_look_started_beside_the_tracking_judges_as_a_look_made_after_it(
    corpus: Path, model_path: Path, fep_poses
) -> None:
    """The analysis starts the look at a frame on the looks' thread before tracking it: the
    same suspicion, the same confirmation, the same fresh fit."""
    times = (25.0, 25.5)
    frames = dict(zip(times, frames_at(corpus / FEP_CLIP, times), strict=True))
    wrong = {time_s: _turned_round(_pose_at(fep_poses, frames[time_s].timestamp_s)) for time_s in times}
    with TrackCheck(model_path) as now, TrackCheck(model_path) as beside, LooksThread() as looks:
        for time_s in times:
            made_now = now.fresh_fit(frames[time_s], wrong[time_s])
            started = beside.start_look(frames[time_s], looks)
            assert started is not None
            made_beside = beside.fresh_fit(frames[time_s], wrong[time_s], started)
            assert (made_now is None) == (made_beside is None)
        assert made_now is not None and made_beside is not None
        assert np.allclose(made_now.image_xy, made_beside.image_xy)
        assert beside.start_look(frames[25.5], looks) is None  # the next look is 2 s on
        assert (now.looks, now.drifts) == (beside.looks, beside.drifts) == (2, 1)


def test_the_track_check_and_the_search_for_others_share_one_single_image_model(
    corpus: Path, model_path: Path, fep_poses
) -> None:
    """Each copy of the model costs about 80 MB: one is opened for both, and a part given it
    leaves it open for the others."""
    with model_stages(model_path, VideoOptions()) as (stage, others):
        assert stage.track_check is not None and others is not None
        assert stage.track_check.single_image_model is others.single_image_model
    (frame,) = frames_at(corpus / FEP_CLIP, (25.0,))
    tracked = _pose_at(fep_poses, frame.timestamp_s)
    with SingleImageModel(model_path) as shared:
        with TrackCheck(shared) as checking:
            assert checking.fresh_fit(frame, tracked) is None  # the track is right
            assert checking.looks == 1
        with OtherPeopleSearch(shared) as search:
            assert search.look(frame.image, tracked, frame.timestamp_s).count == 0
        assert candidate_poses(shared.detect(model_picture(frame.image)), frame.timestamp_s, frame.size)
