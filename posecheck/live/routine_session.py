"""The routine live: one frame loop through every exercise of the plan.

camera -> pose -> recognition and every exercise's rules (``RecognisedAnalysis``, the
plan's exercises on their targets) -> the routine's guide -> announcements, the window. The
same frame loop, stages and options as ``posecheck live``; the one model stays open from
the first exercise to the last. At the end the routine is built as a recorded routine is
(``routine.record.routine_from_recognised``), so live and recorded give the same answer.

Commands come from the window's keys or from typed lines (``--no-window``): pause, next
(skip), quit, "it hurts"; answers the same way.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from posecheck.analysis.frame_loop import AnalysedFrame, FrameStep, FrameWatcher, LoopEnd, run_frame_loop
from posecheck.analysis.options import VideoOptions
from posecheck.analysis.other_people import OtherPeopleSearch
from posecheck.analysis.recognised import RecognisedAnalysis, RecognisedFrame
from posecheck.analysis.stages import PoseStage, model_stages
from posecheck.errors import CameraFileEndedEarlyError, CameraUnavailableError
from posecheck.live.coaching import Announcement
from posecheck.live.frames import CameraFrames, SessionClock
from posecheck.live.routine_guide import LAST_QUESTION_WAIT_S, RoutineGuide
from posecheck.live.session import LIVE_OPTIONS
from posecheck.live.setup_guide import SetupGuide
from posecheck.live.window import CLOSED, ENTER, ESCAPE, LiveWindow
from posecheck.pipeline.camera import LiveCamera
from posecheck.pipeline.source import Frame
from posecheck.reports.overlay import LiveOverlay
from posecheck.routine.checkins import ScriptedAnswers
from posecheck.routine.plan import RoutinePlan, RoutineStep
from posecheck.routine.record import Routine, RoutineEnding, routine_from_recognised
from posecheck.rules.events import HoldFinished

PAUSE, NEXT, QUIT, HURTS = "pause", "next", "quit", "hurts"
_TYPED_COMMANDS = {
    "p": PAUSE,
    "pause": PAUSE,
    "n": NEXT,
    "next": NEXT,
    "skip": NEXT,
    "q": QUIT,
    "quit": QUIT,
    "h": HURTS,
    "hurts": HURTS,
}
TERMINAL_HELP = "type p (pause), n (next exercise), q (quit) or h (it hurts), then Enter"


@dataclass(frozen=True, slots=True)
class RoutineRun:
    """A live routine as it ended: the record, and the camera's error when it went away."""

    routine: Routine
    camera_error: CameraUnavailableError | None
    announcements: tuple[Announcement, ...]


class TypedLines:
    """Lines typed in the terminal, read on a thread of their own so the loop never waits
    for them; ``lines()`` gives those typed since it was last asked."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._stream = stream if stream is not None else sys.stdin
        self.ended = False
        threading.Thread(target=self._read, name="posecheck typed lines", daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self._stream:
                self._lines.put(line.strip())
        except (OSError, ValueError):
            pass  # no terminal to read (closed, or not readable): no typed commands
        self.ended = True

    @property
    def lines_waiting(self) -> int:
        return self._lines.qsize()

    def lines(self) -> list[str]:
        typed = []
        while not self._lines.empty():
            typed.append(self._lines.get_nowait())
        return typed


class RoutineSession(FrameWatcher):
    """What the routine adds to the frame loop, as its watcher: the guide hears each frame,
    the set-up check runs, the overlay is drawn; commands and answers are taken between
    frames. ``tell`` receives every announcement."""

    def __init__(
        self,
        guide: RoutineGuide,
        analysis: RecognisedAnalysis,
        pose_stage: PoseStage,
        *,
        tell: Callable[[Announcement], None],
        clock: SessionClock,
        camera_time: Callable[[], float],
        people_search: OtherPeopleSearch | None = None,
        draw: bool = False,
        plan: RoutinePlan | None = None,
        on_progress: Callable[[Routine], object] | None = None,
    ) -> None:
        self.plan = plan
        self.on_progress = on_progress
        self.guide = guide
        self.analysis = analysis
        self.step: FrameStep[RecognisedFrame] = FrameStep(pose_stage, analysis, people_search)
        self.tell = tell
        self.clock = clock
        self.camera_time = camera_time
        self.setup = SetupGuide(guide.steps[0].exercise.view)
        self.overlay = LiveOverlay()
        self.draw = draw
        self.announcements: list[Announcement] = []
        self.last_picture: np.ndarray | None = None
        self._time_s = 0.0
        self._typed_keys = ""

    def begin(self) -> None:
        self._announce_all(self.guide.start(0.0))

    def analysed(self, frame: Frame, result: AnalysedFrame[RecognisedFrame]) -> None:
        self._time_s = frame.timestamp_s
        for fed in result.fed:
            self._hear(fed)
        # As in ``LiveSession``: the body's place in the picture from the smoothed pose of the
        # newest frame (raw ones flicker at the picture's edge), the camera's tilt from each raw one.
        smoothed = self.analysis.analyses[self.guide.step.name].smoothed_pose
        shown = smoothed if result.pose is not None else None
        for released_s, raw in result.released:
            newest = released_s == result.released[-1][0]
            self._announce_all(self.setup.hear(released_s, raw, shown if newest else raw))
        if result.others is not None:
            self._announce_all(self.setup.hear_about_others(self._time_s, result.others))

    def flushed(self, result: AnalysedFrame[RecognisedFrame]) -> None:
        for fed in result.fed:
            self._hear(fed)

    def _hear(self, fed: RecognisedFrame) -> None:
        name = self.guide.step.name
        state = self.analysis.analyses[name].state
        self._announce_all(self.guide.hear(self._time_s, fed.named, fed.events.get(name, []), state))
        finished = any(isinstance(event, HoldFinished) for events in fed.events.values() for event in events)
        if finished and self.on_progress is not None and self.plan is not None:
            self.on_progress(self.so_far())

    def so_far(self) -> Routine:
        """The routine until now, as if interrupted here: what a crash would leave saved."""
        assert self.plan is not None
        return routine_from_recognised(
            self.plan,
            self.guide.steps,
            self.analysis.so_far(),
            self.guide.checkins(),
            RoutineEnding.INTERRUPTED,
            skipped=self.guide.skipped,
            advice=self.guide.advice,
        )

    def passed(self, frame: Frame) -> bool:
        if self.draw:
            analysis = self.analysis.analyses[self.guide.step.name]
            pose = analysis.smoothed_pose
            lines = (*self.guide.lines(), *self.setup.lines(self._time_s))
            self.last_picture = self.overlay.draw(
                frame.image, pose, analysis.state, self.guide.coach.counter_text(), lines, self.clock.paused
            )
        return not self.guide.ended

    # ----------------------------------------------------------------- commands
    def command(self, typed: str) -> None:
        """A typed line: a command, else an answer to the question asked."""
        action = _TYPED_COMMANDS.get(typed.strip().lower())
        if action is None or (
            self.guide.question is not None and self.guide.question.read(typed) is not None
        ):
            self._announce_all(self.guide.answer(self._time_s, typed))
        else:
            self.act(action)

    def act(self, action: str) -> None:
        time_s = self._time_s
        if action == PAUSE:
            paused = self.clock.toggle_pause(self.camera_time())
            self._announce_all(
                [
                    Announcement(
                        time_s, "paused" if paused else "resumed", "Paused." if paused else "Go on.", 0.0
                    )
                ]
            )
        elif action == NEXT:
            self._announce_all(self.guide.skip(time_s))
        elif action == QUIT:
            self._announce_all(self.guide.quit(time_s))
        elif action == HURTS:
            self._announce_all(self.guide.it_hurts(time_s))

    def key(self, typed: str | None) -> None:
        """A key in the window: digits then Enter answer about pain; y, n, s answer the
        stretch question; space pauses, n (with no question) skips, h says it hurts, q quits."""
        if typed is None:
            return
        if typed in (CLOSED, ESCAPE) or typed in "qQ":
            self.act(QUIT)
        elif typed == ENTER:
            if self._typed_keys:
                self.command(self._typed_keys)
            self._typed_keys = ""
        elif typed.isdigit():
            self._typed_keys += typed
        elif (
            self.guide.question is not None and not self.guide.question.about_pain and typed.lower() in "yns"
        ):
            self.command(typed)
        elif typed == " ":
            self.act(PAUSE)
        elif typed.lower() in "nh":
            self.act(NEXT if typed.lower() == "n" else HURTS)

    def _announce_all(self, announcements: list[Announcement]) -> None:
        for announcement in announcements:
            self.announcements.append(announcement)
            self.tell(announcement)

    def finish(self, ending: RoutineEnding) -> None:
        """The loop ended before the routine did (see ``RoutineGuide.stop``)."""
        self._announce_all(self.guide.stop(self._time_s, ending))


@dataclass(slots=True)
class _Commands(FrameWatcher):
    """Between frames: typed lines, and the window's keys with the window shown."""

    session: RoutineSession
    typed: TypedLines | None
    window: LiveWindow | None

    def passed(self, frame: Frame) -> bool:
        self.poll()
        return not self.session.guide.ended

    def poll(self) -> None:
        if self.typed is not None:
            for line in self.typed.lines():
                self.session.command(line)
        if self.window is not None and self.session.last_picture is not None:
            self.session.key(self.window.show_typed(self.session.last_picture))

    def wait_for_answers(self, wait_s: float) -> None:
        """After the frames: the questions left open, answered by keys or typed lines (when
        the person has either) for up to ``wait_s``."""
        deadline = time.monotonic() + wait_s
        while self.session.guide.question is not None and time.monotonic() < deadline and self._answerable():
            self.poll()
            time.sleep(0.05)

    def _answerable(self) -> bool:
        """Whether an answer can still come: a window, or a terminal not closed (or with lines
        typed and not read yet)."""
        if self.window is not None:
            return True
        return self.typed is not None and not (self.typed.ended and self.typed.lines_waiting == 0)


def _ending(end: LoopEnd, guide: RoutineGuide) -> RoutineEnding:
    if guide.ending is not None and guide.ended:
        return guide.ending
    if end.camera_error is not None and not isinstance(end.camera_error, CameraFileEndedEarlyError):
        return RoutineEnding.CAMERA_LOST
    if end.interrupted:
        return RoutineEnding.INTERRUPTED
    return guide.ending or RoutineEnding.END_OF_VIDEO


def run_routine(
    camera: LiveCamera,
    plan: RoutinePlan,
    steps: tuple[RoutineStep, ...],
    model_path: Path,
    *,
    tell: Callable[[Announcement], None],
    scripted: ScriptedAnswers | None = None,
    window: LiveWindow | None = None,
    typed: TypedLines | None = None,
    on_progress: Callable[[Routine], object] | None = None,
    options: VideoOptions = LIVE_OPTIONS,
) -> RoutineRun:
    """Guides one routine until it ends, the person quits, Ctrl-C, the camera goes away or
    a file ends; whatever ends it, the routine keeps everything recorded until then.
    ``on_progress`` receives the routine so far each time a hold ends, to be saved as it
    grows."""
    guide = RoutineGuide(steps, scripted)
    analysis = RecognisedAnalysis(
        camera.spec.describe(), exercises={step.name: step.exercise for step in steps}
    )
    with model_stages(model_path, options) as (pose_stage, others):
        clock = SessionClock()
        frames = CameraFrames(camera, clock)
        session = RoutineSession(
            guide,
            analysis,
            pose_stage,
            tell=tell,
            clock=clock,
            camera_time=camera.elapsed_s,
            people_search=others,
            draw=window is not None,
            plan=plan,
            on_progress=on_progress,
        )
        session.begin()
        commands = _Commands(session, typed, window)
        end = run_frame_loop(frames, session.step, wanted=clock.wanted, watchers=[session, commands])
        ending = _ending(end, guide)
        session.finish(ending)
        commands.wait_for_answers(LAST_QUESTION_WAIT_S)
    recognised = analysis.finish(
        1.0 / camera.fps,
        ended_early=isinstance(end.camera_error, CameraFileEndedEarlyError),
        interrupted=end.interrupted,
    )
    routine = routine_from_recognised(
        plan, steps, recognised, guide.checkins(), ending, skipped=guide.skipped, advice=guide.advice
    )
    return RoutineRun(routine, end.camera_error, tuple(session.announcements))
