"""Routines in the history: stored whole with each exercise's session kept as an ordinary
session, saved again as they grow under the same numbers, read back exactly, and what a
forgotten session leaves of its routine."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from posecheck.errors import HistoryError, SessionNotFoundError
from posecheck.history.progression import Target
from posecheck.history.saving import RoutineSaver
from posecheck.history.schema import migrate
from posecheck.history.store import History
from posecheck.routine.checkins import CheckIns, Stretch
from posecheck.routine.plan import Legs
from posecheck.routine.record import RoutineEnding
from tests.generated_routines import generated_routine


def test_a_routine_round_trips_with_its_check_ins_and_each_exercise(tmp_path: Path) -> None:
    routine = generated_routine(
        "2026-03-02",
        pain=(5, 7),
        stretch={"prone_press_up": Stretch.YES, "knee_to_chest": Stretch.NOT_SURE},
        skipped=frozenset({"childs_pose"}),
        ended=RoutineEnding.STOPPED_FOR_PAIN,
        advice="Your pain went up from 5 to 7. Stop the exercises for today.",
    )
    routine = dataclasses.replace(
        routine, checkins=dataclasses.replace(routine.checkins, pain_during=(6,)), notes=("a note",)
    )
    with History(tmp_path / "history.sqlite") as history:
        routine_id = history.save_routine(routine, "clip.mp4")
    with History(tmp_path / "history.sqlite") as history:
        stored = history.routine(routine_id)
    assert stored.started_at == routine.started_at
    assert stored.checkins == CheckIns(
        5, 7, {"prone_press_up": Stretch.YES, "knee_to_chest": Stretch.NOT_SURE}, (6,)
    )
    assert stored.ended is RoutineEnding.STOPPED_FOR_PAIN
    assert stored.advice == routine.advice and stored.notes == ("a note",)
    assert stored.plan_text == routine.plan.text and stored.plan_source == "the default plan"
    assert stored.video_path == str(Path("clip.mp4").resolve())
    assert [entry.exercise for entry in stored.exercises] == [
        "prone_press_up",
        "knee_to_chest",
        "childs_pose",
    ]
    press_up, knee, child = stored.exercises
    assert press_up.stored is not None and press_up.stored.session == routine.exercises[0].session
    assert press_up.done and press_up.holds == routine.exercises[0].holds
    assert knee.legs is Legs.ALTERNATE and knee.reps_by_side == {"left": 4, "right": 4}
    assert knee.stretch is Stretch.NOT_SURE
    assert child.skipped and not child.done and child.stored is None and child.stretch is None
    assert stored.done_count == 2


def test_each_exercise_of_a_routine_is_an_ordinary_session_of_its_exercise(tmp_path: Path) -> None:
    with History(tmp_path / "history.sqlite") as history:
        lone = history.save(generated_routine("2026-03-01").exercises[0].session)  # type: ignore[arg-type]
        routine_id = history.save_routine(generated_routine("2026-03-02"))
        press_ups = history.sessions("prone_press_up")
        in_routines = history.routine_of_sessions()
    assert len(press_ups) == 2 and press_ups[0].id == lone
    assert in_routines[press_ups[1].id] == routine_id and lone not in in_routines
    assert len(in_routines) == 3


def test_a_routine_saved_again_as_it_grew_keeps_its_numbers_and_only_its_last_content(
    tmp_path: Path,
) -> None:
    first = generated_routine("2026-03-02", skipped=frozenset({"knee_to_chest", "childs_pose"}))
    grown = generated_routine("2026-03-02")
    with History(tmp_path / "history.sqlite") as history:
        other = history.save_routine(generated_routine("2026-03-01"))
        routine_id = history.save_routine(first)
        (press_up_id,) = [entry.stored.id for entry in history.routine(routine_id).exercises if entry.stored]
        assert history.save_routine(grown, replacing=routine_id) == routine_id
        stored = history.routine(routine_id)
        sessions = history.sessions()
        kept = history.routine(other)
    assert stored.exercises[0].stored is not None and stored.exercises[0].stored.id == press_up_id
    assert all(entry.done for entry in stored.exercises)
    assert len(sessions) == 6  # three for each routine, none left over from the first save
    assert all(entry.stored is not None for entry in kept.exercises)


def test_routines_are_listed_oldest_first_and_from_a_day_on(tmp_path: Path) -> None:
    with History(tmp_path / "history.sqlite") as history:
        later = history.save_routine(generated_routine("2026-03-09"))
        earlier = history.save_routine(generated_routine("2026-03-01"))
        assert [routine.id for routine in history.routines()] == [earlier, later]
        assert [routine.id for routine in history.routines(since=date(2026, 3, 5))] == [later]
        assert history.last_routine().id == later


def test_a_missing_routine_is_one_error_naming_the_listing(tmp_path: Path) -> None:
    with History(tmp_path / "history.sqlite") as history:
        with pytest.raises(SessionNotFoundError, match=r"holds no routine yet.*posecheck routine"):
            history.last_routine()
        history.save_routine(generated_routine("2026-03-01"))
        with pytest.raises(SessionNotFoundError, match=r"no routine 7 .*`posecheck history --routines`"):
            history.routine(7)


def test_a_forgotten_session_leaves_its_routine_with_the_answers_and_no_session(tmp_path: Path) -> None:
    with History(tmp_path / "history.sqlite") as history:
        routine_id = history.save_routine(generated_routine("2026-03-01", stretch=Stretch.NO))
        knee = history.routine(routine_id).exercises[1]
        assert knee.stored is not None
        assert history.forget(knee.stored.id) == 1
        after = history.routine(routine_id)
        assert len(history.sessions()) == 2
    forgotten = after.exercises[1]
    assert forgotten.stored is None and forgotten.holds == ()
    assert forgotten.done and forgotten.stretch is Stretch.NO
    assert after.exercises[0].stored is not None


def test_forgetting_everything_clears_the_routines_too(tmp_path: Path) -> None:
    with History(tmp_path / "history.sqlite") as history:
        history.save_routine(generated_routine("2026-03-01"))
        history.set_target(Target("knee_to_chest", 20.0, 4), "set by hand")
        assert history.forget(None) == 3
        assert history.routines() == [] and history.targets() == {}
        rows = history.connection.execute("SELECT COUNT(*) FROM routine_exercises").fetchone()
    assert rows == (0,)


def test_a_routine_that_fails_half_way_leaves_no_part_of_it(tmp_path: Path) -> None:
    with History(tmp_path / "history.sqlite") as history:
        kept = history.save_routine(generated_routine("2026-03-01"))
        # The disk "fills" at the last exercise's row: two sessions were already written.
        history.connection.execute(
            "CREATE TRIGGER full BEFORE INSERT ON routine_exercises WHEN NEW.position = 2 "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        with pytest.raises(HistoryError, match="disk full"):
            history.save_routine(generated_routine("2026-03-02"))
        assert [routine.id for routine in history.routines()] == [kept]
        assert len(history.sessions()) == 3


def test_targets_keep_their_reason_and_legs(tmp_path: Path) -> None:
    with History(tmp_path / "history.sqlite") as history:
        history.set_target(Target("knee_to_chest", 30.0, 4, "both"), "grown after routines 3 and 4")
        history.set_target(Target("childs_pose", 15.0, 3))
    with History(tmp_path / "history.sqlite") as history:
        stored = history.stored_targets()
    assert stored["knee_to_chest"].target == Target("knee_to_chest", 30.0, 4, "both")
    assert stored["knee_to_chest"].reason == "grown after routines 3 and 4"
    assert stored["childs_pose"].reason is None


def test_a_fifth_version_file_gets_routines_and_keeps_its_targets_without_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    connection = sqlite3.connect(path, isolation_level=None)
    assert migrate(connection, up_to=5) == 5
    connection.execute(
        "INSERT INTO targets (exercise, hold_s, reps, set_at) VALUES ('childs_pose', 20, 3, '2026-01-01')"
    )
    connection.close()
    with History(path) as history:
        (old,) = history.stored_targets().values()
        assert old.target == Target("childs_pose", 20.0, 3) and old.reason is None
        routine_id = history.save_routine(generated_routine("2026-03-01"))
        assert history.last_routine().id == routine_id


def test_a_routine_saved_as_it_grows_keeps_one_number_and_a_failure_is_one_warning(tmp_path: Path) -> None:
    warnings: list[str] = []
    with History(tmp_path / "history.sqlite") as history:
        saver = RoutineSaver(history, None, warnings.append)
        first = saver.save(
            generated_routine("2026-03-01", skipped=frozenset({"knee_to_chest", "childs_pose"}))
        )
        assert saver.save(generated_routine("2026-03-01")) == first
        assert [routine.id for routine in history.routines()] == [first]
        assert history.routine(first or 0).done_count == 3
        history.connection.execute(
            "CREATE TRIGGER full BEFORE INSERT ON routines BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        assert saver.save(generated_routine("2026-03-01", pain=(2, 7))) is None
        assert saver.save(generated_routine("2026-03-01")) is None
        assert history.routine(first or 0).checkins.pain_after == 3  # the last save that worked
    (warning,) = warnings
    assert (
        warning.startswith("the routine was not saved to the history: cannot write")
        and "disk full" in warning
    )
