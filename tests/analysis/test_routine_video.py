"""The routine-video composer itself, on small generated clips (no model, no corpus): the
routine lasts as long as its clips, their spans follow one another, every frame has one
size, a clip keeps its proportions on black bars, and each frame shows the clip's frame
nearest in time (the promise that lets a clip's labels be shifted by its span's start)."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.pipeline.source import VideoFileSource
from tests.routine_video import ClipSpan, compose_routine_video

SIZE = (320, 180)
FPS = 30.0
# (width, height, fps, frames): wider than the routine, then taller. Frame rates whose
# frames never fall exactly halfway between two routine frames, so "nearest" is one frame.
CLIPS = ((320, 120, 24.0, 12), (90, 160, 20.0, 12))
# Where each clip's picture lands in the routine (left, top, width, height).
CONTENT_BOXES = ((0, 30, 320, 120), (109, 0, 101, 180))


def grey_level(index: int) -> int:
    """The grey a generated clip's frame ``index`` is painted in: clear of black, in steps
    wide enough to outlast two encodings (each darkens a flat grey by a few levels)."""
    return 40 + 16 * index


def frame_index(level: float) -> int:
    return round((level - 40) / 16)


def write_clip(path: Path, width: int, height: int, fps: float, frames: int) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (width, height))
    for index in range(frames):
        writer.write(np.full((height, width, 3), grey_level(index), dtype=np.uint8))
    writer.release()
    return path


@pytest.fixture(scope="module")
def routine(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[np.ndarray], list[ClipSpan]]:
    folder = tmp_path_factory.mktemp("routine_parts")
    clips = [write_clip(folder / f"clip{number}.mp4", *clip) for number, clip in enumerate(CLIPS)]
    spans = compose_routine_video(folder / "routine.mp4", clips, size=SIZE, fps=FPS)
    with VideoFileSource(folder / "routine.mp4") as source:
        frames = [frame.image for frame in source]
    return frames, spans


def test_routine_lasts_the_sum_of_its_clips_within_one_frame(
    routine: tuple[list[np.ndarray], list[ClipSpan]],
) -> None:
    frames, spans = routine
    clips_s = sum(frames / fps for _, _, fps, frames in CLIPS)
    assert spans[-1].end_s == pytest.approx(clips_s)
    assert len(frames) / FPS == pytest.approx(clips_s, abs=1 / FPS)


def test_spans_follow_one_another_from_the_start_each_as_long_as_its_clip(
    routine: tuple[list[np.ndarray], list[ClipSpan]],
) -> None:
    _, spans = routine
    assert spans[0].start_s == 0.0
    for before, after in itertools.pairwise(spans):
        assert after.start_s == before.end_s
    for span, (_, _, fps, frames) in zip(spans, CLIPS, strict=True):
        assert span.end_s - span.start_s == pytest.approx(frames / fps)


def test_every_routine_frame_has_the_routine_size(routine: tuple[list[np.ndarray], list[ClipSpan]]) -> None:
    frames, _ = routine
    assert {frame.shape for frame in frames} == {(SIZE[1], SIZE[0], 3)}


@pytest.mark.parametrize(
    ("part", "box"), tuple(enumerate(CONTENT_BOXES)), ids=["wide_clip_bars_above", "tall_clip_bars_beside"]
)
def test_a_clip_keeps_its_proportions_on_black_bars(
    routine: tuple[list[np.ndarray], list[ClipSpan]], part: int, box: tuple[int, int, int, int]
) -> None:
    frames, spans = routine
    middle = frames[round((spans[part].start_s + spans[part].end_s) / 2 * FPS)].mean(axis=2)
    left, top, width, height = box
    lit_rows = np.flatnonzero(middle[:, SIZE[0] // 2] > 20)
    lit_columns = np.flatnonzero(middle[SIZE[1] // 2] > 20)
    assert (lit_rows[0], lit_rows[-1] + 1) == pytest.approx((top, top + height), abs=2)
    assert (lit_columns[0], lit_columns[-1] + 1) == pytest.approx((left, left + width), abs=2)
    bars = np.ones_like(middle, dtype=bool)
    bars[max(0, top - 4) : top + height + 4, max(0, left - 4) : left + width + 4] = False
    assert middle[bars].max(initial=0) < 12
    content = middle[top + 4 : top + height - 4, left + 4 : left + width - 4]
    assert content.std() < 3 and content.mean() > 40


def test_each_routine_frame_shows_the_clip_frame_nearest_in_time(
    routine: tuple[list[np.ndarray], list[ClipSpan]],
) -> None:
    frames, spans = routine
    for span, (_, _, fps, count) in zip(spans, CLIPS, strict=True):
        first, last = round(span.start_s * FPS), round(span.end_s * FPS)
        shown = [frame_index(frames[k][SIZE[1] // 2, SIZE[0] // 2].mean()) for k in range(first, last)]
        nearest = [min(count - 1, round((k / FPS - span.start_s) * fps)) for k in range(first, last)]
        assert shown == nearest
