"""Each exercise module on the labelled photographs of real people: the target photos are
in the target position, start photos are in position but not in the target, and the
look-alikes are not taken for the exercise."""

from __future__ import annotations

import tomllib
from pathlib import Path

import cv2
import pytest

from posecheck.pipeline.pose import PersonSelector, PoseEstimator
from posecheck.pipeline.source import Frame
from posecheck.rules.body import Body
from posecheck.rules.levels import Condition
from posecheck.rules.registry import available_exercises, exercise_named
from posecheck.rules.vocabulary import Level
from tests.conftest import CORPUS


def _photos() -> list[dict]:
    if not (CORPUS / "labels.toml").exists():
        return []
    with (CORPUS / "labels.toml").open("rb") as handle:
        return tomllib.load(handle).get("image", [])


PHOTOS = _photos()


def _holds(levels: tuple[Level, ...], body: Body) -> bool:
    """Every level the view can judge holds (a level with nothing to judge, such as the other
    foot's height while both knees are hugged, does not decide), and one at least does."""
    readings = [Condition(level).read(body) for level in levels]
    return all(reading.on is not False for reading in readings) and any(reading.on for reading in readings)


@pytest.fixture(scope="module")
def bodies(corpus: Path, model_path: Path) -> dict[str, Body]:
    found = {}
    for photo in PHOTOS:
        image = cv2.imread(str(corpus / photo["file"]))
        with PoseEstimator(model_path, max_people=1) as estimator:
            pose = PersonSelector().select(estimator.detect(Frame(0, 0.0, image)))
        assert pose is not None, f"no person found in {photo['file']}"
        found[photo["file"]] = Body.of(pose)
    return found


TARGETS = [p for p in PHOTOS if p.get("phase") == "target"]
STARTS = [p for p in PHOTOS if p.get("phase") == "start"]
LOOK_ALIKES = [p for p in PHOTOS if p["exercise"] == "none"]


@pytest.mark.parametrize("photo", TARGETS, ids=[Path(p["file"]).stem for p in TARGETS])
def test_target_photograph_is_in_the_target_position(photo: dict, bodies: dict[str, Body]) -> None:
    exercise = exercise_named(photo["exercise"])
    body = bodies[photo["file"]]
    assert _holds(exercise.position, body)
    assert _holds(exercise.target, body)


@pytest.mark.parametrize("photo", STARTS, ids=[Path(p["file"]).stem for p in STARTS])
def test_start_photograph_is_in_position_but_not_in_the_target(photo: dict, bodies: dict[str, Body]) -> None:
    exercise = exercise_named(photo["exercise"])
    body = bodies[photo["file"]]
    assert _holds(exercise.position, body)
    assert _holds(exercise.start, body)
    assert not _holds(exercise.target, body)


@pytest.mark.parametrize("photo", LOOK_ALIKES, ids=[Path(p["file"]).stem for p in LOOK_ALIKES])
@pytest.mark.parametrize("exercise_name", list(available_exercises()))
def test_look_alike_photograph_is_not_in_any_target_position(
    photo: dict, exercise_name: str, bodies: dict[str, Body]
) -> None:
    exercise = exercise_named(exercise_name)
    body = bodies[photo["file"]]
    assert not (_holds(exercise.position, body) and _holds(exercise.target, body))


def _hold_faults(photo: dict, bodies: dict[str, Body]) -> set[str]:
    exercise = exercise_named(photo["exercise"])
    body = bodies[photo["file"]]
    return {c.kind for c in exercise.checks if c.during.value == "hold" and _holds((c.fault_when,), body)}


@pytest.mark.parametrize("photo", TARGETS, ids=[Path(p["file"]).stem for p in TARGETS])
def test_labelled_faults_of_a_target_photograph_are_found(photo: dict, bodies: dict[str, Body]) -> None:
    assert set(photo.get("faults", [])) <= _hold_faults(photo, bodies)


def test_a_clean_target_photograph_gets_no_fault(bodies: dict[str, Body]) -> None:
    photo = next(p for p in TARGETS if p["file"].endswith("purecalm_Childs_Pose_Balasana_yoga.jpg"))
    assert _hold_faults(photo, bodies) == set()


def test_hands_resting_by_the_knees_are_not_arms_stretched_forward(bodies: dict[str, Body]) -> None:
    """freeexdb_Childs_Pose_1 shows the hands on the mat beside the knees, elbows bent."""
    photo = next(p for p in TARGETS if p["file"].endswith("freeexdb_Childs_Pose_1.jpg"))
    assert _hold_faults(photo, bodies) == {"arms_not_stretched_forward"}
