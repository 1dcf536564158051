"""The analysis pipeline for a recorded video, stage by stage:

source -> pose -> person selection -> smoothing -> exercise rules -> events -> session.

``PoseStage`` covers the first three (the model's work), ``ExerciseAnalysis`` the rest, so
the rules can also run on a saved landmark track.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
from tqdm import tqdm

from posecheck.analysis.other_people import ANALYZE_CHECK_PERIOD_S, OtherPeople, OtherPeopleSearch
from posecheck.analysis.session import Session, SessionRecorder
from posecheck.analysis.setup_check import SetupTally
from posecheck.errors import (
    InterruptedSessionError,
    NoPersonError,
    OutputError,
    PosecheckError,
    VideoTruncatedError,
)
from posecheck.pipeline.pose import PersonSelector, Pose, PoseEstimator, StillPictureTest, prepared_for_pose
from posecheck.pipeline.recording import PoseTrack
from posecheck.pipeline.sides import SideKeeper
from posecheck.pipeline.smoothing import OneEuroParameters, PoseSmoother
from posecheck.pipeline.source import Frame, VideoFileSource, prefetched
from posecheck.private_files import make_private
from posecheck.reports.overlay import Overlay
from posecheck.rules.body import Body
from posecheck.rules.engine import EngineState, RuleEngine
from posecheck.rules.events import Event, HoldFinished
from posecheck.rules.registry import exercise_named
from posecheck.rules.vocabulary import Exercise


class PoseStage:
    """Frames in, the followed person's raw pose (or None) out: a person the model found,
    who looks like a body (``PersonSelector``) and is not a still picture
    (``StillPictureTest``). An estimator made with ``turned_retry`` looks again, turned, at a
    frame where nobody was found."""

    def __init__(self, estimator: PoseEstimator, selector: PersonSelector | None = None) -> None:
        self.estimator = estimator
        self.selector = selector or PersonSelector()
        self.still_pictures = StillPictureTest()

    def __call__(self, frame: Frame) -> Pose | None:
        pose = self.selector.select(self.estimator.detect(frame))
        if pose is None and self.estimator.turned_retry is not None:
            pose = self.selector.select(self.estimator.turned_retry.detect(frame))
        if self.still_pictures.is_still_picture(frame, pose):
            self.selector.rejected_detections += 1
            return None
        return pose


class ExerciseAnalysis:
    """Poses in (one per analysed frame, None for a gap), a session out: sides kept
    consistent, smoothed, read as a body, judged by the exercise's rules.

    ``on_hold_finished`` receives the session so far (marked interrupted, as it would be if
    the process died there) each time a hold ends, so it can be saved as it grows.
    """

    def __init__(
        self,
        exercise: Exercise,
        source: str,
        smoothing: OneEuroParameters | None = None,
        on_hold_finished: Callable[[Session], None] | None = None,
    ) -> None:
        self.on_hold_finished = on_hold_finished
        self.setup = SetupTally()
        self.exercise = exercise
        self.sides = SideKeeper()
        self.smoother = PoseSmoother(smoothing)
        self.engine = RuleEngine(exercise)
        self.recorder = SessionRecorder(exercise, source=source)
        self.smoothed_pose: Pose | None = None

    def feed(self, time_s: float, pose: Pose | None) -> list[Event]:
        self.setup.record(pose)
        smoothed = self.smoother.smooth(self.sides.keep(pose))
        self.smoothed_pose = smoothed
        body = Body.of(smoothed) if smoothed is not None else None
        events = self.engine.update(time_s, body)
        self.recorder.record_frame(time_s, body is not None, body.seen_from_the_side if body else None)
        self.recorder.record_events(events)
        state = self.engine.state
        self.recorder.record_key_angle(time_s, state.key_angle if body else math.nan, state.phase)
        if self.on_hold_finished is not None and any(isinstance(e, HoldFinished) for e in events):
            self.on_hold_finished(self.recorder.finish(interrupted=True))
        return events

    def note_other_people(self, found: OtherPeople) -> None:
        """Takes the result of a look for other people (see ``posecheck.analysis.other_people``)."""
        self.setup.record_people_check(found)

    @property
    def state(self) -> EngineState:
        return self.engine.state

    def finish(self, frame_period_s: float, ended_early: bool = False, interrupted: bool = False) -> Session:
        """The session, with notes on the camera set-up where it kept getting in the way."""
        self.recorder.record_events(self.engine.finish(self.recorder.last_time_s + frame_period_s))
        session = self.recorder.finish(frame_period_s, ended_early=ended_early, interrupted=interrupted)
        setup_notes = unchecked_notes(self.engine.unchecked_cues(), self.exercise) + self.setup.notes()
        return dataclasses.replace(session, notes=session.notes + setup_notes) if setup_notes else session


def unchecked_notes(cues: tuple[str, ...], exercise: Exercise) -> tuple[str, ...]:
    """The summary's words for cues the camera's view could not judge while the holds were
    timed: every measurement that needs a side view reads nothing in others."""
    wanted = "from the side" if exercise.view.value == "side" else "from the front"
    return tuple(
        f'"{cue.rstrip(".")}" could not be checked: the camera did not see you {wanted}. '
        f"The holds were timed; film {wanted} to have this checked too."
        for cue in cues
    )


@dataclass(frozen=True, slots=True)
class AdaptiveStride:
    """Analyse fewer frames while nothing changes, every frame once the body moves.

    The exercises are mostly holds. While the joints' mean speed over the last second stays
    under ``still_speed`` torso lengths per second, the next analysed frame is ``still_gap_s``
    on; and while nobody is in the picture (a title card, the person gone), ``absent_gap_s``
    on, so that someone coming back is found within that time. The first analysed frame that
    shows movement returns to every frame. Gaps are in seconds so that they mean the same at
    any frame rate. A gap stays at most half the settle window (1 s), so that the test for a
    settled body still sees three samples or more; holds are then timed to within a gap.
    """

    still_gap_s: float = 0.5
    absent_gap_s: float = 0.5
    still_speed: float = 0.1

    def next_gap(self, recent_speed: float, person_found: bool, fps: float) -> int:
        """How many frames on to analyse next."""
        if not person_found:
            return self._frames(self.absent_gap_s, fps)
        if math.isnan(recent_speed) or recent_speed >= self.still_speed:
            return 1
        return self._frames(self.still_gap_s, fps)

    @staticmethod
    def _frames(seconds: float, fps: float) -> int:
        return max(1, round(seconds * fps)) if fps > 0 else 1


def people_search(
    model_path: Path, period_s: float | None
) -> contextlib.AbstractContextManager[OtherPeopleSearch | None]:
    """A search for other people every ``period_s``, or nothing when it is None."""
    if period_s is None:
        return contextlib.nullcontext()
    return OtherPeopleSearch(model_path, period_s)


def _open_writer(path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    try:
        make_private(path)  # OpenCV keeps the mode of the file it finds
    except OSError as error:
        raise OutputError(
            f"cannot write the annotated video {path} ({error.strerror}): choose a writable .mp4 path"
        ) from None
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise OutputError(f"cannot write the annotated video {path}: choose a writable .mp4 path")
    return writer


def _resolve(exercise: Exercise | str) -> Exercise:
    return exercise_named(exercise) if isinstance(exercise, str) else exercise


def analyze_video(
    video: str | os.PathLike[str],
    exercise: Exercise | str,
    model_path: Path,
    *,
    stride: int = 1,
    annotate_to: str | os.PathLike[str] | None = None,
    progress: bool = False,
    smoothing: OneEuroParameters | None = None,
    keep_track: list[tuple[float, Pose | None]] | None = None,
    adaptive: AdaptiveStride | None = None,
    on_hold_finished: Callable[[Session], None] | None = None,
    turned_retry: bool = False,
    people_check_period_s: float | None = ANALYZE_CHECK_PERIOD_S,
) -> Session:
    """Analyses one recorded video and returns its session.

    Ctrl-C stops early and still returns what was recorded (``session.interrupted``).
    ``keep_track``, when given, receives every analysed frame's raw pose (for saving a
    track). ``adaptive`` skips frames while the body is still (see ``AdaptiveStride``).
    ``on_hold_finished``: see ``ExerciseAnalysis``. ``turned_retry`` looks again, turned,
    at frames where nobody was found. Every ``people_check_period_s`` it looks for other
    people in the picture (None: never; see ``posecheck.analysis.other_people``).
    """
    exercise = _resolve(exercise)
    with (
        VideoFileSource(video, stride=stride) as source,
        PoseEstimator(model_path, turned_retry=turned_retry) as estimator,
        people_search(model_path, people_check_period_s) as others,
    ):
        info = source.info
        frame_period_s = stride / info.fps if info.fps > 0 else 0.0
        frame_rate = info.fps / stride
        pose_stage = PoseStage(estimator)
        analysis = ExerciseAnalysis(exercise, Path(video).name, smoothing, on_hold_finished)
        overlay = Overlay(exercise.reps_target)
        writer = None
        interrupted = False
        total = info.frame_count // stride if info.frame_count else None
        try:
            frames = prefetched(source, prepare=prepared_for_pose)
            next_index = 0
            for frame in tqdm(frames, total=total, unit="frame", disable=not progress, leave=False):
                if frame.index < next_index:
                    if writer is not None:
                        writer.write(overlay.annotate(frame.image, analysis.smoothed_pose, analysis.state))
                    continue
                pose = pose_stage(frame)
                if keep_track is not None:
                    keep_track.append((frame.timestamp_s, pose))
                analysis.feed(frame.timestamp_s, pose)
                if others is not None and (found := others.check(frame, pose)) is not None:
                    analysis.note_other_people(found)
                gap = (
                    adaptive.next_gap(analysis.engine.recent_body_speed, pose is not None, frame_rate)
                    if adaptive
                    else 1
                )
                next_index = frame.index + gap * stride
                if annotate_to is not None:
                    if writer is None:
                        fps = info.fps / stride if info.fps > 0 else 25.0
                        writer = _open_writer(Path(annotate_to), fps, frame.size)
                    writer.write(overlay.annotate(frame.image, analysis.smoothed_pose, analysis.state))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if writer is not None:
                writer.release()
        ended_early = not interrupted and source.ended_early()
        return analysis.finish(frame_period_s, ended_early=ended_early, interrupted=interrupted)


def analyze_track(
    track: PoseTrack,
    exercise: Exercise | str,
    smoothing: OneEuroParameters | None = None,
    adaptive: AdaptiveStride | None = None,
) -> Session:
    """Runs the rules on a saved landmark track, without the model. With ``adaptive``, the
    frames the adaptive stride would have skipped are left out, as in ``analyze_video``."""
    analysis = ExerciseAnalysis(_resolve(exercise), track.source, smoothing)
    next_index = 0
    for index, frame in enumerate(track):
        if index < next_index:
            continue
        analysis.feed(frame.timestamp_s, frame.pose)
        if adaptive is not None:
            next_index = index + adaptive.next_gap(
                analysis.engine.recent_body_speed, frame.pose is not None, track.fps
            )
    return analysis.finish(1.0 / track.fps if track.fps > 0 else 0.0)


def video_poses(
    video: str | os.PathLike[str], model_path: Path, stride: int = 1
) -> Iterator[tuple[float, Pose | None]]:
    """The pose stage alone: every analysed frame's time and followed person."""
    with VideoFileSource(video, stride=stride) as source, PoseEstimator(model_path) as estimator:
        pose_stage = PoseStage(estimator)
        for frame in prefetched(source, prepare=prepared_for_pose):
            yield frame.timestamp_s, pose_stage(frame)


class Recorded(Protocol):
    """What ``session_problem`` reads: a ``Session``, or a recording of recognised exercises."""

    @property
    def interrupted(self) -> bool: ...
    @property
    def ended_early(self) -> bool: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def frames_with_person(self) -> int: ...


def session_problem(session: Recorded, video: str | os.PathLike[str]) -> PosecheckError | None:
    """The error to report once the session is saved, if the input was not a full one."""
    if session.interrupted:
        return InterruptedSessionError(
            f"interrupted at {session.duration_s:.1f} s: the summary above covers what was recorded"
        )
    if session.frames_with_person == 0:
        return NoPersonError(
            f"no person found in {video}: film the whole body side-on, in good light, and try again"
        )
    if session.ended_early:
        return VideoTruncatedError(
            f"{video} ends early (at {session.duration_s:.1f} s): the file is damaged or "
            "truncated; the summary covers the readable part, re-export or copy it again"
        )
    return None
