"""Progression on real sessions: start with the minimum, extend once the target was met
without a fault; reps first up to the prescribed number, then the hold up to 30 s."""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path

import pytest

from posecheck.analysis.video import analyze_track
from posecheck.history.progression import (
    HOLD_STEP_S,
    SESSIONS_TO_PROGRESS,
    Target,
    met_without_fault,
    starting_target,
    suggest_next,
    trend,
    with_target,
)
from posecheck.rules.registry import exercise_named
from tests.real_sessions import RealSessions, real_sessions

PRESS_UP = exercise_named("prone_press_up")
ONE_REP_PRESS_UP = dataclasses.replace(PRESS_UP, reps_target=1)  # the real clips show one rep


@pytest.fixture(scope="module")
def sessions(corpus: Path, model_path: Path, track_cache: Path) -> RealSessions:
    return real_sessions(corpus, model_path, track_cache)


def test_the_starting_target_is_the_minimum_hold_and_the_prescribed_reps() -> None:
    assert starting_target(PRESS_UP) == Target("prone_press_up", 10.0, 10)
    assert starting_target(exercise_named("knee_to_chest")) == Target("knee_to_chest", 15.0, 4)
    assert starting_target(exercise_named("childs_pose")) == Target("childs_pose", 10.0, 3)


def test_one_session_that_met_the_target_is_not_yet_enough(sessions: RealSessions) -> None:
    assert SESSIONS_TO_PROGRESS == 2
    target = Target("prone_press_up", 10.0, 1)
    assert met_without_fault(sessions.press_up, target)
    assert suggest_next(ONE_REP_PRESS_UP, target, [sessions.press_up]) is None


def test_reps_below_the_prescribed_number_go_up_first(sessions: RealSessions) -> None:
    suggestion = suggest_next(PRESS_UP, Target("prone_press_up", 10.0, 1), [sessions.press_up] * 2)
    assert suggestion is not None
    assert suggestion.target == Target("prone_press_up", 10.0, 3)
    assert "3 reps" in suggestion.reason


def test_at_the_prescribed_reps_the_hold_extends_by_one_step(sessions: RealSessions) -> None:
    suggestion = suggest_next(ONE_REP_PRESS_UP, Target("prone_press_up", 10.0, 1), [sessions.press_up] * 2)
    assert suggestion is not None
    assert suggestion.target == Target("prone_press_up", 10.0 + HOLD_STEP_S, 1)


def test_the_press_up_hold_extends_up_to_30_s_and_no_further(sessions: RealSessions) -> None:
    held_s = sessions.press_up.holds[0].duration_s
    assert 25.0 <= held_s < 30.0
    suggestion = suggest_next(ONE_REP_PRESS_UP, Target("prone_press_up", 25.0, 1), [sessions.press_up] * 2)
    assert suggestion is not None and suggestion.target.hold_s == 30.0
    # 28 s held does not meet 30 s: nothing further to suggest yet.
    assert suggest_next(ONE_REP_PRESS_UP, Target("prone_press_up", 30.0, 1), [sessions.press_up] * 2) is None


def test_a_fault_in_the_latest_session_holds_the_target(sessions: RealSessions) -> None:
    target = Target("prone_press_up", 10.0, 1)
    faulted = sessions.press_up_with_hips_lifted
    assert any(hold.faults for hold in faulted.holds)
    assert not met_without_fault(faulted, target)
    assert suggest_next(ONE_REP_PRESS_UP, target, [sessions.press_up, faulted]) is None
    # Two clean sessions after it count again.
    assert suggest_next(ONE_REP_PRESS_UP, target, [faulted, sessions.press_up, sessions.press_up]) is not None


def test_a_hold_short_of_the_target_holds_it(sessions: RealSessions) -> None:
    target = Target("prone_press_up", 10.0, 1)
    assert sessions.short_press_up.holds[0].duration_s < 10.0
    assert suggest_next(ONE_REP_PRESS_UP, target, [sessions.press_up, sessions.short_press_up]) is None


def test_other_exercises_sessions_do_not_count(sessions: RealSessions) -> None:
    target = Target("prone_press_up", 10.0, 1)
    history = [sessions.press_up, sessions.childs_pose, sessions.childs_pose]
    assert suggest_next(ONE_REP_PRESS_UP, target, history) is None


def test_the_persons_target_judges_the_holds_and_not_where_they_are(sessions: RealSessions) -> None:
    harder = with_target(PRESS_UP, Target("prone_press_up", 30.0, 6))
    session = analyze_track(sessions.press_up_track, harder)
    assert [(h.start_s, h.end_s, h.duration_s) for h in session.holds] == [
        (h.start_s, h.end_s, h.duration_s) for h in sessions.press_up.holds
    ]
    assert [hold.target_s for hold in session.holds] == [30.0] * len(session.holds)
    assert not any(hold.met for hold in session.holds)
    assert all(hold.met for hold in sessions.press_up.holds if hold.complete)
    assert session.reps_target == 6


def test_the_trend_gives_best_and_median_hold_and_the_most_frequent_fault(sessions: RealSessions) -> None:
    runs = [sessions.press_up, sessions.short_press_up, sessions.press_up_with_hips_lifted]
    summary = trend(runs)
    durations = sorted(hold.duration_s for session in runs for hold in session.holds)
    assert summary.best_hold_s == durations[-1] == sessions.press_up.holds[0].duration_s
    assert summary.median_hold_s == statistics.median(durations)
    assert summary.reps_done == (1, 1, 1)
    assert summary.reps_target == (10, 10, 10)
    assert summary.most_frequent_fault == "Keep your hips and pelvis on the mat."
    assert summary.fault_count == 1
