"""Someone else in the picture, on real footage through the model: a street scene and two
corpus clips side by side are noted (with and without --exercise, and live), no
single-person exercise clip of the corpus is."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.analysis.other_people import (
    ANALYZE_CHECK_PERIOD_S,
    LIVE_CHECK_PERIOD_S,
    Box,
    OtherPeopleSearch,
    alone_in_square,
    square_tiles,
)
from posecheck.analysis.recognised import analyze_video_recognised
from posecheck.analysis.setup_check import SOMEONE_ELSE_IN_PICTURE, SOMEONE_ELSE_NOTE, SetupTally
from posecheck.analysis.video import PoseStage, analyze_video
from posecheck.evaluation.corpus import corpus_track, load_labels
from posecheck.live.session import LIVE_OPTIONS, LiveSession, run_live
from posecheck.pipeline.camera import LiveCamera, LiveFrame
from posecheck.pipeline.looks import LooksThread
from posecheck.pipeline.pose import PoseEstimator
from posecheck.pipeline.source import VideoFileSource
from posecheck.reports.overlay import PANEL_COLOUR, SETUP_COLOUR
from posecheck.reports.text import recognised_summary_text
from posecheck.rules.registry import exercise_named
from tests.conftest import CORPUS

STREET_CLIP = "videos/confuser__openpose_street_people_walking_standing.avi"
SIDE_BY_SIDE = (
    "videos/prone_press_up__jennermaxim_cobra_stretch.mp4",
    "videos/prone_press_up__fitsens_cobra_stretch_man.mp4",
)


def side_by_side(left: Path, right: Path, seconds: float, target: Path) -> Path:
    """A video of two clips next to each other (the right one scaled to the left's size),
    frame by frame, as two people filmed side by side."""
    with VideoFileSource(left) as first, VideoFileSource(right) as second:
        fps = first.info.fps
        writer = None
        for one, other in zip(first, second, strict=False):
            if one.timestamp_s >= seconds:
                break
            width, height = one.size
            if writer is None:
                writer = cv2.VideoWriter(
                    str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, (2 * width, height)
                )
            writer.write(np.hstack([one.image, cv2.resize(other.image, (width, height))]))
    assert writer is not None
    writer.release()
    return target


@pytest.fixture(scope="module")
def two_people(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    left, right = (corpus / clip for clip in SIDE_BY_SIDE)
    return side_by_side(left, right, 12.0, tmp_path_factory.mktemp("composed") / "two_people.mp4")


def test_square_tiles_cover_the_picture_with_overlap() -> None:
    for width, height in [(1280, 720), (720, 1280), (2560, 720), (436, 542), (640, 640)]:
        tiles = square_tiles(width, height)
        side = min(width, height)
        covered = np.zeros((height, width), dtype=bool)
        for left, top in tiles:
            assert left + side <= width and top + side <= height
            covered[top : top + side, left : left + side] = True
        assert covered.all(), (width, height)


def test_the_closer_look_shows_the_figure_alone_twice_as_large_in_its_square() -> None:
    picture = np.arange(200 * 300 * 3, dtype=np.uint32).reshape(200, 300, 3).astype(np.uint8)
    figure = Box(100.0, 50.0, 140.0, 130.0)  # 40 x 80 px
    square, (left, top) = alone_in_square(picture, figure, 2.0)  # type: ignore[misc]
    assert square.shape == (160, 160, 3)
    assert (left, top) == (40, 10)
    shown = np.any(square != 127, axis=2)
    rows, cols = np.nonzero(shown)
    # the figure's box grown by 15% of its larger side (12 px) each way, in square coordinates
    assert (rows.min(), rows.max() + 1) == (38 - 10, 142 - 10)
    assert (cols.min(), cols.max() + 1) == (88 - 40, 152 - 40)
    assert np.array_equal(square[28:132, 48:112], picture[38:142, 88:152])


def test_a_figure_at_the_picture_edge_is_shown_with_grey_beyond_it() -> None:
    picture = np.full((100, 100, 3), 30, dtype=np.uint8)
    square, (left, top) = alone_in_square(picture, Box(0.0, 0.0, 20.0, 30.0), 2.0)  # type: ignore[misc]
    assert square.shape == (60, 60, 3) and (left, top) == (-20, -15)
    assert np.all(square[:15] == 127) and np.all(square[:, :20] == 127)
    assert np.all(square[15 : 15 + 35, 20 : 20 + 25] == 30)


def test_a_street_scene_gets_the_someone_else_note(corpus: Path, model_path: Path) -> None:
    session = analyze_video(corpus / STREET_CLIP, "prone_press_up", model_path)
    assert SOMEONE_ELSE_NOTE in session.notes


def test_a_street_scene_without_an_exercise_given_gets_the_note_in_the_summary(
    corpus: Path, model_path: Path
) -> None:
    recognised = analyze_video_recognised(corpus / STREET_CLIP, model_path)
    assert recognised.notes == (SOMEONE_ELSE_NOTE,)
    assert SOMEONE_ELSE_NOTE in recognised_summary_text(recognised)


def test_two_people_side_by_side_get_the_someone_else_note(two_people: Path, model_path: Path) -> None:
    session = analyze_video(two_people, "prone_press_up", model_path, stride=2)
    assert SOMEONE_ELSE_NOTE in session.notes


def test_looks_made_on_the_looks_thread_find_what_looks_made_in_turn_find(
    two_people: Path, model_path: Path
) -> None:
    """The analysis starts each look on a thread of its own and hears of it frames later:
    the same looks, at the same frames, finding the same people, each heard once."""
    with VideoFileSource(two_people, stride=2) as source, PoseEstimator(model_path) as estimator:
        frames = [(frame, next(iter(estimator.detect(frame)), None)) for frame in source]
    with OtherPeopleSearch(model_path, LIVE_CHECK_PERIOD_S) as search:
        in_turn = [found for frame, pose in frames if (found := search.check(frame, pose)) is not None]
    with (
        LooksThread() as looks,
        OtherPeopleSearch(model_path, LIVE_CHECK_PERIOD_S, beside=looks) as search,
    ):
        heard = [found for frame, pose in frames if (found := search.check(frame, pose)) is not None]
        heard += search.finish()
    assert len(in_turn) >= 3 and any(found.count for found in in_turn)
    assert [found.timestamp_s for found in heard] == [found.timestamp_s for found in in_turn]
    assert [found.count for found in heard] == [found.count for found in in_turn]


def test_without_the_check_there_is_no_note(two_people: Path, model_path: Path) -> None:
    session = analyze_video(two_people, "prone_press_up", model_path, stride=2, people_check_period_s=None)
    assert SOMEONE_ELSE_NOTE not in session.notes


def test_two_people_played_as_a_camera_get_the_instruction(two_people: Path, model_path: Path) -> None:
    with LiveCamera(two_people) as camera:
        result = run_live(camera, "prone_press_up", model_path)
    told = [
        announcement
        for announcement in result.announcements
        if announcement.spoken == SOMEONE_ELSE_IN_PICTURE
    ]
    assert told, [announcement.text for announcement in result.announcements]
    assert SOMEONE_ELSE_NOTE in result.session.notes


def test_live_takes_the_same_options_as_a_recorded_video_no_check_no_instruction(
    two_people: Path, model_path: Path
) -> None:
    with LiveCamera(two_people) as camera:
        result = run_live(
            camera,
            "prone_press_up",
            model_path,
            options=dataclasses.replace(LIVE_OPTIONS, people_check_period_s=None),
        )
    assert result.stats.frames_analysed > 0
    assert all(announcement.spoken != SOMEONE_ELSE_IN_PICTURE for announcement in result.announcements)
    assert SOMEONE_ELSE_NOTE not in result.session.notes


def test_someone_else_in_the_picture_is_drawn_as_a_set_up_row(two_people: Path, model_path: Path) -> None:
    """Drawn beside whatever set-up cue stands (here: turn the camera side-on, for the
    three-quarter view on the left), and after the set-up check is over too."""
    with (
        VideoFileSource(two_people, stride=2) as source,
        PoseEstimator(model_path) as estimator,
        OtherPeopleSearch(model_path, LIVE_CHECK_PERIOD_S) as search,
    ):
        live = LiveSession(
            exercise_named("prone_press_up"), PoseStage(estimator), two_people.name, people_search=search
        )
        for frame in source:
            live.feed(LiveFrame(frame, time.monotonic()))
    assert live.setup.others_present(live.analysis.recorder.last_time_s)
    assert live.last_picture is not None
    picture = live.last_picture.astype(int)
    panel_rows = np.all(picture[:, 0] == PANEL_COLOUR, axis=1)  # the panel spans the width
    panel = picture[: int(np.argmin(panel_rows))]
    assert np.any(np.all(np.abs(panel - SETUP_COLOUR) <= 2, axis=2)), "no set-up row drawn"


def _single_person_clips() -> list[str]:
    if not (CORPUS / "labels.toml").exists():
        return []
    return [
        label.file
        for label in load_labels(CORPUS)
        if Path(label.file).name.startswith(("prone_press_up__", "childs_pose__"))
    ]


SINGLE_PERSON_CLIPS = _single_person_clips()


@pytest.mark.skipif(not SINGLE_PERSON_CLIPS, reason=f"the real-footage corpus is not at {CORPUS}")
@pytest.mark.parametrize("clip", SINGLE_PERSON_CLIPS, ids=[Path(clip).stem for clip in SINGLE_PERSON_CLIPS])
def test_no_single_person_exercise_clip_gets_the_someone_else_note(
    clip: str, corpus: Path, model_path: Path, track_cache: Path
) -> None:
    """The looks ``analyze`` makes (every ``ANALYZE_CHECK_PERIOD_S`` from the first frame
    with a person), on the followed person of the saved track, without the main pass. No look
    finds anyone: a logo the model fits as a body in the whole picture (the outdoor child's
    pose clip's emblem) is not found again when looked at alone and closer."""
    track = corpus_track(corpus / clip, model_path, track_cache)
    followed = {round(frame.timestamp_s, 4): frame.pose for frame in track}
    tally = SetupTally()
    with (
        OtherPeopleSearch(model_path, ANALYZE_CHECK_PERIOD_S) as search,
        VideoFileSource(corpus / clip) as source,
    ):
        for frame in source:
            pose = followed.get(round(frame.timestamp_s, 4))
            tally.record(frame.timestamp_s, pose)
            found = search.check(frame, pose)
            if found is not None:
                tally.record_people_check(found)
    assert tally.people_checks >= 2
    assert tally.checks_with_others == 0, tally.checks_with_others
    assert SOMEONE_ELSE_NOTE not in tally.notes()
