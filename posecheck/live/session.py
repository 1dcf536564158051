"""Live coaching: the analysis pipeline on a camera, in real time.

camera -> pose -> person selection -> smoothing -> exercise rules -> events -> session: the
one frame loop of a recorded video (``analysis.frame_loop``), its stages built from the same
``VideoOptions``; only the frames differ (the camera's newest, on the session clock:
``live.frames``). On top, as the loop's watchers: the coach (spoken and printed
announcements), the set-up check and the window.

How the model runs: VIDEO mode, in the loop, on the newest frame the camera thread has
(``LiveCamera`` drops older ones). MediaPipe's LIVE_STREAM mode was measured against it
(``python bench/live.py --compare-modes``, the same clip played as a camera on this 2-core
machine): it gives no lower latency, since the model's time per frame is the same and it
too can only drop frames while busy, but its results arrive on MediaPipe's own thread,
apart from the frame they belong to; the overlay, the rules and the window (which must run
on the main thread) would then need a hand-over and locking. VIDEO mode keeps one ordered
loop where each pose is drawn on the very frame it was found in.

The model is set up as for ``analyze``: it follows one person from frame to frame, which
spares its person detector on most frames (see ``PoseEstimator``); ``bench/live.py --people
2`` measures what looking for two would cost.
"""

from __future__ import annotations

import dataclasses
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from posecheck.analysis.frame_loop import AnalysedFrame, FrameStep, FrameWatcher, LoopEnd, run_frame_loop
from posecheck.analysis.options import VideoOptions
from posecheck.analysis.other_people import LIVE_CHECK_PERIOD_S, OtherPeopleSearch
from posecheck.analysis.session import Session
from posecheck.analysis.stages import ExerciseAnalysis, PoseStage, model_stages
from posecheck.analysis.video import session_problem
from posecheck.errors import (
    CameraFileEndedEarlyError,
    CameraStoppedError,
    CameraUnavailableError,
    PosecheckError,
)
from posecheck.live.coaching import Announcement, Coach
from posecheck.live.frames import CameraFrames, SessionClock
from posecheck.live.setup_guide import SetupGuide
from posecheck.live.voice import Voice
from posecheck.live.window import Key, LiveWindow
from posecheck.pipeline.camera import LiveCamera, LiveFrame
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.source import Frame
from posecheck.reports.overlay import LiveOverlay
from posecheck.rules.events import Event
from posecheck.rules.registry import exercise_named
from posecheck.rules.vocabulary import Exercise

LIVE_OPTIONS = VideoOptions(people_check_period_s=LIVE_CHECK_PERIOD_S)
"""Live, the look for other people comes every 2 s (the instruction must come while they are
still there); the rest as for a recorded video."""


class Ending(StrEnum):
    QUIT = "quit"
    INTERRUPTED = "interrupted"
    END_OF_FILE = "end of file"
    CAMERA_LOST = "camera lost"


@dataclass(frozen=True, slots=True)
class LiveStats:
    """How the loop kept up: latency from a frame's capture to its overlay drawn (or to its
    analysis when nothing is drawn), frames dropped, and the process's CPU use."""

    frames_captured: int
    frames_analysed: int
    frames_dropped: int
    latency_median_ms: float
    latency_p95_ms: float
    cpu_percent: float
    wall_s: float


@dataclass(frozen=True, slots=True)
class LiveResult:
    session: Session
    ending: Ending
    stats: LiveStats
    camera_error: CameraUnavailableError | None = None
    announcements: tuple[Announcement, ...] = ()


def _percentile(values: list[float], fraction: float) -> float:
    return float(np.percentile(values, 100 * fraction)) if values else float("nan")


class LiveSession(FrameWatcher):
    """What live adds to the frame loop, as its watcher: the coach (spoken and printed
    announcements), the set-up check and the overlay.

    ``tell`` receives every announcement (printing it, speaking it); ``draw`` draws the
    overlay on every frame (for the window or a benchmark). ``people_search`` looks for
    someone else in the picture for the whole session: people walk in at any time.
    ``captured_at`` says when the frame being passed was captured, for the latency.
    """

    def __init__(
        self,
        exercise: Exercise,
        pose_stage: PoseStage,
        source: str,
        *,
        tell: Callable[[Announcement], None] | None = None,
        draw: bool = True,
        on_hold_finished: Callable[[Session], None] | None = None,
        people_search: OtherPeopleSearch | None = None,
        clock: SessionClock | None = None,
        captured_at: Callable[[], float] = time.monotonic,
    ) -> None:
        self.exercise = exercise
        self.analysis = ExerciseAnalysis(exercise, source, on_hold_finished=on_hold_finished)
        self.step: FrameStep[list[Event]] = FrameStep(pose_stage, self.analysis, people_search)
        self.clock = clock or SessionClock()
        self.coach = Coach(exercise)
        self.setup = SetupGuide(exercise.view)
        self.overlay = LiveOverlay()
        self.tell = tell
        self.draw = draw
        self.captured_at = captured_at
        self.latencies_s: list[float] = []
        self.announcements: list[Announcement] = []
        self.last_picture: np.ndarray | None = None
        self._time_s = 0.0
        self._shown_pose: Pose | None = None

    @property
    def paused(self) -> bool:
        return self.clock.paused

    def toggle_pause(self, camera_time_s: float) -> None:
        """Pausing stops the session clock: a hold resumes where it was."""
        paused = self.clock.toggle_pause(camera_time_s)
        self._announce(
            Announcement(self.clock.session_time(camera_time_s), "paused" if paused else "resumed")
        )

    def analysed(self, frame: Frame, result: AnalysedFrame[list[Event]]) -> None:
        """One analysed frame: what the coach and the set-up check make of it."""
        time_s = self._time_s = frame.timestamp_s
        events = [event for fed in result.fed for event in fed]
        for announcement in self.coach.hear(time_s, events, self.analysis.state):
            self._announce(announcement)
        self._shown_pose = self.analysis.smoothed_pose if result.pose is not None else None
        # Every released frame in order, frames held back with them too (while a person is
        # held back nothing is released: no "step into the picture" meanwhile).
        for released_s, raw in result.released:
            newest = released_s == result.released[-1][0]
            for announcement in self.setup.hear(released_s, raw, self._shown_pose if newest else raw):
                self._announce(announcement)
        if result.others is not None:
            for announcement in self.setup.hear_about_others(time_s, result.others):
                self._announce(announcement)

    def flushed(self, result: AnalysedFrame[list[Event]]) -> None:
        """What was held back to the end: the coach hears its events."""
        events = [event for fed in result.fed for event in fed]
        for announcement in self.coach.hear(self._time_s, events, self.analysis.state):
            self._announce(announcement)

    def passed(self, frame: Frame) -> bool:
        """Every frame, analysed or not (paused): the overlay drawn, the latency noted."""
        if self.draw:
            self.last_picture = self.overlay.draw(
                frame.image,
                self._shown_pose,
                self.analysis.state,
                self.coach.counter_text(),
                setup=self.setup.lines(self._time_s),
                paused=self.paused,
            )
        self.latencies_s.append(time.monotonic() - self.captured_at())
        return True

    def feed(self, live: LiveFrame) -> list[Event]:
        """One camera frame through the same step and watcher as the loop's (for feeding
        frames by hand); returns the engine's events."""
        frame = self.clock.stamped(live.frame)
        events: list[Event] = []
        if self.clock.wanted(frame):
            result = self.step(frame)
            self.analysed(frame, result)
            events = [event for fed in result.fed for event in fed]
        captured_at = self.captured_at
        self.captured_at = lambda: live.captured_at
        self.passed(frame)
        self.captured_at = captured_at
        return events

    def _announce(self, announcement: Announcement) -> None:
        self.announcements.append(announcement)
        if self.tell is not None:
            self.tell(announcement)

    def finish(self, frame_period_s: float, interrupted: bool = False, note: str | None = None) -> Session:
        """The session; what the pose stage still held back is fed first (frames fed by hand
        with ``feed``; the loop has flushed it already)."""
        self.flushed(self.step.flush())
        session = self.analysis.finish(frame_period_s, interrupted=interrupted)
        if note:
            session = dataclasses.replace(session, notes=(*session.notes, note))
        return session


@dataclass(slots=True)
class WindowKeys(FrameWatcher):
    """The window as a watcher: shows each drawn frame and acts on the keys (q ends the
    loop, space pauses, r resets the rep counter)."""

    window: LiveWindow
    live: LiveSession
    camera: LiveCamera

    def passed(self, frame: Frame) -> bool:
        if self.live.last_picture is None:
            return True
        key = self.window.show(self.live.last_picture)
        if key is Key.PAUSE:
            self.live.toggle_pause(self.camera.elapsed_s())
        elif key is Key.RESET:
            self.live.coach.reset_counter()
        return key is not Key.QUIT


def _camera_note(end: LoopEnd) -> str | None:
    """The one sentence the session keeps on why the camera ended it."""
    error = end.camera_error
    if error is None:
        return None
    if isinstance(error, CameraStoppedError):
        return error.note
    return f"The camera stopped giving pictures: {error}"


def _ending(end: LoopEnd) -> Ending:
    if end.camera_error is not None:
        return Ending.CAMERA_LOST
    if end.interrupted:
        return Ending.INTERRUPTED
    return Ending.QUIT if end.stopped else Ending.END_OF_FILE


def run_live(
    camera: LiveCamera,
    exercise: Exercise | str,
    model_path: Path,
    *,
    window: LiveWindow | None = None,
    voice: Voice | None = None,
    print_line: Callable[[str], None] | None = None,
    draw: bool | None = None,
    max_people: int = 1,
    on_hold_finished: Callable[[Session], None] | None = None,
    options: VideoOptions = LIVE_OPTIONS,
) -> LiveResult:
    """Coaches one live session until q, Ctrl-C, the camera going away or the end of a file;
    whatever ends it, the session holds everything recorded until then (``on_hold_finished``:
    see ``ExerciseAnalysis``). The same frame loop, stages and ``options`` as a recorded
    video; the camera, not a stride, decides which frames are analysed (the newest each
    time)."""
    exercise = exercise_named(exercise) if isinstance(exercise, str) else exercise

    def tell(announcement: Announcement) -> None:
        if print_line is not None:
            print_line(f"{announcement.time_s:7.1f} s  {announcement.text}")
        if voice is not None and announcement.spoken:
            voice.say(announcement.spoken, announcement.cooldown_s)

    cpu_start, wall_start = _cpu_seconds(), time.monotonic()
    with model_stages(model_path, options, max_people=max_people) as (pose_stage, others):
        clock = SessionClock()
        frames = CameraFrames(camera, clock)
        live = LiveSession(
            exercise,
            pose_stage,
            camera.spec.describe(),
            tell=tell,
            draw=window is not None if draw is None else draw,
            on_hold_finished=on_hold_finished,
            people_search=others,
            clock=clock,
            captured_at=lambda: frames.captured_at,
        )
        watchers: list[FrameWatcher] = [live]
        if window is not None:
            watchers.append(WindowKeys(window, live, camera))
        end = run_frame_loop(frames, live.step, wanted=clock.wanted, watchers=watchers)
        session = live.finish(1.0 / camera.fps, interrupted=end.interrupted, note=_camera_note(end))
        if isinstance(end.camera_error, CameraFileEndedEarlyError):
            session = dataclasses.replace(session, ended_early=True)
    wall_s = time.monotonic() - wall_start
    return LiveResult(
        session,
        _ending(end),
        _stats(camera, live, cpu_start, wall_s),
        end.camera_error,
        tuple(live.announcements),
    )


def _stats(camera: LiveCamera, live: LiveSession, cpu_start: float, wall_s: float) -> LiveStats:
    latencies = [latency for latency in live.latencies_s if not math.isnan(latency)]
    return LiveStats(
        frames_captured=camera.frames_captured,
        frames_analysed=len(latencies),
        frames_dropped=camera.frames_dropped,
        latency_median_ms=1000 * statistics.median(latencies) if latencies else float("nan"),
        latency_p95_ms=1000 * _percentile(latencies, 0.95),
        cpu_percent=100 * (_cpu_seconds() - cpu_start) / wall_s if wall_s > 0 else 0.0,
        wall_s=wall_s,
    )


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def live_problem(result: LiveResult) -> PosecheckError | None:
    """The error to report once the session is saved: the camera's, or as for a recorded
    session (``session_problem``)."""
    if result.camera_error is not None:
        return result.camera_error
    return session_problem(result.session, None)
