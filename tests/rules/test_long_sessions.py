"""Reps in long sessions: a labelled clip's poses played three times over, one session, count
three times the clip's holds and reps, each hold timed and sided as in the clip alone.

Nothing the rules keep from one rep to the next (the phase, the last way out, the side, the
settling samples, the smoothing) may drift or pile up over a session; the jump back to the
clip's start between plays is a cut, as between two shots of a recording.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import pytest

from posecheck.analysis.video import analyze_track
from posecheck.evaluation.corpus import ClipLabel, corpus_track, load_labels
from posecheck.pipeline.recording import PoseTrack, TrackFrame
from tests.conftest import CORPUS

PLAYS = 3
CLEAR_OF_THE_ENDS_S = 3.0
"""Clips whose labelled holds start and end this far inside the clip: a hold still held as the
clip ends would run on into the next play's first seconds, not end as it does alone."""


def _length_s(video: Path) -> float:
    capture = cv2.VideoCapture(str(video))
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
        return capture.get(cv2.CAP_PROP_FRAME_COUNT) / fps if fps > 0 else 0.0
    finally:
        capture.release()


def _clips_with_reps_clear_of_their_ends() -> list[ClipLabel]:
    if not (CORPUS / "labels.toml").exists():
        return []
    return [
        label
        for label in load_labels(CORPUS)
        if label.reps > 0
        and label.holds
        and label.holds[0][0] >= CLEAR_OF_THE_ENDS_S
        and label.holds[-1][1] <= _length_s(CORPUS / label.file) - CLEAR_OF_THE_ENDS_S
    ]


CLIPS = _clips_with_reps_clear_of_their_ends()


def played_over(track: PoseTrack, plays: int) -> PoseTrack:
    """The track played ``plays`` times, each play starting a frame after the last ended."""
    period_s = 1.0 / track.fps
    length_s = track.frames[-1].timestamp_s + period_s
    frames = []
    for play in range(plays):
        shift_s = play * length_s
        for frame in track:
            pose = frame.pose
            if pose is not None:
                pose = dataclasses.replace(pose, timestamp_s=pose.timestamp_s + shift_s)
            frames.append(TrackFrame(frame.timestamp_s + shift_s, pose))
    return dataclasses.replace(track, frames=tuple(frames))


@pytest.mark.skipif(not CLIPS, reason=f"the real-footage corpus is not at {CORPUS}")
@pytest.mark.parametrize("label", CLIPS, ids=[Path(label.file).stem for label in CLIPS])
def test_a_clip_played_three_times_counts_three_times_its_holds_and_reps(
    label: ClipLabel, corpus: Path, model_path: Path, track_cache: Path
) -> None:
    track = corpus_track(corpus / label.file, model_path, track_cache)
    alone = analyze_track(track, label.exercise)
    played = analyze_track(played_over(track, PLAYS), label.exercise)
    assert played.reps == PLAYS * alone.reps
    assert len(played.holds) == PLAYS * len(alone.holds)
    for index, hold in enumerate(played.holds):
        original = alone.holds[index % len(alone.holds)]
        assert hold.side == original.side
        assert abs(hold.duration_s - original.duration_s) <= 0.2, (index, hold, original)
