"""The history as a person uses it from the command line: `analyze` saves each session
(judged against the target set for it), `replay` of the saved track agrees with it, and
`history`, `targets`, `report` and `export` read it back."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from posecheck.history.store import History
from tests.cli.test_cli import (
    COBRA_CLIP,
    RUN_TIMEOUT_S,
    VIDEOS,
    Run,
    analyze,
    assert_one_error_line,
    cli_environment,
    posecheck,
    require_clip,
    require_model,
)


@dataclass(frozen=True)
class SavedRun:
    folder: Path
    db: Path
    analysed: Run
    report: dict
    replayed: Run
    replay_report: dict


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> SavedRun:
    """The press-up clip analysed once with a target of 12 s and 2 reps set beforehand."""
    require_model()
    require_clip(COBRA_CLIP)
    folder = tmp_path_factory.mktemp("history-cli")
    db = folder / "history.sqlite"
    target = posecheck(
        "targets", "set", "prone_press_up", "--hold", "12", "--reps", "2", "--db", db, cwd=folder
    )
    assert target.exit_code == 0, target.stderr
    analysed = posecheck(
        *analyze(COBRA_CLIP, "--db", db, "--json", "session.json", "--save-track", "track.npz"), cwd=folder
    )
    assert analysed.exit_code == 0, analysed.stderr
    replayed = posecheck("replay", "track.npz", "-e", "prone_press_up", "--json", "replay.json", cwd=folder)
    assert replayed.exit_code == 0, replayed.stderr
    return SavedRun(
        folder,
        db,
        analysed,
        json.loads((folder / "session.json").read_text()),
        replayed,
        json.loads((folder / "replay.json").read_text()),
    )


def test_analyze_judges_the_holds_against_the_target_set_for_the_exercise(saved_run: SavedRun) -> None:
    assert "Reps: 1 / 2" in saved_run.analysed.stdout
    (hold,) = saved_run.report["holds"]
    assert hold["target_s"] == 12.0
    assert hold["met"] is False  # the clip's hold lasts about 8 s


def test_analyze_saves_the_session_to_the_history(saved_run: SavedRun) -> None:
    assert f"Saved as session 1 in {saved_run.db}" in saved_run.analysed.stdout
    assert saved_run.analysed.stderr == ""
    with History(saved_run.db) as history:
        (stored,) = history.sessions()
    assert stored.video_path == str(COBRA_CLIP.resolve())
    saved = [(round(h.start_s, 2), round(h.end_s, 2), round(h.duration_s, 2)) for h in stored.session.holds]
    reported = [(h["start_s"], h["end_s"], h["duration_s"]) for h in saved_run.report["holds"]]
    assert saved == reported
    assert len(stored.session.trace) == stored.session.frames


def test_replay_of_the_saved_track_gives_the_same_holds_and_reps(saved_run: SavedRun) -> None:
    # replay judges against the prescribed target (it does not read the history), so compare the timing
    timing = ("start_s", "end_s", "duration_s", "complete", "side", "key_angle_deg", "faults")
    assert saved_run.replay_report["reps"] == saved_run.report["reps"] == 1
    assert [{k: h[k] for k in timing} for h in saved_run.replay_report["holds"]] == [
        {k: h[k] for k in timing} for h in saved_run.report["holds"]
    ]


def test_a_replayed_track_saved_to_a_history_gives_a_report_without_the_video(saved_run: SavedRun) -> None:
    db = saved_run.folder / "physio.sqlite"
    replayed = posecheck(
        "replay", "track.npz", "-e", "prone_press_up", "--save", "--db", db, cwd=saved_run.folder
    )
    assert replayed.exit_code == 0, replayed.stderr
    assert f"Saved as session 1 in {db}" in replayed.stdout
    with History(db) as history:
        (stored,) = history.sessions()
    assert stored.video_path is None
    assert stored.session.reps == saved_run.report["reps"]
    report = posecheck("report", "1", "--out", "physio.html", "--db", db, cwd=saved_run.folder)
    assert report.exit_code == 0, report.stderr
    assert (saved_run.folder / "physio.html").read_text().count("src='data:image/png;base64,") == 3


def test_history_lists_the_session_with_the_trend_and_target(saved_run: SavedRun) -> None:
    run = posecheck("history", "--db", saved_run.db, cwd=saved_run.folder)
    assert run.exit_code == 0, run.stderr
    (hold,) = saved_run.report["holds"]
    assert f"{hold['duration_s']:.1f}" in run.stdout
    assert "1/2" in run.stdout
    assert re.search(rf"best hold {hold['duration_s']:.1f} s, median {hold['duration_s']:.1f} s", run.stdout)
    assert "target: hold 12 s, 2 reps" in run.stdout
    later = posecheck("history", "--db", saved_run.db, "--since", "2999-01-01", cwd=saved_run.folder)
    assert later.exit_code == 0 and "No session" in later.stdout


def test_report_of_the_last_session_is_written_with_its_plots(saved_run: SavedRun) -> None:
    run = posecheck("report", "--last", "--out", "last.html", "--db", saved_run.db, cwd=saved_run.folder)
    assert run.exit_code == 0, run.stderr
    html = (saved_run.folder / "last.html").read_text()
    assert html.count("src='data:image/png;base64,") == 3
    assert "Prone press-up: session 1" in html


def test_export_gives_the_saved_session_as_json_and_csv(saved_run: SavedRun) -> None:
    run = posecheck("export", "--format", "json", "--db", saved_run.db, cwd=saved_run.folder)
    assert run.exit_code == 0, run.stderr
    (exported,) = json.loads(run.stdout)["sessions"]
    assert exported["holds"] == saved_run.report["holds"]
    assert len(exported["key_angle"]["times_s"]) == exported["frames"]
    written = posecheck(
        "export", "--format", "csv", "--out", "all.csv", "--db", saved_run.db, cwd=saved_run.folder
    )
    assert written.exit_code == 0, written.stderr
    (row,) = csv.DictReader(io.StringIO((saved_run.folder / "all.csv").read_text()))
    assert float(row["duration_s"]) == saved_run.report["holds"][0]["duration_s"]
    assert row["exercise"] == "prone_press_up" and row["met"] == "False"


def test_targets_show_the_set_one_and_refuse_a_hold_too_short_to_be_one(saved_run: SavedRun) -> None:
    shown = posecheck("targets", "--db", saved_run.db, cwd=saved_run.folder)
    assert shown.exit_code == 0, shown.stderr
    assert "prone_press_up: hold 12 s, 2 reps (set" in shown.stdout
    assert "childs_pose: hold 10 s, 3 reps (starting target" in shown.stdout
    refused = posecheck(
        "targets", "set", "prone_press_up", "--hold", "1", "--db", saved_run.db, cwd=saved_run.folder
    )
    assert_one_error_line(refused, 2, "--hold", "3 to 300")


def test_no_history_leaves_no_history_file(tmp_path: Path) -> None:
    require_model()
    db = tmp_path / "history.sqlite"
    run = posecheck(
        *analyze(require_clip(COBRA_CLIP), "--db", db, "--no-history", "--stride", "5"), cwd=tmp_path
    )
    assert run.exit_code == 0, run.stderr
    assert "Saved as" not in run.stdout
    assert not db.exists()


def test_an_unusable_history_is_one_warning_and_the_analysis_still_succeeds(tmp_path: Path) -> None:
    require_model()
    db = tmp_path / "history.sqlite"
    db.write_text("not a database\n")
    run = posecheck(*analyze(require_clip(COBRA_CLIP), "--db", db, "--stride", "5"), cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    assert "Reps: 1 / 10" in run.stdout
    (line,) = run.stderr.splitlines()
    assert line.startswith("posecheck: warning: the session will not be saved to the history")
    assert "--db" in line and "Traceback" not in run.stderr


def test_report_of_an_empty_history_is_one_error_line(tmp_path: Path) -> None:
    run = posecheck("report", "--db", tmp_path / "history.sqlite", cwd=tmp_path)
    assert_one_error_line(run, 9, "no session", "analyze")


def test_a_date_that_is_not_one_is_refused(tmp_path: Path) -> None:
    run = posecheck("history", "--since", "last week", "--db", tmp_path / "h.sqlite", cwd=tmp_path)
    assert run.exit_code == 2
    assert "YYYY-MM-DD" in run.stderr and "Traceback" not in run.stderr


def _saved_sessions(db: Path) -> int:
    """Sessions in the history file, read without writing to it (0 before it exists)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def test_a_session_killed_mid_video_keeps_the_holds_it_finished(tmp_path: Path) -> None:
    require_model()
    clip = require_clip(VIDEOS / "childs_pose__purecalm_balasana_rehabme.mp4")  # holds 9.5-24.5, 32.5-39.4
    db = tmp_path / "history.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck", *map(str, analyze(clip, "--db", db, exercise="childs_pose"))],
        cwd=tmp_path,
        env=cli_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while _saved_sessions(db) == 0:
            assert process.poll() is None, "the analysis ended before it saved its first hold"
            assert time.monotonic() < deadline
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=RUN_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL

    with History(db) as history:
        (stored,) = history.sessions()
        assert history.connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    session = stored.session
    assert session.interrupted
    assert 1 <= len(session.holds) <= 2
    first = session.holds[0]
    assert first.start_s == pytest.approx(9.5, abs=1.5)
    assert first.end_s == pytest.approx(24.5, abs=1.5)
    assert session.duration_s < 52.0


def test_a_folder_analysis_saves_one_session_per_video(tmp_path: Path) -> None:
    require_model()
    folder = tmp_path / "videos"
    folder.mkdir()
    for name in ("monday.mp4", "tuesday.mp4"):
        shutil.copyfile(require_clip(COBRA_CLIP), folder / name)
    db = tmp_path / "history.sqlite"
    run = posecheck(*analyze(folder, "--db", db, "--stride", "5"), cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    with History(db) as history:
        stored = history.sessions()
    assert sorted(Path(entry.video_path or "").name for entry in stored) == ["monday.mp4", "tuesday.mp4"]
    assert all(entry.session.reps == 1 for entry in stored)
