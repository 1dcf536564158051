"""A new exercise is one file in ``exercises/``: the both-knees progression, added as a file of
its own to a copy of the project, installed, is listed, analysed, recognised and timed live,
with nothing in ``posecheck/`` (or ``pyproject.toml``) changed. A name taken twice is refused
at load.

The session is composed from the corpus photographs of one person hugging both knees (start,
target, start), written as a video and run through the real model by the command line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.cli.test_cli import cli_environment, require_model
from tests.installing import pip_install

ROOT = Path(__file__).resolve().parents[2]
NEW_EXERCISE = Path(__file__).parent / "fourth_exercise" / "both_knees_to_chest.py"
FPS = 10.0
SCRIPT = [
    ("freeexdb_Hug_Knees_To_Chest_0.jpg", 3.0),
    ("freeexdb_Hug_Knees_To_Chest_1.jpg", 17.0),
    ("freeexdb_Hug_Knees_To_Chest_0.jpg", 3.0),
]


def _install_with(folder: Path, files: dict[str, Path]) -> Path:
    """``folder/site``, holding posecheck built from a copy of the project whose
    ``exercises/`` has ``files`` (name: file) added."""
    project = folder / "project"
    for part in ("posecheck", "exercises"):
        shutil.copytree(ROOT / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, project / part)
    for name, file in files.items():
        shutil.copy(file, project / "exercises" / name)
    return pip_install(project, folder / "site")


@pytest.fixture(scope="module")
def with_fourth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where posecheck is installed with the new file added to ``exercises/``."""
    return _install_with(tmp_path_factory.mktemp("exercises_plus_one"), {NEW_EXERCISE.name: NEW_EXERCISE})


@pytest.fixture(scope="module")
def hug_video(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    photos = corpus / "images" / "knee_to_chest"
    target = tmp_path_factory.mktemp("hug") / "hug_both_knees.mp4"
    first = cv2.imread(str(photos / SCRIPT[0][0]))
    height, width = first.shape[:2]
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (width, height))
    rng = np.random.default_rng(3)
    for name, seconds in SCRIPT:
        image = cv2.imread(str(photos / name))
        for _ in range(round(seconds * FPS)):
            shift = np.float32([[1, 0, rng.uniform(-3, 3)], [0, 1, rng.uniform(-3, 3)]])
            writer.write(cv2.warpAffine(image, shift, (width, height), borderMode=cv2.BORDER_REPLICATE))
    writer.release()
    return target


def _posecheck(
    site: Path, *arguments: str | Path, timeout_s: float = 300
) -> subprocess.CompletedProcess[str]:
    environment = cli_environment(PYTHONPATH=str(site))
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *map(str, arguments)],
        env=environment,
        cwd=site.parent,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def test_the_new_exercise_file_is_installed_under_posecheck(with_fourth: Path) -> None:
    assert (with_fourth / "posecheck" / "exercises" / NEW_EXERCISE.name).is_file()
    assert not (with_fourth / "exercises").exists()


def test_the_new_exercise_is_listed(with_fourth: Path) -> None:
    run = _posecheck(with_fourth, "exercises")
    assert run.returncode == 0, run.stderr
    assert "both_knees_to_chest" in run.stdout
    assert "Both knees to chest" in run.stdout


def test_the_new_exercise_is_analysed(with_fourth: Path, hug_video: Path, tmp_path: Path) -> None:
    require_model()
    report = tmp_path / "session.json"
    run = _posecheck(
        with_fourth, "analyze", hug_video, "-e", "both_knees_to_chest", "--json", report, "--no-history"
    )
    assert run.returncode == 0, run.stderr
    session = json.loads(report.read_text())
    assert session["exercise"] == "both_knees_to_chest"
    (hold,) = session["holds"]
    assert session["reps"] == 1
    assert hold["start_s"] == pytest.approx(3.0, abs=1.5)
    assert hold["duration_s"] == pytest.approx(17.0, abs=1.5)


def test_the_new_exercise_is_recognised(with_fourth: Path, hug_video: Path, tmp_path: Path) -> None:
    require_model()
    report = tmp_path / "recognised.json"
    run = _posecheck(with_fourth, "analyze", hug_video, "--json", report, "--no-history")
    assert run.returncode == 0, run.stderr
    segments = json.loads(report.read_text())["segments"]
    assert [segment["exercise"] for segment in segments] == ["both_knees_to_chest"]
    assert segments[0]["reps"] == 1


def test_the_new_exercise_is_timed_live(with_fourth: Path, hug_video: Path, tmp_path: Path) -> None:
    require_model()
    report = tmp_path / "live.json"
    run = _posecheck(
        with_fourth, "live", "-e", "both_knees_to_chest", "--camera", hug_video, "--no-window", "--quiet",
        "--json", report, "--no-history",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (hold,) = json.loads(report.read_text())["holds"]
    assert hold["duration_s"] == pytest.approx(17.0, abs=2.0)


def test_an_exercise_name_taken_twice_is_refused_naming_both_files(tmp_path: Path) -> None:
    site = _install_with(tmp_path, {NEW_EXERCISE.name: NEW_EXERCISE, "both_knees_again.py": NEW_EXERCISE})
    run = _posecheck(site, "exercises")
    assert run.returncode == 13
    (line,) = run.stderr.strip().splitlines()
    assert "exercises/both_knees_again.py" in line and "exercises/both_knees_to_chest.py" in line
    assert "rename one of them" in line
