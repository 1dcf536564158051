"""How well exercise recognition names what is done in the labelled corpus.

``python -m posecheck.evaluation.recognition [CORPUS_DIR]`` prints a confusion table: per
clip, the seconds named as each exercise and as other activity, against its label; then the
two figures recognition is held to: the share of each exercise's labelled hold time named
right (at least 90%), and the seconds a confuser is named as one of the three (at most 3 s).
It runs on the cached pose tracks (``posecheck.evaluation.corpus_track``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from posecheck.analysis.recognised import ExerciseSegment, analyze_track_recognised
from posecheck.analysis.recognition import OTHER
from posecheck.evaluation.corpus import ClipLabel, corpus_track, load_labels
from posecheck.pipeline import model_files as models
from posecheck.rules.registry import available_exercises

RIGHT_SHARE_BAR = 0.9
CONFUSER_SECONDS_BAR = 3.0


def _overlap_s(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass(frozen=True, slots=True)
class RecognitionScore:
    label: ClipLabel
    duration_s: float
    segments: tuple[ExerciseSegment, ...]

    def seconds_named(self, exercise: str) -> float:
        """Seconds of the clip named as ``exercise`` (``OTHER``: named as none of them)."""
        if exercise == OTHER:
            return self.duration_s - sum(segment.end_s - segment.start_s for segment in self.segments)
        return sum(
            segment.end_s - segment.start_s for segment in self.segments if segment.exercise == exercise
        )

    @property
    def is_confuser(self) -> bool:
        return self.label.exercise not in available_exercises()

    @property
    def done_s(self) -> float:
        """Seconds the exercise is done: its labelled holds."""
        return sum(end - start for start, end in self.label.holds)

    @property
    def named_right_s(self) -> float:
        return sum(
            _overlap_s(hold, (segment.start_s, segment.end_s))
            for hold in self.label.holds
            for segment in self.segments
            if segment.exercise == self.label.exercise
        )

    @property
    def right_share(self) -> float:
        return self.named_right_s / self.done_s if self.done_s > 0 else 1.0

    @property
    def named_as_exercise_s(self) -> float:
        return sum(self.seconds_named(name) for name in available_exercises())

    @property
    def passed(self) -> bool:
        if self.is_confuser:
            return self.named_as_exercise_s <= CONFUSER_SECONDS_BAR
        return self.right_share >= RIGHT_SHARE_BAR


def evaluate_recognition(
    corpus: Path, model: Path, cache_dir: Path, only: Sequence[str] = ()
) -> list[RecognitionScore]:
    scores = []
    for label in load_labels(corpus):
        if only and not any(part in label.file for part in only):
            continue
        track = corpus_track(corpus / label.file, model, cache_dir)
        recognised = analyze_track_recognised(track)
        scores.append(RecognitionScore(label, recognised.duration_s, recognised.segments))
    return scores


def format_confusion_table(scores: Sequence[RecognitionScore]) -> str:
    columns = (*available_exercises(), OTHER)
    header = f"{'clip':52} {'label':15} " + " ".join(f"{name:>15}" for name in columns) + "  named right  ok"
    lines = [header, "seconds named as each (columns) against the clip's label"]
    for score in scores:
        cells = " ".join(f"{score.seconds_named(name):15.1f}" for name in columns)
        if score.is_confuser:
            figure = f"{score.named_as_exercise_s:5.1f} s named"
        else:
            figure = f"{100 * score.right_share:5.1f}% of holds"
        lines.append(
            f"{Path(score.label.file).name[:52]:52} {score.label.exercise:15} {cells}  {figure:>16} "
            f"{'yes' if score.passed else 'NO'}"
        )
    exercise_scores = [score for score in scores if not score.is_confuser]
    confusers = [score for score in scores if score.is_confuser]
    done = sum(score.done_s for score in exercise_scores)
    right = sum(score.named_right_s for score in exercise_scores)
    lines.append(
        f"exercise named right over {100 * right / done if done else 100:.1f}% of the labelled hold time "
        f"(bar {100 * RIGHT_SHARE_BAR:.0f}% per clip); lowest clip "
        f"{100 * min((s.right_share for s in exercise_scores), default=1.0):.1f}%"
    )
    lines.append(
        "confusers named as an exercise for at most "
        f"{max((s.named_as_exercise_s for s in confusers), default=0.0):.1f} s per clip "
        f"(bar {CONFUSER_SECONDS_BAR:g} s), {sum(s.named_as_exercise_s for s in confusers):.1f} s in all"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posecheck.evaluation.recognition", description=__doc__)
    default_corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus)
    parser.add_argument("--model")
    parser.add_argument("--cache", type=Path, default=models.user_cache_dir() / "tracks")
    parser.add_argument("--only", nargs="*", default=(), help="clips whose name contains any of these")
    arguments = parser.parse_args(argv)
    scores = evaluate_recognition(
        arguments.corpus, models.find_model(arguments.model), arguments.cache, arguments.only
    )
    print(format_confusion_table(scores))
    return 0 if all(score.passed for score in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
