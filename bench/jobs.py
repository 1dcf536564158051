"""Wall time of analysing one folder of corpus clips on 1 and on 2 worker processes.

    python bench/jobs.py [--seconds 15] [--jobs 1 2]

The first ``--seconds`` of four corpus clips are cut once into a scratch folder; then
``analyze_folder`` runs on that folder with each ``--jobs`` value in turn (process start-up
and model loading included, as a user would wait for them). It prints each wall time and
the speed-up over the first, with the CPU time the workers used and the machine's load
before each run (other work on the machine skews the figures).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from posecheck.batch.runner import analyze_folder
from posecheck.pipeline import model_files as models
from posecheck.pipeline.source import VideoFileSource, write_excerpt

CORPUS_VIDEOS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "videos"
CLIPS = (
    "prone_press_up__flowai_bhujangasana_man_side.mp4",
    "prone_press_up__fitsens_cobra_stretch_man.mp4",
    "prone_press_up__jennermaxim_cobra_stretch.mp4",
    "childs_pose__clinically_balasana.mp4",
)
EXERCISE = "prone_press_up"  # the rules cost next to nothing beside the model


def cut(video: Path, seconds: float, folder: Path) -> Path:
    """The first seconds of a clip, re-encoded once, so every run reads the same frames."""
    return write_excerpt(video, seconds, folder / video.name)


def _workers_cpu_s() -> float:
    """CPU seconds of the worker processes that have ended (the pool joins them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds cut from each clip")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts to time")
    arguments = parser.parse_args()
    model = models.find_model()
    print(f"{os.cpu_count()} cores; model {model.name}; {len(CLIPS)} clips, first {arguments.seconds:g} s")
    with tempfile.TemporaryDirectory(prefix="posecheck-jobs-") as scratch:
        folder = Path(scratch)
        for name in CLIPS:
            with VideoFileSource(cut(CORPUS_VIDEOS / name, arguments.seconds, folder)) as clip:
                info = clip.info
            print(f"  {name}: {info.width}x{info.height}, {info.frame_count} frames")
        times = []
        for jobs in arguments.jobs:
            load = os.getloadavg()[0]
            cpu_before = _workers_cpu_s()
            start = time.perf_counter()
            outcomes = analyze_folder(folder, EXERCISE, model, jobs=jobs)
            times.append(time.perf_counter() - start)
            cpu = _workers_cpu_s() - cpu_before
            failed = [outcome.path.name for outcome in outcomes if not outcome.ok]
            print(
                f"jobs={jobs}: {times[-1]:.1f} s wall, workers' CPU {cpu:.1f} s "
                f"({cpu / times[-1]:.2f} cores busy), load before {load:.2f}"
                + (f", failed: {', '.join(failed)}" if failed else "")
            )
            sys.stdout.flush()
        for jobs, seconds in zip(arguments.jobs[1:], times[1:], strict=True):
            print(f"speed-up of jobs={jobs} over jobs={arguments.jobs[0]}: {times[0] / seconds:.2f}x")


if __name__ == "__main__":  # the spawned workers import this module again
    main()
