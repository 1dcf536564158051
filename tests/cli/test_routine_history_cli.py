"""Routines from the command line: `history --routines` lists them, `targets` says why each
target is what it is after them, `report --routine` writes their report, and forgetting a
session of one says what the routine keeps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from posecheck.cli.main import main
from posecheck.cli.routine_history import tell_routine_saved
from posecheck.history.progression import Target
from posecheck.history.store import History
from posecheck.routine.checkins import Stretch
from tests.generated_routines import generated_routine


@dataclass(frozen=True)
class Printed:
    exit_code: int
    stdout: str
    stderr: str


def run(capfd: pytest.CaptureFixture[str], *arguments: str | Path) -> Printed:
    exit_code = main([str(argument) for argument in arguments])
    out, err = capfd.readouterr()
    return Printed(exit_code, out, err)


@pytest.fixture
def db(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> Path:
    """Three routines: two good ones (the targets grow), then one where the pain rose."""
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        for day, answers in [
            ("2026-03-01", {}),
            ("2026-03-02", {"stretch": {"prone_press_up": Stretch.YES, "knee_to_chest": Stretch.YES}}),
            ("2026-03-03", {"pain": (3, 5), "advice": "Your pain went up from 3 to 5."}),
        ]:
            routine_id = history.save_routine(generated_routine(day, history.targets(), **answers))  # type: ignore[arg-type]
            tell_routine_saved(history, routine_id)
    capfd.readouterr()
    return path


def test_saving_a_routine_says_where_and_what_came_of_each_target(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with History(tmp_path / "history.sqlite") as history:
        tell_routine_saved(history, history.save_routine(generated_routine("2026-03-01")))
        changes = tell_routine_saved(history, history.save_routine(generated_routine("2026-03-02")))
    out = capfd.readouterr().out
    assert "Saved as routine 2 in" in out and "`posecheck report --routine 2`" in out
    assert "Next target for knee_to_chest: grown to hold 20 s, 4 reps after routines 1 and 2 went well" in out
    assert "Target stays for knee_to_chest: 1 of the last 1 routines" in out
    assert {change.exercise for change in changes} == {"prone_press_up", "knee_to_chest", "childs_pose"}


def test_history_lists_the_routines_with_pain_stretch_and_what_was_done(
    db: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    printed = run(capfd, "history", "--routines", "--db", db)
    assert printed.exit_code == 0, printed.stderr
    assert "Routines in" in printed.stdout
    assert "3 -> 5 (rose)" in printed.stdout and "4 -> 3" in printed.stdout
    assert "Child's pose (prayer" in printed.stdout and "stretch): -" in printed.stdout  # unanswered in 2
    assert printed.stdout.count("3 of 3") == 3
    assert "Routine 3: Your pain went up from 3 to 5." in printed.stdout
    later = run(capfd, "history", "--routines", "--since", "2026-03-03", "--db", db)
    assert "4 -> 3" not in later.stdout and "3 -> 5" in later.stdout


def test_history_of_sessions_names_each_ones_routine_and_the_target_reason(
    db: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    printed = run(capfd, "history", "--db", db)
    assert printed.exit_code == 0, printed.stderr
    assert "(routine 3)" in printed.stdout
    assert "3 routines: `posecheck history --routines` lists them" in printed.stdout
    assert "held back: pain rose from 3 to 5 in routine 3" in printed.stdout.replace("\n", " ")
    assert "next:" not in printed.stdout  # the routines' answers decide, not the sessions alone


def test_targets_say_why_each_is_what_it_is(db: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with History(db) as history:
        history.set_target(Target("childs_pose", 20.0, 3), "set by hand")
    printed = run(capfd, "targets", "--db", db)
    assert printed.exit_code == 0, printed.stderr
    lines = {line.split(":")[0]: line for line in printed.stdout.splitlines()}
    assert (
        "hold 20 s, 4 reps per leg (held back: pain rose from 3 to 5 in routine 3 on 2026-03-03;"
        in (lines["knee_to_chest"])
    )
    assert "(set by hand on " in lines["childs_pose"]


def test_targets_show_both_knees_when_that_is_the_target(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "history.sqlite"
    with History(db) as history:
        history.set_target(Target("knee_to_chest", 30.0, 4), "set by hand")
        for day in ("2026-03-01", "2026-03-02"):
            tell_routine_saved(history, history.save_routine(generated_routine(day, history.targets())))
    capfd.readouterr()
    printed = run(capfd, "targets", "show", "--db", db)
    (knee,) = [line for line in printed.stdout.splitlines() if line.startswith("knee_to_chest")]
    assert knee.startswith("knee_to_chest: hold 30 s, 4 reps, both knees together (grown to")
    assert "after routines 1 and 2 went well on " in knee
    assert (
        "childs_pose: hold 15 s, 3 reps (grown to hold 15 s, 3 reps after routines 1 and 2" in printed.stdout
    )


def test_targets_set_chooses_both_knees_by_hand_and_refuses_legs_elsewhere(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "history.sqlite"
    chosen = run(capfd, "targets", "set", "knee_to_chest", "--legs", "both", "--db", db)
    assert chosen.exit_code == 0, chosen.stderr
    assert chosen.stdout == "Target for knee_to_chest: hold 15 s, 4 reps, both knees together\n"
    with History(db) as history:
        assert history.target_for("knee_to_chest") == Target("knee_to_chest", 15.0, 4, "both")
    refused = run(capfd, "targets", "set", "prone_press_up", "--legs", "both", "--db", db)
    assert refused.exit_code == 2
    assert refused.stderr.startswith("posecheck: error: --legs: prone_press_up is not done one leg at a time")


def test_report_of_the_last_routine_is_written_beside_the_command(
    db: Path, capfd: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    printed = run(capfd, "report", "--routine", "--db", db)
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout == "Report written to posecheck-routine-3.html\n"
    page = (tmp_path / "posecheck-routine-3.html").read_text()
    assert "<h1>Routine 3: 2026-03-03</h1>" in page and "Advice given: Your pain went up" in page
    chosen = run(capfd, "report", "--routine", "1", "--out", "first.html", "--db", db)
    assert chosen.exit_code == 0, chosen.stderr
    assert "<h1>Routine 1: 2026-03-01</h1>" in (tmp_path / "first.html").read_text()


def test_report_of_a_routine_not_in_the_history_is_one_error_line(
    db: Path, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    printed = run(capfd, "report", "--routine", "9", "--out", tmp_path / "r.html", "--db", db)
    assert printed.exit_code == 9
    assert printed.stderr.splitlines() == [
        f"posecheck: error: no routine 9 in the history {db}: `posecheck history --routines` lists them"
    ]
    empty = run(capfd, "report", "--routine", "--db", tmp_path / "empty.sqlite")
    assert empty.exit_code == 9 and "holds no routine yet" in empty.stderr


def test_forgetting_a_session_of_a_routine_says_the_routine_keeps_its_answers(
    db: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with History(db) as history:
        knee = history.routine(2).exercises[1].stored
    assert knee is not None
    printed = run(capfd, "history", "--forget", str(knee.id), "--db", db)
    assert printed.exit_code == 0, printed.stderr
    assert printed.stdout.endswith("; routine 2 keeps its check-ins without it\n")
    with History(db) as history:
        kept = history.routine(2)
    assert kept.exercises[1].stored is None and kept.exercises[1].stretch is Stretch.YES
    everything = run(capfd, "history", "--forget", "--all", "--db", db)
    assert "Removed 8 sessions, every routine and every target" in everything.stdout
    assert "No routine to show" in run(capfd, "history", "--routines", "--db", db).stdout
