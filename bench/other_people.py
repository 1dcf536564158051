"""Someone else in the picture: what the looks find on the corpus, and what they cost.

    python bench/other_people.py [CORPUS_DIR] [--only PART ...] [--cost CLIP]

For each corpus clip: the looks ``analyze`` makes (every ``ANALYZE_CHECK_PERIOD_S`` from the
first frame with a followed person, the followed person taken from the cached pose track),
how many found someone else, whether the summary would get the note, and the time per look.
With ``--cost``, the whole ``analyze`` pipeline on that clip with and without the looks (one
run each, every frame and with the adaptive stride): the extra time per minute of video.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from posecheck.analysis.other_people import ANALYZE_CHECK_PERIOD_S, OtherPeopleSearch
from posecheck.analysis.setup_check import SOMEONE_ELSE_NOTE, SetupTally
from posecheck.analysis.video import AdaptiveStride, analyze_video
from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline import model_files as models
from posecheck.pipeline.source import VideoFileSource


def looks(video: Path, model: Path, cache: Path) -> tuple[SetupTally, float]:
    """The tally of the looks on one clip, and the mean time of a look in seconds."""
    track = corpus_track(video, model, cache)
    followed = {round(frame.timestamp_s, 4): frame.pose for frame in track}
    tally = SetupTally()
    spent = 0.0
    with OtherPeopleSearch(model, ANALYZE_CHECK_PERIOD_S) as search, VideoFileSource(video) as source:
        for frame in source:
            pose = followed.get(round(frame.timestamp_s, 4))
            tally.record(pose)
            start = time.perf_counter()
            found = search.check(frame, pose)
            if found is not None:
                spent += time.perf_counter() - start
                tally.record_people_check(found)
    return tally, spent / max(1, tally.people_checks)


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def cost(video: Path, model: Path) -> None:
    """Processor time of the process (all its threads), which other work on the machine
    disturbs far less than wall time does."""
    with VideoFileSource(video) as source:
        minutes = source.info.frame_count / source.info.fps / 60.0
    print(f"\n{video.name}: {minutes * 60:.0f} s of video; processor seconds (wall seconds)")
    print("| pipeline | without looks | with looks | extra per minute of video | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, adaptive in (("every frame", None), ("adaptive stride", AdaptiveStride())):
        cpu, wall = [], []
        for period in (None, ANALYZE_CHECK_PERIOD_S):
            cpu_start, wall_start = _cpu_seconds(), time.perf_counter()
            analyze_video(video, "childs_pose", model, adaptive=adaptive, people_check_period_s=period)
            cpu.append(_cpu_seconds() - cpu_start)
            wall.append(time.perf_counter() - wall_start)
        extra = (cpu[1] - cpu[0]) / minutes
        print(
            f"| {name} | {cpu[0]:.1f} s ({wall[0]:.1f} s) | {cpu[1]:.1f} s ({wall[1]:.1f} s) "
            f"| {extra:.1f} s | {cpu[1] / cpu[0]:.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "corpus", nargs="?", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    parser.add_argument("--only", nargs="*", default=())
    parser.add_argument("--cache", type=Path, default=models.user_cache_dir() / "tracks")
    parser.add_argument("--cost", help="a corpus clip to time analyze on, with and without the looks")
    arguments = parser.parse_args()
    model = models.find_model()
    if arguments.cost:
        cost(arguments.corpus / "videos" / arguments.cost, model)
        return
    print("| clip | looks | looks with someone else | note | ms per look |\n|---|---:|---:|---|---:|")
    for video in sorted((arguments.corpus / "videos").iterdir()):
        if arguments.only and not any(part in video.name for part in arguments.only):
            continue
        tally, seconds = looks(video, model, arguments.cache)
        note = "yes" if SOMEONE_ELSE_NOTE in tally.notes() else "no"
        counts = f"{tally.people_checks} | {tally.checks_with_others}"
        print(f"| {video.name} | {counts} | {note} | {1000 * seconds:.0f} |")


if __name__ == "__main__":
    main()
