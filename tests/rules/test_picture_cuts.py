"""A cut in the picture during a hold, on generated press-ups sampled as a file gives them (every
frame at 30 fps) and as a busy camera does (about 10 a second, unevenly): the way out seen
before a cut ends the hold there, and the model's misreading of the new picture does not."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import numpy as np
import pytest

from posecheck.pipeline.pose import Pose
from posecheck.rules.body import Body
from posecheck.rules.engine import RuleEngine
from posecheck.rules.events import Event, Hold, HoldFinished
from posecheck.rules.picture import PICTURE_JUMP
from posecheck.rules.registry import exercise_named
from posecheck.rules.settling import picture_jumped
from tests.figures import PIXELS_PER_METRE, TORSO_M, prone

FRAME_GAPS = {"every frame": (1,), "a busy camera": (2, 4, 3)}
"""Frames of a 30 fps picture between those analysed: every one, or 67, 133 and 100 ms apart."""

LIFT_DEG = 35.0
LYING_DEG = 5.0


def _close_up(pose: Pose) -> Pose:
    """The same body twice as large about its own middle."""
    middle = pose.image_xy[11:29].mean(axis=0)
    return dataclasses.replace(pose, image_xy=middle + (pose.image_xy - middle) * 2.0)


def _misread(pose: Pose) -> Pose:
    """The model's first reading of a new picture, while it still looks where the old body lay:
    a body of the old size, lowered to the mat and 0.6 torso lengths along it."""
    lowered = prone(pose.timestamp_s, LYING_DEG)
    along = np.array([0.6 * TORSO_M * PIXELS_PER_METRE, 0.0])
    return dataclasses.replace(lowered, image_xy=lowered.image_xy + along)


def _cobra(rise_s: float, lower_s: float) -> Callable[[float], float]:
    """The trunk's lift over time: risen over 1 s from ``rise_s``, lowered over 1 s from
    ``lower_s``, lying on the mat before and after."""

    def lift_at(time_s: float) -> float:
        share = min(max(time_s - rise_s, 0.0), 1.0, max(lower_s + 1.0 - time_s, 0.0))
        return LYING_DEG + (LIFT_DEG - LYING_DEG) * share

    return lift_at


def _holds(
    before_cut: Callable[[float], float],
    after_cut: Callable[[float], float],
    cut_s: float,
    gaps: tuple[int, ...],
    first_after_cut: Callable[[Pose], Pose] = _close_up,
) -> list[Hold]:
    """The holds of 20 s of press-ups, lifted as ``before_cut`` says and, from a cut to a
    close-up at ``cut_s``, as ``after_cut`` says; the first frame analysed after the cut read
    through ``first_after_cut``."""
    engine = RuleEngine(exercise_named("prone_press_up"))
    events: list[Event] = []
    index, first = 0, True
    for gap in itertools.cycle(gaps):
        time_s = index / 30.0
        if time_s > 20.0:
            break
        if time_s < cut_s:
            pose = prone(time_s, before_cut(time_s))
        else:
            pose = prone(time_s, after_cut(time_s))
            pose = first_after_cut(pose) if first else _close_up(pose)
            first = False
        events += engine.update(time_s, Body.of(pose))
        index += gap
    events += engine.finish(time_s)
    return [event.hold for event in events if isinstance(event, HoldFinished)]


def test_the_misread_frame_after_a_cut_and_the_body_found_again_are_both_jumps() -> None:
    held = prone(7.0, LIFT_DEG)
    misread = _misread(prone(7.03, LIFT_DEG))
    assert picture_jumped(Body.of(misread), Body.of(held), PICTURE_JUMP)
    assert picture_jumped(Body.of(_close_up(prone(7.07, LIFT_DEG))), Body.of(misread), PICTURE_JUMP)


@pytest.mark.parametrize("gaps", FRAME_GAPS.values(), ids=FRAME_GAPS.keys())
def test_a_misread_of_the_picture_after_a_cut_does_not_end_the_hold(gaps: tuple[int, ...]) -> None:
    # Held from 3 to 11 s; a close-up from 7 s whose first frame the model reads as a body lowered
    # to the mat: out of the hold, then a second jump as the body is found, still held.
    cobra = _cobra(rise_s=2.0, lower_s=11.0)
    (hold,) = _holds(cobra, cobra, cut_s=7.0, gaps=gaps, first_after_cut=_misread)
    assert hold.start_s == pytest.approx(3.0, abs=0.2)
    assert hold.end_s == pytest.approx(11.0, abs=0.2)


@pytest.mark.parametrize("gaps", FRAME_GAPS.values(), ids=FRAME_GAPS.keys())
def test_a_cut_while_the_hold_is_being_left_ends_it_where_the_way_out_began(gaps: tuple[int, ...]) -> None:
    # Held from 3 to 11 s and lowered from 11 s; at 11.6 s, a cut to a close-up of the next
    # cobra, already held: two holds, the lowering no part of either.
    lowered, next_one = _cobra(rise_s=2.0, lower_s=11.0), _cobra(rise_s=10.0, lower_s=17.0)
    first, second = _holds(lowered, next_one, cut_s=11.6, gaps=gaps)
    assert first.end_s == pytest.approx(11.0, abs=0.15)
    assert second.start_s >= 11.6
