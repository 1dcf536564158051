"""The live frame source on real clips: real pace, wall-clock timestamps, newest frame wins."""

from __future__ import annotations

import itertools
import os
import socket
import time
from pathlib import Path

import pytest

from posecheck.errors import (
    CameraFileEndedEarlyError,
    CameraLostError,
    CameraStalledError,
    CameraUnavailableError,
)
from posecheck.pipeline.camera import (
    STALL_S,
    STREAM_OPEN_TIMEOUT_S,
    STREAM_READ_TIMEOUT_S,
    CameraSpec,
    LiveCamera,
)
from posecheck.pipeline.source import write_excerpt
from tests.camera_streams import jpeg_pictures, motion_jpeg_server, pipe_writer

CLIP = "videos/prone_press_up__fitsens_cobra_stretch_man.mp4"


@pytest.fixture(scope="module")
def excerpt(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_excerpt(corpus / CLIP, 3.0, tmp_path_factory.mktemp("camera") / "excerpt.mp4")


@pytest.mark.parametrize(
    ("argument", "kind"),
    [
        ("0", "index"),
        ("2", "index"),
        ("/dev/video0", "device"),
        ("/dev/v4l/by-id/usb-webcam-video-index0", "device"),
        ("rtsp://camera.local/stream", "url"),
        ("clip.mp4", "file"),
    ],
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


def test_a_silent_stream_address_is_a_camera_error_after_the_open_timeout_not_ffmpegs_30_s() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # a port free a moment ago: nobody sends to it
    started = time.monotonic()
    with pytest.raises(
        CameraUnavailableError, match=r"nothing answered within 10 s\): .*check the index or URL"
    ):
        LiveCamera(f"udp://127.0.0.1:{port}")
    # FFmpeg's own wait is 30 s; the margin over 10 s is for a busy machine.
    assert time.monotonic() - started < STREAM_OPEN_TIMEOUT_S + 10.0


def test_a_refused_stream_address_is_a_camera_error_without_a_wait_it_did_not_take() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: a connection is refused
        with pytest.raises(CameraUnavailableError, match="check the index or URL") as raised:
            LiveCamera(f"rtsp://127.0.0.1:{port}/stream")
    assert "nothing answered" not in str(raised.value)


def test_a_missing_file_is_a_camera_error_naming_the_fix() -> None:
    with pytest.raises(CameraUnavailableError, match="give a camera index"):
        LiveCamera("no_such_clip.mp4")


@pytest.fixture(scope="module")
def pictures(corpus: Path) -> list[bytes]:
    return jpeg_pictures(corpus / CLIP, 2.0)


def test_a_network_camera_that_goes_away_is_reported_after_its_frames(pictures: list[bytes]) -> None:
    frames = 0
    with motion_jpeg_server(pictures, then="closes") as url, LiveCamera(url, lost_after_s=0.5) as camera:
        assert camera.spec.kind == "url"
        with pytest.raises(CameraLostError, match=r"pictures at .*the stream closed") as raised:
            while camera.latest() is not None:
                frames += 1
    assert frames > 10
    assert raised.value.at_s == pytest.approx(2.0, abs=1.0)
    assert raised.value.note.startswith("The camera stopped giving pictures at")


def test_a_stream_that_stays_connected_but_sends_nothing_is_reported_stalled_not_waited_on(
    pictures: list[bytes],
) -> None:
    """FFmpeg's read is still waiting (its timeout, ``STREAM_READ_TIMEOUT_S``, is later than
    the stall): neither ``latest`` nor ``close`` waits for it."""
    frames = 0
    with motion_jpeg_server(pictures, then="stalls") as url:
        camera = LiveCamera(url)
        try:
            with pytest.raises(
                CameraStalledError, match=f"no picture from .* for {STALL_S:g} s after"
            ) as raised:
                while camera.latest() is not None:
                    frames += 1
            stalled_at, stalled_after_s = time.monotonic(), camera.elapsed_s() - raised.value.at_s
        finally:
            camera.close()
        closed_in_s = time.monotonic() - stalled_at
    assert frames > 10
    assert "stalled" in str(raised.value)
    # Bounds on the waits, with slack for a busy machine: the stall after STALL_S, not
    # FFmpeg's read timeout; close after its join timeout at most.
    assert STALL_S <= stalled_after_s < STREAM_READ_TIMEOUT_S
    assert closed_in_s < 3.0


def test_a_device_that_disappears_is_reported_after_its_frames(pictures: list[bytes], tmp_path: Path) -> None:
    """There is no camera on a test machine, and unplugging one is no test step. The device
    here is a named pipe fed by a separate program, as a capture program feeds a pipe or a
    v4l2loopback device: opened by its path, read by FFmpeg, and killed in mid-session. The
    read then fails as it fails on an unplugged V4L2 device, and no part of OpenCV is faked."""
    pipe = tmp_path / "camera"
    os.mkfifo(pipe)
    writer = pipe_writer(pictures, pipe, tmp_path)
    frames = 0
    try:
        with LiveCamera(str(pipe), lost_after_s=0.5) as camera:
            assert camera.spec.kind == "device"
            with pytest.raises(CameraLostError, match=r"camera stopped giving pictures at .*unplugged"):
                while camera.latest() is not None:
                    frames += 1
                    if frames == 20:
                        writer.kill()
    finally:
        writer.kill()
        writer.wait(timeout=10)
    assert frames >= 20


def test_a_pipe_nobody_writes_to_is_a_camera_error_after_the_open_timeout_not_a_hang(tmp_path: Path) -> None:
    pipe = tmp_path / "camera"
    os.mkfifo(pipe)
    started = time.monotonic()
    with pytest.raises(
        CameraUnavailableError, match=r"cannot open camera \(nothing written to it within 10 s\)"
    ):
        LiveCamera(str(pipe))
    assert time.monotonic() - started < STREAM_OPEN_TIMEOUT_S + 10.0  # slack for a busy machine


def test_a_device_path_that_is_missing_is_a_camera_error_naming_the_fix() -> None:
    with pytest.raises(CameraUnavailableError, match=r"cannot open /dev/video97 \(no such device\): plug in"):
        LiveCamera("/dev/video97")


def test_a_truncated_file_played_as_a_camera_says_it_ended_early(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / CLIP).read_bytes()  # its index comes first: a cut copy still opens
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 6])
    frames = 0
    with (
        LiveCamera(truncated) as camera,
        pytest.raises(CameraFileEndedEarlyError, match=r"truncated.mp4 ends early \(at .* s of its 15.0 s\)"),
    ):
        while camera.latest() is not None:
            frames += 1
    assert frames > 10
