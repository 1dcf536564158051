"""The corpus as other cameras film it (posecheck.evaluation.other_cameras): the pictures
changed as a camera on the other side, off level or further away would see them, the
timeline kept, and the labels kept (legs exchanged when seen from the other side)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posecheck.analysis.video import analyze_track
from posecheck.evaluation.corpus import ClipLabel, corpus_track, labels_seen_as
from posecheck.evaluation.other_cameras import (
    DIM_GRAIN,
    DIM_LIGHT,
    FAR_SCALE,
    NEAR_SCALE,
    PICTURE_CHANGES,
    SLOW_FPS,
    TILTED_DEG,
    CameraChange,
    seen_as,
)
from posecheck.pipeline.source import VideoFileSource, write_excerpt

CLIP = "videos/childs_pose__wanshape_three_quarter_outdoor.mp4"


def _picture() -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.integers(0, 255, size=(90, 160, 3), dtype=np.uint8)


def test_seen_from_the_other_side_twice_is_the_picture_itself() -> None:
    picture = _picture()
    mirrored = PICTURE_CHANGES[CameraChange.MIRRORED](picture)
    assert not np.array_equal(mirrored, picture)
    assert np.array_equal(mirrored[:, ::-1], picture)


def test_a_camera_twice_as_far_sees_the_picture_at_half_size_in_the_middle() -> None:
    picture = _picture()
    far = PICTURE_CHANGES[CameraChange.FAR](picture)
    assert far.shape == picture.shape
    height, width = round(90 * FAR_SCALE), round(160 * FAR_SCALE)
    top, left = (90 - height) // 2, (160 - width) // 2
    assert np.all(far[:top] == far[0, 0]) and np.all(far[:, :left] == far[0, 0])
    assert abs(float(far[top : top + height, left : left + width].mean()) - float(picture.mean())) < 3.0


def test_a_nearer_camera_sees_the_middle_of_the_picture_enlarged_and_loses_its_edges() -> None:
    picture = np.zeros((90, 160, 3), dtype=np.uint8)
    picture[:, :8] = 255  # something at the left edge
    picture[40:50, 75:85] = 200  # something in the middle
    near = PICTURE_CHANGES[CameraChange.NEAR](picture)
    assert near.shape == picture.shape
    assert near[:, :4].max() == 0  # the edge left the picture
    middle = np.nonzero(near[:, 80, 0] > 100)[0]
    assert len(middle) == pytest.approx(10 * NEAR_SCALE, abs=2)  # and the middle grew


def test_a_crooked_camera_keeps_the_size_and_turns_the_picture() -> None:
    picture = np.zeros((90, 160, 3), dtype=np.uint8)
    picture[40:50, :] = 255  # a level line
    crooked = PICTURE_CHANGES[CameraChange.CROOKED](picture)
    assert crooked.shape == picture.shape
    rows_left = np.nonzero(crooked[:, 20, 0] > 128)[0].mean()
    rows_right = np.nonzero(crooked[:, 140, 0] > 128)[0].mean()
    assert abs(rows_left - rows_right) > 10  # the level line now slopes


def test_a_camera_turned_down_raises_the_picture_and_spreads_upright_lines_at_the_top() -> None:
    height, width = 90, 160
    picture = np.zeros((height, width, 3), dtype=np.uint8)
    picture[:, 78:82] = 255  # an upright line through the middle
    picture[:, 18:22] = 255  # and one near the left edge
    tilted = PICTURE_CHANGES[CameraChange.TILTED](picture)
    assert tilted.shape == picture.shape
    # The picture's middle rises by the focal length (0.75 of the longer side) times tan(10 deg).
    rise = 0.75 * width * np.tan(np.radians(TILTED_DEG))
    middle_rows = np.nonzero(tilted[:, 80, 0] > 128)[0]
    assert middle_rows.max() == pytest.approx(height - 1 - rise, abs=2.0)
    # Upright lines off the middle lean out at the top: looked down on, they meet below.
    left_line = [np.nonzero(tilted[row, :60, 0] > 128)[0].mean() for row in (5, int(height - rise) - 5)]
    assert left_line[0] < left_line[1] - 1.0


def test_a_dim_room_darkens_the_picture_and_adds_grain_the_same_way_each_time() -> None:
    picture = np.full((90, 160, 3), 150, dtype=np.uint8)
    dim = PICTURE_CHANGES[CameraChange.DIM](picture)
    assert dim.shape == picture.shape and dim.dtype == np.uint8
    assert float(dim.mean()) == pytest.approx(150 * DIM_LIGHT, abs=1.0)
    assert float(dim.std()) == pytest.approx(DIM_GRAIN, rel=0.2)  # grain on an even grey
    assert np.array_equal(dim, PICTURE_CHANGES[CameraChange.DIM](picture))


def test_the_labels_exchange_legs_only_when_seen_from_the_other_side() -> None:
    label = ClipLabel(
        "k.mp4", "knee_to_chest", ((1.0, 5.0), (6.0, 9.0), (10.0, 12.0)), 2, sides=("right", "left", "both")
    )
    assert labels_seen_as(label, CameraChange.MIRRORED).sides == ("left", "right", "both")
    assert labels_seen_as(label, CameraChange.FAR) == label
    assert labels_seen_as(label, CameraChange.CROOKED).holds == label.holds


def test_a_clip_seen_by_another_camera_keeps_its_timeline(corpus: Path, tmp_path: Path) -> None:
    excerpt = write_excerpt(corpus / CLIP, 2.0, tmp_path / "excerpt.mp4")
    changed = seen_as(excerpt, CameraChange.FAR, tmp_path / "seen_as")
    assert changed == seen_as(excerpt, CameraChange.FAR, tmp_path / "seen_as")  # written once
    with VideoFileSource(excerpt) as original, VideoFileSource(changed) as other:
        assert (other.info.width, other.info.height) == (original.info.width, original.info.height)
        assert other.info.fps == pytest.approx(original.info.fps)
        times = [frame.timestamp_s for frame in original]
        assert [frame.timestamp_s for frame in other] == pytest.approx(times, abs=1e-3)


def test_a_close_up_cut_early_in_a_hold_keeps_the_leg_read_before_it(
    corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    """The knee-to-chest video filmed from her other side: her right knee (the left as seen
    from there) is held from about 11 s and the picture cuts to a close-up at 15 s, in which
    the model draws the leg out of the picture beside the held one. The hold stays on the leg
    read before the cut (its first seconds)."""
    excerpt = write_excerpt(
        corpus / "videos/knee_to_chest__adaptx_side_alternating_both.mp4", 18.0, tmp_path / "e.mp4"
    )
    mirrored = seen_as(excerpt, CameraChange.MIRRORED, tmp_path / "seen_as")
    session = analyze_track(corpus_track(mirrored, model_path, tmp_path), "knee_to_chest")
    (hold,) = session.holds
    assert hold.start_s < 14.9 < hold.end_s  # the cut at 14.95 s falls inside the hold
    assert hold.side == "left"


def test_a_slow_camera_keeps_fewer_frames_each_in_its_place_on_the_timeline(
    corpus: Path, tmp_path: Path
) -> None:
    excerpt = write_excerpt(corpus / CLIP, 2.0, tmp_path / "excerpt.mp4")
    slow = seen_as(excerpt, CameraChange.SLOW, tmp_path / "seen_as")
    with VideoFileSource(excerpt) as original, VideoFileSource(slow) as other:
        every = round(original.info.fps / SLOW_FPS)
        assert every > 1
        assert other.info.fps == pytest.approx(original.info.fps / every)
        times = [frame.timestamp_s for frame in original][::every]
        assert [frame.timestamp_s for frame in other] == pytest.approx(times, abs=1e-3)
