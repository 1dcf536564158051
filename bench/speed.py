"""Speed of the analysis, stage by stage, on real corpus clips at their native sizes.

    python bench/speed.py [--runs 3] [--clips NAME ...] [--seconds 20]

For each clip (its first ``--seconds`` of video) it measures, as medians over ``--runs``:
(a) the pose model alone on frames decoded beforehand (the limit), (b) decoding alone,
(c) the whole ``analyze`` pipeline, (d) the rules alone on the saved landmark track;
in frames per second and real-time factor (video seconds per wall second), with the
process's peak memory. It prints the ratios (c)/(a) and (c)/(a+b), where a+b means the
two stages run one after the other: time(a) + time(b).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2

from posecheck import models
from posecheck.analysis import analyze_track, analyze_video
from posecheck.pose import PoseEstimator
from posecheck.source import VideoFileSource
from posecheck.track import track_from_pairs

DEFAULT_CLIPS = [
    ("prone_press_up__flowai_bhujangasana_man_side.mp4", "prone_press_up"),
    ("childs_pose__clinically_balasana.mp4", "childs_pose"),
    ("prone_press_up__jennermaxim_cobra_stretch.mp4", "prone_press_up"),
    ("childs_pose__yogagym_child_pose_portrait.mp4", "childs_pose"),
]


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _median_time(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cut(video: Path, seconds: float, folder: Path) -> Path:
    """The first seconds of a clip, re-encoded once, so every stage sees the same frames."""
    with VideoFileSource(video) as source:
        fps, size = source.info.fps, (source.info.width, source.info.height)
        target = folder / f"{video.stem}.first{seconds:g}s.mp4"
        writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
        for frame in source:
            if frame.timestamp_s >= seconds:
                break
            writer.write(frame.image)
        writer.release()
    return target


def measure(video: Path, exercise: str, model: Path, runs: int) -> dict[str, float]:
    with VideoFileSource(video) as source:
        frames = list(source)
        fps = source.info.fps
    count = len(frames)
    video_s = count / fps

    def model_alone() -> None:
        with PoseEstimator(model) as estimator:
            for frame in frames:
                estimator.detect(frame)

    def decode_alone() -> None:
        with VideoFileSource(video) as source:
            for _ in source:
                pass

    pairs: list = []
    analyze_video(video, exercise, model, keep_track=pairs)
    track = track_from_pairs(video.name, fps, pairs)
    timings = {
        "a_model": _median_time(runs, model_alone),
        "b_decode": _median_time(runs, decode_alone),
        "c_pipeline": _median_time(runs, lambda: analyze_video(video, exercise, model)),
        "d_rules": _median_time(runs, lambda: analyze_track(track, exercise)),
    }
    return {"frames": count, "video_s": video_s, **timings}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clips", nargs="*", help="clip file names (default: four of the corpus)")
    arguments = parser.parse_args()
    model = models.find_model()
    clips = [
        (name, exercise) for name, exercise in DEFAULT_CLIPS if not arguments.clips or name in arguments.clips
    ]
    print(
        f"{'clip':48} {'size':>9} {'frames':>6} | {'(a) model':>15} {'(b) decode':>15} {'(c) pipeline':>15}"
        f" {'(d) rules':>15} | {'c/a':>5} {'c/(a+b)':>7}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for name, exercise in clips:
            video = _cut(arguments.corpus / "videos" / name, arguments.seconds, Path(folder))
            with VideoFileSource(video) as source:
                size = f"{source.info.width}x{source.info.height}"
            figures = measure(video, exercise, model, arguments.runs)
            columns = []
            for key in ("a_model", "b_decode", "c_pipeline", "d_rules"):
                seconds = figures[key]
                columns.append(f"{figures['frames'] / seconds:6.0f} fps {figures['video_s'] / seconds:5.1f}x")
            ratio_a = figures["a_model"] / figures["c_pipeline"]
            ratio_ab = (figures["a_model"] + figures["b_decode"]) / figures["c_pipeline"]
            stages = " ".join(f"{column:>15}" for column in columns)
            print(
                f"{name[:48]:48} {size:>9} {figures['frames']:6.0f} | {stages} |"
                f" {ratio_a:5.2f} {ratio_ab:7.2f}"
            )
    print("fps: frames per wall second; Nx: video seconds per wall second (real-time factor).")
    print("c/a and c/(a+b): throughput of the whole pipeline as a share of the model alone, and of")
    print("model plus decoding one after the other (above 1.0: decoding overlaps inference).")
    print(f"peak memory of this process: {_peak_memory_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
