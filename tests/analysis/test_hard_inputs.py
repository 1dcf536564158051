"""Hard inputs to `posecheck analyze` without --exercise, through the command line: each
gives a result or one error line, never a traceback. A 4K picture is analysed like its
original; a long video costs no more memory than a short one (frames are streamed); in a
folder, one bad file stops none of the others."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.pipeline.source import VideoFileSource

SHARED = Path(__file__).resolve().parents[3] / "shared"
VIDEOS = SHARED / "corpus" / "videos"
COBRA_CLIP = VIDEOS / "prone_press_up__fitsens_cobra_stretch_man.mp4"  # one hold from about 3 s
PLANK_CLIP = VIDEOS / "confuser__yogagym_chaturanga_plank.mp4"  # 5.5 s, a confuser
RUN_TIMEOUT_S = 600.0
UHD = (3840, 2160)


def _environment(model: Path) -> dict[str, str]:
    return dict(os.environ, POSECHECK_MODEL=str(model))


def posecheck(*arguments: str | Path, cwd: Path, model: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *map(str, arguments)],
        cwd=cwd,
        env=_environment(model),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )


def assert_one_error_line(run: subprocess.CompletedProcess[str], exit_code: int, *mentions: str) -> None:
    assert run.returncode == exit_code, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("posecheck: error: "), run.stderr
    for mention in mentions:
        assert mention.lower() in lines[0].lower(), lines[0]


def require(*clips: Path) -> None:
    for clip in clips:
        if not clip.is_file():
            pytest.skip(f"the corpus clip {clip} is absent")


def rewrite(
    video: Path, target: Path, seconds: float, size: tuple[int, int] | None = None, loops: int = 1
) -> Path:
    """The first ``seconds`` of a clip, resized to ``size`` and played ``loops`` times."""
    with VideoFileSource(video) as source:
        fps = source.info.fps
        native = (source.info.width, source.info.height)
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, size or native)
    assert writer.isOpened()
    try:
        for _ in range(loops):
            with VideoFileSource(video) as source:
                for frame in source:
                    if frame.timestamp_s >= seconds:
                        break
                    writer.write(cv2.resize(frame.image, size) if size else frame.image)
    finally:
        writer.release()
    return target


# --- bad files ----------------------------------------------------------------------------------


def _empty(folder: Path) -> Path:
    path = folder / "empty.mp4"
    path.touch()
    return path


def _text(folder: Path) -> Path:
    path = folder / "notes.mp4"
    path.write_text("not a video\n")
    return path


def _photo(folder: Path) -> Path:
    path = folder / "photo.mp4"
    ok, encoded = cv2.imencode(
        ".jpg",
        cv2.resize(cv2.imread(str(SHARED / "corpus/images/childs_pose/yogagym_child_pose.jpg")), (640, 360)),
    )
    assert ok
    path.write_bytes(encoded.tobytes())
    return path


def _audio(folder: Path) -> Path:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = folder / "voice.m4a"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=1",
            "-c:a",
            "aac",
            str(path),
        ],
        check=True,
    )
    return path


@pytest.mark.parametrize(
    ("make", "mentions"),
    [
        (_empty, ("empty.mp4", "export the video again")),
        (_text, ("notes.mp4", "MP4/MOV/AVI")),
        (_photo, ("photo.mp4", "give a video file")),
        (_audio, ("voice.m4a", "MP4/MOV/AVI")),
    ],
    ids=["zero_length", "text_named_mp4", "image_named_mp4", "audio_only"],
)
def test_unusable_file_without_exercise_is_one_error_line_with_exit_4(
    tmp_path: Path, model_path: Path, make: Callable[[Path], Path], mentions: tuple[str, ...]
) -> None:
    if make is _photo:
        require(SHARED / "corpus/images/childs_pose/yogagym_child_pose.jpg")
    video = make(tmp_path)
    run = posecheck("analyze", video, "--no-progress", cwd=tmp_path, model=model_path)
    assert_one_error_line(run, 4, *mentions)
    assert run.stdout == ""


def test_truncated_video_without_exercise_is_summarised_up_to_where_it_breaks(
    tmp_path: Path, model_path: Path
) -> None:
    require(PLANK_CLIP)
    whole = rewrite(PLANK_CLIP, tmp_path / "whole.mp4", seconds=5.0)
    data = whole.read_bytes()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    run = posecheck("analyze", truncated, "--no-progress", "--stride", "2", cwd=tmp_path, model=model_path)
    if run.returncode == 4 and run.stdout == "":  # the index was cut off: nothing is readable
        assert_one_error_line(run, 4, "truncated.mp4")
        return
    assert_one_error_line(run, 4, "truncated", "ends early")
    assert run.stdout.startswith("Exercises recognised in truncated.mp4")


# --- 4K ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def uhd_run(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> dict[str, object]:
    require(COBRA_CLIP)
    folder = tmp_path_factory.mktemp("uhd")
    video = rewrite(COBRA_CLIP, folder / "cobra_4k.mp4", seconds=8.0, size=UHD)
    run = posecheck(
        "analyze", video, "--json", folder / "report.json", "--no-progress", cwd=folder, model=model_path
    )
    assert run.returncode == 0, run.stderr
    return json.loads((folder / "report.json").read_text())


def test_4k_video_is_analysed_and_its_press_up_recognised_with_the_hold(uhd_run: dict[str, object]) -> None:
    (segment,) = uhd_run["segments"]  # type: ignore[misc]
    assert segment["exercise"] == "prone_press_up"
    (hold,) = segment["holds"]
    assert hold["start_s"] == pytest.approx(3.0, abs=1.5)
    assert uhd_run["frames_with_person"] >= 0.9 * uhd_run["frames"]  # type: ignore[operator]


# --- a long video -------------------------------------------------------------------------------

_PEAK_MEMORY = """
import resource, sys
from posecheck.cli.main import main
code = main(sys.argv[1:])
print("peak_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.__stdout__)
sys.exit(code)
"""


def _peak_memory_mb(video: Path, folder: Path, model: Path) -> float:
    run = subprocess.run(
        [sys.executable, "-c", _PEAK_MEMORY, "analyze", str(video), "--stride", "3", "--no-progress"],
        cwd=folder,
        env=_environment(model),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    assert run.returncode == 0, run.stderr
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("peak_kb")]
    return int(line.split()[1]) / 1024.0


def test_a_video_six_times_longer_needs_no_more_memory(tmp_path: Path, model_path: Path) -> None:
    """Frames are decoded, analysed and dropped one by one: 6 times the frames (900 frames of
    0.7 MB each, 600 MB if they were kept) leave the peak memory within 40 MB."""
    require(COBRA_CLIP)
    short = rewrite(COBRA_CLIP, tmp_path / "short.mp4", seconds=6.0, size=(640, 360), loops=1)
    long = rewrite(COBRA_CLIP, tmp_path / "long.mp4", seconds=6.0, size=(640, 360), loops=6)
    short_mb = _peak_memory_mb(short, tmp_path, model_path)
    long_mb = _peak_memory_mb(long, tmp_path, model_path)
    assert long_mb <= short_mb + 40.0, (short_mb, long_mb)


# --- a folder -----------------------------------------------------------------------------------


def test_folder_without_exercise_prints_one_table_and_a_bad_file_stops_nothing(
    tmp_path: Path, model_path: Path
) -> None:
    require(COBRA_CLIP, PLANK_CLIP)
    folder = tmp_path / "videos"
    folder.mkdir()
    rewrite(COBRA_CLIP, folder / "a_cobra.mp4", seconds=8.0)
    rewrite(PLANK_CLIP, folder / "c_plank.mp4", seconds=5.0)
    (folder / "b_broken.mp4").write_text("not a video\n")
    run = posecheck("analyze", folder, "--json", tmp_path / "reports", cwd=tmp_path, model=model_path)
    assert run.returncode == 4, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("file") and "exercises (reps)" in lines[0]
    rows = {line.split()[0]: line for line in lines[1:4]}
    assert "prone_press_up (0)" in rows["a_cobra.mp4"]  # its hold runs past the excerpt's end
    assert "other activity" in rows["c_plank.mp4"]
    assert "MP4/MOV/AVI" in rows["b_broken.mp4"]
    assert "3 videos: 2 analysed, 1 failed" in run.stdout
    report = json.loads((tmp_path / "reports" / "a_cobra.json").read_text())
    assert [segment["exercise"] for segment in report["segments"]] == ["prone_press_up"]


# --- phone and variable-frame-rate recordings ---------------------------------------------------

CHILDS_POSE_PORTRAIT = VIDEOS / "childs_pose__yogagym_child_pose_portrait.mp4"  # 720x1280, held throughout


def _ffmpeg() -> str:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    return imageio_ffmpeg.get_ffmpeg_exe()


def _analysed(video: Path, folder: Path, model: Path) -> dict[str, object]:
    run = posecheck(
        "analyze", video, "--json", folder / "report.json", "--no-progress", cwd=folder, model=model
    )
    assert run.returncode == 0, run.stderr
    return json.loads((folder / "report.json").read_text())


def test_portrait_phone_video_with_rotation_metadata_is_analysed_upright(
    tmp_path: Path, model_path: Path
) -> None:
    """A phone held upright stores landscape pixels tagged "turn 90 degrees clockwise"."""
    require(CHILDS_POSE_PORTRAIT)
    ffmpeg = _ffmpeg()
    excerpt = rewrite(CHILDS_POSE_PORTRAIT, tmp_path / "excerpt.mp4", seconds=8.0)
    landscape = tmp_path / "landscape.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(excerpt),
            "-vf",
            "transpose=2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(landscape),
        ],
        check=True,
    )
    tagged = tmp_path / "phone.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-y",
            "-display_rotation",
            "270",
            "-i",
            str(landscape),
            "-c",
            "copy",
            str(tagged),
        ],
        check=True,
    )
    with VideoFileSource(tagged) as source:
        assert (source.info.width, source.info.height) == (720, 1280)
    report = _analysed(tagged, tmp_path, model_path)
    (segment,) = report["segments"]  # type: ignore[misc]
    assert segment["exercise"] == "childs_pose"
    assert segment["start_s"] <= 1.0 and segment["end_s"] >= 7.0


def test_variable_frame_rate_video_keeps_its_own_times(tmp_path: Path, model_path: Path) -> None:
    """Frames dropped irregularly (as a phone does in low light): the hold is still timed
    by the frames' own timestamps, from about 3 s."""
    require(COBRA_CLIP)
    ffmpeg = _ffmpeg()
    excerpt = rewrite(COBRA_CLIP, tmp_path / "excerpt.mp4", seconds=9.0)
    variable = tmp_path / "variable.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(excerpt),
            "-vf",
            "select='not(mod(n\\,3))+not(mod(n\\,7))'",
            "-fps_mode",
            "vfr",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(variable),
        ],
        check=True,
    )
    with VideoFileSource(variable) as source:
        times = [frame.timestamp_s for frame in source]
    gaps = np.diff(times)
    assert gaps.max() > 1.5 * gaps.min()  # the frame rate does vary
    report = _analysed(variable, tmp_path, model_path)
    (segment,) = report["segments"]  # type: ignore[misc]
    assert segment["exercise"] == "prone_press_up"
    (hold,) = segment["holds"]
    assert hold["start_s"] == pytest.approx(3.0, abs=1.5)
    assert report["duration_s"] == pytest.approx(9.0, abs=0.5)
