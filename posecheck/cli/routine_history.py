"""The history's routine commands: `history --routines`, `report --routine [N]`, and what to
say once a routine is saved (its number, and each exercise's next target or why it stays).

A few lines over each library call, like the rest of the command line.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.terminal_text import shown

if TYPE_CHECKING:
    from rich.table import Table

    from posecheck.history.routine_progression import TargetChange
    from posecheck.history.routines import StoredRoutine
    from posecheck.history.store import History

ROUTINE_LAST = 0
"""``report --routine`` without a number: the latest routine."""
NO_ANSWER = "-"


def routine_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a routine number: `posecheck history --routines` lists them"
        )
    return int(text)


def tell_routine_saved(history: History, routine_id: int) -> list[TargetChange]:
    """Says where the routine was saved, then grows or holds each exercise's target (stored
    with its reason) and says what came of it; returns the changes."""
    from posecheck.history.routine_progression import progress_after_routine

    print(
        f"Saved as routine {routine_id} in {shown(history.path)} "
        f"(`posecheck report --routine {routine_id}` for the report)"
    )
    changes = progress_after_routine(history, routine_id)
    for change in changes:
        verb = "Next target" if change.new is not None else "Target stays"
        print(shown(f"{verb} for {change.exercise}: {change.reason}"))
    return changes


# --------------------------------------------------------------------- history --routines
def run_routines_listing(arguments: argparse.Namespace) -> int:
    from rich.console import Console

    from posecheck.cli.history import opened_history
    from posecheck.rules.registry import exercise_named

    with opened_history(arguments.db) as history:
        routines = history.routines(arguments.since)
        path = history.path
    if arguments.exercise is not None:
        name = exercise_named(arguments.exercise).name
        routines = [routine for routine in routines if routine.exercise(name) is not None]
    console = Console(width=max(Console().width, 110), highlight=False)
    if not routines:
        console.print(f"No routine to show in {shown(path, markup=True)}: `posecheck routine` does one.")
        return 0
    console.print(routines_table(routines, path))
    for routine in routines:
        if routine.advice:
            console.print(shown(f"Routine {routine.id}: {routine.advice}", markup=True))
    return 0


def routines_table(routines: Sequence[StoredRoutine], path: Path) -> Table:
    """One row a routine: when, exercises done of the plan, pain before and after, the
    stretch answers, how it ended, and the sessions it was recorded as."""
    from rich.table import Table

    from posecheck.cli.history import when

    table = Table(title=f"Routines in {shown(path, markup=True)}", title_justify="left")
    for column, justify in [
        ("#", "right"),
        ("when", "left"),
        ("done", "right"),
        ("pain before -> after", "left"),
        ("stretch felt", "left"),
        ("ended", "left"),
        ("sessions", "left"),
    ]:
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for routine in routines:
        stretch = [
            f"{entry.title}: {'skipped' if entry.skipped else entry.stretch or NO_ANSWER}"
            for entry in routine.exercises
        ]
        cells = (
            str(routine.id),
            when(routine.started_at),
            f"{routine.done_count} of {len(routine.exercises)}",
            pain_text(routine),
            str(routine.ended),
            ", ".join(str(entry.stored.id) for entry in routine.exercises if entry.stored) or NO_ANSWER,
        )
        shown_cells = [shown(cell, markup=True) for cell in cells]
        shown_cells.insert(4, "\n".join(shown(line, markup=True) for line in stretch))
        table.add_row(*shown_cells)
    return table


def pain_text(routine: StoredRoutine) -> str:
    """``4 -> 3``, with the scores asked during it and ``(rose)`` when the pain went up."""
    checkins = routine.checkins

    def score(value: int | None) -> str:
        return NO_ANSWER if value is None else str(value)

    text = f"{score(checkins.pain_before)} -> {score(checkins.pain_after)}"
    if checkins.pain_during:
        text += f" (during: {', '.join(map(str, checkins.pain_during))})"
    return text + (" (rose)" if checkins.pain_rose else "")


# --------------------------------------------------------------------- report --routine
def run_routine_report(arguments: argparse.Namespace) -> int:
    from posecheck.cli.history import opened_history
    from posecheck.reports.routine_html import write_routine_report

    with opened_history(arguments.db) as history:
        if arguments.routine == ROUTINE_LAST:
            stored = history.last_routine()
        else:
            stored = history.routine(arguments.routine)
        routines = history.routines()
    ids = [routine.id for routine in routines]
    past = routines[: ids.index(stored.id) + 1]
    out = arguments.out or Path(f"posecheck-routine-{stored.id}.html")
    write_routine_report(out, stored, past)
    print(f"Report written to {shown(out)}")
    return 0
