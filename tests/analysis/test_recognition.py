"""Exercise recognition (posecheck.analysis.recognition): which exercise is done when.

On the cached real pose tracks of the labelled corpus: each exercise named over at least
90% of its labelled hold time, no confuser named as one of the three for more than 3 s; on
real bodies turned over or cut short: the facing and the hysteresis that make it so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posecheck.analysis.recognised import analyze_track_recognised
from posecheck.analysis.recognition import OTHER, ExerciseRecogniser
from posecheck.evaluation.corpus import corpus_track, load_labels
from posecheck.evaluation.recognition import (
    CONFUSER_SECONDS_BAR,
    RIGHT_SHARE_BAR,
    RecognitionScore,
    evaluate_recognition,
    format_confusion_table,
)
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.recording import PoseTrack
from posecheck.rules.body import Body
from posecheck.rules.vocabulary import Facing

PRESS_UP_CLIP = "videos/prone_press_up__flowai_bhujangasana_man_side.mp4"  # hold 31.5-60 s
CHILDS_POSE_CLIP = "videos/childs_pose__yogagym_child_pose_portrait.mp4"  # held throughout


@pytest.fixture(scope="module")
def scores(corpus: Path, model_path: Path, track_cache: Path) -> dict[str, RecognitionScore]:
    return {score.label.file: score for score in evaluate_recognition(corpus, model_path, track_cache)}


def _clips(exercise_clips: bool) -> list[str]:
    from tests.conftest import CORPUS

    if not (CORPUS / "labels.toml").exists():
        return []
    return [label.file for label in load_labels(CORPUS) if (label.exercise != "none") == exercise_clips]


@pytest.mark.parametrize("clip", _clips(exercise_clips=True))
def test_each_exercise_clip_is_named_right_over_90_percent_of_its_hold_time(
    scores: dict[str, RecognitionScore], clip: str
) -> None:
    score = scores[clip]
    assert score.right_share >= RIGHT_SHARE_BAR, format_confusion_table([score])


@pytest.mark.parametrize("clip", _clips(exercise_clips=False))
def test_no_confuser_is_named_as_an_exercise_for_more_than_3_s(
    scores: dict[str, RecognitionScore], clip: str
) -> None:
    score = scores[clip]
    assert score.named_as_exercise_s <= CONFUSER_SECONDS_BAR, format_confusion_table([score])


@pytest.mark.parametrize("clip", _clips(exercise_clips=True))
def test_an_exercise_clip_is_never_named_as_another_exercise(
    scores: dict[str, RecognitionScore], clip: str
) -> None:
    score = scores[clip]
    assert all(segment.exercise == score.label.exercise for segment in score.segments)


def test_confusion_table_names_every_clip_and_both_figures(scores: dict[str, RecognitionScore]) -> None:
    table = format_confusion_table(list(scores.values()))
    for clip in scores:
        assert Path(clip).name[:52] in table
    assert "named right over" in table and "confusers named as an exercise" in table


@pytest.fixture(scope="module")
def press_up_track(corpus: Path, model_path: Path, track_cache: Path) -> PoseTrack:
    return corpus_track(corpus / PRESS_UP_CLIP, model_path, track_cache)


@pytest.fixture(scope="module")
def childs_pose_track(corpus: Path, model_path: Path, track_cache: Path) -> PoseTrack:
    return corpus_track(corpus / CHILDS_POSE_CLIP, model_path, track_cache)


def _upside_down(pose: Pose) -> Pose:
    """The same body turned over: lying on the back instead of face down (world y and z
    negated, a half turn about the body's length; left stays left)."""
    world = pose.world_xyz * np.array([1.0, -1.0, -1.0])
    return Pose.from_arrays(
        pose.timestamp_s, pose.image_xy, pose.image_z, world, pose.visibility, pose.presence, pose.image_size
    )


def test_chest_faces_the_floor_in_the_press_up_hold_and_the_ceiling_when_turned_over(
    press_up_track: PoseTrack,
) -> None:
    holding = [
        frame.pose for frame in press_up_track if frame.pose is not None and 35.0 <= frame.timestamp_s <= 55.0
    ]
    facing = [Body.of(pose).chest_up for pose in holding]
    turned = [Body.of(_upside_down(pose)).chest_up for pose in holding]
    assert all(Facing.DOWN.matches(Body.of(pose)) for pose in holding), min(facing)
    assert all(Facing.UP.matches(Body.of(_upside_down(pose))) for pose in holding), max(turned)


def test_a_press_up_turned_face_up_is_not_named_a_press_up(press_up_track: PoseTrack) -> None:
    turned = PoseTrack(
        press_up_track.source,
        press_up_track.fps,
        tuple(
            type(frame)(frame.timestamp_s, _upside_down(frame.pose) if frame.pose is not None else None)
            for frame in press_up_track
        ),
    )
    assert all(segment.exercise != "prone_press_up" for segment in analyze_track_recognised(turned).segments)


def _feed(recogniser: ExerciseRecogniser, track: PoseTrack, until_s: float) -> list[str]:
    from posecheck.pipeline.smoothing import PoseSmoother

    smoother = PoseSmoother()
    named = []
    for frame in track:
        if frame.timestamp_s > until_s:
            break
        pose = smoother.smooth(frame.pose)
        named.append(recogniser.update(frame.timestamp_s, Body.of(pose) if pose is not None else None))
    return named


def test_a_target_shorter_than_the_confirmation_time_is_not_named(childs_pose_track: PoseTrack) -> None:
    recogniser = ExerciseRecogniser(confirm_s=1.5)
    named = _feed(recogniser, childs_pose_track, until_s=1.2)
    assert set(named) == {OTHER}
    assert recogniser.finish() == []


def test_a_held_target_is_named_after_the_confirmation_time_and_dated_from_its_start(
    childs_pose_track: PoseTrack,
) -> None:
    recogniser = ExerciseRecogniser(confirm_s=1.5, minimum_segment_s=3.0)
    named = _feed(recogniser, childs_pose_track, until_s=8.0)
    first_named = named.index("childs_pose")
    assert 1.5 <= childs_pose_track.frames[first_named].timestamp_s <= 2.0
    (segment,) = recogniser.finish()
    assert segment.exercise == "childs_pose"
    assert segment.start_s == pytest.approx(0.0, abs=0.1)
    assert segment.end_s == pytest.approx(8.0, abs=0.1)


def test_a_segment_ends_once_the_person_is_gone_for_longer_than_the_release_time(
    childs_pose_track: PoseTrack,
) -> None:
    recogniser = ExerciseRecogniser(release_s=2.0)
    _feed(recogniser, childs_pose_track, until_s=6.0)
    for step in range(1, 100):
        recogniser.update(6.0 + 0.04 * step, None)
    (segment,) = recogniser.finish()
    assert segment.end_s == pytest.approx(6.0, abs=0.1)


def _photo_session(photos: list[tuple[Path, float]], model_path: Path, fps: float = 10.0) -> list[str]:
    """Segments of a session composed from photographs, each shown for seconds with small
    per-frame shifts, through the real model (no real knee-to-chest video exists)."""
    import cv2

    from posecheck.analysis.recognised import RecognisedAnalysis
    from posecheck.analysis.video import FrameStep, PoseStage
    from posecheck.pipeline.pose import PoseEstimator
    from posecheck.pipeline.source import Frame

    rng = np.random.default_rng(11)
    analysis = RecognisedAnalysis("composed from photographs")
    index = 0
    with PoseEstimator(model_path) as estimator:
        step = FrameStep(PoseStage(estimator), analysis)
        for photo, seconds in photos:
            image = cv2.imread(str(photo))
            height, width = image.shape[:2]
            for _ in range(round(seconds * fps)):
                shift = np.float32([[1, 0, rng.uniform(-3, 3)], [0, 1, rng.uniform(-3, 3)]])
                moved = cv2.warpAffine(image, shift, (width, height), borderMode=cv2.BORDER_REPLICATE)
                step(Frame(index=index, timestamp_s=index / fps, image=moved))
                index += 1
        step.flush()
    return [segment.exercise for segment in analysis.finish(1.0 / fps).segments]


@pytest.mark.parametrize(
    ("start", "target", "exercise"),
    [
        (
            "knee_to_chest/freeexdb_One_Knee_To_Chest_0.jpg",
            "knee_to_chest/freeexdb_One_Knee_To_Chest_1.jpg",
            "knee_to_chest",
        ),
        (
            "knee_to_chest/freeexdb_Hug_Knees_To_Chest_0.jpg",
            "knee_to_chest/freeexdb_Hug_Knees_To_Chest_1.jpg",
            "knee_to_chest",
        ),
        (
            "prone_press_up/freeexdb_Lower_Back_Curl_0.jpg",
            "prone_press_up/freeexdb_Lower_Back_Curl_1.jpg",
            None,
        ),
    ],
    ids=["one_knee", "both_knees", "back_extension_hands_by_the_hips"],
)
def test_photographed_sessions_are_recognised_by_their_target_position(
    corpus: Path, model_path: Path, start: str, target: str, exercise: str | None
) -> None:
    images = corpus / "images"
    segments = _photo_session(
        [(images / start, 3.0), (images / target, 8.0), (images / start, 3.0)], model_path
    )
    assert segments == ([exercise] if exercise else [])
