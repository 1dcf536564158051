"""`posecheck analyze VIDEO` without --exercise, end to end with the real model: a video
composed of real corpus clips (press-up, then child's pose, then a plank) gets its
segments right within 2 s; a folder gets one table; its JSON has the documented keys."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from posecheck.pipeline.source import VideoFileSource

SHARED = Path(__file__).resolve().parents[3] / "shared"
VIDEOS = SHARED / "corpus" / "videos"
# (clip, label): each exercise clip is done from its first to its last second.
PARTS = (
    (VIDEOS / "prone_press_up__fitsens_cobra_stretch_man.mp4", "prone_press_up"),
    (VIDEOS / "childs_pose__yogagym_child_pose_portrait.mp4", "childs_pose"),
    (VIDEOS / "confuser__yogagym_chaturanga_plank.mp4", "other"),
)
COMPOSED_SIZE = (1280, 720)
COMPOSED_FPS = 25.0
BOUNDARY_TOLERANCE_S = 2.0
RUN_TIMEOUT_S = 600.0


def letterboxed(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The picture scaled to fit ``size`` with its proportions kept, on black."""
    width, height = size
    scale = min(width / image.shape[1], height / image.shape[0])
    scaled = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)))
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - scaled.shape[0]) // 2, (width - scaled.shape[1]) // 2
    canvas[top : top + scaled.shape[0], left : left + scaled.shape[1]] = scaled
    return canvas


def compose(parts: tuple[tuple[Path, str], ...], target: Path) -> list[tuple[str, float, float]]:
    """Writes the clips one after the other at one size and frame rate (each clip's frames
    shown at their own times); returns each part's label, start and end in the result."""
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), COMPOSED_FPS, COMPOSED_SIZE)
    assert writer.isOpened()
    spans = []
    written = 0
    try:
        for clip, label in parts:
            start_s = written / COMPOSED_FPS
            with VideoFileSource(clip) as source:
                for frame in source:
                    picture = letterboxed(frame.image, COMPOSED_SIZE)
                    while written / COMPOSED_FPS <= start_s + frame.timestamp_s:
                        writer.write(picture)
                        written += 1
            spans.append((label, start_s, written / COMPOSED_FPS))
    finally:
        writer.release()
    return spans


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    report: dict[str, Any]
    spans: list[tuple[str, float, float]]
    folder: Path


def run_posecheck(*arguments: str | Path, cwd: Path, model: Path) -> subprocess.CompletedProcess[str]:
    import os

    environment = dict(os.environ, POSECHECK_MODEL=str(model))
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *map(str, arguments)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )


@pytest.fixture(scope="module")
def composed_run(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Run:
    for clip, _ in PARTS:
        if not clip.is_file():
            pytest.skip(f"the corpus clip {clip} is absent")
    folder = tmp_path_factory.mktemp("composed")
    video = folder / "three_parts.mp4"
    spans = compose(PARTS, video)
    completed = run_posecheck(
        "analyze",
        video,
        "--json",
        folder / "report.json",
        "--save-track",
        folder / "track.npz",
        "--no-progress",
        cwd=folder,
        model=model_path,
    )
    report = json.loads((folder / "report.json").read_text()) if (folder / "report.json").exists() else {}
    return Run(completed.returncode, completed.stdout, completed.stderr, report, spans, folder)


def test_composed_video_exits_0(composed_run: Run) -> None:
    assert composed_run.exit_code == 0, composed_run.stderr


def test_composed_video_names_press_up_then_childs_pose_and_nothing_in_the_plank(composed_run: Run) -> None:
    assert [segment["exercise"] for segment in composed_run.report["segments"]] == [
        "prone_press_up",
        "childs_pose",
    ]


@pytest.mark.parametrize("part", [0, 1])
def test_composed_video_segments_match_the_clips_within_2_s(composed_run: Run, part: int) -> None:
    label, start_s, end_s = composed_run.spans[part]
    segment = next(s for s in composed_run.report["segments"] if s["exercise"] == label)
    assert segment["start_s"] == pytest.approx(start_s, abs=BOUNDARY_TOLERANCE_S), composed_run.spans
    assert segment["end_s"] == pytest.approx(end_s, abs=BOUNDARY_TOLERANCE_S), composed_run.spans


def test_composed_video_segments_carry_their_holds_and_reps(composed_run: Run) -> None:
    press_up, childs_pose = composed_run.report["segments"]
    assert press_up["reps"] == 1 and len(press_up["holds"]) == 1  # the clip's one rep, 3-11 s
    hold = press_up["holds"][0]
    assert hold["start_s"] == pytest.approx(3.0, abs=1.5) and hold["end_s"] == pytest.approx(11.0, abs=1.5)
    (hold,) = childs_pose["holds"]  # the clip is one hold from its first frame to its last
    assert hold["duration_s"] >= 15.0
    for segment in composed_run.report["segments"]:
        assert set(segment) == {"exercise", "start_s", "end_s", "reps", "holds"}
        for hold in segment["holds"]:
            assert segment["start_s"] <= (hold["start_s"] + hold["end_s"]) / 2 <= segment["end_s"]


def test_composed_video_summary_has_one_section_per_exercise(composed_run: Run) -> None:
    out = composed_run.stdout
    assert out.startswith("Exercises recognised in three_parts.mp4")
    assert out.count("Prone press-up: three_parts.mp4") == 1
    assert out.count("Child's pose (prayer stretch): three_parts.mp4") == 1
    assert "Single knee to chest" not in out
    assert [session["exercise"] for session in composed_run.report["exercises"]] == [
        "prone_press_up",
        "childs_pose",
    ]


def test_replaying_the_saved_track_without_exercise_gives_the_same_segments(
    composed_run: Run, model_path: Path
) -> None:
    folder = composed_run.folder
    replay = run_posecheck(
        "replay", folder / "track.npz", "--json", folder / "replayed.json", cwd=folder, model=model_path
    )
    assert replay.returncode == 0, replay.stderr
    replayed = json.loads((folder / "replayed.json").read_text())
    assert replayed["segments"] == composed_run.report["segments"]
