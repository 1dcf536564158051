"""History: every session kept in one SQLite file, so progress shows over weeks.

The file holds what the reports need and nothing a camera saw: holds, reps, faults, the
key angle per frame and the module version, never a picture. The schema is built by
numbered migrations from version 1 (``MIGRATIONS``); opening a file brings it up to date.
Each session is written in one transaction, so a crash mid-write leaves the file as it was
before that session, with every earlier session intact.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sqlite3
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TypeVar

import numpy as np

from posecheck import __version__
from posecheck.analysis.session import KeyAngleTrace, Session
from posecheck.closing import Closing
from posecheck.credentials import redacted
from posecheck.errors import HistoryError, SessionNotFoundError
from posecheck.history.progression import Target
from posecheck.private_files import create_private_file, readable_by_others
from posecheck.rules.events import Fault, Hold, Phase, Unchecked
from posecheck.rules.nearest import FacingAway, NearestMiss, Shortfall, Stage, UnjudgedShare

HISTORY_ENVIRONMENT = "POSECHECK_HISTORY"
T = TypeVar("T")

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
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session as the history keeps it: its number, the posecheck that analysed it, and
    the video it came from (a path, when the video was a file)."""

    id: int
    session: Session
    posecheck_version: str
    video_path: str | None


def default_history_path() -> Path:
    """$POSECHECK_HISTORY, else history.sqlite in the user's data folder."""
    named = os.environ.get(HISTORY_ENVIRONMENT, "")
    if named:
        return Path(named).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        xdg_data = os.environ.get("XDG_DATA_HOME", "")
        base = xdg_data if os.path.isabs(xdg_data) else str(Path.home() / ".local" / "share")
    return Path(base) / "posecheck" / "history.sqlite"


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
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, _now())
                )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return schema_version(connection)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _pack_floats(values: Sequence[float]) -> bytes:
    return zlib.compress(np.asarray(values, dtype="<f8").tobytes())


def _unpack_floats(blob: bytes) -> tuple[float, ...]:
    return tuple(np.frombuffer(zlib.decompress(blob), dtype="<f8").tolist())


def _pack_phases(phases: Sequence[Phase]) -> bytes:
    return zlib.compress("\n".join(phase.value for phase in phases).encode())


def _unpack_phases(blob: bytes) -> tuple[Phase, ...]:
    text = zlib.decompress(blob).decode()
    return tuple(Phase(value) for value in text.split("\n")) if text else ()


def _real(value: float) -> float | None:
    """SQLite stores NaN as NULL; say so explicitly."""
    return None if math.isnan(value) else value


def _reason(error: Exception) -> str:
    """SQLite's own words, unless they quote bytes of a damaged file that are not UTF-8 (the
    message itself then fails to decode)."""
    return "the file is damaged" if isinstance(error, UnicodeDecodeError) else str(error)


def _real_value(value: object) -> float:
    """A number read back, refused (TypeError) when something else than posecheck put text there."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    return float(value)


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _unchecked(value: object) -> tuple[Unchecked, ...]:
    """A hold's unchecked cues read back (none for a hold stored before they were kept)."""
    if value is None:
        return ()
    return tuple(
        Unchecked(
            _text(item["cue"]), _text(item["reason"]), _text(item["advice"]), _real_value(item["share"])
        )
        for item in json.loads(_text(value))
    )


def _maybe(value: object, read: Callable[[object], T]) -> T | None:
    return None if value is None else read(value)


def _yes_no(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not true or false")
    return value


def _nearest(value: object) -> NearestMiss | None:
    """What came nearest to a hold, read back (None for a session with a hold, or stored
    before it was kept)."""
    if value is None:
        return None
    data = json.loads(_text(value))
    shortfall, away = data["shortfall"], data["facing_away"]
    return NearestMiss(
        stage=Stage(data["stage"]),
        time_s=_maybe(data["time_s"], _real_value),
        shortfall=None
        if shortfall is None
        else Shortfall(
            measurement=_text(shortfall["measurement"]),
            unit=_text(shortfall["unit"]),
            at_least=_yes_no(shortfall["at_least"]),
            threshold=_real_value(shortfall["threshold"]),
            reading=_maybe(shortfall["reading"], _real_value),
            time_s=_maybe(shortfall["time_s"], _real_value),
            against_share=_real_value(shortfall["against_share"]),
            cue=_maybe(shortfall["cue"], _text),
        ),
        facing_away=None if away is None else FacingAway(_text(away["facing"]), _real_value(away["share"])),
        stay_s=_real_value(data["stay_s"]),
        hold_needs_s=_real_value(data["hold_needs_s"]),
        unjudged=tuple(
            UnjudgedShare(
                _text(item["measurement"]),
                _text(item["reason"]),
                _text(item["advice"]),
                _real_value(item["share"]),
                _yes_no(item["in_position"]),
            )
            for item in data["unjudged"]
        ),
    )


def since_timestamp(day: date) -> str:
    """The start of a local calendar day as the UTC timestamp sessions are stored with."""
    local_midnight = datetime.combine(day, time()).astimezone()
    return local_midnight.astimezone(UTC).isoformat(timespec="seconds")


class History(Closing):
    """One history file, opened (and migrated) on construction.

    A file that does not exist yet is created, owner-only (see ``private_files``), by the
    first write, so a command that fails before it saves anything leaves nothing on disk;
    until then the history reads as empty. ``mode_open_to_others`` is the mode of an
    existing file that other users of the machine may read (None when only its owner can).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_history_path()
        self.mode_open_to_others: int | None = None
        if self.path.exists():
            self.mode_open_to_others = readable_by_others(self.path)
            self.connection = self._connect(self.path)
        else:
            self.connection = self._connect(":memory:")
        self._on_disk = self.path.exists()

    def create_file(self) -> None:
        """Creates the history file now (owner-only) when it does not exist yet."""
        if self._on_disk:
            return
        try:
            create_private_file(self.path)
        except OSError as error:
            raise HistoryError(
                f"cannot create the history {self.path} ({error.strerror or error}): choose a writable "
                f"file with --db or ${HISTORY_ENVIRONMENT}"
            ) from None
        connection = self._connect(self.path)
        self.connection.close()
        self.connection, self._on_disk = connection, True

    def _connect(self, location: Path | str) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(location, timeout=10.0, isolation_level=None)
        except sqlite3.Error as error:
            raise HistoryError(
                f"cannot open the history {self.path} ({error}): choose a writable file with --db "
                f"or ${HISTORY_ENVIRONMENT}"
            ) from None
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            version = schema_version(connection)
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"the history {self.path} was written by a newer posecheck (schema {version}, this "
                    f"one knows up to {SCHEMA_VERSION}): update posecheck or use another file with --db"
                )
            migrate(connection)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
            connection.close()
            raise HistoryError(
                f"cannot read the history {self.path} ({_reason(error)}): it is not a posecheck history; "
                "move it aside or choose another file with --db"
            ) from None
        except BaseException:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        self.connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.create_file()
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        except (sqlite3.Error, UnicodeDecodeError) as error:
            raise HistoryError(
                f"cannot write the history {self.path} ({_reason(error)}): check the disk, or choose another "
                "file with --db"
            ) from None

    # ----------------------------------------------------------------- sessions
    def save(
        self,
        session: Session,
        video_path: str | os.PathLike[str] | None = None,
        replacing: int | None = None,
    ) -> int:
        """Stores one session whole, or nothing of it; returns its number. ``replacing`` is the
        number of an earlier save of the same session as it grew, which this one supersedes."""
        video = str(Path(video_path).resolve()) if video_path is not None else None
        with self._transaction() as connection:
            if replacing is not None:
                connection.execute("DELETE FROM sessions WHERE id = ?", (replacing,))
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
            trace = session.trace
            connection.execute(
                "INSERT INTO key_angle_traces (session_id, times, angles, phases) VALUES (?, ?, ?, ?)",
                (
                    session_id,
                    _pack_floats(trace.times_s),
                    _pack_floats(trace.angles_deg),
                    _pack_phases(trace.phases),
                ),
            )
        return session_id

    def sessions(
        self, exercise: str | None = None, since: date | None = None, with_traces: bool = True
    ) -> list[StoredSession]:
        """Sessions oldest first, of one exercise and from a day on when given. Without
        ``with_traces`` their key angle is left empty (a listing needs none and loads faster)."""
        query, parameters = "SELECT * FROM sessions WHERE 1 = 1", []
        if exercise is not None:
            query += " AND exercise = ?"
            parameters.append(exercise)
        if since is not None:
            query += " AND started_at >= ?"
            parameters.append(since_timestamp(since))
        return self._load(query + " ORDER BY started_at, id", parameters, with_traces)

    def session(self, session_id: int) -> StoredSession:
        found = self._load("SELECT * FROM sessions WHERE id = ?", [session_id])
        if not found:
            raise SessionNotFoundError(
                f"no session {session_id} in the history {self.path}: `posecheck history` lists them"
            )
        return found[0]

    def last_session(self, exercise: str | None = None) -> StoredSession:
        query, parameters = "SELECT * FROM sessions", []
        if exercise is not None:
            query += " WHERE exercise = ?"
            parameters.append(exercise)
        found = self._load(query + " ORDER BY started_at DESC, id DESC LIMIT 1", parameters)
        if not found:
            raise SessionNotFoundError(
                f"the history {self.path} holds no session yet: analyse a video first "
                "(`posecheck analyze VIDEO -e NAME`)"
            )
        return found[0]

    def _load(
        self, query: str, parameters: Sequence[object], with_traces: bool = True
    ) -> list[StoredSession]:
        try:
            self.connection.row_factory = sqlite3.Row
            rows = self.connection.execute(query, parameters).fetchall()
            return [self._stored(row, with_traces) for row in rows]
        except sqlite3.Error as error:
            raise HistoryError(
                f"cannot read the history {self.path} ({error}): move it aside or choose another file "
                "with --db"
            ) from None
        except (ValueError, TypeError, KeyError, IndexError, zlib.error) as error:
            # A value no posecheck wrote (notes that are not JSON, a damaged key angle, a number
            # where text belongs): the file was changed or damaged outside posecheck.
            what = "a key angle that cannot be unpacked" if isinstance(error, zlib.error) else "a value"
            raise HistoryError(
                f"the history {self.path} holds a damaged session ({what} no posecheck writes): move "
                "it aside or choose another file with --db"
            ) from None
        finally:
            self.connection.row_factory = None

    def _stored(self, row: sqlite3.Row, with_trace: bool) -> StoredSession:
        session_id = row["id"]
        faults: dict[int, list[Fault]] = {}
        for fault in self.connection.execute(
            "SELECT * FROM faults WHERE session_id = ? ORDER BY hold_number, number", (session_id,)
        ):
            faults.setdefault(fault["hold_number"], []).append(
                Fault(
                    _text(fault["kind"]),
                    _text(fault["cue"]),
                    _real_value(fault["start_s"]),
                    _real_value(fault["end_s"]),
                )
            )
        holds = tuple(
            Hold(
                start_s=_real_value(hold["start_s"]),
                end_s=_real_value(hold["end_s"]),
                duration_s=_real_value(hold["duration_s"]),
                complete=bool(hold["complete"]),
                side=None if hold["side"] is None else _text(hold["side"]),
                target_s=_real_value(hold["target_s"]),
                minimum_s=_real_value(hold["minimum_s"]),
                key_angle_deg=math.nan
                if hold["key_angle_deg"] is None
                else _real_value(hold["key_angle_deg"]),
                faults=tuple(faults.get(hold["number"], ())),
                variant=hold["variant"],
                unchecked=_unchecked(hold["unchecked"]),
            )
            for hold in self.connection.execute(
                "SELECT * FROM holds WHERE session_id = ? ORDER BY number", (session_id,)
            )
        )
        trace_row = None
        if with_trace:
            trace_row = self.connection.execute(
                "SELECT * FROM key_angle_traces WHERE session_id = ?", (session_id,)
            ).fetchone()
        trace = KeyAngleTrace()
        if trace_row is not None:
            trace = KeyAngleTrace(
                _unpack_floats(trace_row["times"]),
                _unpack_floats(trace_row["angles"]),
                _unpack_phases(trace_row["phases"]),
            )
        session = Session(
            exercise=_text(row["exercise"]),
            title=_text(row["title"]),
            source=_text(row["source"]),
            started_at=_text(row["started_at"]),
            duration_s=_real_value(row["duration_s"]),
            frames=_whole(row["frames"]),
            frames_with_person=_whole(row["frames_with_person"]),
            holds=holds,
            reps_target=_whole(row["reps_target"]),
            reps_are_per_side=bool(row["reps_are_per_side"]),
            notes=tuple(_text(note) for note in json.loads(_text(row["notes"]))),
            ended_early=bool(row["ended_early"]),
            interrupted=bool(row["interrupted"]),
            trace=trace,
            nearest=_nearest(row["nearest"]),
        )
        return StoredSession(session_id, session, row["posecheck_version"], row["video_path"])

    def forget(self, session_id: int | None) -> int:
        """Removes one session, or with None every session and every target, for good: the
        freed pages are zeroed, the file rebuilt without them (``VACUUM``) and the write-ahead
        log emptied, so no copy stays in the file. Returns the number of sessions removed."""
        if session_id is not None:
            self.session(session_id)  # SessionNotFoundError when there is none
        if not self._on_disk:
            return 0
        self.connection.execute("PRAGMA secure_delete = ON")
        with self._transaction() as connection:
            if session_id is None:
                removed = connection.execute("DELETE FROM sessions").rowcount
                connection.execute("DELETE FROM targets")
            else:
                removed = connection.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount
        try:
            self.connection.execute("VACUUM")
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as error:
            raise HistoryError(
                f"removed from the history {self.path}, but it could not be compacted ({error}): close "
                "other posecheck commands using it and run the same command again"
            ) from None
        return removed

    # ----------------------------------------------------------------- targets
    def set_target(self, target: Target) -> None:
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO targets (exercise, hold_s, reps, set_at) VALUES (?, ?, ?, ?)",
                (target.exercise, target.hold_s, target.reps, _now()),
            )

    def targets(self) -> dict[str, Target]:
        """The latest target set for each exercise."""
        try:
            rows = self.connection.execute(
                """SELECT exercise, hold_s, reps FROM targets
                   WHERE id IN (SELECT MAX(id) FROM targets GROUP BY exercise) ORDER BY exercise"""
            ).fetchall()
        except (sqlite3.Error, UnicodeDecodeError) as error:
            raise HistoryError(
                f"cannot read the targets in the history {self.path} ({_reason(error)}): move it aside or "
                "choose another file with --db"
            ) from None
        return {exercise: Target(exercise, hold_s, reps) for exercise, hold_s, reps in rows}

    def target_for(self, exercise: str) -> Target | None:
        return self.targets().get(exercise)
