"""Speed of the analysis, stage by stage, on real corpus clips at their native sizes.

    python bench/speed.py [--runs 3] [--seconds 20] [--clips NAME ...]

For each clip (its first ``--seconds``, cut once; ``--seconds 0`` for the whole clip) it
measures, as medians over ``--runs`` with the stages taking turns, each in a fresh process so
that its peak memory is its own (with the rules' process, where the rules run beside the
model): (a) the pose model alone on frames decoded beforehand (the limit), (b) decoding alone,
(c) the whole ``analyze`` pipeline, and the same with the adaptive frame stride, without the
track check's fresh look every 2 s, and with the rules in the model's process (``c_here``),
(d) the rules alone on the saved landmark track. It prints frames per second and the
real-time factor (video seconds per wall second) of each, and the ratios (c)/(a) and
(c)/(a+b) of throughput, where a+b is the model and decoding one after the other.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from posecheck.analysis.video import AdaptiveStride, analyze_track, analyze_video
from posecheck.pipeline import model_files as models
from posecheck.pipeline.pose import PoseEstimator
from posecheck.pipeline.recording import track_from_pairs
from posecheck.pipeline.source import VideoFileSource, write_excerpt

DEFAULT_CLIPS = [
    ("prone_press_up__flowai_bhujangasana_man_side.mp4", "prone_press_up"),
    ("childs_pose__clinically_balasana.mp4", "childs_pose"),
    ("childs_pose__purecalm_balasana_rehabme.mp4", "childs_pose"),
    ("prone_press_up__jennermaxim_cobra_stretch.mp4", "prone_press_up"),
    ("childs_pose__yogagym_child_pose_portrait.mp4", "childs_pose"),
]
STAGES = ("a_model", "b_decode", "c_pipeline", "c_adaptive", "c_unchecked", "c_here", "d_rules")


def _cut(video: Path, seconds: float, folder: Path) -> Path:
    """The first seconds of a clip, so every stage sees the same frames (all of it for 0)."""
    return write_excerpt(video, seconds, folder / f"{video.stem}.mp4") if seconds > 0 else video


def run_stage(stage: str, video: Path, exercise: str, model: Path) -> dict[str, float]:
    """One stage once, in this process; returns its time and the process's peak memory."""
    with VideoFileSource(video) as source:
        fps = source.info.fps
        frames = list(source) if stage == "a_model" else []
    track = None
    if stage == "d_rules":
        pairs: list = []
        analyze_video(video, exercise, model, keep_track=pairs)
        track = track_from_pairs(video.name, fps, pairs)
    start = time.perf_counter()
    count = 0
    if stage == "a_model":
        with PoseEstimator(model) as estimator:
            for frame in frames:
                estimator.detect(frame)
        count = len(frames)
    elif stage == "b_decode":
        with VideoFileSource(video) as source:
            count = sum(1 for _ in source)
    elif stage in ("c_pipeline", "c_adaptive"):
        adaptive = AdaptiveStride() if stage == "c_adaptive" else None
        count = analyze_video(video, exercise, model, adaptive=adaptive).frames
    elif stage == "c_unchecked":
        count = analyze_video(video, exercise, model, track_check_period_s=None).frames
    elif stage == "c_here":
        count = analyze_video(video, exercise, model, rules_beside=False).frames
    elif stage == "d_rules":
        assert track is not None
        count = analyze_track(track, exercise).frames
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if stage.startswith("c_"):  # with the rules in a process of their own, its peak too
        peak_kb += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "analysed_frames": count, "peak_mb": peak_kb / 1024.0}


def _run_once(stage: str, video: Path, exercise: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--stage", stage, "--video", str(video), "--exercise", exercise],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def _measure_all(video: Path, exercise: str, runs: int) -> dict[str, dict[str, float]]:
    """Each stage ``runs`` times, the stages taking turns (a, b, c..., a, b, c...): a slow
    spell of a shared machine then slows every stage alike, not the one it fell on."""
    results: dict[str, list[dict[str, float]]] = {stage: [] for stage in STAGES}
    for _ in range(runs):
        for stage in STAGES:
            results[stage].append(_run_once(stage, video, exercise))
    return {
        stage: {
            "seconds": statistics.median(r["seconds"] for r in measured),
            "analysed_frames": measured[0]["analysed_frames"],
            "peak_mb": max(r["peak_mb"] for r in measured),
        }
        for stage, measured in results.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clips", nargs="*")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--video", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--exercise", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    model = models.find_model()
    if arguments.stage:
        print(json.dumps(run_stage(arguments.stage, arguments.video, arguments.exercise, model)))
        return 0
    clips = [(name, ex) for name, ex in DEFAULT_CLIPS if not arguments.clips or name in arguments.clips]
    header = " ".join(f"{stage:>22}" for stage in STAGES)
    print(f"{'clip':40} {'size':>9} {'frames':>6} {header} {'c/a':>5} {'c/(a+b)':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for name, exercise in clips:
            video = _cut(arguments.corpus / "videos" / name, arguments.seconds, Path(folder))
            with VideoFileSource(video) as source:
                info = source.info
                frames = sum(1 for _ in source)
            video_s = frames / info.fps
            figures = _measure_all(video, exercise, arguments.runs)
            cells = []
            for stage in STAGES:
                seconds = figures[stage]["seconds"]
                fps = frames / seconds
                cells.append(f"{fps:5.0f}fps {video_s / seconds:4.1f}x {figures[stage]['peak_mb']:4.0f}MB")
            a, b, c = (figures[s]["seconds"] for s in ("a_model", "b_decode", "c_pipeline"))
            print(
                f"{name[:40]:40} {info.width}x{info.height:<4} {frames:6d} "
                + " ".join(f"{cell:>22}" for cell in cells)
                + f" {a / c:5.2f} {(a + b) / c:7.2f}"
            )
            analysed = figures["c_adaptive"]["analysed_frames"]
            gain = figures["c_pipeline"]["seconds"] / figures["c_adaptive"]["seconds"]
            print(
                f"{'':40} adaptive stride analysed {analysed} of {frames} frames, "
                f"{gain:.2f}x the speed of every frame"
            )
            beside_gain = figures["c_here"]["seconds"] / figures["c_pipeline"]["seconds"]
            print(f"{'':40} the rules beside the model: {beside_gain:.2f}x the speed of the rules in its own")
            check_cost = figures["c_pipeline"]["seconds"] / figures["c_unchecked"]["seconds"] - 1
            print(
                f"{'':40} the track check's fresh looks cost {100 * check_cost:+.1f}% of the pipeline's time"
            )
    print("fps: video frames per wall second; Nx: real-time factor; MB: peak memory of the stage's process.")
    print(
        "c/a: pipeline throughput over the model alone; c/(a+b): over model and decoding one after the other."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
