"""The start phase and the hold's variant name the position actually seen: kneeling upright or
on hands and knees before a child's pose; feet down, feet raised or legs straight before a
knee to chest. On generated bodies whose posture is set exactly, and on real corpus tracks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from posecheck.analysis.session import Session
from posecheck.analysis.video import ExerciseAnalysis
from posecheck.errors import ExerciseDefinitionError
from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline.landmarks import Landmark as L
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.recording import PoseTrack
from posecheck.rules.events import Phase
from posecheck.rules.registry import exercise_named
from tests.figures import Posture, kneeling, posture_sequence, supine

Frames = list[tuple[float, Pose | None]]
TrackOf = Callable[[str], PoseTrack]
Labels = list[tuple[float, str]]
"""The start phase's words on each frame the engine was in the start phase."""


def _run(exercise: str, frames: Frames) -> tuple[Labels, Session]:
    analysis = ExerciseAnalysis(exercise_named(exercise), "start words")
    labels: Labels = []
    for time_s, pose in frames:
        analysis.feed(time_s, pose)
        if analysis.state.phase is Phase.START:
            labels.append((time_s, analysis.state.phase_label))
    return labels, analysis.finish(1 / 30)


def _words_between(labels: Labels, start_s: float, end_s: float) -> set[str]:
    return {words for time_s, words in labels if start_s <= time_s < end_s}


def _share(labels: Labels, words: str) -> float:
    return sum(label == words for _, label in labels) / len(labels)


# ----------------------------------------------------------------- the definition
def test_start_labels_keyed_by_anything_but_a_variant_are_refused() -> None:
    exercise = exercise_named("knee_to_chest")
    with pytest.raises(ExerciseDefinitionError, match="keyed by start variants"):
        dataclasses.replace(exercise, start_labels={Phase.START: "lying on your back"})
    with pytest.raises(ExerciseDefinitionError, match="keyed by start variants"):
        dataclasses.replace(exercise, start_labels={1: "lying on your back"})


def test_start_labels_without_a_variant_to_name_are_refused() -> None:
    exercise = exercise_named("knee_to_chest")
    with pytest.raises(ExerciseDefinitionError, match="start_variant_of"):
        dataclasses.replace(exercise, start_variant_of=None)


def test_only_the_start_phase_is_named_after_the_variant_and_an_unnamed_one_keeps_the_phase_words() -> None:
    exercise = exercise_named("childs_pose")
    assert exercise.label(Phase.START, "from kneeling") == "kneeling upright"
    assert exercise.label(Phase.START, "from hands and knees") == "on hands and knees"
    assert exercise.label(Phase.START, "from a chair") == exercise.phase_labels[Phase.START]
    assert exercise.label(Phase.START) == exercise.phase_labels[Phase.START]
    assert exercise.label(Phase.HOLD, "from kneeling") == exercise.phase_labels[Phase.HOLD]


# ----------------------------------------------------------------- generated bodies
KNEE_HUGGED: Posture = (130.0, 60.0)
FOLDED: Posture = (-10.0, 35.0, 0.6)
ON_THE_BACK = "lying on your back, "


@pytest.mark.parametrize(
    ("exercise", "figure", "start", "target", "words", "variant"),
    [
        ("knee_to_chest", supine, (45.0, 85.0), KNEE_HUGGED, ON_THE_BACK + "feet down", "feet down"),
        ("knee_to_chest", supine, (90.0, 90.0), KNEE_HUGGED, ON_THE_BACK + "feet raised", "feet raised"),
        ("knee_to_chest", supine, (0.0, 175.0), KNEE_HUGGED, ON_THE_BACK + "legs straight", "legs straight"),
        ("childs_pose", kneeling, (85.0, 30.0, 0.0), FOLDED, "kneeling upright", "from kneeling"),
        ("childs_pose", kneeling, (5.0, 90.0, 0.0), FOLDED, "on hands and knees", "from hands and knees"),
    ],
)
def test_the_start_position_seen_names_the_start_phase_and_the_rep_it_begins(
    exercise: str, figure: Callable[..., Pose], start: Posture, target: Posture, words: str, variant: str
) -> None:
    profile = [(3.0, start), (2.0, target), (15.0, target), (2.0, start), (3.0, start)]
    labels, session = _run(exercise, posture_sequence(figure, profile, start))
    assert _words_between(labels, 0.0, 3.0) == {words}
    assert _words_between(labels, 23.0, 25.0) == {words}
    (hold,) = session.holds
    assert hold.complete
    assert hold.variant == variant


# ----------------------------------------------------------------- real tracks
KNEE_TO_CHEST_CLIP = "knee_to_chest__adaptx_side_alternating_both.mp4"


@pytest.fixture(scope="module")
def tracks(corpus: Path, model_path: Path, track_cache: Path) -> TrackOf:
    def track(clip: str) -> PoseTrack:
        return corpus_track(corpus / "videos" / clip, model_path, track_cache)

    return track


def _frames(track: PoseTrack) -> Frames:
    return [(frame.timestamp_s, frame.pose) for frame in track]


def test_a_child_pose_started_kneeling_upright_names_it_until_she_folds(tracks: TrackOf) -> None:
    labels, session = _run("childs_pose", _frames(tracks("childs_pose__clinically_balasana.mp4")))
    assert _words_between(labels, 0.0, 5.0) == {"kneeling upright"}
    assert _words_between(labels, 28.5, 31.4) == {"kneeling upright"}
    (hold,) = session.holds
    assert hold.complete and hold.variant == "from kneeling"


def test_kneeling_upright_between_reps_names_each_rep_from_kneeling(tracks: TrackOf) -> None:
    labels, session = _run("childs_pose", _frames(tracks("childs_pose__purecalm_balasana_rehabme.mp4")))
    assert _words_between(labels, 0.0, 5.5) == {"kneeling upright"}
    assert _words_between(labels, 27.0, 28.5) == {"kneeling upright"}
    assert [hold.variant for hold in session.holds] == ["from kneeling", "from kneeling"]


def test_a_child_pose_started_on_hands_and_knees_names_it(tracks: TrackOf) -> None:
    labels, session = _run("childs_pose", _frames(tracks("childs_pose__trajnovd_portrait_side_reaches.mp4")))
    assert _words_between(labels, 0.0, 2.5) == {"on hands and knees"}
    assert _words_between(labels, 30.5, 32.7) == {"on hands and knees"}
    (hold,) = session.holds
    assert hold.variant == "from hands and knees"


def test_lying_with_both_legs_straight_is_named_legs_straight_not_feet_down(tracks: TrackOf) -> None:
    """Straight-leg raises: both legs straight, lying or lifted, all the clip."""
    track = tracks("confuser__ramesh_leapfitness_leg_raises_supine.mp4")
    labels, session = _run("knee_to_chest", _frames(track))
    assert _share(labels, ON_THE_BACK + "legs straight") > 0.9
    assert session.holds == ()


def test_knees_bent_with_the_feet_down_keep_the_feet_down_words(tracks: TrackOf) -> None:
    labels, session = _run("knee_to_chest", _frames(tracks(KNEE_TO_CHEST_CLIP)))
    assert _words_between(labels, 6.5, 9.0) == {ON_THE_BACK + "feet down"}
    assert session.holds[0].variant == "feet down"


def _legs_laid_straight(pose: Pose) -> Pose:
    """Both legs laid out straight along the line of the trunk, each as long as it was."""
    image, world = pose.image_xy.copy(), pose.world_xyz.copy()
    for points in (image, world):
        hips = points[[L.LEFT_HIP, L.RIGHT_HIP]].mean(0)
        shoulders = points[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(0)
        along = (hips - shoulders) / np.linalg.norm(hips - shoulders)
        for side in ("LEFT", "RIGHT"):
            hip, knee, ankle = (L[f"{side}_{joint}"] for joint in ("HIP", "KNEE", "ANKLE"))
            thigh = np.linalg.norm(points[knee] - points[hip])
            leg = thigh + np.linalg.norm(points[ankle] - points[knee])
            points[knee] = points[hip] + thigh * along
            for foot in (ankle, L[f"{side}_HEEL"], L[f"{side}_FOOT_INDEX"]):
                points[foot] = points[hip] + leg * along
    return pose.with_landmarks(image, world)


def test_a_knee_hugged_after_lying_with_the_legs_straight_is_a_rep_from_legs_straight(
    tracks: TrackOf,
) -> None:
    """Her start position (knees bent, feet on the table, 6.5-9 s) with both legs laid out
    straight instead; the right knee then comes up and is hugged as filmed."""
    track = tracks(KNEE_TO_CHEST_CLIP)
    frames = [
        (time_s, _legs_laid_straight(pose) if pose is not None and time_s < 9.0 else pose)
        for time_s, pose in _frames(track)
    ]
    labels, session = _run("knee_to_chest", frames)
    assert _words_between(labels, 6.5, 8.5) == {ON_THE_BACK + "legs straight"}
    first = session.holds[0]
    assert first.complete and first.side == "right"
    assert first.variant == "legs straight"
