"""Analysis of a recording whose exercise is not given: recognise, then analyse each part.

Every analysed frame's pose goes to the recogniser (``posecheck.analysis.recognition``) and to each
exercise's own analysis; a hold counts only inside a segment the recogniser gave to its
exercise. Everything streams: no frame and no pose is kept beyond the current one.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posecheck.analysis.beside import RecognisedRecipe, rules_for
from posecheck.analysis.other_people import OtherPeople
from posecheck.analysis.recognition import ExerciseRecogniser, Segment
from posecheck.analysis.session import Session
from posecheck.analysis.setup_check import SOMEONE_ELSE_NOTE, SetupTally
from posecheck.analysis.video import ExerciseAnalysis, VideoOptions, read_video
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.recording import PoseTrack
from posecheck.pipeline.sides import SideKeeper
from posecheck.pipeline.smoothing import OneEuroParameters, PoseSmoother
from posecheck.rules.body import Body
from posecheck.rules.events import Event, Hold
from posecheck.rules.registry import available_exercises
from posecheck.rules.vocabulary import Exercise


@dataclass(frozen=True, slots=True)
class ExerciseSegment:
    """One recognised exercise segment with the holds found inside it."""

    exercise: str
    start_s: float
    end_s: float
    holds: tuple[Hold, ...]

    @property
    def reps(self) -> int:
        return sum(1 for hold in self.holds if hold.complete)


@dataclass(frozen=True, slots=True)
class RecognisedSession:
    """A recording's exercise segments, and per exercise done a session of its holds.

    ``notes`` are set-up notes on the recording as a whole (someone else in the picture);
    each exercise's session carries them too, so that a recording with no exercise
    recognised still gets them."""

    source: str
    duration_s: float
    frames: int
    frames_with_person: int
    segments: tuple[ExerciseSegment, ...]
    sessions: tuple[Session, ...]
    ended_early: bool = False
    interrupted: bool = False
    notes: tuple[str, ...] = ()


def _inside(hold: Hold, segment: Segment) -> bool:
    return segment.covers((hold.start_s + hold.end_s) / 2.0)


@dataclass(frozen=True, slots=True)
class RecognisedFrame:
    """What one frame gave: the exercise named now (or "other"), and each exercise's events."""

    named: str
    events: Mapping[str, list[Event]]


class RecognisedAnalysis:
    """Poses in (one per analysed frame, None for a gap), a ``RecognisedSession`` out.

    ``exercises``: each exercise judged as given (a routine's, on its plan's targets); every
    exercise posecheck knows is recognised either way, so one done outside a plan is still
    told apart from the plan's."""

    def __init__(
        self,
        source: str,
        smoothing: OneEuroParameters | None = None,
        exercises: Mapping[str, Exercise] | None = None,
    ) -> None:
        self.source = source
        self.sides = SideKeeper()
        self.smoother = PoseSmoother(smoothing)
        self.recogniser = ExerciseRecogniser()
        judged = {**available_exercises(), **(exercises or {})}
        self.analyses = {
            name: ExerciseAnalysis(exercise, source, smoothing) for name, exercise in judged.items()
        }
        self.frames = 0
        self.frames_with_person = 0
        self.last_time_s = 0.0
        self.setup = SetupTally()

    def feed(self, time_s: float, pose: Pose | None) -> RecognisedFrame:
        """Reads one frame: the exercise named now, and what each exercise's rules made of it."""
        self.frames += 1
        self.frames_with_person += pose is not None
        self.last_time_s = time_s
        smoothed = self.smoother.smooth(self.sides.keep(pose))
        named = self.recogniser.update(time_s, Body.of(smoothed) if smoothed is not None else None)
        events = {name: analysis.feed(time_s, pose) for name, analysis in self.analyses.items()}
        return RecognisedFrame(named, events)

    def note_other_people(self, found: OtherPeople) -> None:
        """Takes the result of a look for other people (see ``posecheck.analysis.other_people``)."""
        self.setup.record_people_check(found)
        for analysis in self.analyses.values():
            analysis.note_other_people(found)

    def finish(
        self, frame_period_s: float, ended_early: bool = False, interrupted: bool = False
    ) -> RecognisedSession:
        sessions = {
            name: analysis.finish(frame_period_s, ended_early=ended_early, interrupted=interrupted)
            for name, analysis in self.analyses.items()
        }
        return self._recognised(self.recogniser.finish(), sessions, frame_period_s, ended_early, interrupted)

    def so_far(self) -> RecognisedSession:
        """The recording until now, as if it had been interrupted here (nothing is ended:
        the analysis goes on), for saving a session as it grows."""
        sessions = {
            name: analysis.recorder.finish(interrupted=True) for name, analysis in self.analyses.items()
        }
        return self._recognised(self.recogniser.segments_so_far(), sessions, 0.0, False, True)

    def _recognised(
        self,
        segments: list[Segment],
        sessions: dict[str, Session],
        frame_period_s: float,
        ended_early: bool,
        interrupted: bool,
    ) -> RecognisedSession:
        found = tuple(
            ExerciseSegment(
                segment.exercise,
                round(segment.start_s, 2),
                round(segment.end_s, 2),
                tuple(hold for hold in sessions[segment.exercise].holds if _inside(hold, segment)),
            )
            for segment in segments
        )
        done = []
        for name in dict.fromkeys(segment.exercise for segment in found):  # in the order first done
            holds = tuple(hold for segment in found if segment.exercise == name for hold in segment.holds)
            done.append(dataclasses.replace(sessions[name], holds=holds))
        return RecognisedSession(
            source=self.source,
            duration_s=round(self.last_time_s + frame_period_s, 3),
            frames=self.frames,
            frames_with_person=self.frames_with_person,
            segments=found,
            sessions=tuple(done),
            ended_early=ended_early,
            interrupted=interrupted,
            notes=(SOMEONE_ELSE_NOTE,) if self.setup.others_were_in_the_picture() else (),
        )


def recognise_poses(
    source: str,
    fps: float,
    poses: Iterable[tuple[float, Pose | None]],
    smoothing: OneEuroParameters | None = None,
) -> RecognisedSession:
    """Recognition and analysis of already estimated poses (a saved track, say)."""
    analysis = RecognisedAnalysis(source, smoothing)
    for time_s, pose in poses:
        analysis.feed(time_s, pose)
    return analysis.finish(1.0 / fps if fps > 0 else 0.0)


def analyze_track_recognised(
    track: PoseTrack, smoothing: OneEuroParameters | None = None
) -> RecognisedSession:
    return recognise_poses(
        track.source, track.fps, ((frame.timestamp_s, frame.pose) for frame in track), smoothing
    )


def analyze_video_recognised(
    video: str | os.PathLike[str],
    model_path: Path,
    options: VideoOptions | None = None,
    *,
    keep_track: list[tuple[float, Pose | None]] | None = None,
    exercises: Mapping[str, Exercise] | None = None,
    **option_values: Any,
) -> RecognisedSession:
    """Analyses a recorded video without being told the exercise, through the same frame
    loop as ``analyze_video`` (its ``options`` likewise; no adaptive stride, which needs an
    exercise's rules). ``exercises``: see ``RecognisedAnalysis``. Ctrl-C stops early and still
    returns what was recorded."""
    options = dataclasses.replace(options or VideoOptions(), **option_values)
    recipe = RecognisedRecipe(Path(video).name, exercises)
    with rules_for(recipe, beside=options.rules_beside) as rules:
        read = read_video(video, model_path, options, rules, keep_track=keep_track)
        session: RecognisedSession = rules.finish(
            read.frame_period_s, ended_early=read.ended_early, interrupted=read.interrupted
        )
        return session
