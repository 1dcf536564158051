"""Set-up notes in the summary of a recorded session: the whole body in the picture and the
distance to the camera, on real footage through the model."""

from pathlib import Path

import numpy as np
import pytest

from posecheck.analysis.session import Session
from posecheck.analysis.video import ExerciseAnalysis, FrameStep, PoseStage, analyze_track
from posecheck.evaluation.corpus import corpus_track, load_labels
from posecheck.pipeline.pose import PoseEstimator
from posecheck.pipeline.source import Frame, VideoFileSource
from posecheck.rules.registry import exercise_named

PRESS_UP_CLIP = "videos/prone_press_up__fitsens_cobra_stretch_man.mp4"
SET_UP_WORDS = ("out of the picture", "far from the camera")


def _setup_notes(session: Session) -> list[str]:
    return [note for note in session.notes if any(words in note for words in SET_UP_WORDS)]


def _frames(video: Path, start_s: float, end_s: float) -> list[np.ndarray]:
    with VideoFileSource(video, stride=2) as source:
        return [frame.image for frame in source if start_s <= frame.timestamp_s < end_s]


def _session(images: list[np.ndarray], model_path: Path) -> Session:
    analysis = ExerciseAnalysis(exercise_named("prone_press_up"), "composed")
    with PoseEstimator(model_path) as estimator:
        step = FrameStep(PoseStage(estimator), analysis)
        for index, image in enumerate(images):
            time_s = index * 2 / 25.0
            step(Frame(index, time_s, np.ascontiguousarray(image)))
        step.flush()
        return analysis.finish(2 / 25.0)


@pytest.fixture(scope="module")
def lying(corpus: Path) -> list[np.ndarray]:
    return _frames(corpus / PRESS_UP_CLIP, 4.0, 8.0)


def test_the_labelled_exercise_clips_get_no_set_up_note(
    corpus: Path, model_path: Path, track_cache: Path
) -> None:
    for label in load_labels(corpus):
        if label.exercise == "none":
            continue
        track = corpus_track(corpus / label.file, model_path, track_cache)
        assert _setup_notes(analyze_track(track, label.exercise)) == [], label.file


def test_the_uncut_picture_gets_no_set_up_note(lying: list[np.ndarray], model_path: Path) -> None:
    assert _setup_notes(_session(lying, model_path)) == []


def test_feet_cut_off_by_the_picture_are_noted(lying: list[np.ndarray], model_path: Path) -> None:
    with PoseEstimator(model_path) as estimator:
        (pose,) = estimator.detect(Frame(0, 0.0, lying[0]))
    ankles_x = pose.image_xy[[27, 28], 0].mean()
    hips_x = pose.image_xy[[23, 24], 0].mean()
    keep_from, keep_to = (0, int(ankles_x - 0.3 * abs(hips_x - ankles_x)))
    if ankles_x < hips_x:  # the feet on the left of the picture
        keep_from, keep_to = int(ankles_x + 0.3 * abs(hips_x - ankles_x)), lying[0].shape[1]
    cropped = [image[:, keep_from:keep_to] for image in lying]
    notes = _setup_notes(_session(cropped, model_path))
    assert any("feet" in note and "further away" in note for note in notes), notes


def test_a_body_small_in_the_picture_is_noted(lying: list[np.ndarray], model_path: Path) -> None:
    height, width = lying[0].shape[:2]
    far = []
    for image in lying:
        canvas = np.full((height * 3, width * 3, 3), 90, dtype=np.uint8)
        canvas[height : 2 * height, width : 2 * width] = image
        far.append(canvas)
    session = _session(far, model_path)
    assert session.frames_with_person >= 0.5 * session.frames
    assert any("move it closer" in note for note in _setup_notes(session))


@pytest.mark.parametrize(
    ("clip", "exercise", "unchecked"),
    [
        ("prone_press_up__jennermaxim_cobra_stretch.mp4", "prone_press_up", True),  # mostly front views
        ("prone_press_up__flowai_bhujangasana_man_side.mp4", "prone_press_up", False),
        ("childs_pose__wanshape_three_quarter_outdoor.mp4", "childs_pose", False),  # needs no side view
    ],
)
def test_a_cue_the_view_could_not_judge_is_named_with_its_hold_while_the_hold_is_still_timed(
    clip: str, exercise: str, unchecked: bool, corpus: Path, model_path: Path, track_cache: Path
) -> None:
    session = analyze_track(corpus_track(corpus / "videos" / clip, model_path, track_cache), exercise)
    assert session.holds
    named = [item.cue for hold in session.holds for item in hold.unchecked]
    if unchecked:
        assert "Keep your hips and pelvis on the mat." in named
    else:
        assert named == []
