"""The history's commands: `history`, `targets`, `report`, `export`, and what `analyze`
does with the history (judge against the person's target, save the session).

A few lines over each library call, like the rest of the command line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.cli.routine_history import (
    ROUTINE_LAST,
    routine_number,
    run_routine_report,
    run_routines_listing,
)
from posecheck.cli.targets import add_targets_command, target_line, why_target
from posecheck.errors import PosecheckError, UsageError
from posecheck.history.saving import HistorySaver
from posecheck.terminal_text import shown, shown_lines

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from posecheck.analysis.session import Session
    from posecheck.history.store import History, StoredSession, StoredTarget
    from posecheck.rules.vocabulary import Exercise

FORGET_WITHOUT_NUMBER = ""


def _history(arguments: argparse.Namespace) -> History:
    return opened_history(arguments.db)


def opened_history(db: Path | None) -> History:
    """The history, with one warning line when other users of the machine can read it."""
    from posecheck.history.store import History

    history = History(db)
    mode = history.mode_open_to_others
    if mode is not None:
        _warn(
            f"the history {history.path} can be read by other users of this machine (mode {mode:03o}): "
            f"`chmod 600 {history.path}` keeps it yours"
        )
    return history


def _warn(message: str) -> None:
    print(f"posecheck: warning: {shown(message)}", file=sys.stderr)


# --------------------------------------------------------------------- analyze
def open_history_for_analysis(db: Path | None) -> History | None:
    """The history `analyze` reads the target from and saves to. One that cannot be opened
    is one warning line: the analysis goes on against the prescribed target, unsaved."""
    try:
        return opened_history(db)
    except PosecheckError as error:
        _warn(f"the session will not be saved to the history: {error}")
        return None


def judged_against_target(exercise: Exercise, history: History | None) -> Exercise:
    """The exercise with the target set for it in the history, if any."""
    from posecheck.history.progression import with_target

    target = history.target_for(exercise.name) if history is not None else None
    return with_target(exercise, target) if target is not None else exercise


class SessionSaver(HistorySaver):
    """``HistorySaver`` that tells the person: a failure is one warning line, and the ended
    session says where it was saved and, when it is time, the next target."""

    def __init__(self, history: History | None, video: str | os.PathLike[str] | None) -> None:
        super().__init__(history, video, warn=_warn)

    def save_final(self, session: Session) -> int | None:
        saved = self.save_ended(session)
        if saved is None:
            return self.session_id
        print(
            f"Saved as session {saved.session_id} in {shown(saved.path)} "
            f"(`posecheck report {saved.session_id}` for the report)"
        )
        if saved.next_target is not None:
            target = saved.next_target.target
            print(
                f"Next target: {saved.next_target.reason} (`posecheck targets set {session.exercise} "
                f"--hold {target.hold_s:g} --reps {target.reps}`)"
            )
        return saved.session_id


def save_session(
    session: Session, history: History | None, video: str | os.PathLike[str] | None
) -> int | None:
    """Saves an ended session (see ``SessionSaver.save_final``)."""
    return SessionSaver(history, video).save_final(session)


# --------------------------------------------------------------------- history
def when(started_at: str) -> str:
    try:
        return datetime.fromisoformat(started_at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return started_at


def _exercise_name(name: str | None) -> str | None:
    if name is None:
        return None
    from posecheck.rules.registry import exercise_named

    return exercise_named(name).name


def _run_history(arguments: argparse.Namespace) -> int:
    from rich.console import Console

    if arguments.forget is not None or arguments.all:
        return _forget(arguments)
    if arguments.routines:
        return run_routines_listing(arguments)
    exercise = _exercise_name(arguments.exercise)
    with _history(arguments) as history:
        stored = history.sessions(exercise, arguments.since, with_traces=False)
        targets = history.stored_targets()
        in_routines = history.routine_of_sessions()
        path = history.path
    console = Console(width=max(Console().width, 110), highlight=False)
    if not stored:
        console.print(
            f"No session to show in {shown(path, markup=True)}: `posecheck analyze VIDEO -e NAME` adds one."
        )
        return 0
    console.print(_sessions_table(stored, path, in_routines))
    if in_routines:
        console.print(f"{len(set(in_routines.values()))} routines: `posecheck history --routines` lists them")
    for name in sorted({entry.session.exercise for entry in stored}):
        entries = [entry for entry in stored if entry.session.exercise == name]
        from_routine = entries[-1].id in in_routines
        _print_trend(console, name, [entry.session for entry in entries], targets, from_routine)
    return 0


def _sessions_table(stored: Sequence[StoredSession], path: Path, in_routines: dict[int, int]) -> Table:
    """One row a session: when, what (and in which routine), reps against target, holds and faults."""
    from rich.table import Table

    from posecheck.history.progression import reps_done

    table = Table(title=f"Sessions in {shown(path, markup=True)}", title_justify="left")
    for column, justify in [
        ("#", "right"),
        ("when", "left"),
        ("exercise", "left"),
        ("source", "left"),
        ("reps", "right"),
        ("holds (s)", "left"),
        ("faults", "right"),
    ]:
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for entry in stored:
        session = entry.session
        holds = ", ".join(f"{hold.duration_s:.1f}" for hold in session.holds) or "-"
        faults = sum(len(hold.faults) for hold in session.holds)
        cells = (
            str(entry.id),
            when(session.started_at),
            session.exercise,
            session.source
            + (" (interrupted)" if session.interrupted else "")
            + (f" (routine {in_routines[entry.id]})" if entry.id in in_routines else ""),
            f"{reps_done(session)}/{session.reps_target}",
            holds,
            str(faults),
        )
        table.add_row(*(shown(cell, markup=True) for cell in cells))
    return table


def _print_trend(
    console: Console,
    name: str,
    sessions: Sequence[Session],
    targets: dict[str, StoredTarget],
    from_routine: bool,
) -> None:
    """One exercise's trend over its sessions, its target and the next one when it is time
    (after a routine, the target and why: the routine's check-ins decided it)."""
    from posecheck.history.progression import starting_target, suggest_next, trend
    from posecheck.rules.registry import exercise_named

    summary = trend(sessions)
    reps = ", ".join(
        f"{done}/{wanted}" for done, wanted in zip(summary.reps_done, summary.reps_target, strict=True)
    )
    fault = (
        f'"{shown(summary.most_frequent_fault, markup=True)}" ({summary.fault_count}x)'
        if summary.most_frequent_fault
        else "none"
    )
    console.print(
        f"[bold]{shown(sessions[0].title, markup=True)}[/bold]: {summary.sessions} sessions; "
        f"best hold {summary.best_hold_s:.1f} s, median {summary.median_hold_s:.1f} s\n"
        f"  reps against target: {reps}\n  most frequent fault: {fault}"
    )
    exercise_entry = exercise_named(name)
    stored = targets.get(name)
    target = stored.target if stored is not None else starting_target(exercise_entry)
    if from_routine:
        line = f"  target: {target_line(exercise_entry, target, why_target(stored)).partition(': ')[2]}"
        console.print(shown(line, markup=True))
        return
    suggestion = suggest_next(exercise_entry, target, sessions)
    line = f"  target: {target.describe()}{'' if name in targets else ' (the starting one)'}"
    if suggestion is not None:
        line += f"; next: {suggestion.reason}"
    console.print(shown(line, markup=True))


def _forget(arguments: argparse.Namespace) -> int:
    """``history --forget SESSION`` or ``history --forget --all``."""
    if arguments.forget is None or (arguments.forget == FORGET_WITHOUT_NUMBER) != arguments.all:
        raise UsageError(
            "give `--forget SESSION` for one session (`posecheck history` lists them) or "
            "`--forget --all` for every session and target"
        )
    session_id = None if arguments.all else int(arguments.forget)
    with _history(arguments) as history:
        routine_id = history.routine_of_sessions().get(session_id or 0)
        removed = history.forget(session_id)
        path = history.path
    if session_id is None:
        print(f"Removed {removed} sessions, every routine and every target from {shown(path)}")
    else:
        kept = f"; routine {routine_id} keeps its check-ins without it" if routine_id is not None else ""
        print(f"Removed session {session_id} from {shown(path)}{kept}")
    return 0


# --------------------------------------------------------------------- report
def _run_report(arguments: argparse.Namespace) -> int:
    from posecheck.history.progression import starting_target, suggest_next
    from posecheck.reports.html import write_report
    from posecheck.rules.registry import exercise_named

    if arguments.routine is not None:
        return run_routine_report(arguments)

    with _history(arguments) as history:
        stored = (
            history.session(arguments.session) if arguments.session is not None else history.last_session()
        )
        name = stored.session.exercise
        past = _up_to(history.sessions(name, with_traces=False), stored)
        target = history.target_for(name)
    exercise = exercise_named(name)
    suggestion = suggest_next(
        exercise, target or starting_target(exercise), [entry.session for entry in past]
    )
    out = arguments.out or Path(f"posecheck-session-{stored.id}.html")
    angle_name = exercise.key_angle.name.replace("_", " ")
    write_report(out, stored, past, angle_name, target, suggestion, stills=not arguments.no_stills)
    print(f"Report written to {shown(out)}")
    return 0


def _up_to(past: Sequence[StoredSession], stored: StoredSession) -> list[StoredSession]:
    """The sessions up to this one, this one included."""
    entries = list(past)
    for index, entry in enumerate(entries):
        if entry.id == stored.id:
            return entries[: index + 1]
    return [*entries, stored]


# --------------------------------------------------------------------- export
def _run_export(arguments: argparse.Namespace) -> int:
    from posecheck.history.export import export_text, write_text

    with _history(arguments) as history:
        stored = history.sessions(
            _exercise_name(arguments.exercise), arguments.since, with_traces=arguments.format == "json"
        )
    text = export_text(stored, arguments.format)
    if arguments.out is None:
        sys.stdout.write(shown_lines(text) if sys.stdout.isatty() else text)
    else:
        write_text(text, arguments.out)
        print(f"{len(stored)} sessions written to {shown(arguments.out)}")
    return 0


# --------------------------------------------------------------------- parser
def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None


def _session_number(text: str) -> str:
    if text == FORGET_WITHOUT_NUMBER:
        return text
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a session number: `posecheck history` lists them")
    return text


def history_options() -> argparse.ArgumentParser:
    """The --db option every command that uses the history takes."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--db", type=Path, help="the history file (default: $POSECHECK_HISTORY, else the user data folder)"
    )
    return options


def add_history_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    options = history_options()
    _add_history(commands, options)
    add_targets_command(commands, options)
    _add_report(commands, options)
    _add_export(commands, options)


def _add_history(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], options: argparse.ArgumentParser
) -> None:
    history = commands.add_parser("history", parents=[options], help="the sessions so far, and the trend")
    history.add_argument("--exercise", "-e", help="only this exercise")
    history.add_argument(
        "--since", type=_day, metavar="DATE", help="only sessions from this day on (YYYY-MM-DD)"
    )
    history.add_argument(
        "--forget",
        nargs="?",
        const=FORGET_WITHOUT_NUMBER,
        type=_session_number,
        metavar="SESSION",
        help="remove this session for good (with --all: every session and target)",
    )
    history.add_argument(
        "--all", action="store_true", help="with --forget: every session, routine and target"
    )
    history.add_argument(
        "--routines", action="store_true", help="the routines: exercises done, pain before and after, stretch"
    )
    history.set_defaults(run=_run_history)


def _add_report(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], options: argparse.ArgumentParser
) -> None:
    report = commands.add_parser("report", parents=[options], help="an HTML report of one session or routine")
    which = report.add_mutually_exclusive_group()
    which.add_argument("session", nargs="?", type=int, help="the session number (see `posecheck history`)")
    which.add_argument("--last", action="store_true", help="the latest session (the default)")
    which.add_argument(
        "--routine",
        nargs="?",
        const=ROUTINE_LAST,
        type=routine_number,
        metavar="N",
        help="a report of routine N instead (default: the latest; `posecheck history --routines` lists them)",
    )
    report.add_argument(
        "--out", type=Path, help="the HTML file (default posecheck-session-N.html, posecheck-routine-N.html)"
    )
    report.add_argument(
        "--no-stills", action="store_true", help="no picture from the video, only plots (for sharing)"
    )
    report.set_defaults(run=_run_report)


def _add_export(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], options: argparse.ArgumentParser
) -> None:
    export = commands.add_parser("export", parents=[options], help="the history as CSV or JSON")
    export.add_argument("--format", required=True, choices=("csv", "json"))
    export.add_argument("--out", type=Path, help="the file to write (default: standard output)")
    export.add_argument("--exercise", "-e", help="only this exercise")
    export.add_argument(
        "--since", type=_day, metavar="DATE", help="only sessions from this day on (YYYY-MM-DD)"
    )
    export.set_defaults(run=_run_export)
