"""`posecheck targets`: each exercise's target and why it is what it is (set by hand, grown
after routines that went well, held back by pain or a stretch not felt, or the starting
one), and `targets set` to choose one by hand."""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.errors import InvalidTargetError
from posecheck.terminal_text import shown

if TYPE_CHECKING:
    from posecheck.history.progression import Target
    from posecheck.history.store import History, StoredTarget
    from posecheck.rules.vocabulary import Exercise

LONGEST_TARGET_HOLD_S = 300.0
MOST_TARGET_REPS = 50
SET_BY_HAND = "set by hand"
LEG_CHOICES = ("alternate", "both")


def target_line(exercise: Exercise, target: Target, why: str) -> str:
    """One exercise's target, with both knees named where that is the target, and why."""
    per_leg = " per leg" if exercise.reps_are_per_side and target.legs != "both" else ""
    legs = ", both knees together" if target.legs == "both" else ""
    return (
        f"{exercise.name}: hold {target.hold_s:g} s, {target.reps} reps{per_leg}{legs} ({why}; instructions: "
        f"hold {exercise.hold.minimum_s:g}-{exercise.hold.progression_s:g} s, {exercise.reps_target} reps)"
    )


def why_target(stored: StoredTarget | None) -> str:
    """The stored reason with the day it was set; a target never set is the starting one."""
    if stored is None:
        return "starting target"
    try:
        day = datetime.fromisoformat(stored.set_at).astimezone().strftime("%Y-%m-%d")
    except ValueError:
        day = stored.set_at
    if stored.reason is None:
        return f"set on {day}"
    dated = re.search(r"\d{4}-\d{2}-\d{2}", stored.reason) is not None
    return stored.reason if dated else f"{stored.reason} on {day}"


def _run_targets_show(arguments: argparse.Namespace) -> int:
    from posecheck.cli.history import opened_history
    from posecheck.history.progression import starting_target
    from posecheck.rules.registry import available_exercises

    with opened_history(arguments.db) as history:
        stored = history.stored_targets()
    for name, exercise in available_exercises().items():
        entry = stored.get(name)
        target = entry.target if entry is not None else starting_target(exercise)
        print(shown(target_line(exercise, target, why_target(entry))))
    return 0


def _run_targets_set(arguments: argparse.Namespace) -> int:
    from posecheck.cli.history import opened_history
    from posecheck.rules.registry import exercise_named

    exercise = exercise_named(arguments.exercise)
    if arguments.hold is None and arguments.reps is None and arguments.legs is None:
        raise InvalidTargetError("give --hold SECONDS, --reps N, --legs alternate|both, or several")
    if arguments.legs is not None and not exercise.reps_are_per_side:
        raise InvalidTargetError(f"--legs: {exercise.name} is not done one leg at a time: leave --legs out")
    with opened_history(arguments.db) as history:
        target = _chosen_target(arguments, exercise, history)
        history.set_target(target, SET_BY_HAND)
    legs = ", both knees together" if target.legs == "both" else ""
    print(f"Target for {exercise.name}: {target.describe()}{legs}")
    return 0


def _chosen_target(arguments: argparse.Namespace, exercise: Exercise, history: History) -> Target:
    """The current target with what was given on the command line, checked."""
    import dataclasses

    from posecheck.history.progression import starting_target

    current = history.target_for(exercise.name) or starting_target(exercise)
    hold_s = current.hold_s if arguments.hold is None else arguments.hold
    reps = current.reps if arguments.reps is None else arguments.reps
    if not exercise.timing.shortest_hold_s <= hold_s <= LONGEST_TARGET_HOLD_S:
        raise InvalidTargetError(
            f"--hold {hold_s:g} is out of range: give {exercise.timing.shortest_hold_s:g} to "
            f"{LONGEST_TARGET_HOLD_S:g} seconds (the instructions say "
            f"{exercise.hold.minimum_s:g}-{exercise.hold.progression_s:g})"
        )
    if not 1 <= reps <= MOST_TARGET_REPS:
        raise InvalidTargetError(f"--reps {reps} is out of range: give 1 to {MOST_TARGET_REPS}")
    legs = current.legs
    if arguments.legs is not None:
        legs = "both" if arguments.legs == "both" else None
    return dataclasses.replace(current, hold_s=float(hold_s), reps=int(reps), legs=legs)


def add_targets_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], options: argparse.ArgumentParser
) -> None:
    targets = commands.add_parser(
        "targets", parents=[options], help="show or set the hold and reps target per exercise, and why"
    )
    targets.set_defaults(run=_run_targets_show)
    targets_commands = targets.add_subparsers(dest="targets_command")
    # --db after `show` or `set` too; left unset there, it keeps one given before them.
    after = argparse.ArgumentParser(add_help=False)
    after.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="the history file")
    show = targets_commands.add_parser("show", parents=[after], help="the target of each exercise, and why")
    show.set_defaults(run=_run_targets_show)
    set_target = targets_commands.add_parser("set", parents=[after], help="set an exercise's target")
    set_target.add_argument("exercise", help="the exercise (`posecheck exercises` lists them)")
    set_target.add_argument("--hold", type=float, metavar="SECONDS", help="seconds to hold")
    set_target.add_argument("--reps", type=int, metavar="N", help="reps to do (per leg for knee to chest)")
    set_target.add_argument(
        "--legs", choices=LEG_CHOICES, help="knee to chest: one knee at a time (alternate) or both at once"
    )
    set_target.set_defaults(run=_run_targets_set)
