"""Throughput of a batch with ``--jobs`` and with ``--ray`` on local Ray clusters.

    python bench/ray_cluster.py [--seconds 15]

The first ``--seconds`` of eight corpus clips are cut once into a scratch folder; then the
same folder is analysed four ways, each a fresh start as a user would wait for it (worker
processes, model loading): ``--jobs 1``, ``--jobs 2``, and ``--ray`` on a local cluster of
one and of two one-CPU worker nodes (``posecheck.cluster.local_cluster``: a head that runs
no task, each node its own raylet and object store). The cluster's own start-up is timed
apart, since a cluster serves many batches; a second batch on the two-node cluster shows
the cost once its workers are up. It prints each run's wall time, its throughput (videos
and video seconds a minute), Ray's overhead per video against ``--jobs`` with as many
workers, and whether every session equals the ``--jobs 1`` one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from posecheck.analysis.recognised import RecognisedSession
from posecheck.batch.cluster import RayRunner, local_cluster
from posecheck.batch.runner import VideoOutcome, analyze_folder
from posecheck.pipeline import model_files as models
from posecheck.pipeline.source import VideoFileSource, write_excerpt
from posecheck.reports.text import session_to_dict

CORPUS_VIDEOS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "videos"
CLIPS = (
    "prone_press_up__flowai_bhujangasana_man_side.mp4",
    "prone_press_up__fitsens_cobra_stretch_man.mp4",
    "prone_press_up__jennermaxim_cobra_stretch.mp4",
    "prone_press_up__aris_upward_dog_hips_lifted_composed.mp4",
    "childs_pose__clinically_balasana.mp4",
    "childs_pose__purecalm_balasana_rehabme.mp4",
    "childs_pose__yogagym_child_pose_portrait.mp4",
    "confuser__yogagym_chaturanga_plank.mp4",
)
EXERCISE = "prone_press_up"  # the rules cost next to nothing beside the model


def _results(outcomes: list[VideoOutcome]) -> list[Any]:
    """What a run found, but for the wall-clock time each analysis started at."""
    found = []
    for outcome in outcomes:
        session = outcome.session
        if session is None or isinstance(session, RecognisedSession):
            found.append((outcome.path.name, outcome.error))
            continue
        report = session_to_dict(session)
        report.pop("started_at")
        found.append((outcome.path.name, outcome.error, report))
    return found


def _timed(folder: Path, model: Path, **how: Any) -> tuple[float, list[VideoOutcome]]:
    """One batch as ``analyze FOLDER --exercise`` runs it, and its wall time."""
    start = time.perf_counter()
    outcomes = analyze_folder(folder, EXERCISE, model, **how)
    return time.perf_counter() - start, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds cut from each clip")
    arguments = parser.parse_args()
    model = models.find_model()
    print(f"{os.cpu_count()} cores; model {model.name}; {len(CLIPS)} clips, first {arguments.seconds:g} s")
    with tempfile.TemporaryDirectory(prefix="posecheck-ray-") as scratch:
        folder = Path(scratch) / "videos"
        folder.mkdir()
        video_s = 0.0
        for name in CLIPS:
            with VideoFileSource(
                write_excerpt(CORPUS_VIDEOS / name, arguments.seconds, folder / name)
            ) as clip:
                info = clip.info
            video_s += info.frame_count / info.fps
            print(f"  {name}: {info.width}x{info.height}, {info.frame_count} frames")
        runs: dict[str, tuple[float, list[VideoOutcome]]] = {}

        def report(label: str, seconds: float, outcomes: list[VideoOutcome]) -> None:
            runs[label] = (seconds, outcomes)
            failed = [outcome.path.name for outcome in outcomes if not outcome.ok]
            print(
                f"{label}: {seconds:.1f} s, {len(outcomes) / seconds * 60:.1f} videos/min, "
                f"{video_s / seconds * 60:.0f} video s/min, load {os.getloadavg()[0]:.2f}"
                + (f", failed: {', '.join(failed)}" if failed else "")
            )
            sys.stdout.flush()

        for jobs in (1, 2):
            report(f"--jobs {jobs}", *_timed(folder, model, jobs=jobs))
        for workers in (1, 2):
            start = time.perf_counter()
            with local_cluster(workers, log_folder=Path(scratch)) as cluster:
                print(f"cluster of {workers} worker node(s) up in {time.perf_counter() - start:.1f} s")
                runner = RayRunner(cluster.address)
                report(f"--ray, {workers} worker(s)", *_timed(folder, model, runner=runner))
                if workers == 2:
                    report("--ray, 2 workers, second batch", *_timed(folder, model, runner=runner))
        reference = _results(runs["--jobs 1"][1])
        for label, (_, outcomes) in runs.items():
            same = _results(outcomes) == reference
            print(f"{label}: results {'equal to' if same else 'DIFFER from'} --jobs 1")
        for workers in (1, 2):
            jobs_s = runs[f"--jobs {workers}"][0]
            for label in [label for label in runs if label.startswith(f"--ray, {workers} worker")]:
                ray_s = runs[label][0]
                print(
                    f"{label}: throughput {jobs_s / ray_s:.2f}x that of --jobs {workers}; "
                    f"Ray's overhead {(ray_s - jobs_s) / len(CLIPS):+.2f} s a video"
                )


if __name__ == "__main__":  # the spawned workers import this module again
    main()
