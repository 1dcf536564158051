"""What came nearest to a hold, on generated bodies (the press-up's levels read off a stick
figure) and on level readings set by hand where a view or a way of facing is hard to draw."""

from __future__ import annotations

import pytest

from posecheck.rules.body import Body
from posecheck.rules.levels import LevelReading, PositionWatch, Whereabouts
from posecheck.rules.nearest import NearestMiss, NearestWatch, Stage
from posecheck.rules.registry import exercise_named
from posecheck.rules.view import Unjudged, Unseen
from posecheck.rules.vocabulary import Level, Reading
from tests.figures import Profile, prone, timeline

PRESS_UP = exercise_named("prone_press_up")
CHILDS_POSE = exercise_named("childs_pose")
HIP_FOLD, KNEE_BEND, HEAD_ABOVE_HIPS = CHILDS_POSE.target
SHINS, KNEELING = CHILDS_POSE.position


def _press_up_miss(profile: Profile) -> NearestMiss | None:
    """The watch fed a press-up whose trunk follows ``profile`` (from lying flat)."""
    levels, watch = PositionWatch(PRESS_UP), NearestWatch(PRESS_UP)
    for time_s, lift in timeline(profile, 5.0):
        watch.update(time_s, levels.read(Body.of(prone(time_s, lift))))
    return watch.result()


def _read(level: Level, value: float, on: bool | None, unjudged: Unjudged | None = None) -> LevelReading:
    return LevelReading(level, Reading(value, unjudged), on)


def _kneeling(*target: LevelReading) -> Whereabouts:
    """Child's pose: in its position (shins flat, knees bent), with these target readings."""
    position = (_read(SHINS, 5.0, True), _read(KNEELING, 60.0, True))
    return Whereabouts(True, False, False, target, position)


def test_a_press_up_lifted_only_to_15_degrees_names_the_trunk_lift_at_its_highest() -> None:
    miss = _press_up_miss([(2.0, 15.0), (4.0, 15.0), (2.0, 5.0)])
    assert miss is not None and miss.stage is Stage.TARGET
    shortfall = miss.shortfall
    assert shortfall is not None
    assert (shortfall.measurement, shortfall.at_least, shortfall.threshold) == ("trunk_lift", True, 22.0)
    assert shortfall.reading == pytest.approx(PRESS_UP.key_angle(Body.of(prone(0.0, 15.0))), abs=0.01)
    assert shortfall.reading < 22.0
    assert miss.time_s == shortfall.time_s == pytest.approx(2.0, abs=0.05)  # first seen at its highest
    assert shortfall.against_share == 1.0
    assert miss.unjudged == ()


def test_hips_too_high_for_the_position_name_the_hip_height_when_they_were_lowest() -> None:
    levels, watch = PositionWatch(PRESS_UP), NearestWatch(PRESS_UP)
    for time_s, raise_m in timeline([(3.0, 0.3), (3.0, 0.45)], 0.45):
        watch.update(time_s, levels.read(Body.of(prone(time_s, 5.0, hip_raise_m=raise_m))))
    miss = watch.result()
    assert miss is not None and miss.stage is Stage.POSITION and miss.facing_away is None
    shortfall = miss.shortfall
    assert shortfall is not None
    assert (shortfall.measurement, shortfall.at_least, shortfall.threshold) == ("hip_height", False, 0.6)
    assert shortfall.reading is not None and shortfall.reading > 0.6
    assert shortfall.time_s == pytest.approx(3.0, abs=0.05)


def test_the_longest_stay_in_the_target_is_timed_from_its_first_frame_to_the_first_out_of_it() -> None:
    up_and_down = [(0.5, 35.0), (0.5, 5.0)]
    miss = _press_up_miss([(2.0, 5.0), *up_and_down, (1.0, 5.0), (0.5, 35.0), (1.0, 35.0), (0.5, 5.0)])
    assert miss is not None and miss.stage is Stage.HOLD and miss.shortfall is None
    assert miss.time_s is not None and 4.0 < miss.time_s < 4.5  # the second, longer stay
    assert 1.0 < miss.stay_s < 2.0 and miss.hold_needs_s == PRESS_UP.timing.shortest_hold_s


def test_nothing_came_near_before_the_first_frame() -> None:
    assert NearestWatch(PRESS_UP).result() is None


def test_the_level_furthest_from_holding_at_the_nearest_moment_is_named_whatever_its_unit() -> None:
    """Cat-cow read as child's pose: the hips never fold and the head hovers at the hips. In
    widths of their hysteresis bands the fold (88 against 60, 10 wide) is far further off
    than the head (0.02 torso lengths above the hips against 0, 0.1 wide)."""
    watch = NearestWatch(CHILDS_POSE)
    for frame, (fold, head) in enumerate([(120.0, 0.5), (88.0, 0.02), (95.0, 0.01)]):
        watch.update(
            frame / 10,
            _kneeling(
                _read(HIP_FOLD, fold, False),
                _read(KNEE_BEND, 40.0, True),
                _read(HEAD_ABOVE_HIPS, head, False),
            ),
        )
    miss = watch.result()
    assert miss is not None and miss.shortfall is not None
    assert (miss.shortfall.measurement, miss.shortfall.reading, miss.time_s) == ("hip_fold", 88.0, 0.1)
    assert miss.shortfall.cue == "Sit back until your buttocks rest on your heels."


def test_a_level_the_view_never_judged_is_named_with_why_and_how_to_film_it() -> None:
    thighs_hidden = Unjudged("your thighs", Unseen.HIDDEN)
    watch = NearestWatch(CHILDS_POSE)
    for frame in range(10):
        # The head hanging below the hips stands in for the fold, and says no.
        watch.update(
            frame / 10, _kneeling(_read(HIP_FOLD, 30.0, False, thighs_hidden), _read(KNEE_BEND, 40.0, True))
        )
    miss = watch.result()
    assert miss is not None and miss.shortfall is not None
    assert miss.shortfall.measurement == "hip_fold" and miss.shortfall.reading is None
    (unseen,) = miss.unjudged
    assert (unseen.measurement, unseen.share, unseen.in_position) == ("hip_fold", 1.0, True)
    assert (
        unseen.reason == "your thighs were hidden from the camera" and unseen.advice == "film from the side"
    )


def test_a_part_unseen_in_under_half_the_frames_is_not_named() -> None:
    knees_hidden = Unjudged("your knees and heels", Unseen.HIDDEN)
    watch = NearestWatch(CHILDS_POSE)
    for frame in range(10):
        knees = _read(KNEE_BEND, 40.0, None, knees_hidden if frame < 4 else None)
        watch.update(frame / 10, _kneeling(_read(HIP_FOLD, 80.0, False), knees))
    miss = watch.result()
    assert miss is not None and miss.unjudged == ()


def _out_of_position(facing_away: bool) -> Whereabouts:
    """Out of child's pose: facing up with the knees bent, or facing down with them straight."""
    knees = _read(KNEELING, 60.0, True) if facing_away else _read(KNEELING, 170.0, False)
    return Whereabouts(False, False, False, (), (_read(SHINS, 5.0, True), knees), facing_away=facing_away)


@pytest.mark.parametrize(
    ("frames_facing_away", "told"),
    [(10, "facing"), (5, "facing"), (3, "knee_bend")],
)
def test_facing_the_other_way_is_told_when_it_kept_the_person_out_half_the_time(
    frames_facing_away: int, told: str
) -> None:
    watch = NearestWatch(CHILDS_POSE)
    for frame in range(10):
        watch.update(frame / 10, _out_of_position(facing_away=frame < frames_facing_away))
    miss = watch.result()
    assert miss is not None and miss.stage is Stage.POSITION
    if told == "facing":
        assert miss.facing_away is not None and miss.shortfall is None
        assert (miss.facing_away.facing, miss.facing_away.share) == ("down", frames_facing_away / 10)
    else:
        assert miss.facing_away is None and miss.shortfall is not None
        assert miss.shortfall.measurement == told
