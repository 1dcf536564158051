"""Knee to chest on real people: no real video of it exists in the corpus, so a session is
composed from the start and target photographs of the same person and camera, each shown
for seconds with small per-frame shifts (as a hand-held camera would), and run through the
real pose model in VIDEO mode.

What this proves: the pose model sees these positions, the module tells the start position
from the target, which leg is pulled in, the both-knees progression, the straight other
leg, and the hold timing. What it cannot prove: the movement between positions on real
footage (the cut is instantaneous), alternation over several real reps, and the release.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.analysis.session import Session
from posecheck.analysis.video import ExerciseAnalysis, FrameStep, PoseStage
from posecheck.pipeline.pose import PoseEstimator
from posecheck.pipeline.source import Frame
from posecheck.rules.registry import exercise_named

FPS = 10.0


def _composed_session(photos: list[tuple[Path, float]], model_path: Path, seed: int = 7) -> Session:
    rng = np.random.default_rng(seed)
    analysis = ExerciseAnalysis(exercise_named("knee_to_chest"), "composed from photographs")
    index = 0
    with PoseEstimator(model_path) as estimator:
        step = FrameStep(PoseStage(estimator), analysis)
        for photo, seconds in photos:
            image = cv2.imread(str(photo))
            height, width = image.shape[:2]
            for _ in range(round(seconds * FPS)):
                shift = np.float32([[1, 0, rng.uniform(-3, 3)], [0, 1, rng.uniform(-3, 3)]])
                moved = cv2.warpAffine(image, shift, (width, height), borderMode=cv2.BORDER_REPLICATE)
                frame = Frame(index=index, timestamp_s=index / FPS, image=moved)
                step(frame)
                index += 1
        step.flush()
    return analysis.finish(1.0 / FPS)


@pytest.fixture(scope="module")
def photos(corpus: Path) -> Path:
    return corpus / "images" / "knee_to_chest"


def test_one_knee_held_to_the_chest_is_a_timed_rep_of_that_leg(photos: Path, model_path: Path) -> None:
    start = photos / "freeexdb_One_Knee_To_Chest_0.jpg"
    target = photos / "freeexdb_One_Knee_To_Chest_1.jpg"
    session = _composed_session([(start, 3.0), (target, 17.0), (start, 3.0)], model_path)
    assert session.reps == 1
    (hold,) = session.holds
    assert hold.complete
    assert hold.side in ("left", "right")
    assert hold.start_s == pytest.approx(3.0, abs=1.5)
    assert hold.end_s == pytest.approx(20.0, abs=1.5)
    assert hold.key_angle_deg < 75


def test_the_other_leg_lying_straight_is_flagged(photos: Path, model_path: Path) -> None:
    start = photos / "freeexdb_One_Knee_To_Chest_0.jpg"
    target = photos / "freeexdb_One_Knee_To_Chest_1.jpg"
    session = _composed_session([(start, 3.0), (target, 17.0), (start, 3.0)], model_path)
    (hold,) = session.holds
    kinds = {fault.kind for fault in hold.faults}
    assert "other_leg_straight" in kinds
    assert not hold.met  # the straight leg pauses the timer


def test_both_knees_to_the_chest_is_recognised_as_the_progression(photos: Path, model_path: Path) -> None:
    start = photos / "freeexdb_Hug_Knees_To_Chest_0.jpg"
    target = photos / "freeexdb_Hug_Knees_To_Chest_1.jpg"
    session = _composed_session([(start, 3.0), (target, 17.0), (start, 3.0)], model_path)
    (hold,) = session.holds
    assert hold.complete and hold.side == "both"
    assert hold.met and hold.faults == ()
    assert hold.variant == "feet down"


def test_both_knees_hugged_from_the_start_are_never_told_to_keep_the_other_foot_down(
    photos: Path, model_path: Path
) -> None:
    target = photos / "freeexdb_Hug_Knees_To_Chest_1.jpg"
    session = _composed_session([(target, 20.0)], model_path)
    (hold,) = session.holds
    assert hold.side == "both"
    assert hold.faults == ()
    assert hold.duration_s == pytest.approx(20.0, abs=1.5)


def test_lying_with_both_feet_down_is_no_hold(photos: Path, model_path: Path) -> None:
    start = photos / "freeexdb_One_Knee_To_Chest_0.jpg"
    session = _composed_session([(start, 20.0)], model_path)
    assert session.holds == ()
