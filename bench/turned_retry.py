"""How often a second look at a missed frame, turned a quarter turn, finds the person.

For every labelled corpus clip: the frames where the labels say a person is on screen
(outside ``no_person``), how many of them the normal pass found a plausible person in (the
cached pose track), and how many more the turned retry (``posecheck.pipeline.turned_retry``) finds.
Usage: python bench/turned_retry.py [CORPUS_DIR] [--only PART ...]
"""

from __future__ import annotations

import argparse
import time
import tomllib
from pathlib import Path

from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline import model_files as models
from posecheck.pipeline.pose import PersonGate
from posecheck.pipeline.source import VideoFileSource
from posecheck.pipeline.turned_retry import TurnedRetry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "corpus", nargs="?", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    parser.add_argument("--only", nargs="*", default=())
    parser.add_argument("--cache", type=Path, default=models.user_cache_dir() / "tracks")
    arguments = parser.parse_args()
    model = models.find_model()
    labels = tomllib.loads((arguments.corpus / "labels.toml").read_text())["video"]
    gate = PersonGate()
    totals = [0, 0, 0]
    print(f"{'clip':58} {'person on screen':>16} {'found':>7} {'+ turned':>8} {'decode+retry s':>9}")
    with TurnedRetry(model) as retry:
        for label in labels:
            if arguments.only and not any(part in label["file"] for part in arguments.only):
                continue
            video = arguments.corpus / label["file"]
            track = corpus_track(video, model, arguments.cache)
            absent = [tuple(span) for span in label.get("no_person", [])]
            missed = {
                round(frame.timestamp_s, 3)
                for frame in track
                if frame.pose is None and not any(a <= frame.timestamp_s <= b for a, b in absent)
            }
            expected = sum(1 for frame in track if not any(a <= frame.timestamp_s <= b for a, b in absent))
            found = expected - len(missed)
            recovered = 0
            started = time.perf_counter()
            with VideoFileSource(video) as source:
                for frame in source:
                    if round(frame.timestamp_s, 3) in missed:
                        recovered += any(gate.accepts(pose) for pose in retry.detect(frame))
            seconds = time.perf_counter() - started
            print(f"{video.name[:58]:58} {expected:16d} {found:7d} {recovered:+8d} {seconds:9.1f}")
            totals = [totals[0] + expected, totals[1] + found, totals[2] + recovered]
    expected, found, recovered = totals
    print(
        f"person found in {found} of {expected} frames ({100 * found / max(expected, 1):.1f}%); the turned "
        f"retry finds {recovered} more ({100 * (found + recovered) / max(expected, 1):.1f}%)"
    )


if __name__ == "__main__":
    main()
