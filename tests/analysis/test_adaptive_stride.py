"""The adaptive stride's choice of the next analysed frame."""

import math

import pytest

from posecheck.analysis.video import AdaptiveStride


@pytest.mark.parametrize("fps", [25.0, 30.0, 60.0])
def test_a_still_body_is_looked_at_again_after_the_same_time_at_any_frame_rate(fps: float) -> None:
    stride = AdaptiveStride(still_gap_s=0.3)
    assert stride.next_gap(0.01, True, fps) == round(0.3 * fps)


def test_a_moving_body_is_analysed_in_every_frame() -> None:
    stride = AdaptiveStride(still_speed=0.1)
    assert stride.next_gap(0.1, True, 30.0) == 1
    assert stride.next_gap(2.0, True, 30.0) == 1


def test_a_body_whose_speed_is_not_yet_known_is_analysed_in_every_frame() -> None:
    assert AdaptiveStride().next_gap(math.nan, True, 30.0) == 1


def test_an_empty_picture_is_looked_at_less_often_until_someone_appears() -> None:
    stride = AdaptiveStride(absent_gap_s=0.3)
    assert stride.next_gap(math.nan, False, 30.0) == 9


def test_an_unknown_frame_rate_analyses_every_frame() -> None:
    assert AdaptiveStride().next_gap(0.0, True, 0.0) == 1
