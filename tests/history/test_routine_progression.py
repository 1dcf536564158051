"""Progression that listens, over a sequence of stored routines: a target grows only after
routines that were done, felt the stretch and did not raise the pain; pain that rose or a
stretch not felt holds it back and says so; knee to chest at its longest hold moves on to
both knees at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from posecheck.errors import SessionNotFoundError
from posecheck.history.progression import HOLD_STEP_S, SESSIONS_TO_PROGRESS, Target
from posecheck.history.routine_progression import TargetChange, progress_after_routine
from posecheck.history.store import History
from posecheck.routine.checkins import Stretch
from posecheck.routine.plan import Legs, default_plan
from tests.generated_routines import generated_routine

KNEE = "knee_to_chest"


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "history.sqlite") as opened:
        yield opened


def routine_done(history: History, day: str, **answers: object) -> dict[str, TargetChange]:
    """One routine of the default plan on the person's current targets, saved, then progressed."""
    routine = generated_routine(day, history.targets(), **answers)  # type: ignore[arg-type]
    routine_id = history.save_routine(routine)
    return {change.exercise: change for change in progress_after_routine(history, routine_id)}


def test_two_good_routines_grow_the_hold_by_one_step(history: History) -> None:
    assert SESSIONS_TO_PROGRESS == 2 and HOLD_STEP_S == 5.0
    first = routine_done(history, "2026-03-01")
    assert first[KNEE].new is None and "1 of the last 1 routines" in first[KNEE].reason
    assert history.targets() == {}
    second = routine_done(history, "2026-03-02")
    assert second[KNEE].new == Target(KNEE, 20.0, 4)
    assert second[KNEE].reason == "grown to hold 20 s, 4 reps after routines 1 and 2 went well"
    assert history.target_for(KNEE) == Target(KNEE, 20.0, 4)
    assert history.stored_targets()[KNEE].reason == second[KNEE].reason
    assert second["prone_press_up"].new == Target("prone_press_up", 15.0, 10)
    assert second["childs_pose"].new == Target("childs_pose", 15.0, 3)


def test_routines_done_to_the_old_target_do_not_grow_the_new_one(history: History) -> None:
    routine_done(history, "2026-03-01")
    routine_done(history, "2026-03-02")
    third = routine_done(history, "2026-03-03")
    assert third[KNEE].new is None and history.target_for(KNEE) == Target(KNEE, 20.0, 4)
    fourth = routine_done(history, "2026-03-04")
    assert fourth[KNEE].new == Target(KNEE, 25.0, 4)
    assert "after routines 3 and 4" in fourth[KNEE].reason


def test_pain_that_rose_holds_the_target_back_and_says_so(history: History) -> None:
    routine_done(history, "2026-03-01")
    held = routine_done(history, "2026-03-02", pain=(3, 5))
    change = held[KNEE]
    assert change.new is None and change.held_back
    assert change.reason == "held back: pain rose from 3 to 5 in routine 2 on 2026-03-02"
    stored = history.stored_targets()[KNEE]
    assert stored.target == Target(KNEE, 15.0, 4) and stored.reason == change.reason
    # One good routine after it is not yet two in a row.
    assert routine_done(history, "2026-03-03")[KNEE].new is None
    assert routine_done(history, "2026-03-04")[KNEE].new == Target(KNEE, 20.0, 4)


def test_a_stretch_not_felt_holds_the_target_and_names_the_form(history: History) -> None:
    routine_done(history, "2026-03-01")
    held = routine_done(history, "2026-03-02", stretch={"prone_press_up": Stretch.YES, KNEE: Stretch.NO})
    assert held[KNEE].new is None and held[KNEE].held_back
    assert "stretch not felt in routine 2" in held[KNEE].reason and "form may be off" in held[KNEE].reason
    assert held["prone_press_up"].new == Target("prone_press_up", 15.0, 10)
    # An unanswered stretch question does not grow it either, and is no reason to hold it back.
    assert not held["childs_pose"].held_back and held["childs_pose"].new is None
    assert history.target_for(KNEE) == Target(KNEE, 15.0, 4)


def test_not_sure_of_the_stretch_holds_the_target_too(history: History) -> None:
    routine_done(history, "2026-03-01")
    held = routine_done(history, "2026-03-02", stretch=Stretch.NOT_SURE)
    assert all(change.held_back and change.new is None for change in held.values())
    assert "not sure it was felt" in held[KNEE].reason


def test_an_exercise_short_of_its_target_does_not_grow(history: History) -> None:
    routine_done(history, "2026-03-01")
    second = routine_done(history, "2026-03-02", short_of_target=frozenset({KNEE}))
    assert second[KNEE].new is None and not second[KNEE].held_back
    assert second["prone_press_up"].new is not None


def test_knee_to_chest_at_its_longest_hold_moves_on_to_both_knees(history: History) -> None:
    history.set_target(Target(KNEE, 30.0, 4), "set by hand")
    routine_done(history, "2026-03-01")
    second = routine_done(history, "2026-03-02")
    assert second[KNEE].new == Target(KNEE, 30.0, 4, "both")
    assert "both knees together" in second[KNEE].reason
    (knee_step,) = [step for step in default_plan().steps_for(history.targets()) if step.name == KNEE]
    assert knee_step.legs is Legs.BOTH
    # Both knees is as far as it goes.
    routine_done(history, "2026-03-03")
    last = routine_done(history, "2026-03-04")
    assert last[KNEE].new is None and "is the longest" in last[KNEE].reason


def test_pain_that_rose_at_the_longest_hold_keeps_one_knee_at_a_time(history: History) -> None:
    history.set_target(Target(KNEE, 30.0, 4), "set by hand")
    routine_done(history, "2026-03-01")
    held = routine_done(history, "2026-03-02", pain=(2, 4))
    assert held[KNEE].new is None and held[KNEE].held_back
    assert history.target_for(KNEE) == Target(KNEE, 30.0, 4)


def test_progress_after_a_routine_not_in_the_history_is_one_error(history: History) -> None:
    with pytest.raises(SessionNotFoundError, match="history --routines"):
        progress_after_routine(history, 3)
