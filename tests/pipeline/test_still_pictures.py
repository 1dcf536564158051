"""The still-picture guard on real footage with the real model: a drawing on a title card,
fading in and out, is never released as a person, at 30 frames a second or at 10; the
person after it is released, held back only until known to move, with every frame's own
time."""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck.analysis.video import PoseStage
from posecheck.pipeline.pose import Pose, PoseEstimator
from posecheck.pipeline.source import VideoFileSource
from posecheck.pipeline.still_pictures import CONFIRM_AFTER_S

TITLE_CARD_CLIP = "videos/prone_press_up__flowai_bhujangasana_man_side.mp4"
DRAWING_S = (0.5, 5.9)  # the drawing of the cobra pose, fading in and out
MAN_FROM_S = 6.0
MAN_FOUND_BY_S = 8.0


def _released(
    video: Path, model_path: Path, stride: int, until_s: float
) -> tuple[list[float], list[tuple[float, Pose | None]]]:
    """The frames' times and the poses released, in the order released."""
    times, released = [], []
    with VideoFileSource(video, stride=stride) as source, PoseEstimator(model_path) as estimator:
        stage = PoseStage(estimator)
        for frame in source:
            if frame.timestamp_s > until_s:
                break
            times.append(frame.timestamp_s)
            released.extend(stage(frame))
        released.extend(stage.flush())
    return times, released


@pytest.fixture(scope="module", params=[1, 3], ids=["30 fps", "10 fps"])
def title_card(request: pytest.FixtureRequest, corpus: Path, model_path: Path):
    return _released(corpus / TITLE_CARD_CLIP, model_path, request.param, 12.0)


def test_the_drawing_on_a_title_card_is_never_released_as_a_person(title_card) -> None:
    _, released = title_card
    people = [time_s for time_s, pose in released if pose is not None]
    assert not [time_s for time_s in people if time_s < DRAWING_S[1]]


def test_the_man_after_the_title_card_is_released_with_his_own_times(title_card) -> None:
    times, released = title_card
    assert [time_s for time_s, _ in released] == times  # every frame once, in order
    people = [time_s for time_s, pose in released if pose is not None]
    # The model finds him a second after the card has gone (7.1 s), as he lies down.
    assert people and MAN_FROM_S <= min(people) < MAN_FOUND_BY_S
    later = [time_s for time_s in times if time_s >= MAN_FOUND_BY_S]
    assert sum(time_s >= MAN_FOUND_BY_S for time_s in people) >= 0.9 * len(later)


def test_a_new_person_is_held_back_only_until_known_to_move(corpus: Path, model_path: Path) -> None:
    """A man on the mat from the first frames: his frames come out, all of them and in
    order, once he has been seen for the confirmation time."""
    video = corpus / "videos/prone_press_up__fitsens_cobra_stretch_man.mp4"
    times: list[float] = []
    released: list[tuple[float, Pose | None]] = []
    with VideoFileSource(video, stride=2) as source, PoseEstimator(model_path) as estimator:
        stage = PoseStage(estimator)
        for frame in source:
            times.append(frame.timestamp_s)
            now = stage(frame)
            released.extend(now)
            if any(pose is not None for _, pose in now):
                break
    first_seen = min(time_s for time_s, pose in released if pose is not None)
    assert CONFIRM_AFTER_S - 0.1 <= times[-1] - first_seen <= CONFIRM_AFTER_S + 0.2
    assert [time_s for time_s, _ in released] == times
    assert all(pose is not None for time_s, pose in released if time_s >= first_seen)
