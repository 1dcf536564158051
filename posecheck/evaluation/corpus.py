"""Accuracy on a labelled corpus: every labelled hold found, reps exact, no hold on
other activities. ``python -m posecheck.evaluation.corpus [CORPUS_DIR]`` prints the figures.

The corpus folder holds ``labels.toml`` (see its header) and the videos. The pose stage
runs once per video; its track is cached, keyed by the video, the model and the code of
the pose stage, so the rules of all three exercises run on the same poses.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import math
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from posecheck.analysis.session import Session
from posecheck.analysis.video import AdaptiveStride, analyze_track, video_poses
from posecheck.evaluation.other_cameras import SIDES_SEEN_MIRRORED, CameraChange, seen_as
from posecheck.pipeline import model_files as models
from posecheck.pipeline.recording import PoseTrack, load_track, save_track, track_from_pairs
from posecheck.rules.events import Fault, Hold
from posecheck.rules.registry import available_exercises, exercise_named

BOUNDARY_TOLERANCE_S = 1.5
UNSEEN_EDGE_S = 1.0
"""A labelled boundary this close to the clip's first or last frame is where the footage
starts or stops, not where the person entered or left: it is not scored."""


@dataclass(frozen=True, slots=True)
class LabelledFault:
    kind: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class ClipLabel:
    file: str
    exercise: str
    holds: tuple[tuple[float, float], ...]
    reps: int
    partial: tuple[int, ...] = ()
    faults: tuple[LabelledFault, ...] = ()
    sides: tuple[str, ...] = ()
    views: tuple[str, ...] = ()


def _shown(time_s: float, clip_s: float) -> bool:
    return UNSEEN_EDGE_S < time_s < clip_s - UNSEEN_EDGE_S


def _fault_time_s(faults: Sequence[LabelledFault], start_s: float, end_s: float) -> float:
    """Labelled fault time inside [start_s, end_s] (spans merged where they overlap)."""
    spans = sorted((max(f.start_s, start_s), min(f.end_s, end_s)) for f in faults)
    total, cursor = 0.0, start_s
    for begin, end in spans:
        begin = max(begin, cursor)
        if end > begin:
            total += end - begin
            cursor = end
    return total


@dataclass(frozen=True, slots=True)
class HoldMatch:
    """A labelled hold and the found hold that overlaps it most.

    A hold's credited time is expected to be its labelled span less its labelled fault time.
    A boundary the clip does not show (a partial hold's edge at the clip's start or end) is
    not scored, and the found hold's edge stands in for it in the expected credited time.
    """

    labelled: tuple[float, float]
    found: Hold | None
    start_shown: bool = True
    end_shown: bool = True
    expected_credit_s: float = math.nan
    side: str | None = None

    @property
    def start_error_s(self) -> float:
        if self.found is None:
            return math.inf
        return abs(self.found.start_s - self.labelled[0]) if self.start_shown else 0.0

    @property
    def end_error_s(self) -> float:
        if self.found is None:
            return math.inf
        return abs(self.found.end_s - self.labelled[1]) if self.end_shown else 0.0

    @property
    def duration_error_s(self) -> float:
        if self.found is None:
            return math.inf
        expected = self.expected_credit_s
        if math.isnan(expected):
            expected = self.labelled[1] - self.labelled[0]
        return abs(self.found.duration_s - expected)

    @property
    def side_right(self) -> bool:
        return self.side is None or (self.found is not None and self.found.side == self.side)

    @property
    def within_tolerance(self) -> bool:
        errors = (self.start_error_s, self.end_error_s, self.duration_error_s)
        return max(errors) <= BOUNDARY_TOLERANCE_S and self.side_right


@dataclass(frozen=True, slots=True)
class FaultMatch:
    """A labelled fault and the found fault of the same kind that overlaps it most."""

    labelled: LabelledFault
    found: Fault | None
    start_shown: bool = True
    end_shown: bool = True

    @property
    def start_error_s(self) -> float:
        if self.found is None:
            return math.inf
        return abs(self.found.start_s - self.labelled.start_s) if self.start_shown else 0.0

    @property
    def end_error_s(self) -> float:
        if self.found is None:
            return math.inf
        return abs(self.found.end_s - self.labelled.end_s) if self.end_shown else 0.0

    @property
    def within_tolerance(self) -> bool:
        return max(self.start_error_s, self.end_error_s) <= BOUNDARY_TOLERANCE_S


@dataclass(frozen=True, slots=True)
class ClipScore:
    label: ClipLabel
    analysed_as: str
    session: Session
    matches: tuple[HoldMatch, ...]
    minimum_hold_s: float
    fault_matches: tuple[FaultMatch, ...] = ()

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
        return (
            self.session.reps == self.label.reps
            and all(m.within_tolerance for m in self.matches)
            and all(m.within_tolerance for m in self.fault_matches)
        )


def load_labels(corpus: Path) -> list[ClipLabel]:
    with (corpus / "labels.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return [
        ClipLabel(
            file=entry["file"],
            exercise=entry["exercise"],
            holds=tuple((float(a), float(b)) for a, b in entry.get("holds", [])),
            reps=int(entry.get("reps", 0)),
            partial=tuple(int(index) for index in entry.get("partial", [])),
            faults=tuple(
                LabelledFault(str(kind), float(start), float(end))
                for kind, start, end in entry.get("faults", [])
            ),
            sides=tuple(str(side) for side in entry.get("sides", [])),
            views=tuple(dict.fromkeys(str(view[0]) for view in entry.get("views", []))),
        )
        for entry in data.get("video", [])
    ]


def _overlap(found: Hold | Fault, start_s: float, end_s: float) -> float:
    return min(found.end_s, end_s) - max(found.start_s, start_s)


def _match_hold(label: ClipLabel, index: int, session: Session) -> HoldMatch:
    labelled = label.holds[index]
    overlapping = [hold for hold in session.holds if _overlap(hold, *labelled) > 0]
    best = max(overlapping, key=lambda hold: _overlap(hold, *labelled), default=None)
    partial = index in label.partial
    start_shown = not partial or _shown(labelled[0], session.duration_s)
    end_shown = not partial or _shown(labelled[1], session.duration_s)
    expected = math.nan
    if best is not None:
        start_s = labelled[0] if start_shown else best.start_s
        end_s = labelled[1] if end_shown else best.end_s
        expected = max(0.0, end_s - start_s - _fault_time_s(label.faults, start_s, end_s))
    side = label.sides[index] if index < len(label.sides) else None
    return HoldMatch(labelled, best, start_shown, end_shown, expected, side)


def _match_fault(labelled: LabelledFault, session: Session) -> FaultMatch:
    found = [
        fault
        for hold in session.holds
        for fault in hold.faults
        if fault.kind == labelled.kind and _overlap(fault, labelled.start_s, labelled.end_s) > 0
    ]
    best = max(found, key=lambda fault: _overlap(fault, labelled.start_s, labelled.end_s), default=None)
    return FaultMatch(
        labelled,
        best,
        _shown(labelled.start_s, session.duration_s),
        _shown(labelled.end_s, session.duration_s),
    )


def score_clip(label: ClipLabel, analysed_as: str, session: Session) -> ClipScore:
    own = label.exercise == analysed_as
    matches = tuple(_match_hold(label, index, session) for index in range(len(label.holds))) if own else ()
    faults = tuple(_match_fault(fault, session) for fault in label.faults) if own else ()
    minimum = exercise_named(analysed_as).hold.minimum_s
    return ClipScore(label, analysed_as, session, matches, minimum, faults)


POSE_STAGE_VERSION = 9
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
    from posecheck.pipeline.source import VideoFileSource

    with VideoFileSource(video) as source:
        fps = source.info.fps
    track = track_from_pairs(video.name, fps, video_poses(video, model))
    save_track(track, cached)
    return track


def labels_seen_as(label: ClipLabel, change: CameraChange) -> ClipLabel:
    """The labels of a clip filmed by a changed camera: the same, with left and right legs
    exchanged when the camera is on the person's other side."""
    if change is not CameraChange.MIRRORED or not label.sides:
        return label
    return dataclasses.replace(
        label, sides=tuple(SIDES_SEEN_MIRRORED.get(side, side) for side in label.sides)
    )


def evaluate(
    corpus: Path,
    model: Path,
    cache_dir: Path,
    only: Sequence[str] = (),
    adaptive: AdaptiveStride | None = None,
    seen_by: CameraChange | None = None,
) -> list[ClipScore]:
    """Every labelled clip (or those named in ``only``) analysed and scored; with
    ``seen_by``, each clip as that other camera films it (see ``other_cameras``)."""
    scores = []
    for label in load_labels(corpus):
        if only and not any(part in label.file for part in only):
            continue
        video = corpus / label.file
        if seen_by is not None:
            video = seen_as(video, seen_by, cache_dir / "seen_as")
            label = labels_seen_as(label, seen_by)
        track = corpus_track(video, model, cache_dir)
        exercises = (
            [label.exercise] if label.exercise in available_exercises() else list(available_exercises())
        )
        for name in exercises:
            scores.append(score_clip(label, name, analyze_track(track, name, adaptive=adaptive)))
    return scores


def _error(value: float, shown: bool) -> str:
    return f"{value:.1f}" if shown else "-"


def _hold_detail(match: HoldMatch) -> str:
    side = "" if match.side_right else f" side {match.found.side if match.found else None}!={match.side}"
    return (
        f"[{_error(match.start_error_s, match.start_shown)}/{_error(match.end_error_s, match.end_shown)}/"
        f"{match.duration_error_s:.1f}{side}]"
    )


def _fault_detail(match: FaultMatch) -> str:
    return (
        f"{match.labelled.kind} [{_error(match.start_error_s, match.start_shown)}/"
        f"{_error(match.end_error_s, match.end_shown)}]"
    )


def format_table(scores: Sequence[ClipScore]) -> str:
    """One line per clip analysis: reps found/labelled, and for each labelled hold its start,
    end and credited-time errors (``-`` where the clip does not show that boundary), then
    each labelled fault's start and end errors."""
    lines = [
        f"{'clip':52} {'views':34} {'analysed as':15} {'reps':>5} "
        f"{'holds [start/end/credited error, s]; faults':44} ok"
    ]
    for score in scores:
        reps = f"{score.session.reps}/{score.label.reps if not score.is_confuser else 0}"
        if score.is_confuser:
            detail = f"longest hold {score.longest_hold_s:.1f} s (limit {score.minimum_hold_s:g})"
        else:
            detail = " ".join(
                [_hold_detail(m) for m in score.matches] + [_fault_detail(m) for m in score.fault_matches]
            )
        views = ",".join(score.label.views) or "-"
        lines.append(
            f"{Path(score.label.file).stem[:52]:52} {views[:34]:34} {score.analysed_as:15} {reps:>5} "
            f"{detail:44} {'yes' if score.passed else 'NO'}"
        )
    passed = sum(score.passed for score in scores)
    lines.append(f"{passed} of {len(scores)} clip analyses within the accuracy bars")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posecheck.evaluation.corpus", description=__doc__)
    default_corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus)
    parser.add_argument("--model")
    parser.add_argument("--cache", type=Path, default=models.user_cache_dir() / "tracks")
    parser.add_argument("--only", nargs="*", default=(), help="clips whose name contains any of these")
    parser.add_argument(
        "--adaptive-stride", action="store_true", help="skip frames while the body is still, as analyze can"
    )
    parser.add_argument(
        "--seen-by",
        choices=[change.value for change in CameraChange],
        help="each clip as another camera films it: from the other side, 12 degrees off level, turned "
        "10 degrees down, twice as far, 1.3 times nearer, in a dim room, at 10 frames a second",
    )
    arguments = parser.parse_args(argv)
    adaptive = AdaptiveStride() if arguments.adaptive_stride else None
    seen_by = CameraChange(arguments.seen_by) if arguments.seen_by else None
    scores = evaluate(
        arguments.corpus,
        models.find_model(arguments.model),
        arguments.cache,
        arguments.only,
        adaptive,
        seen_by,
    )
    print(format_table(scores))
    return 0 if all(score.passed for score in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
