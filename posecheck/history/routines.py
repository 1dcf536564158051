"""Routines written as rows and read back: the routine with its check-ins, and one row per
exercise of its plan linked to the session that exercise was recorded as.

Each exercise's session is an ordinary session, so the history, trends and reports of one
exercise see it like any other. A forgotten session leaves its routine's row in place with
no session: what the person answered and whether the exercise was done still stand.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from posecheck import __version__
from posecheck.credentials import redacted
from posecheck.history.reading import StoredSession, stored_session, text_value, whole_value
from posecheck.history.writing import insert_session
from posecheck.routine.checkins import CheckIns, Stretch
from posecheck.routine.plan import Legs
from posecheck.routine.record import RoutineEnding, reps_by_side_in, reps_in
from posecheck.rules.events import Hold

if TYPE_CHECKING:
    from posecheck.routine.record import Routine


@dataclass(frozen=True, slots=True)
class StoredRoutineExercise:
    """One exercise of a stored routine: its targets, what came of it, the stretch answer
    (None when unanswered), and its session (None when it was never seen or was forgotten)."""

    exercise: str
    title: str
    hold_s: float
    reps_target: int
    legs: Legs | None
    done: bool
    skipped: bool
    stretch: Stretch | None
    stored: StoredSession | None

    @property
    def holds(self) -> tuple[Hold, ...]:
        return self.stored.session.holds if self.stored is not None else ()

    @property
    def reps(self) -> int:
        return reps_in(self.holds)

    @property
    def reps_by_side(self) -> dict[str, int]:
        return reps_by_side_in(self.holds)


@dataclass(frozen=True, slots=True)
class StoredRoutine:
    """A routine as the history keeps it: its number, the check-ins, how it ended, the
    plan it followed (its text and where it came from) and each exercise of that plan."""

    id: int
    started_at: str
    source: str
    duration_s: float
    plan_text: str
    plan_source: str
    checkins: CheckIns
    ended: RoutineEnding
    advice: str | None
    notes: tuple[str, ...]
    posecheck_version: str
    video_path: str | None
    exercises: tuple[StoredRoutineExercise, ...]

    @property
    def done_count(self) -> int:
        return sum(entry.done for entry in self.exercises)

    def exercise(self, name: str) -> StoredRoutineExercise | None:
        return next((entry for entry in self.exercises if entry.exercise == name), None)


def insert_routine(
    connection: sqlite3.Connection, routine: Routine, video: str | None, replacing: int | None
) -> int:
    """Inserts the routine and each exercise's session (under the numbers an earlier save of
    the same routine gave them, when ``replacing``); the caller holds the transaction."""
    earlier = _session_numbers(connection, replacing) if replacing is not None else {}
    if replacing is not None:
        connection.execute(
            """DELETE FROM sessions
               WHERE id IN (SELECT session_id FROM routine_exercises WHERE routine_id = ?)""",
            (replacing,),
        )
        connection.execute("DELETE FROM routines WHERE id = ?", (replacing,))
    checkins = routine.checkins
    cursor = connection.execute(
        """INSERT INTO routines (id, started_at, source, duration_s, plan_text, plan_source, pain_before,
               pain_after, pain_during, ended, advice, notes, posecheck_version, video_path)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            replacing,
            routine.started_at,
            redacted(routine.source),
            routine.duration_s,
            routine.plan.text,
            routine.plan.source,
            checkins.pain_before,
            checkins.pain_after,
            json.dumps(list(checkins.pain_during)),
            str(routine.ended),
            routine.advice,
            json.dumps(list(routine.notes)),
            __version__,
            video,
        ),
    )
    routine_id = int(cursor.lastrowid or 0)
    for position, entry in enumerate(routine.exercises):
        session_id = None
        if entry.session is not None:
            session_id = insert_session(connection, entry.session, video, earlier.get(entry.exercise))
        stretch = checkins.stretch.get(entry.exercise)
        connection.execute(
            """INSERT INTO routine_exercises (routine_id, position, exercise, title, hold_s, reps_target,
                   legs, done, skipped, stretch, session_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                routine_id,
                position,
                entry.exercise,
                entry.title,
                entry.hold_s,
                entry.reps_target,
                None if entry.legs is None else str(entry.legs),
                entry.done,
                entry.skipped,
                None if stretch is None else str(stretch),
                session_id,
            ),
        )
    return routine_id


def _session_numbers(connection: sqlite3.Connection, routine_id: int) -> dict[str, int]:
    rows = connection.execute(
        "SELECT exercise, session_id FROM routine_exercises WHERE routine_id = ? AND session_id IS NOT NULL",
        (routine_id,),
    ).fetchall()
    return {exercise: session_id for exercise, session_id in rows}


def stored_routine(connection: sqlite3.Connection, row: sqlite3.Row, with_traces: bool) -> StoredRoutine:
    """The routine of one ``routines`` row (read with ``sqlite3.Row``) with its exercises;
    a value no posecheck writes raises (TypeError, ValueError, KeyError)."""
    exercises = tuple(
        _stored_exercise(connection, entry, with_traces)
        for entry in connection.execute(
            "SELECT * FROM routine_exercises WHERE routine_id = ? ORDER BY position", (row["id"],)
        ).fetchall()
    )
    stretch = {entry.exercise: entry.stretch for entry in exercises if entry.stretch is not None}
    checkins = CheckIns(
        pain_before=_pain(row["pain_before"]),
        pain_after=_pain(row["pain_after"]),
        stretch=stretch,
        pain_during=tuple(whole_value(score) for score in json.loads(text_value(row["pain_during"]))),
    )
    return StoredRoutine(
        id=whole_value(row["id"]),
        started_at=text_value(row["started_at"]),
        source=text_value(row["source"]),
        duration_s=float(row["duration_s"]),
        plan_text=text_value(row["plan_text"]),
        plan_source=text_value(row["plan_source"]),
        checkins=checkins,
        ended=RoutineEnding(row["ended"]),
        advice=None if row["advice"] is None else text_value(row["advice"]),
        notes=tuple(text_value(note) for note in json.loads(text_value(row["notes"]))),
        posecheck_version=text_value(row["posecheck_version"]),
        video_path=row["video_path"],
        exercises=exercises,
    )


def _stored_exercise(
    connection: sqlite3.Connection, row: sqlite3.Row, with_traces: bool
) -> StoredRoutineExercise:
    stored = None
    if row["session_id"] is not None:
        query = "SELECT * FROM sessions WHERE id = ?"
        session_row = connection.execute(query, (row["session_id"],)).fetchone()
        stored = stored_session(connection, session_row, with_traces)
    return StoredRoutineExercise(
        exercise=text_value(row["exercise"]),
        title=text_value(row["title"]),
        hold_s=float(row["hold_s"]),
        reps_target=whole_value(row["reps_target"]),
        legs=None if row["legs"] is None else Legs(row["legs"]),
        done=bool(row["done"]),
        skipped=bool(row["skipped"]),
        stretch=None if row["stretch"] is None else Stretch(row["stretch"]),
        stored=stored,
    )


def _pain(value: object) -> int | None:
    return None if value is None else whole_value(value)
