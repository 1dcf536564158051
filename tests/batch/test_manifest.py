"""A manifest (CSV: video[,exercise][,patient]) read into a batch's videos, and the usage
errors of batch options. No model: the CSV and the command line only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from posecheck.batch.manifest import batch_items, read_manifest
from posecheck.errors import ManifestError, UnknownExerciseError
from posecheck.rules.registry import exercise_named


def write(folder: Path, text: str, name: str = "clinic.csv") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_rows_keep_their_order_exercise_and_patient_with_paths_from_the_manifests_folder(
    tmp_path: Path,
) -> None:
    manifest = write(
        tmp_path,
        "patient,video,exercise\n# a comment line\n\n"
        "p17,a.mp4,prone_press_up\np17,/mnt/b.mp4,\np23,c.mp4,childs-pose\n",
    )
    items = read_manifest(manifest, exercise_named("knee_to_chest"))
    assert [item.video for item in items] == [tmp_path / "a.mp4", Path("/mnt/b.mp4"), tmp_path / "c.mp4"]
    assert [item.exercise.name if item.exercise else None for item in items] == [
        "prone_press_up",
        "knee_to_chest",  # the empty cell takes --exercise
        "childs_pose",
    ]
    assert [item.patient for item in items] == ["p17", "p17", "p23"]
    assert items[0].label == "p17/a.mp4"


def test_a_manifest_of_videos_alone_has_them_recognised_without_patients(tmp_path: Path) -> None:
    items = batch_items(write(tmp_path, "video\none.mp4\ntwo.mp4\n"), None)
    assert [(item.video.name, item.exercise, item.patient) for item in items] == [
        ("one.mp4", None, None),
        ("two.mp4", None, None),
    ]
    assert items[0].label == "one.mp4"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("a.mp4,prone_press_up\n", "its first row must name its columns"),
        ("video,notes\na.mp4,x\n", "its first row must name its columns"),
        ("video,exercise\n", "lists no video"),
        ("video,patient\na.mp4,p1\nb.mp4,\n", "row 3 of"),
        ("video,patient\na.mp4,../etc\n", "cannot name a history file"),
        ("video,exercise\n,prone_press_up\n", "row 2 of"),
    ],
)
def test_a_bad_manifest_is_one_line_naming_the_fix_with_exit_11(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ManifestError) as raised:
        read_manifest(write(tmp_path, text))
    assert message in str(raised.value) and "\n" not in str(raised.value), raised.value
    assert raised.value.exit_code == 11


def test_an_unknown_exercise_in_a_row_names_the_row_and_the_valid_names(tmp_path: Path) -> None:
    with pytest.raises(UnknownExerciseError) as raised:
        read_manifest(write(tmp_path, "video,exercise\na.mp4,prone_press_up\nb.mp4,plank\n"))
    assert "row 3 of" in str(raised.value) and "prone_press_up" in str(raised.value)


def run_cli(*arguments: str | Path, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{prelude}\nfrom posecheck.cli.main import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, arguments)], capture_output=True, text=True, timeout=120
    )


def test_ray_without_ray_installed_says_how_to_install_it_in_one_line(tmp_path: Path) -> None:
    manifest = write(tmp_path, "video\na.mp4\n")
    # None in sys.modules is how Python marks a module absent: `import ray` raises ImportError.
    completed = run_cli("analyze", manifest, "--ray", "--no-history", prelude="sys.modules['ray'] = None")
    assert completed.returncode == 12, completed.stderr
    assert completed.stderr.count("\n") == 1, completed.stderr
    assert "pip install 'backcare-posecheck[cluster]'" in completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize("batch", ["folder", "manifest"])
def test_ray_before_the_folder_or_manifest_takes_it_as_the_batch_not_the_address(
    tmp_path: Path, batch: str
) -> None:
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "a.mp4").write_text("never read\n")
    source = write(tmp_path, "video\nvideos/a.mp4\n") if batch == "manifest" else tmp_path / "videos"
    # Ray marked absent: reaching the batch's Ray start proves the path was read as the batch.
    completed = run_cli("analyze", "--ray", source, "--no-history", prelude="sys.modules['ray'] = None")
    assert completed.returncode == 12, completed.stderr
    assert "pip install 'backcare-posecheck[cluster]'" in completed.stderr


def test_ray_before_one_video_file_says_ray_is_for_a_folder_or_manifest(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_text("never read\n")
    completed = run_cli("analyze", "-e", "prone_press_up", "--ray", video)
    assert completed.returncode == 2 and "--ray is for a folder of videos or a manifest" in completed.stderr


def test_analyze_without_a_video_is_a_one_line_usage_error() -> None:
    completed = run_cli("analyze", "--ray", "auto", "--no-history")
    assert completed.returncode == 2, completed.stderr
    assert "give the video file, folder of videos or manifest" in completed.stderr


def test_analyzes_usage_shows_the_video_as_needed() -> None:
    completed = run_cli("analyze", "--help")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage: posecheck analyze VIDEO|FOLDER|MANIFEST ")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--jobs", "2", "--ray"], "choose one"),
        (["--db-dir", "histories", "--db", "h.sqlite"], "choose one"),
    ],
)
def test_conflicting_batch_options_are_a_usage_error(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    completed = run_cli("analyze", write(tmp_path, "video\na.mp4\n"), *arguments)
    assert completed.returncode == 2 and message in completed.stderr, completed.stderr


def test_ray_with_one_video_file_is_a_usage_error(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_text("never read\n")
    completed = run_cli("analyze", video, "-e", "prone_press_up", "--ray")
    assert completed.returncode == 2 and "--ray is for a folder of videos or a manifest" in completed.stderr


def test_a_manifest_with_patients_needs_a_folder_for_their_histories(tmp_path: Path) -> None:
    completed = run_cli("analyze", write(tmp_path, "video,patient\na.mp4,p1\n"), "-e", "prone_press_up")
    assert completed.returncode == 2, completed.stderr
    assert "give --db-dir DIR" in completed.stderr and completed.stderr.count("\n") == 1


def test_adaptive_stride_needs_every_rows_exercise(tmp_path: Path) -> None:
    manifest = write(tmp_path, "video,exercise\na.mp4,prone_press_up\nb.mp4,\n")
    completed = run_cli("analyze", manifest, "--adaptive-stride", "--no-history")
    assert completed.returncode == 2, completed.stderr
    assert "--adaptive-stride needs an exercise for every video" in completed.stderr
