"""The one frame loop of every analysis, recorded or live.

frames -> ``FrameStep`` (pose stage, smoothing and rules, the look for other people) ->
watchers. The frames decide only how they arrive and which clock stamps them: a recorded
video gives every frame in order on its own clock (``pipeline.source``), a camera the newest
frame on the wall clock (``live.frames``). Everything else is the same code, so a guard of
the analysis (a drawing taken for a person, a track restart, someone else in the picture)
is met the same way live and recorded.

Usage::

    with model_stages(model, VideoOptions()) as (pose_stage, others):
        step = FrameStep(pose_stage, ExerciseAnalysis(exercise, "clip.mp4"), others)
        end = run_frame_loop(frames, step, watchers=[...])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from posecheck.analysis.other_people import OtherPeople, OtherPeopleSearch
from posecheck.errors import CameraUnavailableError
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.source import Frame

Fed = TypeVar("Fed", covariant=True)
"""What a sink gives back for a frame: an ``ExerciseAnalysis`` its events."""


class FrameSink(Protocol[Fed]):
    """What the frame loop feeds: an ``ExerciseAnalysis`` or a ``RecognisedAnalysis``."""

    def feed(self, time_s: float, pose: Pose | None) -> Fed: ...

    def note_other_people(self, found: OtherPeople) -> None: ...


class PoseFinder(Protocol):
    """The pose stage (``analysis.stages.PoseStage``): a frame in, the poses it releases
    out, each with its frame's time, in time order (none while a new person waits to be
    confirmed as moving; the frames held back with them once they are)."""

    def __call__(self, frame: Frame) -> list[tuple[float, Pose | None]]: ...

    def flush(self) -> list[tuple[float, Pose | None]]: ...

    @property
    def waiting(self) -> bool: ...

    @property
    def person_now(self) -> Pose | None: ...


@dataclass(frozen=True, slots=True)
class AnalysedFrame(Generic[Fed]):
    """What one frame gave: the poses the pose stage released with their times (this
    frame's, and any held back until now), what the sink returned for each, the other
    people found when a look was due, and whether a person found is being held back."""

    released: tuple[tuple[float, Pose | None], ...]
    fed: tuple[Fed, ...]
    others: OtherPeople | None
    waiting: bool = False

    @property
    def pose(self) -> Pose | None:
        """The newest pose released (None when nothing was, or nobody was found)."""
        return self.released[-1][1] if self.released else None


class FrameStep(Generic[Fed]):
    """One frame through the stages: the pose stage, then the sink (smoothing and the
    rules) for each pose it released, then a look for other people when one is due."""

    def __init__(
        self, pose_stage: PoseFinder, sink: FrameSink[Fed], others: OtherPeopleSearch | None = None
    ) -> None:
        self.pose_stage = pose_stage
        self.sink = sink
        self.others = others

    def __call__(self, frame: Frame) -> AnalysedFrame[Fed]:
        released = tuple(self.pose_stage(frame))
        fed = tuple(self.sink.feed(time_s, pose) for time_s, pose in released)
        found = self.others.check(frame, self.pose_stage.person_now) if self.others is not None else None
        if found is not None:
            self.sink.note_other_people(found)
        return AnalysedFrame(released, fed, found, self.pose_stage.waiting)

    def flush(self) -> AnalysedFrame[Fed]:
        """At the end of the frames: what the pose stage still held back, fed, and the looks
        for other people still running, noted."""
        released = tuple(self.pose_stage.flush())
        fed = tuple(self.sink.feed(time_s, pose) for time_s, pose in released)
        for found in self.others.finish() if self.others is not None else ():
            self.sink.note_other_people(found)
        return AnalysedFrame(released, fed, None)


class FrameWatcher:
    """Sees the loop go by: ``analysed`` after each analysed frame, ``passed`` after every
    frame (analysed or not; returning False ends the loop: q in the window), ``flushed``
    with what was held back until the end. Each does nothing unless overridden."""

    def analysed(self, frame: Frame, result: AnalysedFrame[Any]) -> None:
        """After ``frame`` went through the step."""

    def passed(self, frame: Frame) -> bool:
        """After every frame; False ends the loop."""
        return True

    def flushed(self, result: AnalysedFrame[Any]) -> None:
        """After the last frame, with what the pose stage held back."""


@dataclass(frozen=True, slots=True)
class LoopEnd:
    """How the loop ended: at the end of the frames, stopped by a watcher, by Ctrl-C, or by
    the camera going away (its error, whose message says why)."""

    interrupted: bool = False
    stopped: bool = False
    camera_error: CameraUnavailableError | None = None


def always(_: Frame) -> bool:
    return True


def run_frame_loop(
    frames: Iterable[Frame],
    step: FrameStep[Fed],
    *,
    wanted: Callable[[Frame], bool] = always,
    watchers: Sequence[FrameWatcher] = (),
) -> LoopEnd:
    """Every frame that arrives and is ``wanted`` through ``step``, then to the watchers.
    Ctrl-C or the camera going away ends the loop; what was fed stays fed, and what the pose
    stage held back is fed at the end, however the loop ends."""
    try:
        return _loop(frames, step, wanted, watchers)
    finally:
        _flush(step, watchers)


def _loop(
    frames: Iterable[Frame],
    step: FrameStep[Fed],
    wanted: Callable[[Frame], bool],
    watchers: Sequence[FrameWatcher],
) -> LoopEnd:
    try:
        for frame in frames:
            if wanted(frame):
                result = step(frame)
                for watcher in watchers:
                    watcher.analysed(frame, result)
            going_on = [watcher.passed(frame) for watcher in watchers]
            if not all(going_on):
                return LoopEnd(stopped=True)
    except KeyboardInterrupt:
        return LoopEnd(interrupted=True)
    except CameraUnavailableError as error:
        return LoopEnd(camera_error=error)
    return LoopEnd()


def _flush(step: FrameStep[Fed], watchers: Sequence[FrameWatcher]) -> None:
    result = step.flush()
    if result.released:
        for watcher in watchers:
            watcher.flushed(result)
