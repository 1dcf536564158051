"""The vocabulary exercise modules are written in.

An exercise module in ``exercises/`` builds one ``Exercise`` from these parts: the
measurements it reads off the body, the positions (start, target) as levels with
hysteresis, the checks with the physiotherapist's cue for each, and its hold and rep
targets. It holds no geometry of its own beyond combining ``posecheck.rules.geometry``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from posecheck.rules.body import Body
from posecheck.rules.events import Phase


class CameraView(StrEnum):
    SIDE = "side"
    FRONT = "front"


@dataclass(frozen=True, slots=True)
class Measurement:
    """A named number read off one body (NaN where the pose does not show it)."""

    name: str
    unit: str
    read: Callable[[Body], float]

    def __call__(self, body: Body) -> float:
        value = self.read(body)
        return float(value) if value is not None else math.nan


@dataclass(frozen=True, slots=True)
class Level:
    """A condition with hysteresis: it becomes true at ``enter`` and false again only past
    ``exit``, so a reading hovering at one threshold does not flicker."""

    measurement: Measurement
    enter: float
    exit: float

    @property
    def rising(self) -> bool:
        """True for "at least" levels, False for "at most" levels."""
        return self.enter >= self.exit

    def describe(self) -> str:
        word = "at least" if self.rising else "at most"
        return (
            f"{self.measurement.name} {word} {self.enter:g} {self.measurement.unit} "
            f"(released past {self.exit:g})"
        )


def at_least(measurement: Measurement, enter: float, exit: float) -> Level:
    if exit > enter:
        raise ValueError(f"{measurement.name}: exit {exit} must not be above enter {enter}")
    return Level(measurement, enter, exit)


def at_most(measurement: Measurement, enter: float, exit: float) -> Level:
    if exit < enter:
        raise ValueError(f"{measurement.name}: exit {exit} must not be below enter {enter}")
    return Level(measurement, enter, exit)


@dataclass(frozen=True, slots=True)
class Check:
    """A form detail: the fault is on while ``fault_when`` holds for ``persist_s``.

    ``during`` is the phase in which it is judged (the start position or the hold); a fault
    that ``pauses_hold`` stops the hold timer while it lasts. ``applies``, when given, says
    whether the check has anything to judge in this body (there is no other leg to keep down
    while both knees are hugged).
    """

    fault: str
    cue: str
    fault_when: Level
    during: Phase = Phase.HOLD
    persist_s: float = 0.7
    pauses_hold: bool = True
    applies: Callable[[Body], bool] | None = None


@dataclass(frozen=True, slots=True)
class HoldTarget:
    """Seconds to hold: the prescribed ``target_s``, the ``minimum_s`` to start with, and the
    ``progression_s`` to extend to over the weeks."""

    target_s: float
    minimum_s: float
    progression_s: float


@dataclass(frozen=True, slots=True)
class Settle:
    """A hold starts once the body has come to rest in the target position: for
    ``window_s`` the key angle stayed within ``within`` and the body's joints moved no
    faster than ``still_speed`` torso lengths per second (median over joints, mean over the
    window). It ends once the key angle comes back more than ``release`` from its held level.
    """

    window_s: float = 1.0
    within: float = 5.0
    still_speed: float = 0.25
    release: float = 10.0


@dataclass(frozen=True, slots=True)
class SlowRelease:
    """The way back to the start must take at least ``minimum_s`` (judged within
    ``window_s`` of leaving the hold)."""

    fault: str
    cue: str
    minimum_s: float
    window_s: float = 4.0


SideOf = Callable[[Body], str | None]
VariantOf = Callable[[Body], str | None]


@dataclass(frozen=True)
class Exercise:
    """Everything posecheck knows about one exercise.

    ``position`` says the person is doing this exercise at all (lying face down, kneeling),
    ``start`` the starting position within it, ``target`` the held position. ``key_angle``
    is reported per rep; ``deeper_is_higher`` tells which way it goes into the hold.
    ``side_of`` names the side a hold is done on, read as the hold settles;
    ``start_variant_of`` names the way the start position was taken (from kneeling, feet
    raised...), read on the start position before each hold.
    """

    name: str
    title: str
    instructions: tuple[str, ...]
    view: CameraView
    position: tuple[Level, ...]
    start: tuple[Level, ...]
    target: tuple[Level, ...]
    key_angle: Measurement
    deeper_is_higher: bool
    checks: tuple[Check, ...]
    hold: HoldTarget
    reps_target: int
    phase_labels: Mapping[Phase, str]
    settle: Settle = field(default_factory=Settle)
    slow_release: SlowRelease | None = None
    side_of: SideOf | None = None
    start_variant_of: VariantOf | None = None
    reps_are_per_side: bool = False
    shortest_hold_s: float = 3.0
    longest_gap_s: float = 1.0
    release_after_s: float = 0.5
    leaving_within_s: float = 2.0

    def label(self, phase: Phase) -> str:
        return self.phase_labels.get(phase, phase.value.replace("_", " "))
