"""Generated routines for history, progression and report tests: the default plan done on a
given day, each exercise's holds set exactly (held to the target or short of it), with the
check-ins given. No video is needed: the record is what the history keeps."""

from __future__ import annotations

from collections.abc import Mapping

from posecheck.analysis.session import Session
from posecheck.history.progression import Target
from posecheck.routine.checkins import CheckIns, Stretch
from posecheck.routine.plan import Legs, RoutineStep, default_plan
from posecheck.routine.record import Routine, RoutineEnding, RoutineExercise, step_done
from posecheck.rules.events import Fault, Hold

REST_S = 5.0
FRAME_RATE = 30.0


def generated_holds(step: RoutineStep, held_s: float, fault: bool = False) -> tuple[Hold, ...]:
    """The step's reps, each held ``held_s``: alternating legs, both knees, or no side."""
    sides: list[str | None]
    if step.legs is Legs.ALTERNATE:
        sides = ["left", "right"] * step.reps
    elif step.legs is Legs.BOTH:
        sides = ["both"] * step.reps
    else:
        sides = [None] * step.reps
    holds = []
    start_s = 2.0
    for number, side in enumerate(sides):
        faults = (
            (Fault("hips_lifted", "Keep your hips and pelvis on the mat.", start_s + 1.0, start_s + 2.0),)
            if fault and number == 0
            else ()
        )
        holds.append(
            Hold(
                start_s=start_s,
                end_s=start_s + held_s,
                duration_s=held_s,
                complete=True,
                side=side,
                target_s=step.hold_s,
                minimum_s=step.exercise.hold.minimum_s,
                key_angle_deg=40.0 + number,
                faults=faults,
            )
        )
        start_s += held_s + REST_S
    return tuple(holds)


def generated_routine(
    day: str,
    targets: Mapping[str, Target] | None = None,
    *,
    pain: tuple[int | None, int | None] = (4, 3),
    stretch: Stretch | Mapping[str, Stretch] | None = Stretch.YES,
    short_of_target: frozenset[str] = frozenset(),
    skipped: frozenset[str] = frozenset(),
    ended: RoutineEnding = RoutineEnding.FINISHED,
    advice: str | None = None,
    faulted: frozenset[str] = frozenset(),
) -> Routine:
    """The default plan on ``day`` (YYYY-MM-DD) judged on ``targets``: every exercise held a
    second past its target, except those ``short_of_target`` (3 s short) or ``skipped``."""
    plan = default_plan()
    steps = plan.steps_for(targets or {})
    started_at = f"{day}T08:00:00+00:00"
    exercises = []
    for step in steps:
        if step.name in skipped:
            exercises.append(
                RoutineExercise(
                    step.name, step.exercise.title, step.hold_s, step.reps, step.legs, (), False, None, True
                )
            )
            continue
        held_s = step.hold_s - 3.0 if step.name in short_of_target else step.hold_s + 1.0
        holds = generated_holds(step, held_s, fault=step.name in faulted)
        duration_s = holds[-1].end_s + REST_S
        session = Session(
            exercise=step.name,
            title=step.exercise.title,
            source="camera 0",
            started_at=started_at,
            duration_s=duration_s,
            frames=int(duration_s * FRAME_RATE),
            frames_with_person=int(duration_s * FRAME_RATE),
            holds=holds,
            reps_target=step.reps,
            reps_are_per_side=step.exercise.reps_are_per_side,
        )
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
            )
        )
    if isinstance(stretch, Mapping):
        answers = dict(stretch)
    else:
        answers = (
            {} if stretch is None else {step.name: stretch for step in steps if step.name not in skipped}
        )
    checkins = CheckIns(pain_before=pain[0], pain_after=pain[1], stretch=answers)
    duration_s = sum(entry.session.duration_s for entry in exercises if entry.session is not None)
    return Routine(plan, tuple(exercises), checkins, "camera 0", started_at, duration_s, ended, advice)
