"""Live coaching: the analysis pipeline on a camera, in real time.

camera -> pose -> person selection -> smoothing -> exercise rules -> events -> session, as
for a recorded video: each frame goes through the same ``FrameStep`` (the pose stage, an
``ExerciseAnalysis``, the look for other people), built from the same ``VideoOptions``, so
the rules, events and session are the same. On top: the set-up check, the coach (spoken
and printed announcements) and the window.

How the model runs: VIDEO mode, in this loop, on the newest frame the camera thread has
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
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from posecheck.analysis.other_people import LIVE_CHECK_PERIOD_S, OtherPeopleSearch
from posecheck.analysis.session import Session
from posecheck.analysis.setup_check import SOMEONE_ELSE_IN_PICTURE, CameraLevelWatch, setup_instructions
from posecheck.analysis.video import (
    AnalysedFrame,
    ExerciseAnalysis,
    FrameStep,
    PoseStage,
    VideoOptions,
    model_stages,
    session_problem,
)
from posecheck.errors import CameraUnavailableError, PosecheckError
from posecheck.live.coaching import Announcement, Coach
from posecheck.live.voice import Voice
from posecheck.live.window import Key, LiveWindow
from posecheck.pipeline.camera import LiveCamera, LiveFrame
from posecheck.pipeline.source import Frame
from posecheck.reports.overlay import LiveOverlay
from posecheck.rules.events import Event
from posecheck.rules.registry import exercise_named
from posecheck.rules.vocabulary import Exercise

SETUP_SETTLED_S = 1.0  # the set-up must stay right this long before it is called done
SETUP_COOLDOWN_S = 10.0
# Someone else must be found in this many looks in a row (one look every
# ``LIVE_CHECK_PERIOD_S``) before the instruction: a person crossing the picture is gone by then.
OTHERS_LOOKS_IN_A_ROW = 2
OTHERS_COOLDOWN_S = 15.0


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


@dataclass(slots=True)
class _SetupWatch:
    """Whether the camera set-up has been right for ``SETUP_SETTLED_S``; once it has, the
    check is over for the session."""

    done: bool = False
    right_since: float | None = None

    def update(self, time_s: float, instructions: tuple[str, ...], waiting: bool = False) -> bool:
        """``waiting``: a check still gathering evidence (the camera's level) holds the verdict."""
        if self.done:
            return True
        if instructions:
            self.right_since = None
        elif self.right_since is None:
            self.right_since = time_s
        elif time_s - self.right_since >= SETUP_SETTLED_S and not waiting:
            self.done = True
        return self.done


def _percentile(values: list[float], fraction: float) -> float:
    return float(np.percentile(values, 100 * fraction)) if values else float("nan")


class LiveSession:
    """One live session: feed it camera frames, then ``finish``.

    ``tell`` receives every announcement (printing it, speaking it); ``draw`` makes the
    loop draw the overlay on every analysed frame (for the window or a benchmark).
    ``people_search`` looks for someone else in the picture, for the whole session (not only
    during the set-up check: people walk in at any time).
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
    ) -> None:
        self.exercise = exercise
        self.others_looks_in_a_row = 0
        self._others_told_at: float | None = None
        self.analysis = ExerciseAnalysis(exercise, source, on_hold_finished=on_hold_finished)
        self.step: FrameStep[list[Event]] = FrameStep(pose_stage, self.analysis, people_search)
        self.coach = Coach(exercise)
        self.overlay = LiveOverlay()
        self.tell = tell
        self.draw = draw
        self.setup = _SetupWatch()
        self.camera_level = CameraLevelWatch()
        self.paused = False
        self._paused_total_s = 0.0
        self._paused_at: float | None = None
        self.latencies_s: list[float] = []
        self.announcements: list[Announcement] = []
        self.last_picture: np.ndarray | None = None
        self._last_instruction: tuple[float, str] | None = None

    def toggle_pause(self, now_s: float) -> None:
        """Pausing stops the session clock: a hold resumes where it was."""
        if self.paused and self._paused_at is not None:
            self._paused_total_s += now_s - self._paused_at
            self._paused_at = None
        else:
            self._paused_at = now_s
        self.paused = not self.paused
        self._announce(Announcement(self.session_time(now_s), "paused" if self.paused else "resumed"))

    def session_time(self, camera_time_s: float) -> float:
        return camera_time_s - self._paused_total_s

    def feed(self, live: LiveFrame) -> list[Event]:
        """Analyses one frame (unless paused) and draws it; returns the engine's events."""
        events: list[Event] = []
        setup: tuple[str, ...] = ()
        pose = self.analysis.smoothed_pose
        if not self.paused:
            frame = live.frame
            time_s = self.session_time(frame.timestamp_s)
            analysed = self.step(Frame(frame.index, time_s, frame.image))
            pose_raw = analysed.pose
            events = analysed.fed
            pose = self.analysis.smoothed_pose
            state = self.analysis.state
            for announcement in self.coach.hear(time_s, events, state):
                self._announce(announcement)
            if not self.setup.done:
                tilt = self.camera_level.update(pose_raw)
                setup = setup_instructions(pose, self.exercise.view, tilt)
                if self.setup.update(time_s, setup, waiting=self.camera_level.undecided(time_s)):
                    self._announce(Announcement(time_s, "set-up right: begin the exercise", "Good. Begin."))
                elif setup:
                    self._instruct(time_s, setup[0])
            self._hear_about_others(analysed, time_s)
            if self.others_looks_in_a_row >= OTHERS_LOOKS_IN_A_ROW:
                setup = (*setup, SOMEONE_ELSE_IN_PICTURE)
        if self.draw:
            self.last_picture = self.overlay.draw(
                live.frame.image,
                pose,
                self.analysis.state,
                self.coach.counter_text(),
                setup=setup,
                paused=self.paused,
            )
        self.latencies_s.append(time.monotonic() - live.captured_at)
        return events

    def _hear_about_others(self, analysed: AnalysedFrame[list[Event]], time_s: float) -> None:
        """After a look for someone else: tells once they stayed, then again after
        ``OTHERS_COOLDOWN_S`` while they stay."""
        found = analysed.others
        if found is None:
            return
        self.others_looks_in_a_row = self.others_looks_in_a_row + 1 if found.count else 0
        told = self._others_told_at
        if self.others_looks_in_a_row >= OTHERS_LOOKS_IN_A_ROW and (
            told is None or time_s - told >= OTHERS_COOLDOWN_S
        ):
            self._others_told_at = time_s
            self._announce(
                Announcement(
                    time_s, f"set-up: {SOMEONE_ELSE_IN_PICTURE}", SOMEONE_ELSE_IN_PICTURE, OTHERS_COOLDOWN_S
                )
            )

    def _instruct(self, time_s: float, instruction: str) -> None:
        """Announces a set-up instruction when it changes, or again after its cool-down."""
        last = self._last_instruction
        if last is not None and last[1] == instruction and time_s - last[0] < SETUP_COOLDOWN_S:
            return
        self._last_instruction = (time_s, instruction)
        self._announce(Announcement(time_s, f"set-up: {instruction}", instruction, SETUP_COOLDOWN_S))

    def _announce(self, announcement: Announcement) -> None:
        self.announcements.append(announcement)
        if self.tell is not None:
            self.tell(announcement)

    def finish(self, frame_period_s: float, interrupted: bool = False, note: str | None = None) -> Session:
        session = self.analysis.finish(frame_period_s, interrupted=interrupted)
        if note:
            session = dataclasses.replace(session, notes=(*session.notes, note))
        return session


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
    see ``ExerciseAnalysis``). ``options`` as for a recorded video: its look for other
    people and its turned second look apply; the camera, not a stride, decides which frames
    are analysed (the newest each time)."""
    exercise = exercise_named(exercise) if isinstance(exercise, str) else exercise

    def tell(announcement: Announcement) -> None:
        if print_line is not None:
            print_line(f"{announcement.time_s:7.1f} s  {announcement.text}")
        if voice is not None and announcement.spoken:
            voice.say(announcement.spoken, announcement.cooldown_s)

    cpu_start, wall_start = _cpu_seconds(), time.monotonic()
    with model_stages(model_path, options, max_people=max_people) as (pose_stage, others):
        live = LiveSession(
            exercise,
            pose_stage,
            camera.spec.describe(),
            tell=tell,
            draw=window is not None if draw is None else draw,
            on_hold_finished=on_hold_finished,
            people_search=others,
        )
        ending, camera_error = Ending.QUIT, None
        try:
            while True:
                frame = camera.latest()
                if frame is None:
                    ending = Ending.END_OF_FILE
                    break
                live.feed(frame)
                if window is not None and live.last_picture is not None:
                    key = window.show(live.last_picture)
                    if key is Key.QUIT:
                        break
                    if key is Key.PAUSE:
                        live.toggle_pause(camera.elapsed_s())
                    elif key is Key.RESET:
                        live.coach.reset_counter()
        except KeyboardInterrupt:
            ending = Ending.INTERRUPTED
        except CameraUnavailableError as error:
            ending, camera_error = Ending.CAMERA_LOST, error
        note = None
        if camera_error is not None:
            note = f"The camera stopped giving pictures at {live.analysis.recorder.last_time_s:.1f} s."
        session = live.finish(1.0 / camera.fps, interrupted=ending is Ending.INTERRUPTED, note=note)
    wall_s = time.monotonic() - wall_start
    stats = LiveStats(
        frames_captured=camera.frames_captured,
        frames_analysed=len(live.latencies_s),
        frames_dropped=camera.frames_dropped,
        latency_median_ms=1000 * statistics.median(live.latencies_s) if live.latencies_s else float("nan"),
        latency_p95_ms=1000 * _percentile(live.latencies_s, 0.95),
        cpu_percent=100 * (_cpu_seconds() - cpu_start) / wall_s if wall_s > 0 else 0.0,
        wall_s=wall_s,
    )
    return LiveResult(session, ending, stats, camera_error, tuple(live.announcements))


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def live_problem(result: LiveResult) -> PosecheckError | None:
    """The error to report once the session is saved: the camera's, or as for a recorded
    session (``session_problem``)."""
    if result.camera_error is not None:
        return result.camera_error
    return session_problem(result.session, None)
