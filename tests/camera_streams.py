"""Cameras that go away, made of real parts: an MJPEG stream served over HTTP on this
machine, and a named pipe a separate program feeds JPEG pictures into. Both carry JPEG
pictures of a corpus clip, encoded by OpenCV, at the clip's real pace."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2

from posecheck.pipeline.source import VideoFileSource

PICTURE_RATE = 25.0


def jpeg_pictures(video: Path, seconds: float) -> list[bytes]:
    """The first ``seconds`` of ``video`` as JPEG pictures."""
    pictures = []
    with VideoFileSource(video) as source:
        for frame in source:
            if frame.timestamp_s >= seconds:
                break
            pictures.append(cv2.imencode(".jpg", frame.image)[1].tobytes())
    return pictures


@contextmanager
def motion_jpeg_server(pictures: list[bytes], then: str) -> Iterator[str]:
    """An HTTP camera (``multipart/x-mixed-replace``, as IP cameras serve MJPEG) that sends
    ``pictures`` at ``PICTURE_RATE``, then ``"closes"`` the connection or ``"stalls"``:
    stays connected and sends nothing more until the server is shut down. Yields the URL."""
    if then not in ("closes", "stalls"):
        raise ValueError(f"then: 'closes' or 'stalls', not {then!r}")
    shut_down = threading.Event()

    class MotionJpegStream(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.end_headers()
            for picture in pictures:
                self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n")
                self.wfile.write(f"Content-Length: {len(picture)}\r\n\r\n".encode() + picture + b"\r\n")
                self.wfile.flush()
                if shut_down.wait(1 / PICTURE_RATE):
                    break
            if then == "stalls":
                shut_down.wait()
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), MotionJpegStream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/stream.mjpg"
    finally:
        shut_down.set()
        server.shutdown()
        server.server_close()


_PIPE_WRITER = """
import sys, time
pictures = open(sys.argv[1], "rb").read().split(sys.argv[2].encode())
with open(sys.argv[3], "wb") as pipe:
    while True:
        for picture in pictures:
            pipe.write(picture)
            pipe.flush()
            time.sleep(1 / float(sys.argv[4]))
"""


def pipe_writer(pictures: list[bytes], pipe: Path, folder: Path) -> subprocess.Popen[bytes]:
    """A separate program writing ``pictures`` (raw MJPEG: one JPEG after another) into the
    named pipe ``pipe`` at ``PICTURE_RATE``, in a loop until it is killed."""
    separator = "--posecheck-picture--"
    bundle = folder / "pictures.bin"
    bundle.write_bytes(separator.encode().join(pictures))
    return subprocess.Popen(
        [sys.executable, "-c", _PIPE_WRITER, str(bundle), separator, str(pipe), str(PICTURE_RATE)],
        stderr=subprocess.DEVNULL,
    )
