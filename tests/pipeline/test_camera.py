"""The live frame source on real clips: real pace, wall-clock timestamps, newest frame wins."""

from __future__ import annotations

import http.server
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import cv2
import pytest

from posecheck.errors import CameraUnavailableError
from posecheck.pipeline.camera import STREAM_OPEN_TIMEOUT_S, CameraSpec, LiveCamera
from posecheck.pipeline.source import VideoFileSource, write_excerpt

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


class _MotionJpegStream(http.server.BaseHTTPRequestHandler):
    """A network camera that sends ``frames`` JPEG pictures of a real clip, then goes away."""

    frames: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        for picture in self.frames:
            self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n")
            self.wfile.write(f"Content-Length: {len(picture)}\r\n\r\n".encode() + picture + b"\r\n")
            self.wfile.flush()
            time.sleep(1 / 25)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def network_camera(excerpt: Path) -> Iterator[str]:
    with VideoFileSource(excerpt) as source:
        _MotionJpegStream.frames = [cv2.imencode(".jpg", frame.image)[1].tobytes() for frame in source][:50]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MotionJpegStream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/stream.mjpg"
    finally:
        server.shutdown()


def test_a_network_camera_that_goes_away_is_reported_after_its_frames(network_camera: str) -> None:
    frames = 0
    with LiveCamera(network_camera, lost_after_s=0.5) as camera:
        assert camera.spec.kind == "url"
        with pytest.raises(CameraUnavailableError, match="stopped giving pictures"):
            while camera.latest() is not None:
                frames += 1
    assert frames > 10
