"""A folder of videos analysed on worker processes: every file gets its outcome, in the
folder's order, and one bad file stops none of the others. Real model, real corpus clips
(their first seconds, to keep the run short)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from posecheck.analysis.video import analyze_video
from posecheck.batch import runner as batch
from posecheck.batch.runner import VideoOutcome, analyze_folder
from posecheck.pipeline.source import write_excerpt
from posecheck.reports.text import hold_to_dict

SHARED = Path(__file__).resolve().parents[3] / "shared"
VIDEOS = SHARED / "corpus" / "videos"
CLIPS = (
    VIDEOS / "prone_press_up__fitsens_cobra_stretch_man.mp4",  # one hold, from 3.1 s on
    VIDEOS / "confuser__yogagym_chaturanga_plank.mp4",
)
CLIP_SECONDS = 7.5  # the hold, from 3.1 s, lasts past the 3 s a hold needs to count
EXERCISE = "prone_press_up"
BROKEN = "broken.mp4"
# Sorted by name; the hidden file and the subfolder are no part of the batch.
FOLDER_ORDER = (BROKEN, CLIPS[1].name, CLIPS[0].name)
RUN_TIMEOUT_S = 300.0


def cut(video: Path, seconds: float, target: Path) -> Path:
    return write_excerpt(video, seconds, target)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short real clips, a text file named like a video, a hidden file and a subfolder."""
    if not SHARED.is_dir():
        pytest.skip(f"the shared corpus and model folder {SHARED} is absent")
    for clip in CLIPS:
        if not clip.is_file():
            pytest.skip(f"the corpus clip {clip} is absent")
    folder = tmp_path_factory.mktemp("videos")
    for clip in CLIPS:
        cut(clip, CLIP_SECONDS, folder / clip.name)
    (folder / BROKEN).write_text("this is a text file, not a video\n")
    (folder / ".notes.mp4").write_text("hidden\n")
    (folder / "older").mkdir()
    return folder


@pytest.fixture(scope="module")
def outcomes(folder: Path, model_path: Path) -> list[VideoOutcome]:
    return analyze_folder(folder, EXERCISE, model_path, jobs=2)


def test_folder_gives_one_outcome_per_visible_file_in_name_order(outcomes: list[VideoOutcome]) -> None:
    assert [outcome.path.name for outcome in outcomes] == list(FOLDER_ORDER)


def test_text_file_named_mp4_is_a_one_line_error_with_exit_4(outcomes: list[VideoOutcome]) -> None:
    broken = outcomes[0]
    assert broken.session is None
    assert broken.exit_code == 4
    assert broken.error is not None and "\n" not in broken.error
    assert BROKEN in broken.error and "cannot read" in broken.error, broken.error


def test_videos_next_to_a_broken_file_are_analysed_as_each_alone(
    outcomes: list[VideoOutcome], model_path: Path
) -> None:
    for outcome in outcomes[1:]:
        assert outcome.exit_code == 0 and outcome.error is None, outcome.error
        assert outcome.session is not None
        alone = analyze_video(outcome.path, EXERCISE, model_path)
        # hold_to_dict, as NaN angles never compare equal
        assert [hold_to_dict(hold) for hold in outcome.session.holds] == [
            hold_to_dict(hold) for hold in alone.holds
        ], outcome.path.name
        assert outcome.session.frames == alone.frames
        assert outcome.session.frames_with_person == alone.frames_with_person


def test_the_press_up_clip_has_its_hold(outcomes: list[VideoOutcome]) -> None:
    session = outcomes[2].session
    assert session is not None and len(session.holds) == 1, session


class CrashingPath(type(Path())):  # type: ignore[misc]
    """A stand-in for a video that crashes the decoder or the model: the worker process
    that unpickles this path dies on the spot."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (os._exit, (70,))


def test_a_crashed_worker_is_its_videos_error_and_the_others_are_analysed(
    folder: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = [folder / BROKEN, CrashingPath(folder / "crash.mp4"), folder / CLIPS[1].name]
    monkeypatch.setattr(batch, "folder_videos", lambda _folder: listing)
    broken, crashed, analysed = analyze_folder(folder, EXERCISE, model_path, jobs=2)
    assert crashed.exit_code == 4 and crashed.session is None
    assert crashed.error is not None and "crash.mp4 died" in crashed.error, crashed.error
    assert broken.error is not None and "cannot read" in broken.error, broken.error
    assert analysed.exit_code == 0 and analysed.session is not None, analysed.error


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    reports: Path


@pytest.fixture(scope="module")
def folder_run(folder: Path, model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    reports = tmp_path_factory.mktemp("out") / "reports"
    arguments = ["analyze", folder, "--exercise", EXERCISE, "--jobs", "2", "--json", reports, "--no-progress"]
    completed = subprocess.run(
        [sys.executable, "-m", "posecheck", *map(str, arguments)],
        env={**os.environ, "POSECHECK_MODEL": str(model_path)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr, reports)


def test_cli_on_a_folder_prints_a_row_per_file_then_a_summary(folder_run: Run) -> None:
    lines = folder_run.stdout.splitlines()
    assert lines[0].split()[:2] == ["file", "reps/target"], folder_run.stdout
    rows = lines[1:4]
    assert [row.split()[0] for row in rows] == list(FOLDER_ORDER), folder_run.stdout
    assert "cannot read" in rows[0], rows[0]
    assert rows[2].split()[1:3] == ["0/10", "1"], rows[2]  # the hold is under way when the clip ends
    assert lines[4].startswith("3 videos: 2 analysed, 1 failed"), folder_run.stdout


def test_cli_on_a_folder_with_a_broken_file_exits_4_after_one_error_line(folder_run: Run) -> None:
    assert folder_run.exit_code == 4, folder_run.stderr
    assert "Traceback" not in folder_run.stdout + folder_run.stderr
    lines = folder_run.stderr.splitlines()
    assert all(line.startswith("posecheck: ") for line in lines), folder_run.stderr
    assert len(lines) == 1 and "1 of 3 videos failed" in lines[0], folder_run.stderr
    assert BROKEN in lines[0], lines[0]


def test_cli_on_a_folder_writes_one_json_report_per_analysed_video(folder_run: Run) -> None:
    written = sorted(path.name for path in folder_run.reports.iterdir())
    assert written == sorted(f"{clip.stem}.json" for clip in CLIPS)
    report = json.loads((folder_run.reports / f"{CLIPS[0].stem}.json").read_text())
    assert report["source"] == CLIPS[0].name
    assert len(report["holds"]) == 1
    assert f"Reports written to {folder_run.reports}" in folder_run.stdout


def test_jobs_with_a_single_video_is_a_usage_error(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_text("never read\n")
    completed = subprocess.run(
        [sys.executable, "-m", "posecheck", "analyze", str(video), "-e", EXERCISE, "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert completed.returncode == 2, completed.stderr
    assert "--jobs is for a folder" in completed.stderr
    assert completed.stdout == ""
