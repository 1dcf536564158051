"""Progression that listens: after a routine, each exercise's target grows only when the
person's answers say it went well, not only the camera.

The instructions give the signs: the stretch is felt along the lower back or buttocks, and
the exercises ease the pain. So a target grows (reps up to the prescribed number, then the
hold ``HOLD_STEP_S`` at a time up to the exercise's longest, then, for knee to chest, both
knees at once) once the last ``SESSIONS_TO_PROGRESS`` routines with the exercise each did it
to the target, felt the stretch, and did not raise the pain. Pain that rose in the latest
routine, or a stretch not felt, holds the target back and says why; every change is stored
with its reason, so `posecheck targets` can show why a target is what it is.

Example::

    routine_id = history.save_routine(routine)
    for change in progress_after_routine(history, routine_id):
        print(change.exercise, change.reason)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from posecheck.history.progression import (
    HOLD_STEP_S,
    REPS_STEP,
    SESSIONS_TO_PROGRESS,
    Target,
    starting_target,
)
from posecheck.routine.checkins import CheckIns, Stretch
from posecheck.rules.registry import exercise_named
from posecheck.rules.vocabulary import Exercise

if TYPE_CHECKING:
    from posecheck.history.routines import StoredRoutine, StoredRoutineExercise
    from posecheck.history.store import History

BOTH_LEGS = "both"


@dataclass(frozen=True, slots=True)
class TargetChange:
    """What a routine did to one exercise's target: ``new`` is the grown target (None when
    it stays), ``reason`` says why either way, ``held_back`` when the answers stopped it."""

    exercise: str
    old: Target
    new: Target | None
    reason: str
    held_back: bool = False


def progress_after_routine(history: History, routine_id: int) -> list[TargetChange]:
    """Each exercise of the routine with its next target, or why it stays; stores the grown
    and the held-back ones with their reason."""
    routines = _up_to(history.routines(), routine_id)
    if not routines:
        history.routine(routine_id)  # SessionNotFoundError naming the fix
    targets = history.targets()
    changes = []
    for entry in routines[-1].exercises:
        exercise = exercise_named(entry.exercise)
        target = targets.get(exercise.name) or starting_target(exercise)
        change = next_target(exercise, target, routines)
        if change.new is not None:
            history.set_target(change.new, change.reason)
        elif change.held_back:
            history.set_target(target, change.reason)
        changes.append(change)
    return changes


def next_target(exercise: Exercise, target: Target, routines: Sequence[StoredRoutine]) -> TargetChange:
    """The change the latest of ``routines`` (oldest first) makes to the exercise's target."""
    latest = routines[-1]
    held = _held_back(latest, exercise.name)
    if held is not None:
        return TargetChange(exercise.name, target, None, held, held_back=True)
    with_it = [routine for routine in routines if routine.exercise(exercise.name) is not None]
    recent = with_it[-SESSIONS_TO_PROGRESS:]
    good = [routine for routine in recent if _went_well(routine, exercise.name, target)]
    if len(good) < SESSIONS_TO_PROGRESS:
        reason = (
            f"{len(good)} of the last {len(recent)} routines with it went well at {_describe(target)} "
            f"(done, stretch felt, pain not up); {SESSIONS_TO_PROGRESS} in a row grow it"
        )
        return TargetChange(exercise.name, target, None, reason)
    after = f"after routines {' and '.join(str(routine.id) for routine in good)} went well"
    grown = _grown(exercise, target)
    if grown is None:
        return TargetChange(exercise.name, target, None, f"{after}; {_describe(target)} is the longest")
    return TargetChange(exercise.name, target, grown, f"grown to {_describe(grown)} {after}")


def _held_back(routine: StoredRoutine, name: str) -> str | None:
    """Why the latest routine holds the target back: pain that rose, or a stretch not felt."""
    day = _day(routine.started_at)
    if routine.checkins.pain_rose:
        return (
            f"held back: pain rose from {routine.checkins.pain_before} to {_highest_later(routine.checkins)} "
            f"in routine {routine.id} on {day}"
        )
    entry = routine.exercise(name)
    if entry is not None and entry.stretch in (Stretch.NO, Stretch.NOT_SURE):
        answer = "not felt" if entry.stretch is Stretch.NO else "not sure it was felt"
        return (
            f"held back: stretch {answer} in routine {routine.id} on {day}, so the form may be off: "
            f"check it in `posecheck report --routine {routine.id}`"
        )
    return None


def _went_well(routine: StoredRoutine, name: str, target: Target) -> bool:
    entry = routine.exercise(name)
    return (
        entry is not None
        and _done_at(entry, target)
        and entry.stretch is Stretch.YES
        and not routine.checkins.pain_rose
    )


def _done_at(entry: StoredRoutineExercise, target: Target) -> bool:
    """Done, and to at least this target (a routine done to an easier one does not count)."""
    both_wanted = target.legs == BOTH_LEGS
    both_done = entry.legs is not None and str(entry.legs) == BOTH_LEGS
    return (
        entry.done
        and not entry.skipped
        and entry.hold_s >= target.hold_s
        and entry.reps_target >= target.reps
        and both_done >= both_wanted
    )


def _grown(exercise: Exercise, target: Target) -> Target | None:
    """Reps first up to the prescribed number, then the hold, then both knees at once."""
    if target.reps < exercise.reps_target:
        return dataclasses.replace(target, reps=min(target.reps + REPS_STEP, exercise.reps_target))
    if target.hold_s < exercise.hold.progression_s:
        hold_s = min(target.hold_s + HOLD_STEP_S, exercise.hold.progression_s)
        return dataclasses.replace(target, hold_s=hold_s)
    if exercise.reps_are_per_side and target.legs != BOTH_LEGS:
        return dataclasses.replace(target, legs=BOTH_LEGS)
    return None


def _describe(target: Target) -> str:
    legs = ", both knees together" if target.legs == BOTH_LEGS else ""
    return f"{target.describe()}{legs}"


def _highest_later(checkins: CheckIns) -> int:
    later = [score for score in (*checkins.pain_during, checkins.pain_after) if score is not None]
    return max(later)


def _up_to(routines: Sequence[StoredRoutine], routine_id: int) -> list[StoredRoutine]:
    for index, routine in enumerate(routines):
        if routine.id == routine_id:
            return list(routines[: index + 1])
    return []


def _day(started_at: str) -> str:
    try:
        return datetime.fromisoformat(started_at).astimezone().strftime("%Y-%m-%d")
    except ValueError:
        return started_at[:10]
