"""What the coach says and counts, from the engine's events and state."""

from __future__ import annotations

import math

import pytest

from posecheck.live.coaching import Coach
from posecheck.rules.engine import EngineState
from posecheck.rules.events import FaultStarted, Hold, HoldFinished, HoldStarted, Phase, PhaseChanged
from posecheck.rules.registry import exercise_named


def _state(phase: Phase, elapsed_s: float = 0.0, target_s: float = 10.0) -> EngineState:
    return EngineState(phase, phase.value, elapsed_s, target_s, math.nan, (), 0)


def _hold(duration_s: float, side: str | None = None, complete: bool = True) -> Hold:
    return Hold(0.0, duration_s, duration_s, complete, side, 10.0, 10.0, 40.0, ())


def _spoken_during_hold(coach: Coach, target_s: float, until_s: float) -> list[str]:
    spoken = []
    coach.hear(0.0, [HoldStarted(0.0, None)], _state(Phase.HOLD, 0.0, target_s))
    for tenth in range(int(until_s * 10) + 1):
        for announcement in coach.hear(tenth / 10, [], _state(Phase.HOLD, tenth / 10, target_s)):
            spoken.append(announcement.spoken)
    return spoken


def test_hold_is_counted_every_five_seconds_and_the_target_says_lower_slowly() -> None:
    coach = Coach(exercise_named("prone_press_up"))
    assert _spoken_during_hold(coach, 10.0, 16.0) == ["Five.", "Ten, lower slowly.", "Fifteen."]


def test_a_new_hold_counts_from_the_start_again() -> None:
    coach = Coach(exercise_named("prone_press_up"))
    _spoken_during_hold(coach, 10.0, 11.0)
    assert _spoken_during_hold(coach, 10.0, 6.0) == ["Five."]


def test_a_finished_rep_is_announced_and_counted() -> None:
    coach = Coach(exercise_named("prone_press_up"))
    [announcement] = coach.hear(12.0, [HoldFinished(12.0, _hold(11.0))], _state(Phase.MOVING_OUT))
    assert announcement.spoken == "Rep 1 of 10."
    assert coach.counter_text() == "1 / 10"


def test_a_short_rep_says_how_long_to_aim_for() -> None:
    coach = Coach(exercise_named("prone_press_up"))
    [announcement] = coach.hear(8.0, [HoldFinished(8.0, _hold(7.0))], _state(Phase.MOVING_OUT))
    assert announcement.spoken == "Rep 1 of 10. That was 7 seconds; aim for 10."


def test_a_hold_that_was_not_entered_from_the_start_is_not_counted() -> None:
    coach = Coach(exercise_named("childs_pose"))
    [announcement] = coach.hear(8.0, [HoldFinished(8.0, _hold(12.0, complete=False))], _state(Phase.AWAY))
    assert announcement.spoken is None
    assert coach.counter_text() == "0 / 3"


def test_knee_to_chest_counts_reps_per_side_and_reset_clears_the_counter() -> None:
    coach = Coach(exercise_named("knee_to_chest"))
    for side in ("left", "right", "left"):
        coach.hear(20.0, [HoldFinished(20.0, _hold(16.0, side))], _state(Phase.MOVING_OUT))
    assert coach.counter_text() == "left 2 / 4  right 1 / 4"
    coach.reset_counter()
    assert coach.counter_text() == "left 0 / 4  right 0 / 4"


def test_a_fault_that_comes_as_the_person_leaves_the_hold_is_not_said() -> None:
    """Pushing back out of a press-up lifts the hips: that is the way out, not a fault in
    the hold, and the recorded summary leaves it out too."""
    exercise = exercise_named("prone_press_up")
    check = exercise.checks[0]
    coach = Coach(exercise)
    assert coach.hear(61.4, [FaultStarted(61.4, check.kind, check.cue)], _state(Phase.MOVING_OUT)) == []


@pytest.mark.parametrize("exercise", ["prone_press_up", "childs_pose", "knee_to_chest"])
def test_a_fault_speaks_its_cue_with_a_cool_down(exercise: str) -> None:
    coach = Coach(exercise_named(exercise))
    check = exercise_named(exercise).checks[0]
    [announcement] = coach.hear(3.0, [FaultStarted(3.0, check.kind, check.cue)], _state(Phase.HOLD, 2.0))
    assert announcement.spoken == check.cue
    assert announcement.cooldown_s > 0


def test_the_phase_line_names_the_start_position_the_engine_sees() -> None:
    coach = Coach(exercise_named("childs_pose"))
    kneeling = EngineState(Phase.START, "kneeling upright", 0.0, 10.0, math.nan, (), 0)
    [announcement] = coach.hear(1.0, [PhaseChanged(1.0, Phase.START)], kneeling)
    assert announcement.text == "phase: kneeling upright"


def test_a_phase_passed_through_within_one_frame_keeps_its_own_words() -> None:
    coach = Coach(exercise_named("childs_pose"))
    events = [PhaseChanged(1.0, Phase.START), PhaseChanged(1.0, Phase.MOVING_IN)]
    sitting_back = EngineState(Phase.MOVING_IN, "sitting back", 0.0, 10.0, math.nan, (), 0)
    announcements = coach.hear(1.0, events, sitting_back)
    assert [a.text for a in announcements] == ["phase: on hands and knees", "phase: sitting back"]
