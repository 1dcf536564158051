"""A recorded video through the one frame loop (``analysis.frame_loop``):

source -> pose -> person selection -> smoothing -> exercise rules -> events -> session.

The file gives every frame in order on its own clock (decoded ahead on its own thread), and
``VideoStride`` picks the frames analysed (every ``stride``-th, fewer while the body is
still). ``analyze_track`` runs the rules alone on a saved landmark track.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from posecheck.analysis.beside import AnalysisRecipe, RulesBeside, RulesHere, rules_for
from posecheck.analysis.frame_loop import AnalysedFrame, FrameSink, FrameStep, FrameWatcher, run_frame_loop
from posecheck.analysis.options import AdaptiveStride, VideoOptions
from posecheck.analysis.session import Session
from posecheck.analysis.stages import ExerciseAnalysis, PoseStage, model_stages
from posecheck.errors import (
    InterruptedSessionError,
    NoPersonError,
    PosecheckError,
    VideoTruncatedError,
)
from posecheck.pipeline.pose import Pose, prepared_for_pose
from posecheck.pipeline.recording import PoseTrack
from posecheck.pipeline.smoothing import OneEuroParameters
from posecheck.pipeline.source import Frame, VideoFileSource, prefetched
from posecheck.rules.registry import exercise_named
from posecheck.rules.vocabulary import Exercise

__all__ = [
    "AdaptiveStride",
    "ExerciseAnalysis",
    "FrameStep",
    "PoseStage",
    "VideoOptions",
    "analyze_track",
    "analyze_video",
    "model_stages",
    "read_video",
    "session_problem",
    "video_poses",
]


def _resolve(exercise: Exercise | str) -> Exercise:
    return exercise_named(exercise) if isinstance(exercise, str) else exercise


@dataclass(frozen=True, slots=True)
class VideoRead:
    """How reading a video ended: the time one analysed frame stands for, and whether the
    file ended early (damaged or truncated) or Ctrl-C stopped it."""

    frame_period_s: float
    ended_early: bool
    interrupted: bool


EachFrame = Callable[[Frame, float], None]
"""Called with every decoded frame, analysed or skipped, and the video's frame rate."""


class VideoStride(FrameWatcher):
    """Which decoded frames are analysed: every ``stride``-th, and with an adaptive stride
    fewer while the body is still (``body_speed``: the rules' recent joint speed)."""

    def __init__(self, options: VideoOptions, fps: float, body_speed: Callable[[], float] | None) -> None:
        self.stride = options.stride
        self.adaptive = options.adaptive if body_speed is not None else None
        self.frame_rate = fps / options.stride
        self.body_speed = body_speed
        self.next_index = 0

    def wanted(self, frame: Frame) -> bool:
        return frame.index >= self.next_index

    def analysed(self, frame: Frame, result: AnalysedFrame[object]) -> None:
        gap = 1
        # A person held back until known to move is there, and the rules have not seen them
        # yet (their speed is not known): every frame meanwhile.
        if self.adaptive is not None and self.body_speed is not None and not result.waiting:
            gap = self.adaptive.next_gap(self.body_speed(), result.pose is not None, self.frame_rate)
        self.next_index = frame.index + gap * self.stride


@dataclass(slots=True)
class TrackKeeper(FrameWatcher):
    """Keeps every released pose with its time (for saving a landmark track)."""

    track: list[tuple[float, Pose | None]]

    def analysed(self, frame: Frame, result: AnalysedFrame[object]) -> None:
        self.track.extend(result.released)

    def flushed(self, result: AnalysedFrame[object]) -> None:
        self.track.extend(result.released)


@dataclass(slots=True)
class EveryFrame(FrameWatcher):
    """Shows every decoded frame, analysed or skipped, with the video's frame rate (to draw
    an annotated copy)."""

    each_frame: EachFrame
    frame_rate: float

    def passed(self, frame: Frame) -> bool:
        self.each_frame(frame, self.frame_rate)
        return True


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
    """A recorded video through the frame loop: decoded on its own thread, every frame in
    order on the file's clock. ``keep_track`` receives every released pose; ``body_speed``
    drives the adaptive stride. Ctrl-C ends the loop; what was fed stays fed."""
    with (
        VideoFileSource(video, stride=options.stride) as source,
        model_stages(model_path, options) as (pose_stage, others),
    ):
        info = source.info
        stride = VideoStride(options, info.fps, body_speed)
        watchers: list[FrameWatcher] = [stride]
        if keep_track is not None:
            watchers.append(TrackKeeper(keep_track))
        if each_frame is not None:
            watchers.append(EveryFrame(each_frame, stride.frame_rate if info.fps > 0 else 25.0))
        total = info.frame_count // options.stride if info.frame_count else None
        frames = tqdm(
            prefetched(source, prepare=prepared_for_pose),
            total=total,
            unit="frame",
            disable=not options.progress,
            leave=False,
        )
        end = run_frame_loop(
            frames, FrameStep(pose_stage, sink, others), wanted=stride.wanted, watchers=watchers
        )
        frame_period_s = options.stride / info.fps if info.fps > 0 else 0.0
        return VideoRead(frame_period_s, not end.interrupted and source.ended_early(), end.interrupted)


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
    ``keep_track``, when given, receives every raw pose the pose stage released (for saving a
    track). ``on_hold_finished``: see ``ExerciseAnalysis``. ``each_frame`` sees every
    decoded frame with the analysis as it stands (to draw it: ``reports.overlay.AnnotatedVideo``).
    """
    options = dataclasses.replace(options or VideoOptions(), **option_values)
    recipe = AnalysisRecipe(_resolve(exercise), Path(video).name, smoothing)
    # The adaptive stride and the drawing read the rules' answer before the next frame:
    # the rules stay here for them.
    beside = options.rules_beside and options.adaptive is None and each_frame is None
    with rules_for(recipe, on_hold_finished, beside=beside) as rules:
        analysis = _here(rules)
        read = read_video(
            video,
            model_path,
            options,
            rules,
            keep_track=keep_track,
            each_frame=None
            if each_frame is None or analysis is None
            else lambda frame, fps: each_frame(frame, fps, analysis),
            body_speed=None if analysis is None else lambda: analysis.engine.recent_body_speed,
        )
        session: Session = rules.finish(
            read.frame_period_s, ended_early=read.ended_early, interrupted=read.interrupted
        )
        return session


def _here(rules: RulesBeside | RulesHere) -> ExerciseAnalysis | None:
    """The analysis when it runs in this process (the drawing and the adaptive stride read it)."""
    if isinstance(rules, RulesHere) and isinstance(rules.sink, ExerciseAnalysis):
        return rules.sink
    return None


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


class PosesOnly:
    """A sink that runs no rules: for the pose stage alone."""

    def feed(self, time_s: float, pose: Pose | None) -> None:
        return None

    def note_other_people(self, found: object) -> None:
        return None


def video_poses(
    video: str | os.PathLike[str], model_path: Path, stride: int = 1
) -> list[tuple[float, Pose | None]]:
    """The pose stage alone, in the same frame loop as ``analyze`` (without the look for
    other people): every analysed frame's time and followed person."""
    track: list[tuple[float, Pose | None]] = []
    options = VideoOptions(stride=stride, people_check_period_s=None)
    read_video(video, model_path, options, PosesOnly(), keep_track=track)
    return track


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
