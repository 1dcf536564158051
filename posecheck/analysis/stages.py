"""The stages a frame goes through, live or recorded: ``PoseStage`` (the model's work:
pose, person selection, the still-picture test, the second looks) and ``ExerciseAnalysis``
(sides, smoothing, rules, events, session), and ``model_stages`` opening the model's parts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from posecheck.analysis.options import VideoOptions
from posecheck.analysis.other_people import OtherPeople, OtherPeopleSearch
from posecheck.analysis.session import Session, SessionRecorder
from posecheck.analysis.setup_check import SetupTally
from posecheck.pipeline.looks import LooksThread
from posecheck.pipeline.pose import (
    PersonSelector,
    Pose,
    PoseEstimator,
    SingleImageModel,
)
from posecheck.pipeline.sides import SideKeeper
from posecheck.pipeline.smoothing import OneEuroParameters, PoseSmoother
from posecheck.pipeline.source import Frame
from posecheck.pipeline.still_pictures import StillPictureGuard
from posecheck.pipeline.track_check import TrackCheck
from posecheck.pipeline.turned_retry import TurnedRetry, turned_retry_for
from posecheck.rules.body import Body
from posecheck.rules.engine import EngineState, RuleEngine
from posecheck.rules.events import Event, HoldFinished
from posecheck.rules.nearest import NearestWatch
from posecheck.rules.vocabulary import Exercise


class PoseStage:
    """Frames in, the followed person's raw poses (or None) out, each with its frame's time:
    a person the model found, who looks like a body (``PersonSelector``) and is not a still
    picture (``StillPictureGuard``: a new person is released once known to move). With a
    ``TurnedRetry`` it looks again, turned, at a frame where nobody was found; with a
    ``TrackCheck`` it looks afresh every few seconds and starts following again where the
    track had drifted."""

    def __init__(
        self,
        estimator: PoseEstimator,
        selector: PersonSelector | None = None,
        turned_retry: TurnedRetry | None = None,
        track_check: TrackCheck | None = None,
        looks: LooksThread | None = None,
    ) -> None:
        self.estimator = estimator
        self.selector = selector or PersonSelector()
        self.turned_retry = turned_retry
        self.track_check = track_check
        self.looks = looks
        self.still_pictures = StillPictureGuard()
        self._followed_before = False

    def __call__(self, frame: Frame) -> list[tuple[float, Pose | None]]:
        """The poses released by this frame, with their frames' times, in time order."""
        return self.still_pictures.release(frame, self._followed(frame))

    def flush(self) -> list[tuple[float, Pose | None]]:
        """At the end of the frames: those still held back."""
        return self.still_pictures.flush()

    @property
    def waiting(self) -> bool:
        """A person is found and held back until known to move."""
        return self.still_pictures.waiting

    @property
    def person_now(self) -> Pose | None:
        """The person in the last frame, released or held back (not a still picture): the
        one the look for someone else leaves out."""
        return self.still_pictures.person_now

    def _followed(self, frame: Frame) -> Pose | None:
        # The track check's look at this frame runs beside its tracking when the person
        # followed before is likely still there (else it is made after, if it is due).
        look = None
        if self.track_check is not None and self.looks is not None and self._followed_before:
            look = self.track_check.start_look(frame, self.looks)
        pose = self.selector.select(self.estimator.detect(frame))
        if pose is None and self.turned_retry is not None:
            pose = self.selector.select(self.turned_retry.detect(frame))
        if (
            self.track_check is not None
            and (fresh := self.track_check.fresh_fit(frame, pose, look)) is not None
        ):
            refitted = self.selector.select([fresh])
            if refitted is not None:
                self.estimator.restart()
                pose = refitted
        self._followed_before = pose is not None
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
        self.setup.record(time_s, pose)
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


Looker = TypeVar("Looker")


def every(
    period_s: float | None, start: Callable[[float], contextlib.AbstractContextManager[Looker]]
) -> contextlib.AbstractContextManager[Looker | None]:
    """A periodic look (``start(period_s)``: the track check, the search for other people),
    or nothing (None) when ``period_s`` is None."""
    if period_s is None:
        return contextlib.nullcontext()
    return start(period_s)


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
        LooksThread() if single_image_needed else contextlib.nullcontext() as looks,
        every(options.track_check_period_s, lambda period: TrackCheck(single, period)) as checking,
        every(
            options.people_check_period_s, lambda period: OtherPeopleSearch(single, period, beside=looks)
        ) as others,
    ):
        yield PoseStage(estimator, turned_retry=turned, track_check=checking, looks=looks), others
