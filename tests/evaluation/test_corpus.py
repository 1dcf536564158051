"""The whole pipeline on the real labelled footage of ../shared/corpus (see labels.toml).

Every labelled hold found with boundaries and duration within 1.5 s, reps exact, and on
other activities ("confusers"), analysed as each exercise, no rep and no hold as long as
the exercise's minimum.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck.analysis.video import AdaptiveStride, analyze_track, analyze_video
from posecheck.evaluation.corpus import ClipLabel, corpus_track, format_table, load_labels, score_clip
from posecheck.rules.registry import available_exercises
from tests.conftest import CORPUS


def _cases() -> list[tuple[ClipLabel, str]]:
    if not (CORPUS / "labels.toml").exists():
        return []
    cases = []
    for label in load_labels(CORPUS):
        names = [label.exercise] if label.exercise in available_exercises() else list(available_exercises())
        cases.extend((label, name) for name in names)
    return cases


CASES = _cases()


@pytest.mark.skipif(not CASES, reason=f"the real-footage corpus is not at {CORPUS}")
@pytest.mark.parametrize(
    ("label", "exercise"), CASES, ids=[f"{Path(label.file).stem}-as-{name}" for label, name in CASES]
)
@pytest.mark.parametrize("adaptive", [None, AdaptiveStride()], ids=["every-frame", "adaptive-stride"])
def test_labelled_clip_meets_the_accuracy_bars(
    label: ClipLabel,
    exercise: str,
    adaptive: AdaptiveStride | None,
    corpus: Path,
    model_path: Path,
    track_cache: Path,
) -> None:
    track = corpus_track(corpus / label.file, model_path, track_cache)
    score = score_clip(label, exercise, analyze_track(track, exercise, adaptive=adaptive))
    assert score.passed, "\n" + format_table([score])


def test_analysing_the_video_and_replaying_its_track_give_the_same_session(
    corpus: Path, model_path: Path, track_cache: Path
) -> None:
    video = corpus / "videos" / "childs_pose__purecalm_balasana_rehabme.mp4"
    direct = analyze_video(video, "childs_pose", model_path)
    replayed = analyze_track(corpus_track(video, model_path, track_cache), "childs_pose")
    assert direct.holds == replayed.holds
    assert direct.reps == 2


def test_adaptive_stride_on_the_real_model_keeps_the_holds_within_the_bars(
    corpus: Path, model_path: Path
) -> None:
    label = next(label for label in load_labels(corpus) if "purecalm" in label.file)
    session = analyze_video(corpus / label.file, "childs_pose", model_path, adaptive=AdaptiveStride())
    score = score_clip(label, "childs_pose", session)
    assert score.passed, "\n" + format_table([score])
    assert session.frames < 0.6 * 1305
