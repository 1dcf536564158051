"""Where the body stands against an exercise's levels: in its position, at its start, in its
target. Each level is latched with hysteresis, so a reading hovering at a threshold does not
flicker; a level the view cannot judge (``posecheck.rules.view``) decides nothing, and its
stand-in, where it has one, judges in its place.

Reads: a body per frame. Adds: ``Whereabouts`` (in position, at the start, in the target, and
each level's reading of the frame).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from posecheck.rules.body import Body
from posecheck.rules.vocabulary import Exercise, Level, Reading


class LevelLatch:
    """The running truth of one ``Level``; a missing reading (NaN) keeps the last state."""

    def __init__(self, level: Level) -> None:
        self.level = level
        self.on = False

    def update(self, value: float) -> bool:
        if math.isnan(value):
            return self.on
        level = self.level
        threshold = level.exit if self.on else level.enter
        self.on = value >= threshold if level.rising else value <= threshold
        return self.on


@dataclass(frozen=True, slots=True)
class LevelReading:
    """One level in one frame: its own reading, and whether it holds (None: the view could
    judge neither it nor its stand-in). ``stood_in``: the stand-in judged it."""

    level: Level
    reading: Reading
    on: bool | None
    stood_in: bool = False


class Condition:
    """A level and its stand-in, each latched."""

    def __init__(self, level: Level) -> None:
        self.level = level
        self.latch = LevelLatch(level)
        self.stand_in = LevelLatch(level.stand_in) if level.stand_in is not None else None

    def read(self, body: Body) -> LevelReading:
        reading = self.level.measurement.judge(body)
        if reading.judged:
            return LevelReading(self.level, reading, self.latch.update(reading.value))
        if self.stand_in is not None:
            stand_in = self.stand_in.level.measurement.judge(body)
            if stand_in.judged:
                return LevelReading(self.level, reading, self.stand_in.update(stand_in.value), stood_in=True)
        return LevelReading(self.level, reading, None)

    def forget(self) -> None:
        self.latch.on = False
        if self.stand_in is not None:
            self.stand_in.on = False


def none_against(readings: list[LevelReading]) -> bool:
    """No level the view could judge says no."""
    return all(reading.on is not False for reading in readings)


@dataclass(frozen=True, slots=True)
class Whereabouts:
    """One frame's body against the exercise: the start and the target count only inside
    the exercise's position. ``target`` holds the target levels' readings of the frame;
    ``facing_away``: the chest faced the other way than the exercise's (out of its position
    whatever the levels say); ``complete``: the exercise's ``completed_by`` levels hold too
    (or cannot be judged)."""

    in_position: bool
    at_start: bool
    in_target: bool
    target: tuple[LevelReading, ...] = ()
    position: tuple[LevelReading, ...] = ()
    facing_away: bool = False
    complete: bool = True


class PositionWatch:
    """The conditions of an exercise's position, start and target.

    The position holds unless a level the view judges says otherwise (the legs hidden behind
    the trunk leave "kneeling" unjudged, not false), or the chest faces the other way than the
    exercise's ``facing``. The start and the target need positive
    evidence: the start a judged level holding, the target its key level (or the key's
    stand-in) holding; where the view judges neither the key nor its stand-in, the target keeps
    what it was, as long as no judged level says otherwise.
    """

    def __init__(self, exercise: Exercise) -> None:
        self.key_angle = exercise.key_angle
        self.facing = exercise.facing
        self._position = [Condition(level) for level in exercise.position]
        self._start = [Condition(level) for level in exercise.start]
        self._target = [Condition(level) for level in exercise.target]
        self._completion = [Condition(level) for level in exercise.completed_by]
        self._in_target = False

    def read(self, body: Body) -> Whereabouts:
        """Every level of the position is read; those of the start and the target only
        while in the position (their latches keep their state meanwhile)."""
        position = [condition.read(body) for condition in self._position]
        facing_away = self.facing is not None and self.facing.reversed_in(body)
        in_position = none_against(position) and not facing_away
        if not in_position:
            self._in_target = False
            return Whereabouts(False, False, False, position=tuple(position), facing_away=facing_away)
        start = [condition.read(body) for condition in self._start]
        at_start = none_against(start) and any(reading.on for reading in start)
        target = [condition.read(body) for condition in self._target]
        key = target[0].on
        self._in_target = none_against(target) and (key if key is not None else self._in_target)
        complete = none_against([condition.read(body) for condition in self._completion])
        return Whereabouts(
            in_position, at_start, self._in_target, tuple(target), tuple(position), complete=complete
        )

    def forget(self) -> None:
        """The person was lost: every level starts again from off."""
        for condition in self._position + self._start + self._target + self._completion:
            condition.forget()
        self._in_target = False

    def start_edge(self) -> float:
        """Where the key angle enters the start position (NaN when the start is read on other
        measurements)."""
        edges = [c.level.enter for c in self._start if c.level.measurement == self.key_angle]
        return edges[0] if edges else math.nan

    def target_edges(self) -> list[float]:
        """Where the key angle enters the target."""
        return [
            condition.level.enter
            for condition in self._target
            if condition.level.measurement == self.key_angle
        ]
