"""Exercise recognition: which of the three exercises is done when, from the pose alone.

Every exercise module already declares, from its instructions, its *position* (lying face
down with the hands in front and the legs on the mat; lying on the back; kneeling) and its
*target* (the trunk pressed up; a knee pulled to the chest; folded over the knees). The
recogniser reads those same levels, with their hysteresis, on each moment's smoothed body,
and adds what a module can take for granted once it is told the exercise: which way the
body faces (the exercise's ``facing``). Lying face down and lying on the back fold the same joints, and so
do child's pose and hugging both knees on the back; the chest facing the floor or the
ceiling tells them apart.

``ExerciseRecogniser`` names an exercise once its target has lasted ``confirm_s`` (a
press-up, a knee pull or a fold is held, never a passing moment), dates the segment's start
back to when its position began, keeps it while the position lasts and ends it once the
position has been gone for ``release_s``. Segments shorter than ``minimum_segment_s`` are
dropped. Everything else (push-ups, planks, bridges, cat-cow, standing, walking, lying
still) never holds a target with the body facing that way, so it is "other activity".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from posecheck.rules.body import Body
from posecheck.rules.levels import PositionWatch
from posecheck.rules.registry import available_exercises
from posecheck.rules.vocabulary import Exercise

OTHER = "other"


class _ExerciseWatch:
    """One exercise's position and target latches, and since when each has held."""

    def __init__(self, exercise: Exercise) -> None:
        self.name = exercise.name
        self.facing = exercise.facing
        self.levels = PositionWatch(exercise)
        self.position_since: float | None = None
        self.last_position_s: float | None = None
        self.target_since: float | None = None

    def read(self, body: Body) -> tuple[bool, bool]:
        """The exercise's own position and target, as its rules judge them (levels the view
        cannot judge decide nothing), with the chest facing the exercise's way."""
        where = self.levels.read(body)
        facing = self.facing is None or self.facing.matches(body)
        in_position = where.in_position and facing
        return in_position, in_position and where.in_target

    def advance(self, time_s: float, body: Body | None, release_s: float) -> None:
        if body is None:  # a short gap keeps the target's time running
            if self.last_position_s is None or time_s - self.last_position_s > release_s:
                self.target_since = None
            return
        in_position, in_target = self.read(body)
        if in_position:
            resumed = self.last_position_s is not None and time_s - self.last_position_s > release_s
            if self.position_since is None or resumed:
                self.position_since = time_s
            self.last_position_s = time_s
        elif self.last_position_s is not None and time_s - self.last_position_s > release_s:
            self.position_since = None
        if in_target:
            if self.target_since is None:
                self.target_since = time_s
        else:
            self.target_since = None

    def confirmed(self, time_s: float, confirm_s: float) -> bool:
        return self.target_since is not None and time_s - self.target_since >= confirm_s


@dataclass(frozen=True, slots=True)
class Segment:
    """A span of the recording given to one exercise."""

    exercise: str
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def covers(self, time_s: float) -> bool:
        return self.start_s <= time_s <= self.end_s


@dataclass
class ExerciseRecogniser:
    """Bodies in (one per analysed frame, None for a gap), exercise segments out.

    ``confirm_s``: how long a target must last before the exercise is named.
    ``release_s``: how long the position may be gone (or the person unseen) before the
    segment ends. ``minimum_segment_s``: shorter segments are dropped.
    """

    confirm_s: float = 1.5
    release_s: float = 2.0
    minimum_segment_s: float = 3.0
    segments: list[Segment] = field(default_factory=list)
    _watches: dict[str, _ExerciseWatch] = field(default_factory=dict)
    _current: str | None = None
    _current_start_s: float = 0.0
    _last_time_s: float = 0.0

    def __post_init__(self) -> None:
        self._watches = {name: _ExerciseWatch(exercise) for name, exercise in available_exercises().items()}

    def update(self, time_s: float, body: Body | None) -> str:
        """Reads one moment; returns the exercise named now (or ``OTHER``)."""
        self._last_time_s = time_s
        for watch in self._watches.values():
            watch.advance(time_s, body, self.release_s)
        if self._current is not None:
            last = self._watches[self._current].last_position_s
            if last is None or time_s - last > self.release_s:
                self._close(last if last is not None else time_s)
        confirmed = [
            (watch.target_since, name)
            for name, watch in self._watches.items()
            if name != self._current and watch.confirmed(time_s, self.confirm_s)
        ]
        if confirmed and (self._current is None or self._watches[self._current].target_since is None):
            _, name = min(confirmed)
            watch = self._watches[name]
            start = watch.position_since if watch.position_since is not None else watch.target_since
            assert start is not None
            if self._current is not None:  # the other exercise's target, while this one's is not held
                self._close(max(start, self._current_start_s))
            self._open(name, max(start, self._last_closed_s()))
        return self._current or OTHER

    def finish(self) -> list[Segment]:
        """Closes the open segment where its position was last seen; returns every segment."""
        if self._current is not None:
            last = self._watches[self._current].last_position_s
            self._close(last if last is not None else self._last_time_s)
        return list(self.segments)

    def segments_so_far(self) -> list[Segment]:
        """Every segment until now, the open one up to where its position was last seen;
        nothing is closed (the recognition goes on)."""
        segments = list(self.segments)
        if self._current is not None:
            last = self._watches[self._current].last_position_s
            end_s = last if last is not None else self._last_time_s
            if end_s - self._current_start_s >= self.minimum_segment_s:
                segments.append(Segment(self._current, self._current_start_s, end_s))
        return segments

    def _last_closed_s(self) -> float:
        return self.segments[-1].end_s if self.segments else -math.inf

    def _open(self, name: str, start_s: float) -> None:
        self._current = name
        self._current_start_s = start_s

    def _close(self, end_s: float) -> None:
        assert self._current is not None
        if end_s - self._current_start_s >= self.minimum_segment_s:
            self.segments.append(Segment(self._current, self._current_start_s, end_s))
        self._current = None
