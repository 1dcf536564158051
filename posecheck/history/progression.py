"""Progression: the person's target per exercise, and when to raise it.

The instructions say to start with the minimum and extend over time: press-ups are held
10 s and repeated 10 times, held up to 30 s when the person can; knee to chest 15-30 s;
child's pose 10-30 s. A target starts at the exercise's minimum hold and its prescribed
reps. Once the last ``SESSIONS_TO_PROGRESS`` sessions each reached it without a fault, the
next target is suggested: first more reps, up to the prescribed number (for someone who
set fewer), then a longer hold, ``HOLD_STEP_S`` at a time, up to the exercise's longest.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from posecheck.analysis.session import Session
from posecheck.rules.vocabulary import Exercise

SESSIONS_TO_PROGRESS = 2
"""Two sessions in a row: one good day is not yet a habit, and a spasm can come back."""
HOLD_STEP_S = 5.0
REPS_STEP = 2


@dataclass(frozen=True, slots=True)
class Target:
    """Seconds to hold and reps to do (per leg where the exercise alternates legs), and for
    such an exercise whether both legs are done at once ("both"; None: one at a time)."""

    exercise: str
    hold_s: float
    reps: int
    legs: str | None = None

    def describe(self) -> str:
        return f"hold {self.hold_s:g} s, {self.reps} rep{'' if self.reps == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class Suggestion:
    target: Target
    reason: str


def starting_target(exercise: Exercise) -> Target:
    return Target(exercise.name, exercise.hold.minimum_s, exercise.reps_target)


def with_target(exercise: Exercise, target: Target) -> Exercise:
    """The exercise judged against the person's target instead of the prescribed one."""
    return dataclasses.replace(
        exercise, hold=dataclasses.replace(exercise.hold, target_s=target.hold_s), reps_target=target.reps
    )


def reps_done(session: Session) -> int:
    """Reps as the target counts them: per leg (the weaker leg) where legs alternate."""
    if not session.reps_are_per_side:
        return session.reps
    by_side = session.reps_by_side
    return max(min(by_side.get("left", 0), by_side.get("right", 0)), by_side.get("both", 0))


def met_without_fault(session: Session, target: Target) -> bool:
    """The reps were done, every rep held the target, and no hold broke a cue."""
    reps = [hold for hold in session.holds if hold.complete]
    return (
        reps_done(session) >= target.reps
        and all(hold.duration_s >= target.hold_s for hold in reps)
        and not any(hold.faults for hold in session.holds)
    )


def suggest_next(exercise: Exercise, target: Target, sessions: Sequence[Session]) -> Suggestion | None:
    """The next target once the latest sessions of this exercise met this one, else None."""
    recent = [session for session in sessions if session.exercise == exercise.name][-SESSIONS_TO_PROGRESS:]
    if len(recent) < SESSIONS_TO_PROGRESS or not all(met_without_fault(s, target) for s in recent):
        return None
    done = f"the last {SESSIONS_TO_PROGRESS} sessions met {target.describe()} without a fault"
    if target.reps < exercise.reps_target:
        reps = min(target.reps + REPS_STEP, exercise.reps_target)
        return Suggestion(dataclasses.replace(target, reps=reps), f"{done}: try {reps} reps")
    if target.hold_s < exercise.hold.progression_s:
        hold_s = min(target.hold_s + HOLD_STEP_S, exercise.hold.progression_s)
        return Suggestion(dataclasses.replace(target, hold_s=hold_s), f"{done}: try holding {hold_s:g} s")
    return None


@dataclass(frozen=True, slots=True)
class ExerciseTrend:
    """One exercise over a run of sessions."""

    exercise: str
    sessions: int
    best_hold_s: float
    median_hold_s: float
    reps_done: tuple[int, ...]
    reps_target: tuple[int, ...]
    most_frequent_fault: str | None
    fault_count: int


def trend(sessions: Sequence[Session]) -> ExerciseTrend:
    """Best and median hold, reps against target per session, and the most frequent fault
    (by its cue) of a run of sessions of one exercise."""
    if not sessions:
        raise ValueError("a trend needs at least one session")
    durations = [hold.duration_s for session in sessions for hold in session.holds]
    faults = Counter(fault.cue for session in sessions for hold in session.holds for fault in hold.faults)
    worst = faults.most_common(1)
    return ExerciseTrend(
        exercise=sessions[0].exercise,
        sessions=len(sessions),
        best_hold_s=max(durations, default=0.0),
        median_hold_s=statistics.median(durations) if durations else 0.0,
        reps_done=tuple(reps_done(session) for session in sessions),
        reps_target=tuple(session.reps_target for session in sessions),
        most_frequent_fault=worst[0][0] if worst else None,
        fault_count=worst[0][1] if worst else 0,
    )
