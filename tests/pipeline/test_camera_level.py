"""The tilted-camera check: the floor under a body seen side-on tells the camera's roll, a
level camera gets no note, a rolled one is noted in the summary and told live to level.

The estimate reads the model's world points, which are in the camera's axes: turning the
camera about its axis turns them, and the picture, by the same angle about that axis.
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.analysis.session import Session
from posecheck.analysis.setup_check import (
    LEVEL_TOLERANCE_DEG,
    CameraLevelWatch,
    SetupTally,
    camera_roll_deg,
)
from posecheck.analysis.video import PoseStage, analyze_track, analyze_video
from posecheck.evaluation.corpus import corpus_track, load_labels
from posecheck.live.session import LiveSession
from posecheck.pipeline.camera import LiveFrame
from posecheck.pipeline.pose import Pose, PoseEstimator
from posecheck.pipeline.recording import PoseTrack
from posecheck.pipeline.source import Frame, VideoFileSource
from posecheck.rules.registry import exercise_named

SIDE_CLIP = "videos/prone_press_up__flowai_bhujangasana_man_side.mp4"  # lying side-on 12.5-28.5 s
CHILDS_POSE_CLIP = "videos/childs_pose__clinically_balasana.mp4"
TILT_NOTE = re.compile(r"camera was tilted about (\d+) degrees")
LEVEL_INSTRUCTION = re.compile(r"^set-up: Level the camera: it is tilted about (\d+) degrees")


def _tilt_notes(session: Session) -> list[str]:
    return [note for note in session.notes if TILT_NOTE.search(note)]


def _rolled(pose: Pose, degrees: float) -> Pose:
    """The pose a camera turned by ``degrees`` about its axis would see (the picture turns
    counter-clockwise as seen): image points about the picture's centre, world points
    about the camera's axis."""
    angle = math.radians(degrees)
    cosine, sine = math.cos(angle), math.sin(angle)
    width, height = pose.image_size
    centre = np.array([width / 2, height / 2])
    offset = pose.image_xy - centre
    image_xy = centre + np.stack(
        [cosine * offset[:, 0] + sine * offset[:, 1], -sine * offset[:, 0] + cosine * offset[:, 1]], axis=1
    )
    world = pose.world_xyz
    world_xyz = np.stack(
        [cosine * world[:, 0] + sine * world[:, 1], -sine * world[:, 0] + cosine * world[:, 1], world[:, 2]],
        axis=1,
    )
    return Pose.from_arrays(
        pose.timestamp_s, image_xy, pose.image_z, world_xyz, pose.visibility, pose.presence, pose.image_size
    )


def _tally(track: PoseTrack, degrees: float = 0.0) -> SetupTally:
    tally = SetupTally()
    for frame in track:
        tally.record(frame.timestamp_s, _rolled(frame.pose, degrees) if frame.pose is not None else None)
    return tally


@pytest.fixture(scope="module")
def side_track(corpus: Path, model_path: Path, track_cache: Path) -> PoseTrack:
    return corpus_track(corpus / SIDE_CLIP, model_path, track_cache)


def test_level_corpus_clips_get_no_tilt_note(corpus: Path, model_path: Path, track_cache: Path) -> None:
    measured = 0
    for label in load_labels(corpus):
        track = corpus_track(corpus / label.file, model_path, track_cache)
        exercise = label.exercise if label.exercise != "none" else "prone_press_up"
        assert _tilt_notes(analyze_track(track, exercise)) == [], label.file
        roll = _tally(track).camera_roll()
        if roll is not None:
            measured += 1
            assert abs(roll) < LEVEL_TOLERANCE_DEG, label.file
        watch = CameraLevelWatch()
        assert all(watch.update(frame.pose) is None for frame in track), label.file
    assert measured >= 10  # the estimate reads most clips, it does not just stay silent


@pytest.mark.parametrize("degrees", [-20.0, -12.0, 12.0, 20.0])
@pytest.mark.parametrize("clip", [SIDE_CLIP, CHILDS_POSE_CLIP], ids=["press-up", "childs-pose"])
def test_the_roll_estimate_follows_a_turned_camera(
    clip: str, degrees: float, corpus: Path, model_path: Path, track_cache: Path
) -> None:
    track = corpus_track(corpus / clip, model_path, track_cache)
    level = _tally(track).camera_roll()
    turned = _tally(track, degrees)
    assert level is not None and turned.camera_roll() is not None
    # The picture turned counter-clockwise: the floor climbs to the right, a negative roll.
    assert turned.camera_roll() == pytest.approx(level - degrees, abs=1.0)
    assert abs(level - degrees) == pytest.approx(abs(degrees), abs=3.0)
    notes = [TILT_NOTE.search(note) for note in turned.notes()]
    angles = [int(match.group(1)) for match in notes if match]
    assert angles and angles[0] == pytest.approx(abs(degrees), abs=3.0)


def test_a_few_tilted_frames_among_level_ones_do_not_flag(side_track: PoseTrack) -> None:
    watch, tally = CameraLevelWatch(), SetupTally()
    tilted_seen = 0
    for index, frame in enumerate(side_track):
        pose = frame.pose
        if pose is not None and index % 10 < 3:  # three frames in ten seen turned by 25 degrees
            pose = _rolled(pose, 25.0)
            tilted_seen += camera_roll_deg(pose) is not None
        tally.record(frame.timestamp_s, pose)
        assert watch.update(pose) is None, frame.timestamp_s
    assert tilted_seen > 100
    assert not any(TILT_NOTE.search(note) for note in tally.notes())


def test_a_camera_turned_level_again_is_no_longer_flagged_live(side_track: PoseTrack) -> None:
    watch = CameraLevelWatch()
    lying = [frame.pose for frame in side_track if frame.pose and 14.0 <= frame.timestamp_s < 22.0]
    turned = [watch.update(_rolled(pose, 15.0)) for pose in lying if pose.timestamp_s < 18.0]
    level = [watch.update(pose) for pose in lying if pose.timestamp_s >= 18.0]
    assert turned[-1] is not None and abs(turned[-1]) == pytest.approx(15.0, abs=3.0)
    assert level[-1] is None


# ----------------------------------------------------------------- footage turned for real


def _turned_excerpt(video: Path, start_s: float, end_s: float, degrees: float, target: Path) -> Path:
    """Frames ``start_s``-``end_s`` of a video, turned counter-clockwise by ``degrees`` about
    the picture's centre and shrunk so the corners stay in the picture, as a camera turned
    on its axis would film them."""
    with VideoFileSource(video) as source:
        size = (source.info.width, source.info.height)
        width, height = size
        angle = math.radians(abs(degrees))
        scale = min(
            width / (width * math.cos(angle) + height * math.sin(angle)),
            height / (width * math.sin(angle) + height * math.cos(angle)),
        )
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, scale)
        writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), source.info.fps, size)
        try:
            for frame in source:
                if frame.timestamp_s >= end_s:
                    break
                if frame.timestamp_s >= start_s:
                    writer.write(cv2.warpAffine(frame.image, turn, size, borderValue=(128, 128, 128)))
        finally:
            writer.release()
    return target


@pytest.fixture(scope="module")
def turned_videos(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[float, Path]:
    folder = tmp_path_factory.mktemp("turned")
    video = corpus / SIDE_CLIP
    return {
        degrees: _turned_excerpt(video, 14.0, 20.0, degrees, folder / f"turned_{degrees:+.0f}.mp4")
        for degrees in (0.0, 15.0, -15.0)
    }


@pytest.mark.parametrize("degrees", [15.0, -15.0])
def test_camera_rolled_15_degrees_is_flagged_with_its_angle(
    degrees: float, turned_videos: dict[float, Path], model_path: Path
) -> None:
    session = analyze_video(turned_videos[degrees], "prone_press_up", model_path)
    (note,) = _tilt_notes(session)
    match = TILT_NOTE.search(note)
    assert match is not None and int(match.group(1)) == pytest.approx(15, abs=3)


def test_the_same_footage_level_gets_no_tilt_note(turned_videos: dict[float, Path], model_path: Path) -> None:
    session = analyze_video(turned_videos[0.0], "prone_press_up", model_path)
    assert session.frames_with_person >= 0.9 * session.frames
    assert _tilt_notes(session) == []


def _live_announcements(video: Path, model_path: Path) -> list[str]:
    with PoseEstimator(model_path) as estimator, VideoFileSource(video) as source:
        live = LiveSession(exercise_named("prone_press_up"), PoseStage(estimator), video.name, draw=False)
        for frame in source:
            live.feed(LiveFrame(Frame(frame.index, frame.timestamp_s, frame.image), time.monotonic()))
        return [announcement.text for announcement in live.announcements]


def test_live_asks_to_level_a_turned_camera_before_the_exercise(
    turned_videos: dict[float, Path], model_path: Path
) -> None:
    turned = _live_announcements(turned_videos[15.0], model_path)
    angles = [int(match.group(1)) for text in turned if (match := LEVEL_INSTRUCTION.match(text))]
    assert angles and angles[0] == pytest.approx(15, abs=3), turned
    assert "set-up right: begin the exercise" not in turned
    level = _live_announcements(turned_videos[0.0], model_path)
    assert not any("Level the camera" in text for text in level), level
    assert "set-up right: begin the exercise" in level
