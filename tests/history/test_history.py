"""The history file: real sessions round-trip exactly, the schema migrates from nothing and
from its first version, and a write is whole or absent, even when the process is killed."""

from __future__ import annotations

import dataclasses
import json
import math
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from posecheck import __version__
from posecheck.analysis.session import KeyAngleTrace, Session
from posecheck.analysis.video import analyze_track
from posecheck.errors import HistoryError, SessionNotFoundError
from posecheck.evaluation.corpus import corpus_track
from posecheck.history.progression import Target
from posecheck.history.schema import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version
from posecheck.history.store import History
from tests.real_sessions import RealSessions, real_sessions

KILL_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def sessions(corpus: Path, model_path: Path, track_cache: Path) -> RealSessions:
    return real_sessions(corpus, model_path, track_cache)


def assert_same_session(loaded: Session, original: Session) -> None:
    """Equal in every field; the key angle is compared as arrays so NaN (no person) matches NaN."""
    assert dataclasses.replace(loaded, trace=KeyAngleTrace()) == dataclasses.replace(
        original, trace=KeyAngleTrace()
    )
    assert loaded.trace.times_s == original.trace.times_s
    assert np.array_equal(loaded.trace.angles_deg, original.trace.angles_deg, equal_nan=True)
    assert loaded.trace.phases == original.trace.phases


@pytest.mark.parametrize("name", ["press_up", "press_up_with_hips_lifted", "short_press_up", "childs_pose"])
def test_a_real_session_round_trips_exactly(name: str, sessions: RealSessions, tmp_path: Path) -> None:
    original = sessions.all[name]
    assert original.holds and len(original.trace) == original.frames
    with History(tmp_path / "history.sqlite") as history:
        session_id = history.save(original, sessions.press_up_video)
    with History(tmp_path / "history.sqlite") as history:
        stored = history.session(session_id)
    assert_same_session(stored.session, original)
    assert stored.posecheck_version == __version__
    assert stored.video_path == str(sessions.press_up_video.resolve())


def test_the_faulted_session_keeps_its_fault_through_the_history(
    sessions: RealSessions, tmp_path: Path
) -> None:
    with History(tmp_path / "history.sqlite") as history:
        stored = history.session(history.save(sessions.press_up_with_hips_lifted))
    (fault,) = [fault for hold in stored.session.holds for fault in hold.faults]
    assert fault.kind == "hips_lifted"
    assert stored.video_path is None


def test_sessions_are_listed_by_exercise_and_from_a_day_on(sessions: RealSessions, tmp_path: Path) -> None:
    dated = [
        dataclasses.replace(sessions.press_up, started_at="2026-03-01T09:00:00+00:00"),
        dataclasses.replace(sessions.childs_pose, started_at="2026-03-05T09:00:00+00:00"),
        dataclasses.replace(sessions.short_press_up, started_at="2026-03-09T09:00:00+00:00"),
    ]
    with History(tmp_path / "history.sqlite") as history:
        ids = [history.save(session) for session in dated]
        assert [s.id for s in history.sessions()] == ids
        assert [s.id for s in history.sessions("prone_press_up")] == [ids[0], ids[2]]
        assert [s.id for s in history.sessions(since=date(2026, 3, 4))] == ids[1:]
        assert [s.id for s in history.sessions("prone_press_up", date(2026, 3, 4))] == [ids[2]]
        assert history.last_session().id == ids[2]
        assert history.last_session("childs_pose").id == ids[1]
        listed = history.sessions(with_traces=False)
        assert [entry.session for entry in listed] == [
            dataclasses.replace(s, trace=KeyAngleTrace()) for s in dated
        ]
        with pytest.raises(SessionNotFoundError, match="posecheck history"):
            history.session(max(ids) + 1)


def test_a_session_saved_again_as_it_grew_keeps_its_number_and_only_its_last_content(
    sessions: RealSessions, tmp_path: Path
) -> None:
    with History(tmp_path / "history.sqlite") as history:
        other = history.save(sessions.childs_pose)
        grown = history.save(dataclasses.replace(sessions.press_up_with_hips_lifted, interrupted=True))
        assert history.save(sessions.short_press_up, replacing=grown) == grown
        assert_same_session(history.session(grown).session, sessions.short_press_up)
        assert_same_session(history.session(other).session, sessions.childs_pose)
        holds, faults = history.connection.execute(
            "SELECT (SELECT COUNT(*) FROM holds), (SELECT COUNT(*) FROM faults)"
        ).fetchone()
    assert holds == len(sessions.childs_pose.holds) + len(sessions.short_press_up.holds)
    assert faults == 0


@pytest.fixture(scope="module")
def session_without_a_hold(corpus: Path, model_path: Path, track_cache: Path) -> Session:
    """Cat-cow read as child's pose: on hands and knees throughout, never folded."""
    track = corpus_track(corpus / "videos" / "confuser__flowai_cat_cow_home.mp4", model_path, track_cache)
    return analyze_track(track, "childs_pose")


def test_what_came_nearest_to_a_hold_round_trips_exactly(
    session_without_a_hold: Session, tmp_path: Path
) -> None:
    assert not session_without_a_hold.holds and session_without_a_hold.nearest is not None
    with History(tmp_path / "history.sqlite") as history:
        session_id = history.save(session_without_a_hold)
    with History(tmp_path / "history.sqlite") as history:
        loaded = history.session(session_id).session
        listed = history.sessions(with_traces=False)[0].session
    assert_same_session(loaded, session_without_a_hold)
    assert loaded.nearest == listed.nearest == session_without_a_hold.nearest


def test_a_session_stored_before_the_nearest_miss_was_kept_loads_without_one(
    session_without_a_hold: Session, tmp_path: Path
) -> None:
    with History(tmp_path / "history.sqlite") as history:
        session_id = history.save(session_without_a_hold)
        history.connection.execute("UPDATE sessions SET nearest = NULL")
        assert history.session(session_id).session.nearest is None


@pytest.mark.parametrize("stored", ["'{not json'", "'[1, 2]'", '\'{"stage": "lying"}\'', "x'ff00'"])
def test_a_damaged_nearest_miss_is_one_error_naming_the_fix(
    stored: str, session_without_a_hold: Session, tmp_path: Path
) -> None:
    with History(tmp_path / "history.sqlite") as history:
        session_id = history.save(session_without_a_hold)
        history.connection.execute(f"UPDATE sessions SET nearest = {stored}")
        with pytest.raises(HistoryError, match="damaged session"):
            history.session(session_id)


def test_an_empty_history_has_no_last_session(tmp_path: Path) -> None:
    with History(tmp_path / "history.sqlite") as history, pytest.raises(SessionNotFoundError, match="analy"):
        history.last_session()


def test_targets_keep_the_latest_per_exercise(tmp_path: Path) -> None:
    with History(tmp_path / "history.sqlite") as history:
        assert history.target_for("prone_press_up") is None
        history.set_target(Target("prone_press_up", 10.0, 4))
        history.set_target(Target("childs_pose", 15.0, 2))
        history.set_target(Target("prone_press_up", 15.0, 6))
    with History(tmp_path / "history.sqlite") as history:
        assert history.targets() == {
            "childs_pose": Target("childs_pose", 15.0, 2),
            "prone_press_up": Target("prone_press_up", 15.0, 6),
        }


# --- migrations ------------------------------------------------------------------------------


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_an_empty_file_is_migrated_through_every_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "history.sqlite"
    with History(path) as history:
        history.create_file()
    with sqlite3.connect(path) as connection:
        versions = [row[0] for row in connection.execute("SELECT version FROM schema_version ORDER BY 1")]
    assert versions == list(range(1, SCHEMA_VERSION + 1)) == list(range(1, len(MIGRATIONS) + 1))
    assert {"sessions", "holds", "faults", "targets", "key_angle_traces"} <= _tables(path)


def _first_version_file(path: Path, session: Session) -> None:
    """A history as the first schema wrote it, holding one real session."""
    connection = sqlite3.connect(path, isolation_level=None)
    assert migrate(connection, up_to=1) == 1
    cursor = connection.execute(
        """INSERT INTO sessions (exercise, title, source, started_at, duration_s, frames, frames_with_person,
               reps_target, reps_are_per_side, notes, ended_early, interrupted, posecheck_version, hold_count)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            session.exercise,
            session.title,
            session.source,
            session.started_at,
            session.duration_s,
            session.frames,
            session.frames_with_person,
            session.reps_target,
            session.reps_are_per_side,
            json.dumps(list(session.notes)),
            session.ended_early,
            session.interrupted,
            "0.0.1",
            len(session.holds),
        ),
    )
    for number, hold in enumerate(session.holds):
        connection.execute(
            "INSERT INTO holds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cursor.lastrowid,
                number,
                hold.start_s,
                hold.end_s,
                hold.duration_s,
                hold.complete,
                hold.side,
                hold.target_s,
                hold.minimum_s,
                None if math.isnan(hold.key_angle_deg) else hold.key_angle_deg,
            ),
        )
        for index, fault in enumerate(hold.faults):
            connection.execute(
                "INSERT INTO faults VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cursor.lastrowid, number, index, fault.kind, fault.cue, fault.start_s, fault.end_s),
            )
    connection.close()


def test_a_first_version_file_is_migrated_and_keeps_its_sessions(
    sessions: RealSessions, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite"
    original = sessions.press_up_with_hips_lifted
    _first_version_file(path, original)
    assert "key_angle_traces" not in _tables(path)

    with History(path) as history:
        assert schema_version(history.connection) == SCHEMA_VERSION
        (old,) = history.sessions()
        assert old.posecheck_version == "0.0.1"
        assert old.video_path is None
        assert old.session == dataclasses.replace(original, trace=KeyAngleTrace())
        new_id = history.save(sessions.childs_pose)
        history.set_target(Target("prone_press_up", 15.0, 10))
    with History(path) as history:
        assert_same_session(history.session(new_id).session, sessions.childs_pose)
        assert history.target_for("prone_press_up") == Target("prone_press_up", 15.0, 10)


def test_a_file_from_a_newer_posecheck_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        history.create_file()
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO schema_version VALUES (?, 'later')", (SCHEMA_VERSION + 1,))
    with pytest.raises(HistoryError, match="newer posecheck"):
        History(path)


def test_a_file_that_is_not_a_history_is_one_error_naming_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("shopping list\n" * 100)
    with pytest.raises(HistoryError, match="--db"):
        History(path)
    assert path.read_text() == "shopping list\n" * 100


# --- writes are whole or absent ----------------------------------------------------------------


def test_a_write_that_fails_half_way_leaves_no_part_of_the_session(
    sessions: RealSessions, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        kept = history.save(sessions.childs_pose)
        # The disk "fills" at the last table of a session: the holds and faults were already written.
        history.connection.execute(
            "CREATE TRIGGER full BEFORE INSERT ON key_angle_traces "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        with pytest.raises(HistoryError, match="disk full"):
            history.save(sessions.press_up_with_hips_lifted)
        assert [stored.id for stored in history.sessions()] == [kept]
        counts = history.connection.execute(
            "SELECT (SELECT COUNT(*) FROM holds), (SELECT COUNT(*) FROM faults)"
        ).fetchone()
    assert counts == (len(sessions.childs_pose.holds), 0)


WRITER = textwrap.dedent(
    """
    import sys, time
    from posecheck.history.store import History

    source, target, whole = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with History(source) as history:
        session = history.session(1).session
    history = History(target)
    history.create_file()
    saved = 0

    def stall_mid_write(statement):
        # After `whole` sessions, the next one stops between its session row and its holds.
        if saved == whole and statement.lstrip().startswith("INSERT INTO holds"):
            print("mid-write", flush=True)
            time.sleep(600)

    history.connection.set_trace_callback(stall_mid_write)
    while True:
        history.save(session, "/videos/clip.mp4")
        saved += 1
        print("saved", saved, flush=True)
    """
)


def test_a_process_killed_mid_write_leaves_a_readable_consistent_file(
    sessions: RealSessions, tmp_path: Path
) -> None:
    source, target = tmp_path / "source.sqlite", tmp_path / "history.sqlite"
    with History(source) as history:
        history.save(sessions.press_up_with_hips_lifted)
    whole = 3
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(source), str(target), str(whole)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        assert writer.stdout is not None
        for line in writer.stdout:
            lines.append(line.strip())
            if line.startswith("mid-write"):
                break
        assert lines == [f"saved {n}" for n in range(1, whole + 1)] + ["mid-write"], writer.stderr
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=KILL_TIMEOUT_S)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == -signal.SIGKILL

    with sqlite3.connect(target) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        mismatched = connection.execute(
            """SELECT id FROM sessions WHERE hold_count != (SELECT COUNT(*) FROM holds WHERE session_id = id)
               OR id NOT IN (SELECT session_id FROM key_angle_traces)"""
        ).fetchall()
        assert mismatched == []
    with History(target) as history:
        kept = history.sessions()
        assert len(kept) == whole
        for stored in kept:
            assert_same_session(stored.session, sessions.press_up_with_hips_lifted)
        history.save(sessions.childs_pose)  # and it takes the next session
        assert len(history.sessions()) == whole + 1
