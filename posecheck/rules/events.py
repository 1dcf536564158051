"""Events: what the rule engine tells the session, the overlay and the voice.

Events are small immutable records in time order; a consumer needs nothing else to know
what happened. ``HoldFinished`` carries the finished hold whole, so a session is just the
list of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    """Where the person is in one repetition; exercise modules give each a display label."""

    AWAY = "away"
    START = "start"
    MOVING_IN = "moving_in"
    HOLD = "hold"
    MOVING_OUT = "moving_out"


@dataclass(frozen=True, slots=True)
class Fault:
    """A span of a hold (or of the start before it) during which a cue was broken."""

    kind: str
    cue: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A cue of a hold the camera's view could not check in ``share`` of its timed frames:
    the part it could not see (``reason``) and how to film it (``advice``)."""

    cue: str
    reason: str
    advice: str
    share: float

    @property
    def sentence(self) -> str:
        cue = self.cue.rstrip(".")
        return f'"{cue}" could not be checked: {self.reason}. To have it checked, {self.advice}.'


@dataclass(frozen=True, slots=True)
class Hold:
    """One held position.

    ``duration_s`` counts only the time the form held (faults that pause the hold are
    left out), so it can be shorter than ``end_s - start_s``. ``complete`` means the hold
    was entered from the start position and left inside the recording. ``variant`` names
    the way the exercise was done where it offers several (press-up reps resting half-way,
    child's pose from kneeling, knee to chest with the feet raised). ``unchecked``: the cues
    the view could not check through most of the hold, and why.
    """

    start_s: float
    end_s: float
    duration_s: float
    complete: bool
    side: str | None
    target_s: float
    minimum_s: float
    key_angle_deg: float
    faults: tuple[Fault, ...]
    variant: str | None = None
    unchecked: tuple[Unchecked, ...] = ()

    @property
    def met(self) -> bool:
        return self.duration_s >= self.target_s


@dataclass(frozen=True, slots=True)
class PhaseChanged:
    time_s: float
    phase: Phase


@dataclass(frozen=True, slots=True)
class HoldStarted:
    time_s: float
    side: str | None


@dataclass(frozen=True, slots=True)
class HoldTargetReached:
    time_s: float
    target_s: float


@dataclass(frozen=True, slots=True)
class FaultStarted:
    time_s: float
    kind: str
    cue: str


@dataclass(frozen=True, slots=True)
class FaultCleared:
    time_s: float
    kind: str


@dataclass(frozen=True, slots=True)
class HoldFinished:
    time_s: float
    hold: Hold


Event = PhaseChanged | HoldStarted | HoldTargetReached | FaultStarted | FaultCleared | HoldFinished
