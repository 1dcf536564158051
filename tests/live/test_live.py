"""Live coaching on real footage played as a camera at its real pace: the same holds as the
labels and as ``analyze``, the window under a virtual display, the command's text mode and
its one-line errors."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
import pytest

from posecheck.analysis.session import Session
from posecheck.analysis.setup_check import SOMEONE_ELSE_IN_PICTURE, SOMEONE_ELSE_NOTE
from posecheck.analysis.video import PoseStage, analyze_track
from posecheck.evaluation.corpus import corpus_track, format_table, load_labels, score_clip
from posecheck.history.store import History
from posecheck.live.session import Ending, LiveResult, LiveSession, run_live
from posecheck.pipeline.camera import STALL_S, LiveCamera, LiveFrame
from posecheck.pipeline.pose import PoseEstimator
from posecheck.pipeline.source import VideoFileSource, write_excerpt
from posecheck.reports.overlay import BONE_COLOUR, PANEL_COLOUR
from posecheck.rules.registry import exercise_named
from tests.analysis.test_hard_inputs import rewrite
from tests.camera_streams import jpeg_pictures, motion_jpeg_server

PRESS_UP_CLIP = "videos/prone_press_up__fitsens_cobra_stretch_man.mp4"
CHILDS_POSE_CLIP = "videos/childs_pose__clinically_balasana.mp4"


def _posecheck(
    *arguments: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module", params=[PRESS_UP_CLIP, CHILDS_POSE_CLIP], ids=["press-up", "childs-pose"])
def live_run(request: pytest.FixtureRequest, corpus: Path, model_path: Path) -> tuple[str, LiveResult]:
    label = next(label for label in load_labels(corpus) if label.file == request.param)
    with LiveCamera(corpus / label.file) as camera:
        return request.param, run_live(camera, label.exercise, model_path)


def test_live_session_on_a_clip_played_as_a_camera_meets_the_accuracy_bars(
    live_run: tuple[str, LiveResult], corpus: Path
) -> None:
    clip, result = live_run
    label = next(label for label in load_labels(corpus) if label.file == clip)
    assert result.ending is Ending.END_OF_FILE
    score = score_clip(label, label.exercise, result.session)
    assert score.passed, "\n" + format_table([score])


def test_live_hold_timer_is_within_half_a_second_of_analyze(
    live_run: tuple[str, LiveResult], corpus: Path, model_path: Path, track_cache: Path
) -> None:
    clip, result = live_run
    label = next(label for label in load_labels(corpus) if label.file == clip)
    recorded = analyze_track(corpus_track(corpus / clip, model_path, track_cache), label.exercise)
    assert len(result.session.holds) == len(recorded.holds) >= 1
    for live_hold, recorded_hold in zip(result.session.holds, recorded.holds, strict=True):
        assert abs(live_hold.duration_s - recorded_hold.duration_s) <= 0.5, (live_hold, recorded_hold)
        assert live_hold.complete == recorded_hold.complete


def test_live_session_announces_the_hold_count_and_the_rep(live_run: tuple[str, LiveResult]) -> None:
    _, result = live_run
    texts = [announcement.text for announcement in result.announcements]
    spoken = [announcement.spoken for announcement in result.announcements if announcement.spoken]
    assert "hold started" in texts
    assert "Five." in spoken
    assert any(text.startswith("rep done: Rep 1 of") for text in texts)


def test_one_person_on_camera_gets_no_someone_else_instruction(live_run: tuple[str, LiveResult]) -> None:
    _, result = live_run
    assert result.session.frames_with_person > 0
    assert not any(SOMEONE_ELSE_IN_PICTURE in announcement.text for announcement in result.announcements)
    assert SOMEONE_ELSE_NOTE not in result.session.notes


def test_a_file_played_as_a_camera_keeps_its_real_pace(live_run: tuple[str, LiveResult]) -> None:
    _, result = live_run
    assert result.session.duration_s == pytest.approx(result.stats.wall_s, abs=1.0)
    assert result.stats.frames_analysed + result.stats.frames_dropped == result.stats.frames_captured


def test_live_command_without_window_prints_events_summary_and_json(
    corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    excerpt = write_excerpt(corpus / PRESS_UP_CLIP, 6.0, tmp_path / "excerpt.mp4")
    report = tmp_path / "live.json"
    run = _posecheck(
        "live", "--exercise", "prone_press_up", "--camera", str(excerpt), "--no-window", "--quiet",
        "--json", str(report), "--model", str(model_path),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "hold started" in run.stdout
    assert "phase: lifting" in run.stdout
    assert "Prone press-up: excerpt.mp4" in run.stdout
    saved = json.loads(report.read_text())
    assert saved["exercise"] == "prone_press_up"
    assert saved["duration_s"] == pytest.approx(6.0, abs=0.5)


def test_ctrl_c_ends_the_live_command_keeping_what_was_recorded(
    corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    report = tmp_path / "live.json"
    history = tmp_path / "history.sqlite"
    camera = rewrite(
        corpus / PRESS_UP_CLIP, tmp_path / "twice.mp4", seconds=math.inf, loops=2
    )  # never over first
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "live", "-e", "prone_press_up", "--camera",
         str(camera), "--no-window", "--quiet", "--json", str(report),
         "--model", str(model_path), "--db", str(history)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:  # interrupt in the middle of the hold
        if "hold started" in line:
            break
    time.sleep(4.0)  # a hold shorter than 3 s is a movement
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.strip().startswith("posecheck: error: interrupted at")
    assert "the session was interrupted" in out
    saved = json.loads(report.read_text())
    assert len(saved["holds"]) == 1
    assert saved["holds"][0]["complete"] is False
    assert saved["holds"][0]["duration_s"] > 3.0
    with History(history) as stored:
        (kept,) = stored.sessions()
    assert kept.session.interrupted
    assert [hold.duration_s for hold in kept.session.holds] == [
        pytest.approx(saved["holds"][0]["duration_s"], abs=0.05)
    ]


def test_live_command_without_a_display_says_so_in_one_line(model_path: Path, corpus: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    run = _posecheck(
        "live", "-e", "childs_pose", "--camera", str(corpus / CHILDS_POSE_CLIP), "--model", str(model_path),
        env=env,
    )  # fmt: skip
    assert run.returncode == 10
    assert run.stderr.strip().count("\n") == 0
    assert "no display" in run.stderr and "--no-window" in run.stderr


@pytest.mark.parametrize("camera", ["7", "missing_clip.mp4", "rtsp://127.0.0.1:9/none"])
def test_live_command_without_a_camera_says_so_in_one_line(camera: str, model_path: Path) -> None:
    run = _posecheck(
        "live", "-e", "childs_pose", "--camera", camera, "--no-window", "--quiet", "--model", str(model_path)
    )
    assert run.returncode == 4
    assert run.stderr.strip().count("\n") == 0
    assert run.stderr.startswith("posecheck: error:")
    assert "camera" in run.stderr


def _assert_ended_with_one_line_and_kept_the_session(
    run: subprocess.CompletedProcess, report: Path, source: str, *mentions: str
) -> dict:
    assert run.returncode == 4, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("posecheck: error: ")
    for mention in mentions:
        assert mention in line, line
    assert f"Prone press-up: {source}" in run.stdout  # the summary
    assert f"Report written to {report}" in run.stdout
    saved = json.loads(report.read_text())
    assert saved["frames_with_person"] > 0
    return saved


@pytest.mark.parametrize(
    ("then", "mentions"),
    [
        ("closes", ("stopped giving pictures at", "the stream closed")),
        ("stalls", ("no picture from http://127.0.0.1:", f"for {STALL_S:g} s after", "stalled")),
    ],
)
def test_a_stream_that_closes_or_stalls_mid_session_ends_it_saving_what_was_recorded(
    then: str, mentions: tuple[str, ...], corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    """An MJPEG camera served on this machine sends 6 s of the clip at its pace, then closes
    the connection, or stays connected and sends nothing (not waited on beyond the stall:
    FFmpeg's own read would wait 30 s)."""
    report = tmp_path / "live.json"
    with motion_jpeg_server(jpeg_pictures(corpus / PRESS_UP_CLIP, 6.0), then=then) as url:
        run = _posecheck(
            "live", "--camera", url, "--exercise", "prone_press_up", "--no-window", "--quiet",
            "--json", str(report), "--no-history", "--model", str(model_path),
        )  # fmt: skip
    saved = _assert_ended_with_one_line_and_kept_the_session(run, report, url, *mentions)
    assert saved["duration_s"] == pytest.approx(6.0, abs=1.5)
    assert "hold started" in run.stdout


def test_a_truncated_file_played_as_a_camera_ends_with_a_line_saying_it_ended_early(
    corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    data = (corpus / PRESS_UP_CLIP).read_bytes()  # its index comes first: a cut copy still opens
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 3])
    report = tmp_path / "live.json"
    run = _posecheck(
        "live", "--camera", str(truncated), "--exercise", "prone_press_up", "--no-window", "--quiet",
        "--json", str(report), "--no-history", "--model", str(model_path),
    )  # fmt: skip
    _assert_ended_with_one_line_and_kept_the_session(
        run, report, "truncated.mp4", "truncated.mp4 ends early (at ", "of its 15.0 s", "truncated"
    )


@pytest.fixture
def virtual_display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _screenshot(display: str, path: Path) -> np.ndarray:
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "x11grab", "-video_size",
         "1280x800", "-i", display, "-frames:v", "1", str(path)],
        check=True,
        timeout=30,
    )  # fmt: skip
    image = cv2.imread(str(path))
    assert image is not None
    return image


def test_live_window_shows_the_overlay_on_a_virtual_display(
    virtual_display: str, corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    excerpt = write_excerpt(corpus / PRESS_UP_CLIP, 12.0, tmp_path / "excerpt.mp4")
    env = {**os.environ, "DISPLAY": virtual_display, "QT_QPA_PLATFORM": "xcb"}
    before = _screenshot(virtual_display, tmp_path / "before.png")
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "live", "-e", "prone_press_up", "--camera", str(excerpt),
         "--quiet", "--model", str(model_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip

    def share(image: np.ndarray, colour: tuple[int, int, int]) -> float:
        return float(np.mean(np.all(np.abs(image.astype(int) - colour) <= 2, axis=2)))

    # The window opens once the model has loaded, which takes longer on a busy machine:
    # look until it shows, for as long as the clip plays.
    panel_shown = skeleton_shown = 0.0
    while process.poll() is None and not (panel_shown > 0.02 and skeleton_shown > 0.0005):
        during = _screenshot(virtual_display, tmp_path / "during.png")
        panel_shown = max(panel_shown, share(during, PANEL_COLOUR))
        skeleton_shown = max(skeleton_shown, share(during, BONE_COLOUR))
        time.sleep(0.5)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Prone press-up: excerpt.mp4" in out
    assert share(before, PANEL_COLOUR) < 0.001
    assert panel_shown > 0.02, "no panel drawn"
    assert skeleton_shown > 0.0005, "no skeleton drawn"


def test_keys_pressed_in_the_live_window_pause_the_clock_and_end_the_session(
    virtual_display: str, corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    """Space, space, q typed into the real window (X key events sent by xdotool)."""
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt-get install xdotool)")
    excerpt = write_excerpt(corpus / PRESS_UP_CLIP, 20.0, tmp_path / "excerpt.mp4")
    env = {**os.environ, "DISPLAY": virtual_display, "QT_QPA_PLATFORM": "xcb"}
    report = tmp_path / "session.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "live", "-e", "prone_press_up", "--camera", str(excerpt),
         "--quiet", "--no-history", "--json", str(report), "--model", str(model_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    found = subprocess.run(
        ["xdotool", "search", "--sync", "--name", "posecheck"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    window = found.stdout.split()[0]
    shown_s = time.monotonic()

    def press(key: str) -> None:
        subprocess.run(["xdotool", "key", "--window", window, key], env=env, check=True, timeout=10)

    time.sleep(2.0)
    press("space")
    time.sleep(4.0)
    press("space")
    time.sleep(2.0)
    press("q")
    quit_s = time.monotonic()
    out, err = process.communicate(timeout=30)
    ended_s = time.monotonic()
    assert process.returncode == 0, err
    assert ended_s - quit_s < 8.0, "q did not end the session before the 20 s clip ran out"
    assert "Prone press-up: excerpt.mp4" in out
    duration_s = json.loads(report.read_text())["duration_s"]
    # The window showed before the camera opened; the 4 s pause is not session time.
    assert 1.0 < duration_s < quit_s - shown_s - 3.0


def _session_with_pause(video: Path, model_path: Path, pause: tuple[float, float] | None) -> Session:
    """Feeds every 2nd frame of ``video`` to a live session as if captured now, pausing
    between the two file times of ``pause``."""
    with VideoFileSource(video, stride=2) as source, PoseEstimator(model_path) as estimator:
        live = LiveSession(exercise_named("prone_press_up"), PoseStage(estimator), video.name, draw=False)
        for frame in source:
            if pause is not None and live.paused != (pause[0] <= frame.timestamp_s < pause[1]):
                live.toggle_pause(frame.timestamp_s)
            live.feed(LiveFrame(frame, time.monotonic()))
        session = live.finish(2 / source.info.fps)
    return session


def test_pausing_stops_the_session_clock_and_the_hold_resumes(corpus: Path, model_path: Path) -> None:
    video = corpus / PRESS_UP_CLIP
    [plain] = _session_with_pause(video, model_path, None).holds
    [paused] = _session_with_pause(video, model_path, (6.0, 8.0)).holds  # in the middle of the hold
    assert paused.start_s == pytest.approx(plain.start_s, abs=0.2)
    assert paused.duration_s == pytest.approx(plain.duration_s - 2.0, abs=0.3)
