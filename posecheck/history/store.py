"""History: every session kept in one SQLite file, so progress shows over weeks.

The file holds what the reports need and nothing a camera saw: holds, reps, faults, the
key angle per frame and the module version, never a picture. The schema is built by
numbered migrations (``schema``); opening a file brings it up to date. Each session is
written (``writing``) in one transaction, so a crash mid-write leaves the file as it was
before that session, with every earlier session intact; what is read back (``reading``) is
checked, so a file changed outside posecheck is refused, not misread.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from posecheck.analysis.session import Session
from posecheck.closing import Closing
from posecheck.errors import HistoryError, SessionNotFoundError
from posecheck.history.progression import Target
from posecheck.history.reading import StoredSession, stored_session
from posecheck.history.routines import StoredRoutine, insert_routine, stored_routine
from posecheck.history.schema import SCHEMA_VERSION, migrate, schema_version, utc_now
from posecheck.history.writing import insert_session
from posecheck.private_files import create_private_file, readable_by_others

if TYPE_CHECKING:
    from posecheck.routine.record import Routine

HISTORY_ENVIRONMENT = "POSECHECK_HISTORY"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoredTarget:
    """A target with why it is what it is (None for one stored before reasons were kept)
    and when it was set."""

    target: Target
    reason: str | None
    set_at: str


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


def _reason(error: Exception) -> str:
    """SQLite's own words, unless they quote bytes of a damaged file that are not UTF-8 (the
    message itself then fails to decode)."""
    return "the file is damaged" if isinstance(error, UnicodeDecodeError) else str(error)


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
            session_id = insert_session(connection, session, video, replacing)
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
        return self._read(query, parameters, lambda row: stored_session(self.connection, row, with_traces))

    def _read(self, query: str, parameters: Sequence[object], read: Callable[[sqlite3.Row], T]) -> list[T]:
        """Each row of ``query`` read back; a row no posecheck wrote is one ``HistoryError``."""
        try:
            self.connection.row_factory = sqlite3.Row
            rows = self.connection.execute(query, parameters).fetchall()
            return [read(row) for row in rows]
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

    def forget(self, session_id: int | None) -> int:
        """Removes one session, or with None every session, routine and target, for good: the
        freed pages are zeroed, the file rebuilt without them (``VACUUM``) and the write-ahead
        log emptied, so no copy stays in the file. Returns the number of sessions removed.
        A routine that held the session keeps its check-ins, with no session for that exercise."""
        if session_id is not None:
            self.session(session_id)  # SessionNotFoundError when there is none
        if not self._on_disk:
            return 0
        self.connection.execute("PRAGMA secure_delete = ON")
        with self._transaction() as connection:
            if session_id is None:
                connection.execute("DELETE FROM routines")
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

    # ----------------------------------------------------------------- routines
    def save_routine(
        self,
        routine: Routine,
        video_path: str | os.PathLike[str] | None = None,
        replacing: int | None = None,
    ) -> int:
        """Stores one routine whole (each exercise's session as an ordinary session, linked from
        the routine), or nothing of it; returns its number. ``replacing``: the number of an
        earlier save of the same routine as it grew, which this one supersedes with its sessions."""
        video = str(Path(video_path).resolve()) if video_path is not None else None
        with self._transaction() as connection:
            return insert_routine(connection, routine, video, replacing)

    def routines(self, since: date | None = None, with_traces: bool = False) -> list[StoredRoutine]:
        """Routines oldest first, from a day on when given (their sessions without the key
        angle unless ``with_traces``)."""
        query, parameters = "SELECT * FROM routines", []
        if since is not None:
            query += " WHERE started_at >= ?"
            parameters.append(since_timestamp(since))
        return self._load_routines(query + " ORDER BY started_at, id", parameters, with_traces)

    def routine(self, routine_id: int, with_traces: bool = False) -> StoredRoutine:
        found = self._load_routines("SELECT * FROM routines WHERE id = ?", [routine_id], with_traces)
        if not found:
            raise SessionNotFoundError(
                f"no routine {routine_id} in the history {self.path}: "
                "`posecheck history --routines` lists them"
            )
        return found[0]

    def last_routine(self, with_traces: bool = False) -> StoredRoutine:
        found = self._load_routines(
            "SELECT * FROM routines ORDER BY started_at DESC, id DESC LIMIT 1", [], with_traces
        )
        if not found:
            raise SessionNotFoundError(
                f"the history {self.path} holds no routine yet: do one first (`posecheck routine`)"
            )
        return found[0]

    def routine_of_sessions(self) -> dict[int, int]:
        """For each session recorded in a routine, that routine's number."""
        query = "SELECT session_id, routine_id FROM routine_exercises WHERE session_id IS NOT NULL"
        return dict(self._read(query, [], lambda row: (int(row[0]), int(row[1]))))

    def _load_routines(
        self, query: str, parameters: Sequence[object], with_traces: bool
    ) -> list[StoredRoutine]:
        return self._read(query, parameters, lambda row: stored_routine(self.connection, row, with_traces))

    # ----------------------------------------------------------------- targets
    def set_target(self, target: Target, reason: str | None = None) -> None:
        """Stores the exercise's new target with why it is what it is."""
        with self._transaction() as connection:
            connection.execute(
                """INSERT INTO targets (exercise, hold_s, reps, legs, reason, set_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (target.exercise, target.hold_s, target.reps, target.legs, reason, utc_now()),
            )

    def stored_targets(self) -> dict[str, StoredTarget]:
        """The latest target set for each exercise, with its reason and when it was set."""
        try:
            rows = self.connection.execute(
                """SELECT exercise, hold_s, reps, legs, reason, set_at FROM targets
                   WHERE id IN (SELECT MAX(id) FROM targets GROUP BY exercise) ORDER BY exercise"""
            ).fetchall()
        except (sqlite3.Error, UnicodeDecodeError) as error:
            raise HistoryError(
                f"cannot read the targets in the history {self.path} ({_reason(error)}): move it aside or "
                "choose another file with --db"
            ) from None
        return {
            exercise: StoredTarget(Target(exercise, hold_s, reps, legs), reason, set_at)
            for exercise, hold_s, reps, legs, reason, set_at in rows
        }

    def targets(self) -> dict[str, Target]:
        """The latest target set for each exercise."""
        return {name: stored.target for name, stored in self.stored_targets().items()}

    def target_for(self, exercise: str) -> Target | None:
        return self.targets().get(exercise)
