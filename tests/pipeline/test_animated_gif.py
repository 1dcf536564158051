"""Animated GIFs, a common way exercise demonstrations are shared: read with their own frame
timings (each frame shown for its own delay), and analysed like any video."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from posecheck.analysis.video import analyze_video
from posecheck.evaluation.corpus import load_labels, score_clip
from posecheck.pipeline.source import VideoFileSource

CHILDS_POSE_CLIP = "videos/childs_pose__clinically_balasana.mp4"


def _gif_of(video: Path, every: int, target: Path) -> list[float]:
    """Every ``every``-th frame of ``video`` as a GIF whose delays keep the video's clock (GIF
    delays are whole hundredths of a second, so each is rounded where the clock stands)."""
    with VideoFileSource(video) as source:
        frames = [frame for frame in source if frame.index % every == 0]
    times = [frame.timestamp_s for frame in frames]
    shown = [round(time_s * 100) for time_s in times]
    delays = [(later - earlier) * 10 for earlier, later in itertools.pairwise(shown)] + [100]
    pictures = [Image.fromarray(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)) for frame in frames]
    pictures[0].save(target, save_all=True, append_images=pictures[1:], duration=delays, loop=0)
    return [value / 100 for value in shown]


def test_a_gif_is_read_with_each_frame_at_its_own_delay(tmp_path: Path) -> None:
    target = tmp_path / "uneven.gif"
    pictures = [Image.fromarray(np.full((120, 160, 3), 40 * index, np.uint8)) for index in range(5)]
    pictures[0].save(
        target, save_all=True, append_images=pictures[1:], duration=[100, 300, 100, 500, 200], loop=0
    )
    with VideoFileSource(target) as source:
        assert [round(frame.timestamp_s, 3) for frame in source] == [0.0, 0.1, 0.4, 0.5, 1.0]


def test_a_childs_pose_shared_as_a_gif_is_timed_as_the_video_is(
    corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    gif = tmp_path / "childs_pose.gif"
    shown = _gif_of(corpus / CHILDS_POSE_CLIP, every=3, target=gif)
    with VideoFileSource(gif) as source:
        read = [frame.timestamp_s for frame in source]
    assert read == pytest.approx(shown, abs=0.011)
    label = next(label for label in load_labels(corpus) if label.file == CHILDS_POSE_CLIP)
    session = analyze_video(gif, "childs_pose", model_path, people_check_period_s=None)
    score = score_clip(label, "childs_pose", session)
    assert score.passed, [(hold.start_s, hold.end_s, hold.duration_s) for hold in session.holds]
