"""The rule engine with the prone press-up module, on generated landmark sequences."""

from __future__ import annotations

import pytest

from posecheck.analysis.session import Session
from posecheck.analysis.video import ExerciseAnalysis
from posecheck.rules.registry import exercise_named
from posecheck.rules.timer import BRIDGE_S, RESTED_PART_WAY
from tests.figures import prone_sequence

REST, LIFTED = 5.0, 40.0


def run(sequence) -> Session:
    analysis = ExerciseAnalysis(exercise_named("prone_press_up"), "generated")
    for time_s, pose in sequence:
        analysis.feed(time_s, pose)
    return analysis.finish(1 / 30)


def rep(hold_s: float, lower_s: float = 1.5) -> list[tuple[float, float]]:
    return [(1.5, LIFTED), (hold_s, LIFTED), (lower_s, REST), (3.0, REST)]


def test_a_held_press_up_is_timed_from_settling_to_lowering() -> None:
    session = run(prone_sequence([(3.0, REST), *rep(12.0)]))
    assert session.reps == 1
    (hold,) = session.holds
    assert hold.complete and hold.met
    assert hold.start_s == pytest.approx(4.5, abs=0.5)
    assert hold.end_s == pytest.approx(16.5, abs=0.5)
    assert hold.duration_s == pytest.approx(12.0, abs=0.7)
    assert hold.key_angle_deg == pytest.approx(LIFTED, abs=2.0)
    assert hold.faults == ()


def test_a_hold_shorter_than_the_target_is_counted_but_not_met() -> None:
    session = run(prone_sequence([(3.0, REST), *rep(6.0)]))
    assert session.reps == 1
    assert not session.holds[0].met


def test_a_brief_lift_is_not_a_hold() -> None:
    session = run(prone_sequence([(3.0, REST), *rep(1.5)]))
    assert session.holds == ()


def test_ten_reps_are_counted_one_by_one() -> None:
    profile = [(3.0, REST)] + rep(10.5) * 10
    session = run(prone_sequence(profile))
    assert session.reps == 10
    assert all(hold.met for hold in session.holds)


def test_a_hold_running_when_the_recording_starts_is_not_a_rep() -> None:
    session = run(prone_sequence([(12.0, LIFTED), (1.5, REST), (3.0, REST)], start_deg=LIFTED))
    (hold,) = session.holds
    assert not hold.complete
    assert session.reps == 0


def test_a_hold_running_when_the_recording_ends_is_not_a_rep() -> None:
    session = run(prone_sequence([(3.0, REST), (1.5, LIFTED), (12.0, LIFTED)]))
    (hold,) = session.holds
    assert not hold.complete
    assert hold.duration_s == pytest.approx(12.0, abs=0.7)


def test_a_rest_half_way_down_between_holds_starts_a_new_rep() -> None:
    profile = [
        (3.0, REST),
        (1.5, LIFTED),
        (10.0, LIFTED),
        (1.0, 25.0),
        (2.0, 25.0),
        (1.0, LIFTED),
        (10.0, LIFTED),
        (1.5, REST),
        (3.0, REST),
    ]
    session = run(prone_sequence(profile))
    assert [hold.complete for hold in session.holds] == [True, True]
    first, second = session.holds
    assert first.variant is None and second.variant == RESTED_PART_WAY
    assert second.start_s == pytest.approx(18.5, abs=0.7)
    assert second.duration_s == pytest.approx(10.0, abs=0.7)


def test_dipping_for_a_moment_pauses_the_hold_without_splitting_the_rep() -> None:
    profile = [
        (3.0, REST),
        (1.5, LIFTED),
        (8.0, LIFTED),
        (0.3, 25.0),
        (0.8, 25.0),
        (0.3, LIFTED),
        (8.0, LIFTED),
    ]
    session = run(prone_sequence([*profile, (1.5, REST), (3.0, REST)]))
    (hold,) = session.holds
    assert hold.complete
    assert hold.end_s - hold.start_s == pytest.approx(17.4, abs=0.8)
    assert hold.duration_s < hold.end_s - hold.start_s - 0.5


def test_a_hold_bridges_a_few_seconds_without_the_person() -> None:
    sequence = [
        (time_s, None if 12.0 <= time_s < 16.0 else pose)
        for time_s, pose in prone_sequence([(3.0, REST), *rep(20.0)])
    ]
    (hold,) = run(sequence).holds
    assert hold.complete
    assert hold.duration_s == pytest.approx(20.0, abs=0.8)


def test_a_fault_already_there_as_the_hold_is_found_earns_it_no_time() -> None:
    def hips(time_s: float) -> float:
        return 0.25 if time_s >= 3.0 else 0.0

    (hold,) = run(prone_sequence([(3.0, REST), *rep(12.0)], hips=hips)).holds
    (fault,) = [fault for fault in hold.faults if fault.kind == "hips_lifted"]
    assert fault.start_s == pytest.approx(hold.start_s, abs=0.05)
    assert hold.duration_s < 0.5


def test_lifted_hips_are_flagged_and_stop_the_hold_timer() -> None:
    def hips(time_s: float) -> float:
        return 0.25 if 9.0 <= time_s < 13.0 else 0.0

    session = run(prone_sequence([(3.0, REST), *rep(20.0)], hips=hips))
    (hold,) = session.holds
    (fault,) = hold.faults
    assert fault.kind == "hips_lifted"
    assert fault.cue == "Keep your hips and pelvis on the mat."
    assert (fault.start_s, fault.end_s) == (pytest.approx(9.0, abs=0.3), pytest.approx(13.0, abs=0.5))
    assert hold.duration_s == pytest.approx(20.0 - 4.0, abs=0.8)


def test_pushing_back_onto_hands_and_knees_ends_the_hold_without_a_fault() -> None:
    def hips(time_s: float) -> float:
        return min(0.45, max(0.0, (time_s - 16.0) * 0.45))

    session = run(prone_sequence([(3.0, REST), (1.5, LIFTED), (11.5, LIFTED), (3.0, LIFTED)], hips=hips))
    (hold,) = session.holds
    assert hold.faults == ()
    assert hold.end_s == pytest.approx(16.4, abs=0.5)


def test_dropping_down_at_once_is_flagged() -> None:
    session = run(prone_sequence([(3.0, REST), *rep(11.0, lower_s=0.15)]))
    (hold,) = session.holds
    assert [fault.kind for fault in hold.faults] == ["lowered_too_fast"]


def test_lowering_slowly_is_not_flagged() -> None:
    session = run(prone_sequence([(3.0, REST), *rep(11.0, lower_s=2.5)]))
    assert session.holds[0].faults == ()


def test_a_gap_in_the_pose_is_bridged_and_one_longer_than_the_bridge_ends_the_hold() -> None:
    sequence = prone_sequence([(3.0, REST), *rep(30.0)])
    short_gap = [(t, None if 8.0 <= t < 8.5 else pose) for t, pose in sequence]
    long_gap = [(t, None if 8.0 <= t < 8.0 + BRIDGE_S + 1.0 else pose) for t, pose in sequence]
    assert len(run(short_gap).holds) == 1
    first, *_ = run(long_gap).holds
    assert first.end_s == pytest.approx(8.0, abs=0.1)


def test_a_fault_held_through_the_whole_hold_is_reported_not_taken_for_the_way_out() -> None:
    def hips(time_s: float) -> float:
        return 0.25 if 3.0 <= time_s < 17.5 else 0.0

    session = run(prone_sequence([(3.0, REST), *rep(12.0)], hips=hips))
    (hold,) = session.holds
    assert [fault.kind for fault in hold.faults] == ["hips_lifted"]
    assert not hold.met


def test_hips_rising_after_the_hold_is_left_do_not_lengthen_it() -> None:
    def hips(time_s: float) -> float:
        return 0.25 if time_s >= 19.0 else 0.0

    profile = [(3.0, REST), (1.5, LIFTED), (12.0, LIFTED), (5.0, REST), (3.0, REST)]
    (hold,) = run(prone_sequence(profile, hips=hips)).holds
    assert hold.end_s == pytest.approx(16.5, abs=0.5)
    assert hold.duration_s == pytest.approx(12.0, abs=0.7)


def test_frames_missing_for_longer_than_the_bridge_end_the_hold_where_they_stop() -> None:
    sequence = [
        (time_s, pose)
        for time_s, pose in prone_sequence([(3.0, REST), *rep(30.0)])
        if not 8.0 <= time_s < 8.0 + BRIDGE_S + 5.0
    ]
    first, *_ = run(sequence).holds
    assert first.end_s == pytest.approx(8.0, abs=0.1)
    assert first.duration_s < 4.0


def test_a_pause_on_the_way_up_from_lying_flat_is_not_a_rest_part_way() -> None:
    profile = [(3.0, REST), (1.0, 28.0), (3.0, 28.0), (1.0, LIFTED), (12.0, LIFTED), (1.5, REST), (3.0, REST)]
    (hold,) = run(prone_sequence(profile)).holds
    assert hold.complete and hold.variant is None
    assert hold.start_s == pytest.approx(8.0, abs=0.7)


def test_lowering_out_of_the_lift_and_straight_back_up_is_two_reps() -> None:
    """Lowered out of the target (16 degrees: below the lift, short of lying flat) and pressed
    up again at once, within the 10 s a hold may be resumed: a release, so a second rep."""
    profile = [(3.0, REST), (1.5, LIFTED), (10.0, LIFTED), (1.0, 16.0), (1.0, 16.0), *rep(10.0)]
    session = run(prone_sequence(profile))
    assert session.reps == 2
    first, second = session.holds
    assert first.end_s == pytest.approx(14.5, abs=0.6)  # where the lowering began
    assert second.start_s > first.end_s + 1.5
