"""The live frame source on real clips: real pace, wall-clock timestamps, newest frame wins."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from posecheck.camera import CameraSpec, LiveCamera
from posecheck.errors import CameraUnavailableError
from posecheck.source import write_excerpt

CLIP = "videos/prone_press_up__fitsens_cobra_stretch_man.mp4"


@pytest.fixture(scope="module")
def excerpt(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_excerpt(corpus / CLIP, 3.0, tmp_path_factory.mktemp("camera") / "excerpt.mp4")


@pytest.mark.parametrize(
    ("argument", "kind"),
    [("0", "index"), ("2", "index"), ("rtsp://camera.local/stream", "url"), ("clip.mp4", "file")],
)
def test_camera_argument_names_an_index_a_url_or_a_file(argument: str, kind: str) -> None:
    assert CameraSpec.parse(argument).kind == kind


def test_a_file_is_played_at_its_real_pace_with_increasing_timestamps(excerpt: Path) -> None:
    started = time.monotonic()
    timestamps = []
    with LiveCamera(excerpt) as camera:
        while (live := camera.latest()) is not None:
            timestamps.append(live.frame.timestamp_s)
    wall_s = time.monotonic() - started
    assert wall_s == pytest.approx(3.0, abs=0.6)
    assert timestamps[0] < 0.1
    assert timestamps[-1] == pytest.approx(3.0, abs=0.3)
    assert all(later > earlier for earlier, later in itertools.pairwise(timestamps))


def test_a_slow_reader_gets_the_newest_frame_and_the_older_ones_are_dropped(excerpt: Path) -> None:
    ages = []
    with LiveCamera(excerpt) as camera:
        while (live := camera.latest()) is not None:
            ages.append(time.monotonic() - live.captured_at)
            time.sleep(0.1)  # a model three times slower than the camera
        taken, dropped, captured = camera.frames_taken, camera.frames_dropped, camera.frames_captured
    assert taken + dropped == captured
    assert dropped > captured / 2
    # A queue would hand out ever older frames (seconds by the end); the newest is at most a
    # frame period old, with some slack for a busy machine.
    assert sorted(ages)[len(ages) // 2] < 0.05
    assert max(ages) < 0.2


def test_an_unavailable_camera_is_a_camera_error() -> None:
    with pytest.raises(CameraUnavailableError, match="cannot open camera 9"):
        LiveCamera("9")


def test_a_missing_file_is_a_camera_error_naming_the_fix() -> None:
    with pytest.raises(CameraUnavailableError, match="give a camera index"):
        LiveCamera("no_such_clip.mp4")
