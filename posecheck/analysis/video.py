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
from typing import Any, Generic, Protocol, TypeVar

from tqdm import tqdm

from posecheck.analysis.other_people import ANALYZE_CHECK_PERIOD_S, OtherPeople, OtherPeopleSearch
from posecheck.analysis.session import Session, SessionRecorder
from posecheck.analysis.setup_check import SetupTally
from posecheck.errors import (
    InterruptedSessionError,
    NoPersonError,
    PosecheckError,
    VideoTruncatedError,
)
from posecheck.pipeline.pose import (
    PersonSelector,
    Pose,
    PoseEstimator,
    SingleImageModel,
    StillPictureTest,
    prepared_for_pose,
)
from posecheck.pipeline.recording import PoseTrack
from posecheck.pipeline.sides import SideKeeper
from posecheck.pipeline.smoothing import OneEuroParameters, PoseSmoother
from posecheck.pipeline.source import Frame, VideoFileSource, prefetched
from posecheck.pipeline.track_check import TRACK_CHECK_PERIOD_S, TrackCheck
from posecheck.pipeline.turned_retry import TurnedRetry, turned_retry_for
from posecheck.rules.body import Body
from posecheck.rules.engine import EngineState, RuleEngine
from posecheck.rules.events import Event, HoldFinished
from posecheck.rules.nearest import NearestWatch
from posecheck.rules.registry import exercise_named
from posecheck.rules.vocabulary import Exercise


class PoseStage:
    """Frames in, the followed person's raw pose (or None) out: a person the model found,
    who looks like a body (``PersonSelector``) and is not a still picture
    (``StillPictureTest``). With a ``TurnedRetry`` it looks again, turned, at a frame where
    nobody was found; with a ``TrackCheck`` it looks afresh every few seconds and starts
    following again where the track had drifted."""

    def __init__(
        self,
        estimator: PoseEstimator,
        selector: PersonSelector | None = None,
        turned_retry: TurnedRetry | None = None,
        track_check: TrackCheck | None = None,
    ) -> None:
        self.estimator = estimator
        self.selector = selector or PersonSelector()
        self.turned_retry = turned_retry
        self.track_check = track_check
        self.still_pictures = StillPictureTest()

    def __call__(self, frame: Frame) -> Pose | None:
        pose = self.selector.select(self.estimator.detect(frame))
        if pose is None and self.turned_retry is not None:
            pose = self.selector.select(self.turned_retry.detect(frame))
        if self.track_check is not None and (fresh := self.track_check.fresh_fit(frame, pose)) is not None:
            refitted = self.selector.select([fresh])
            if refitted is not None:
                self.estimator.restart()
                pose = refitted
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
        self.nearest = NearestWatch(exercise)
        self.smoothed_pose: Pose | None = None

    def feed(self, time_s: float, pose: Pose | None) -> list[Event]:
        self.setup.record(pose)
        smoothed = self.smoother.smooth(self.sides.keep(pose))
        self.smoothed_pose = smoothed
        body = Body.of(smoothed) if smoothed is not None else None
        events = self.engine.update(time_s, body)
        if body is not None and self.engine.last_whereabouts is not None:
            self.nearest.update(time_s, self.engine.last_whereabouts)
        self.recorder.record_frame(time_s, body is not None)
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
        """The session, with notes on the camera set-up where it kept getting in the way, and
        what came nearest to a hold where a person was in view and none was found."""
        self.recorder.record_events(self.engine.finish(self.recorder.last_time_s + frame_period_s))
        session = self.recorder.finish(frame_period_s, ended_early=ended_early, interrupted=interrupted)
        setup_notes = self.setup.notes()
        if setup_notes:
            session = dataclasses.replace(session, notes=session.notes + setup_notes)
        if not session.holds and session.frames_with_person:
            session = dataclasses.replace(session, nearest=self.nearest.result())
        return session


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


Looker = TypeVar("Looker")


def every(
    period_s: float | None, start: Callable[[float], contextlib.AbstractContextManager[Looker]]
) -> contextlib.AbstractContextManager[Looker | None]:
    """A periodic look (``start(period_s)``: the track check, the search for other people),
    or nothing (None) when ``period_s`` is None."""
    if period_s is None:
        return contextlib.nullcontext()
    return start(period_s)


def _resolve(exercise: Exercise | str) -> Exercise:
    return exercise_named(exercise) if isinstance(exercise, str) else exercise


@dataclass(frozen=True, slots=True)
class VideoOptions:
    """How a recorded video is read, whichever way it is analysed: every ``stride``-th frame;
    fewer while the body is still (``adaptive``, with a named exercise only); a second look,
    turned, at frames without a person (``turned_retry``); a fresh look at the followed
    person every ``track_check_period_s`` (None: never; see ``posecheck.pipeline.track_check``);
    a look for other people every ``people_check_period_s`` (None: never); a progress bar."""

    stride: int = 1
    adaptive: AdaptiveStride | None = None
    turned_retry: bool = False
    track_check_period_s: float | None = TRACK_CHECK_PERIOD_S
    people_check_period_s: float | None = ANALYZE_CHECK_PERIOD_S
    progress: bool = False


Fed = TypeVar("Fed", covariant=True)
"""What a sink gives back for a frame: an ``ExerciseAnalysis`` its events."""


class FrameSink(Protocol[Fed]):
    """What the frame loop feeds: an ``ExerciseAnalysis`` or a ``RecognisedAnalysis``."""

    def feed(self, time_s: float, pose: Pose | None) -> Fed: ...

    def note_other_people(self, found: OtherPeople) -> None: ...


@dataclass(frozen=True, slots=True)
class VideoRead:
    """How reading a video ended: the time one analysed frame stands for, and whether the
    file ended early (damaged or truncated) or Ctrl-C stopped it."""

    frame_period_s: float
    ended_early: bool
    interrupted: bool


EachFrame = Callable[[Frame, float], None]
"""Called with every decoded frame, analysed or skipped, and the video's frame rate."""


@dataclass(frozen=True, slots=True)
class AnalysedFrame(Generic[Fed]):
    """What one frame gave: the followed person's raw pose (or None), what the sink returned
    (an ``ExerciseAnalysis`` its events), and the other people found when a look was due."""

    pose: Pose | None
    fed: Fed
    others: OtherPeople | None


class FrameStep(Generic[Fed]):
    """One frame through the stages, the same for a recorded video and a live camera: the
    pose stage, then the sink (smoothing and the rules), then a look for other people when
    one is due."""

    def __init__(
        self, pose_stage: PoseStage, sink: FrameSink[Fed], others: OtherPeopleSearch | None = None
    ) -> None:
        self.pose_stage = pose_stage
        self.sink = sink
        self.others = others

    def __call__(self, frame: Frame) -> AnalysedFrame[Fed]:
        pose = self.pose_stage(frame)
        fed = self.sink.feed(frame.timestamp_s, pose)
        found = self.others.check(frame, pose) if self.others is not None else None
        if found is not None:
            self.sink.note_other_people(found)
        return AnalysedFrame(pose, fed, found)


@contextlib.contextmanager
def model_stages(
    model_path: Path, options: VideoOptions, max_people: int = 1
) -> Iterator[tuple[PoseStage, OtherPeopleSearch | None]]:
    """The model's parts opened as ``options`` ask (a second look turned, the track check, a
    search for other people): the pose stage and the search a ``FrameStep`` is built from;
    closed after."""
    single_image_needed = (
        options.track_check_period_s is not None or options.people_check_period_s is not None
    )
    # Without either part nothing looks at single pictures: no model is opened (``single``
    # is then the path, never used).
    with (
        PoseEstimator(model_path, max_people=max_people) as estimator,
        turned_retry_for(model_path, options.turned_retry) as turned,
        SingleImageModel(model_path) if single_image_needed else contextlib.nullcontext(model_path) as single,
        every(options.track_check_period_s, lambda period: TrackCheck(single, period)) as checking,
        every(options.people_check_period_s, lambda period: OtherPeopleSearch(single, period)) as others,
    ):
        yield PoseStage(estimator, turned_retry=turned, track_check=checking), others


def read_video(
    video: str | os.PathLike[str],
    model_path: Path,
    options: VideoOptions,
    sink: FrameSink[object],
    *,
    keep_track: list[tuple[float, Pose | None]] | None = None,
    each_frame: EachFrame | None = None,
    body_speed: Callable[[], float] | None = None,
) -> VideoRead:
    """The frame loop of every recorded-video analysis: decode (on its own thread), then
    every analysed frame through one ``FrameStep`` (the live loop uses the same step on the
    camera's newest frame). ``keep_track`` receives every analysed frame's raw pose;
    ``body_speed`` (the rules' recent joint speed) drives the adaptive stride. Ctrl-C ends
    the loop; what was fed stays fed."""
    with (
        VideoFileSource(video, stride=options.stride) as source,
        model_stages(model_path, options) as (pose_stage, others),
    ):
        step: FrameStep[object] = FrameStep(pose_stage, sink, others)
        info = source.info
        frame_rate = info.fps / options.stride
        shown_rate = frame_rate if info.fps > 0 else 25.0
        total = info.frame_count // options.stride if info.frame_count else None
        interrupted = False
        try:
            frames = prefetched(source, prepare=prepared_for_pose)
            next_index = 0
            for frame in tqdm(frames, total=total, unit="frame", disable=not options.progress, leave=False):
                if frame.index >= next_index:
                    analysed = step(frame)
                    if keep_track is not None:
                        keep_track.append((frame.timestamp_s, analysed.pose))
                    gap = 1
                    if options.adaptive is not None and body_speed is not None:
                        gap = options.adaptive.next_gap(body_speed(), analysed.pose is not None, frame_rate)
                    next_index = frame.index + gap * options.stride
                if each_frame is not None:
                    each_frame(frame, shown_rate)
        except KeyboardInterrupt:
            interrupted = True
        frame_period_s = options.stride / info.fps if info.fps > 0 else 0.0
        return VideoRead(frame_period_s, not interrupted and source.ended_early(), interrupted)


def analyze_video(
    video: str | os.PathLike[str],
    exercise: Exercise | str,
    model_path: Path,
    options: VideoOptions | None = None,
    *,
    smoothing: OneEuroParameters | None = None,
    keep_track: list[tuple[float, Pose | None]] | None = None,
    on_hold_finished: Callable[[Session], None] | None = None,
    each_frame: Callable[[Frame, float, ExerciseAnalysis], None] | None = None,
    **option_values: Any,
) -> Session:
    """Analyses one recorded video and returns its session.

    ``options`` (or the same as keywords: ``stride``, ``adaptive``, ``turned_retry``,
    ``people_check_period_s``, ``progress``) say how it is read (see ``VideoOptions``).
    Ctrl-C stops early and still returns what was recorded (``session.interrupted``).
    ``keep_track``, when given, receives every analysed frame's raw pose (for saving a
    track). ``on_hold_finished``: see ``ExerciseAnalysis``. ``each_frame`` sees every
    decoded frame with the analysis as it stands (to draw it: ``reports.overlay.AnnotatedVideo``).
    """
    options = dataclasses.replace(options or VideoOptions(), **option_values)
    analysis = ExerciseAnalysis(_resolve(exercise), Path(video).name, smoothing, on_hold_finished)
    read = read_video(
        video,
        model_path,
        options,
        analysis,
        keep_track=keep_track,
        each_frame=None if each_frame is None else lambda frame, fps: each_frame(frame, fps, analysis),
        body_speed=lambda: analysis.engine.recent_body_speed,
    )
    return analysis.finish(read.frame_period_s, ended_early=read.ended_early, interrupted=read.interrupted)


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
    """The pose stage alone (as ``analyze`` runs it, without the look for other people):
    every analysed frame's time and followed person."""
    options = VideoOptions(stride=stride, people_check_period_s=None)
    with (
        VideoFileSource(video, stride=stride) as source,
        model_stages(model_path, options) as (pose_stage, _),
    ):
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


def session_problem(session: Recorded, video: str | os.PathLike[str] | None) -> PosecheckError | None:
    """The error to report once the session is saved, if the input was not a full one
    (``video`` None: a live camera, where the fix is the camera's placement)."""
    if session.interrupted:
        return InterruptedSessionError(
            f"interrupted at {session.duration_s:.1f} s: the summary above covers what was recorded"
        )
    if session.frames_with_person == 0 and video is None:
        return NoPersonError(
            "no person was seen: place the camera so it sees your whole body side-on, in good light"
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
