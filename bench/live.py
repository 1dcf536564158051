"""Live coaching speed: a corpus clip played as a camera at 640x480 and 1280x720.

Prints per picture size the latency from a frame's capture to its overlay being drawn
(median and 95th percentile), the frames dropped, the process's CPU use (100% = one core),
and the hold found live against ``analyze`` on the same excerpt. ``--compare-modes`` also
times the model alone in MediaPipe's VIDEO mode (in the loop, as ``posecheck live`` runs
it) and LIVE_STREAM mode (asynchronous, results on MediaPipe's thread).

    python bench/live.py [--seconds 20] [--compare-modes] [--people N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from posecheck.analysis.video import analyze_video
from posecheck.live.session import run_live
from posecheck.pipeline import model_files as models
from posecheck.pipeline.camera import LiveCamera
from posecheck.pipeline.pose import PoseEstimator
from posecheck.pipeline.source import VideoFileSource

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CLIP = CORPUS / "videos" / "prone_press_up__flowai_bhujangasana_man_side.mp4"
EXERCISE = "prone_press_up"
START_S = 26.0  # lying down, then the lift at 28.5 s and the hold from 31.5 s
SIZES = ((640, 480), (1280, 720))


def resized_excerpt(size: tuple[int, int], seconds: float, folder: Path) -> Path:
    """The clip from START_S, scaled to fit ``size`` and padded with black (no stretching)."""
    width, height = size
    target = folder / f"excerpt_{width}x{height}.mp4"
    with VideoFileSource(CLIP) as source:
        fps = source.info.fps
        writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
        for frame in source:
            if frame.timestamp_s < START_S:
                continue
            if frame.timestamp_s >= START_S + seconds:
                break
            scale = min(width / frame.size[0], height / frame.size[1])
            scaled = cv2.resize(frame.image, (round(frame.size[0] * scale), round(frame.size[1] * scale)))
            canvas = np.zeros((height, width, 3), dtype=np.uint8)
            top, left = (height - scaled.shape[0]) // 2, (width - scaled.shape[1]) // 2
            canvas[top : top + scaled.shape[0], left : left + scaled.shape[1]] = scaled
            writer.write(canvas)
        writer.release()
    return target


def measure_live(video: Path, model: Path, people: int) -> list[str]:
    with LiveCamera(video) as camera:
        result = run_live(camera, EXERCISE, model, draw=True, max_people=people)
    recorded = analyze_video(video, EXERCISE, model)
    stats = result.stats
    live_hold = max((hold.duration_s for hold in result.session.holds), default=float("nan"))
    recorded_hold = max((hold.duration_s for hold in recorded.holds), default=float("nan"))
    return [
        f"{stats.latency_median_ms:.0f} ms",
        f"{stats.latency_p95_ms:.0f} ms",
        f"{stats.frames_dropped} of {stats.frames_captured}",
        f"{stats.frames_analysed / stats.wall_s:.1f}",
        f"{stats.cpu_percent:.0f}%",
        f"{live_hold:.1f} s / {recorded_hold:.1f} s",
    ]


def _summary(latencies: list[float], dropped: int, captured: int) -> str:
    return (
        f"median {1000 * statistics.median(latencies):.0f} ms, "
        f"p95 {1000 * float(np.percentile(latencies, 95)):.0f} ms, {dropped} of {captured} dropped"
    )


def model_in_video_mode(video: Path, model: Path, people: int) -> str:
    latencies = []
    with LiveCamera(video) as camera, PoseEstimator(model, max_people=people) as estimator:
        while (live := camera.latest()) is not None:
            estimator.detect(live.frame)
            latencies.append(time.monotonic() - live.captured_at)
        return _summary(latencies, camera.frames_dropped, camera.frames_captured)


def model_in_live_stream_mode(video: Path, model: Path, people: int) -> str:
    latencies: list[float] = []
    sent: dict[int, float] = {}

    def received(result: object, image: mp.Image, timestamp_ms: int) -> None:
        latencies.append(time.monotonic() - sent.pop(timestamp_ms))

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.LIVE_STREAM,
        num_poses=people,
        result_callback=received,
    )
    with LiveCamera(video) as camera, vision.PoseLandmarker.create_from_options(options) as landmarker:
        last_ms = -1
        while (live := camera.latest()) is not None:
            timestamp_ms = max(round(live.frame.timestamp_s * 1000), last_ms + 1)
            last_ms = timestamp_ms
            sent[timestamp_ms] = live.captured_at
            rgb = cv2.cvtColor(live.frame.image, cv2.COLOR_BGR2RGB)
            landmarker.detect_async(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), timestamp_ms)
        time.sleep(0.5)  # the last results
        skipped = len(sent)  # frames MediaPipe itself dropped while busy
        return _summary(latencies, camera.frames_dropped + skipped, camera.frames_captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="excerpt length (default 20)")
    parser.add_argument("--compare-modes", action="store_true", help="also time VIDEO vs LIVE_STREAM mode")
    parser.add_argument(
        "--people", type=int, default=1, help="people the model looks for (default 1, as posecheck live)"
    )
    arguments = parser.parse_args()
    model = models.find_model()
    header = [
        "size",
        "latency median",
        "latency p95",
        "frames dropped",
        "analysed fps",
        "CPU",
        "hold live / analyze",
    ]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            video = resized_excerpt(size, arguments.seconds, Path(folder))
            rows.append([f"{size[0]}x{size[1]}", *measure_live(video, model, arguments.people)])
            if arguments.compare_modes:
                video_mode = model_in_video_mode(video, model, arguments.people)
                print(f"{size[0]}x{size[1]} model alone, VIDEO mode:       {video_mode}")
                live_stream = model_in_live_stream_mode(video, model, arguments.people)
                print(f"{size[0]}x{size[1]} model alone, LIVE_STREAM mode: {live_stream}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
