"""The history file's schema, built by numbered migrations from version 1 (``MIGRATIONS``),
each applied once in its own transaction, so two processes opening an old file at once both
bring it up to date."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: sessions with their holds and faults.
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            exercise TEXT NOT NULL,
            title TEXT NOT NULL,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            duration_s REAL NOT NULL,
            frames INTEGER NOT NULL,
            frames_with_person INTEGER NOT NULL,
            reps_target INTEGER NOT NULL,
            reps_are_per_side INTEGER NOT NULL,
            notes TEXT NOT NULL,
            ended_early INTEGER NOT NULL,
            interrupted INTEGER NOT NULL,
            posecheck_version TEXT NOT NULL,
            hold_count INTEGER NOT NULL
        )""",
        "CREATE INDEX sessions_by_exercise ON sessions (exercise, started_at)",
        """CREATE TABLE holds (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            duration_s REAL NOT NULL,
            complete INTEGER NOT NULL,
            side TEXT,
            target_s REAL NOT NULL,
            minimum_s REAL NOT NULL,
            key_angle_deg REAL,
            PRIMARY KEY (session_id, number)
        )""",
        """CREATE TABLE faults (
            session_id INTEGER NOT NULL,
            hold_number INTEGER NOT NULL,
            number INTEGER NOT NULL,
            kind TEXT NOT NULL,
            cue TEXT NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            PRIMARY KEY (session_id, hold_number, number),
            FOREIGN KEY (session_id, hold_number) REFERENCES holds (session_id, number) ON DELETE CASCADE
        )""",
    ),
    # 2: targets per exercise, each change kept so the trend can show them.
    (
        """CREATE TABLE targets (
            id INTEGER PRIMARY KEY,
            exercise TEXT NOT NULL,
            hold_s REAL NOT NULL,
            reps INTEGER NOT NULL,
            set_at TEXT NOT NULL
        )""",
    ),
    # 3: the key angle over time, and where the source video was (for stills of faults).
    (
        "ALTER TABLE sessions ADD COLUMN video_path TEXT",
        """CREATE TABLE key_angle_traces (
            session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
            times BLOB NOT NULL,
            angles BLOB NOT NULL,
            phases BLOB NOT NULL
        )""",
    ),
    # 4: the variant of each hold (press-up rests part-way, child's pose from kneeling...).
    ("ALTER TABLE holds ADD COLUMN variant TEXT",),
    # 5: the cues of each hold the camera's view could not check (JSON), and what came
    # nearest to a hold in a session without one (JSON).
    ("ALTER TABLE holds ADD COLUMN unchecked TEXT", "ALTER TABLE sessions ADD COLUMN nearest TEXT"),
    # 6: guided routines: the check-ins and each exercise of the plan, linked to the session it
    # was recorded as (kept NULL when that session is forgotten, so the check-ins stay); and
    # why each target is what it is, and whether both legs are done at once.
    (
        """CREATE TABLE routines (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            source TEXT NOT NULL,
            duration_s REAL NOT NULL,
            plan_text TEXT NOT NULL,
            plan_source TEXT NOT NULL,
            pain_before INTEGER,
            pain_after INTEGER,
            pain_during TEXT NOT NULL,
            ended TEXT NOT NULL,
            advice TEXT,
            notes TEXT NOT NULL,
            posecheck_version TEXT NOT NULL,
            video_path TEXT
        )""",
        "CREATE INDEX routines_by_start ON routines (started_at)",
        """CREATE TABLE routine_exercises (
            routine_id INTEGER NOT NULL REFERENCES routines (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            exercise TEXT NOT NULL,
            title TEXT NOT NULL,
            hold_s REAL NOT NULL,
            reps_target INTEGER NOT NULL,
            legs TEXT,
            done INTEGER NOT NULL,
            skipped INTEGER NOT NULL,
            stretch TEXT,
            session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
            PRIMARY KEY (routine_id, position)
        )""",
        "CREATE INDEX routine_exercises_by_session ON routine_exercises (session_id)",
        "ALTER TABLE targets ADD COLUMN reason TEXT",
        "ALTER TABLE targets ADD COLUMN legs TEXT",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(connection: sqlite3.Connection) -> int:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    (version,) = connection.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
    return int(version)


def migrate(connection: sqlite3.Connection, up_to: int = SCHEMA_VERSION) -> int:
    """Applies the missing migrations up to ``up_to``, each in its own transaction.
    The connection must be in autocommit mode (``isolation_level=None``)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    for version in range(schema_version(connection) + 1, up_to + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(connection) < version:  # another process may have just done it
                for statement in MIGRATIONS[version - 1]:
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, utc_now())
                )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return schema_version(connection)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
