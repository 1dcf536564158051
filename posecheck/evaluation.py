"""Accuracy on a labelled corpus: every labelled hold found, reps exact, no hold on
other activities. ``python -m posecheck.evaluation [CORPUS_DIR]`` prints the figures.

The corpus folder holds ``labels.toml`` (see its header) and the videos. The pose stage
runs once per video; its track is cached, keyed by the video, the model and the code of
the pose stage, so the rules of all three exercises run on the same poses.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from posecheck import models
from posecheck.analysis import AdaptiveStride, analyze_track, video_poses
from posecheck.events import Hold
from posecheck.registry import available_exercises, exercise_named
from posecheck.session import Session
from posecheck.track import PoseTrack, load_track, save_track, track_from_pairs

BOUNDARY_TOLERANCE_S = 1.5


@dataclass(frozen=True, slots=True)
class ClipLabel:
    file: str
    exercise: str
    holds: tuple[tuple[float, float], ...]
    reps: int


@dataclass(frozen=True, slots=True)
class HoldMatch:
    labelled: tuple[float, float]
    found: Hold | None

    @property
    def start_error_s(self) -> float:
        return abs(self.found.start_s - self.labelled[0]) if self.found else float("inf")

    @property
    def end_error_s(self) -> float:
        return abs(self.found.end_s - self.labelled[1]) if self.found else float("inf")

    @property
    def duration_error_s(self) -> float:
        if self.found is None:
            return float("inf")
        return abs(self.found.duration_s - (self.labelled[1] - self.labelled[0]))

    @property
    def within_tolerance(self) -> bool:
        return max(self.start_error_s, self.end_error_s, self.duration_error_s) <= BOUNDARY_TOLERANCE_S


@dataclass(frozen=True, slots=True)
class ClipScore:
    label: ClipLabel
    analysed_as: str
    session: Session
    matches: tuple[HoldMatch, ...]
    minimum_hold_s: float

    @property
    def is_confuser(self) -> bool:
        return self.label.exercise != self.analysed_as

    @property
    def longest_hold_s(self) -> float:
        return max((hold.duration_s for hold in self.session.holds), default=0.0)

    @property
    def passed(self) -> bool:
        if self.is_confuser:
            return self.session.reps == 0 and self.longest_hold_s < self.minimum_hold_s
        return self.session.reps == self.label.reps and all(m.within_tolerance for m in self.matches)


def load_labels(corpus: Path) -> list[ClipLabel]:
    with (corpus / "labels.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return [
        ClipLabel(
            file=entry["file"],
            exercise=entry["exercise"],
            holds=tuple((float(a), float(b)) for a, b in entry.get("holds", [])),
            reps=int(entry.get("reps", 0)),
        )
        for entry in data.get("video", [])
    ]


def _overlap(hold: Hold, labelled: tuple[float, float]) -> float:
    return min(hold.end_s, labelled[1]) - max(hold.start_s, labelled[0])


def score_clip(label: ClipLabel, analysed_as: str, session: Session) -> ClipScore:
    matches = []
    for labelled in label.holds if label.exercise == analysed_as else ():
        overlapping = [hold for hold in session.holds if _overlap(hold, labelled) > 0]
        best = max(overlapping, key=lambda hold: _overlap(hold, labelled), default=None)
        matches.append(HoldMatch(labelled, best))
    minimum = exercise_named(analysed_as).hold.minimum_s
    return ClipScore(label, analysed_as, session, tuple(matches), minimum)


POSE_STAGE_VERSION = 2
"""Bump when a change to the pose stage (source, model handling, person selection) changes
the poses it gives, so cached corpus tracks are computed again."""


def _pose_stage_fingerprint(video: Path, model: Path) -> str:
    digest = hashlib.sha256(f"pose stage {POSE_STAGE_VERSION}".encode())
    for path in (video, model):
        stat = path.stat()
        digest.update(f"{path.resolve()}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:16]


def corpus_track(video: Path, model: Path, cache_dir: Path) -> PoseTrack:
    """The pose track of one video, from the cache when the inputs have not changed."""
    cached = cache_dir / f"{video.name}.{_pose_stage_fingerprint(video, model)}.npz"
    if cached.exists():
        return load_track(cached)
    from posecheck.source import VideoFileSource

    with VideoFileSource(video) as source:
        fps = source.info.fps
    track = track_from_pairs(video.name, fps, video_poses(video, model))
    save_track(track, cached)
    return track


def evaluate(
    corpus: Path,
    model: Path,
    cache_dir: Path,
    only: Sequence[str] = (),
    adaptive: AdaptiveStride | None = None,
) -> list[ClipScore]:
    scores = []
    for label in load_labels(corpus):
        if only and not any(part in label.file for part in only):
            continue
        track = corpus_track(corpus / label.file, model, cache_dir)
        exercises = (
            [label.exercise] if label.exercise in available_exercises() else list(available_exercises())
        )
        for name in exercises:
            scores.append(score_clip(label, name, analyze_track(track, name, adaptive=adaptive)))
    return scores


def format_table(scores: Sequence[ClipScore]) -> str:
    lines = [f"{'clip':56} {'analysed as':15} {'reps':>9} {'holds (start/end/duration error, s)':40} ok"]
    for score in scores:
        reps = f"{score.session.reps}/{score.label.reps if not score.is_confuser else 0}"
        if score.is_confuser:
            detail = f"longest hold {score.longest_hold_s:.1f} s (limit {score.minimum_hold_s:g})"
        else:
            detail = " ".join(
                f"[{m.start_error_s:.1f}/{m.end_error_s:.1f}/{m.duration_error_s:.1f}]" for m in score.matches
            )
        lines.append(
            f"{Path(score.label.file).name[:56]:56} {score.analysed_as:15} {reps:>9} {detail:40} "
            f"{'yes' if score.passed else 'NO'}"
        )
    passed = sum(score.passed for score in scores)
    lines.append(f"{passed} of {len(scores)} clip analyses within the accuracy bars")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posecheck.evaluation", description=__doc__)
    default_corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus)
    parser.add_argument("--model")
    parser.add_argument("--cache", type=Path, default=models.user_cache_dir() / "tracks")
    parser.add_argument("--only", nargs="*", default=(), help="clips whose name contains any of these")
    parser.add_argument(
        "--adaptive-stride", action="store_true", help="skip frames while the body is still, as analyze can"
    )
    arguments = parser.parse_args(argv)
    adaptive = AdaptiveStride() if arguments.adaptive_stride else None
    scores = evaluate(
        arguments.corpus, models.find_model(arguments.model), arguments.cache, arguments.only, adaptive
    )
    print(format_table(scores))
    return 0 if all(score.passed for score in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
