"""A session written as rows: the session, its holds and their faults, and its key angle.

The caller holds the transaction, so a session is stored whole or not at all.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3

from posecheck import __version__
from posecheck.analysis.session import KeyAngleTrace, Session
from posecheck.credentials import redacted
from posecheck.history.packing import pack_floats, pack_phases
from posecheck.rules.events import Hold


def insert_session(
    connection: sqlite3.Connection, session: Session, video: str | None, replacing: int | None
) -> int:
    """Inserts one session (under the number ``replacing`` when given); returns its number."""
    cursor = connection.execute(
        """INSERT INTO sessions (id, exercise, title, source, started_at, duration_s, frames,
               frames_with_person, reps_target, reps_are_per_side, notes, ended_early, interrupted,
               posecheck_version, hold_count, video_path, nearest)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            replacing,
            session.exercise,
            session.title,
            redacted(session.source),
            session.started_at,
            session.duration_s,
            session.frames,
            session.frames_with_person,
            session.reps_target,
            session.reps_are_per_side,
            json.dumps(list(session.notes)),
            session.ended_early,
            session.interrupted,
            __version__,
            len(session.holds),
            video,
            None if session.nearest is None else json.dumps(dataclasses.asdict(session.nearest)),
        ),
    )
    session_id = int(cursor.lastrowid or 0)
    for number, hold in enumerate(session.holds):
        _insert_hold(connection, session_id, number, hold)
    _insert_trace(connection, session_id, session.trace)
    return session_id


def _insert_hold(connection: sqlite3.Connection, session_id: int, number: int, hold: Hold) -> None:
    connection.execute(
        """INSERT INTO holds (session_id, number, start_s, end_s, duration_s, complete, side,
               target_s, minimum_s, key_angle_deg, variant, unchecked)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            session_id,
            number,
            hold.start_s,
            hold.end_s,
            hold.duration_s,
            hold.complete,
            hold.side,
            hold.target_s,
            hold.minimum_s,
            _real(hold.key_angle_deg),
            hold.variant,
            json.dumps([dataclasses.asdict(item) for item in hold.unchecked]),
        ),
    )
    connection.executemany(
        """INSERT INTO faults (session_id, hold_number, number, kind, cue, start_s, end_s)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [
            (session_id, number, index, fault.kind, fault.cue, fault.start_s, fault.end_s)
            for index, fault in enumerate(hold.faults)
        ],
    )


def _insert_trace(connection: sqlite3.Connection, session_id: int, trace: KeyAngleTrace) -> None:
    connection.execute(
        "INSERT INTO key_angle_traces (session_id, times, angles, phases) VALUES (?, ?, ?, ?)",
        (session_id, pack_floats(trace.times_s), pack_floats(trace.angles_deg), pack_phases(trace.phases)),
    )


def _real(value: float) -> float | None:
    """SQLite stores NaN as NULL; say so explicitly."""
    return None if math.isnan(value) else value
