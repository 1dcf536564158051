"""Where the body stands against an exercise's levels: in its position, at its start, in its
target. Each level is latched with hysteresis, so a reading hovering at a threshold does not
flicker.

Reads: a body per frame. Adds: ``Whereabouts`` (in position, at the start, in the target).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from posecheck.rules.body import Body
from posecheck.rules.vocabulary import Exercise, Level


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
class Whereabouts:
    """One frame's body against the exercise: the start and the target count only inside
    the exercise's position."""

    in_position: bool
    at_start: bool
    in_target: bool


class PositionWatch:
    """The latches of an exercise's position, start and target levels."""

    def __init__(self, exercise: Exercise) -> None:
        self.key_angle = exercise.key_angle
        self._position = [LevelLatch(level) for level in exercise.position]
        self._start = [LevelLatch(level) for level in exercise.start]
        self._target = [LevelLatch(level) for level in exercise.target]

    def read(self, body: Body) -> Whereabouts:
        """Every level of the position is read; those of the start and the target only
        while in the position (their latches keep their state meanwhile)."""
        in_position = all([latch.update(latch.level.measurement(body)) for latch in self._position])
        at_start = in_position and all([latch.update(latch.level.measurement(body)) for latch in self._start])
        in_target = in_position and all(
            [latch.update(latch.level.measurement(body)) for latch in self._target]
        )
        return Whereabouts(in_position, at_start, in_target)

    def forget(self) -> None:
        """The person was lost: every level starts again from off."""
        for latch in self._position + self._start + self._target:
            latch.on = False

    def target_edges(self) -> list[float]:
        """Where the key angle enters the target."""
        return [latch.level.enter for latch in self._target if latch.level.measurement == self.key_angle]
