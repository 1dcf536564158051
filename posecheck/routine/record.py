"""The record of one routine: each exercise of the plan with what was done of it, and the
check-ins.

Live and recorded routines are built the same way (``routine_from_recognised``): the
recording's exercises are recognised, each exercise's holds are those inside the segments
given to it, and each plan step takes its exercise's holds. What was left undone is
recorded as not done, never lost and never credited: an exercise is done only when its
reps held the target (per leg where legs alternate).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from posecheck.analysis.recognised import RecognisedSession
from posecheck.analysis.session import Session
from posecheck.routine.checkins import CheckIns
from posecheck.routine.plan import Legs, RoutinePlan, RoutineStep
from posecheck.rules.events import Hold


class RoutineEnding(StrEnum):
    FINISHED = "finished"
    QUIT = "quit"
    STOPPED_FOR_PAIN = "stopped for pain"
    INTERRUPTED = "interrupted"
    CAMERA_LOST = "camera lost"
    END_OF_VIDEO = "end of video"


@dataclass(frozen=True, slots=True)
class RoutineExercise:
    """One step of the routine: its targets, the holds done, and whether it was done.
    ``session``: the exercise's session (None when it was never seen)."""

    exercise: str
    title: str
    hold_s: float
    reps_target: int
    legs: Legs | None
    holds: tuple[Hold, ...]
    done: bool
    session: Session | None = None
    skipped: bool = False

    @property
    def reps(self) -> int:
        return reps_in(self.holds)

    @property
    def reps_by_side(self) -> dict[str, int]:
        return reps_by_side_in(self.holds)


@dataclass(frozen=True, slots=True)
class Routine:
    """One routine, ready for the history and the reports."""

    plan: RoutinePlan
    exercises: tuple[RoutineExercise, ...]
    checkins: CheckIns
    source: str
    started_at: str
    duration_s: float
    ended: RoutineEnding
    advice: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def sessions(self) -> tuple[Session, ...]:
        return tuple(entry.session for entry in self.exercises if entry.session is not None)


def reps_in(holds: tuple[Hold, ...]) -> int:
    """Holds entered from the start position and left inside the recording."""
    return sum(1 for hold in holds if hold.complete)


def reps_by_side_in(holds: tuple[Hold, ...]) -> dict[str, int]:
    counts = Counter(hold.side for hold in holds if hold.complete and hold.side)
    return dict(sorted(counts.items()))


def reps_meeting(holds: tuple[Hold, ...], hold_s: float, legs: Legs | None) -> int:
    """Reps that held ``hold_s``: per leg (the weaker one) when legs alternate, only
    both-knee holds when both knees are the plan."""
    met = [hold for hold in holds if hold.complete and hold.duration_s >= hold_s]
    if legs is Legs.ALTERNATE:
        return min(sum(hold.side == side for hold in met) for side in ("left", "right"))
    if legs is Legs.BOTH:
        return sum(hold.side == "both" for hold in met)
    return len(met)


def step_done(step: RoutineStep, holds: tuple[Hold, ...]) -> bool:
    return reps_meeting(holds, step.hold_s, step.legs) >= step.reps


def routine_from_recognised(
    plan: RoutinePlan,
    steps: tuple[RoutineStep, ...],
    recognised: RecognisedSession,
    checkins: CheckIns,
    ended: RoutineEnding,
    *,
    started_at: str | None = None,
    skipped: frozenset[str] = frozenset(),
    advice: str | None = None,
) -> Routine:
    """The routine from a recognised recording: each step takes its exercise's holds.
    ``skipped``: the exercises the person skipped (recorded as such, still not done)."""
    sessions: Mapping[str, Session] = {session.exercise: session for session in recognised.sessions}
    exercises = []
    for step in steps:
        session = sessions.get(step.name)
        holds = session.holds if session is not None else ()
        exercises.append(
            RoutineExercise(
                step.name,
                step.exercise.title,
                step.hold_s,
                step.reps,
                step.legs,
                holds,
                step_done(step, holds),
                session,
                step.name in skipped,
            )
        )
    outside = sorted(set(sessions) - {step.name for step in steps})
    notes = tuple(recognised.notes) + tuple(
        f"{sessions[name].title} was done too; it is not in the plan, so it is not part of the routine."
        for name in outside
    )
    return Routine(
        plan,
        tuple(exercises),
        checkins,
        recognised.source,
        started_at or datetime.now(UTC).isoformat(timespec="seconds"),
        recognised.duration_s,
        ended,
        advice,
        notes,
    )
