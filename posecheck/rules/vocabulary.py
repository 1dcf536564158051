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

from posecheck.errors import ExerciseDefinitionError
from posecheck.rules.body import Body
from posecheck.rules.events import Phase
from posecheck.rules.view import Need, Unjudged


class CameraView(StrEnum):
    SIDE = "side"
    FRONT = "front"


@dataclass(frozen=True, slots=True)
class Reading:
    """One measurement of one frame, and whether the view could judge it: a value read off
    joints the camera did not see is kept (to say what came nearest) but decides nothing."""

    value: float
    unjudged: Unjudged | None = None

    @property
    def judged(self) -> bool:
        return self.unjudged is None and not math.isnan(self.value)


@dataclass(frozen=True, slots=True)
class Measurement:
    """A named number read off one body (NaN where the pose does not show it). ``needs`` says
    what the camera must see for it to be judged (see ``posecheck.rules.view``)."""

    name: str
    unit: str
    read: Callable[[Body], float]
    needs: Need | None = None

    def __call__(self, body: Body) -> float:
        value = self.read(body)
        return float(value) if value is not None else math.nan

    def judge(self, body: Body) -> Reading:
        """The value, with why the view could not judge it where it could not."""
        missing = self.needs(body) if self.needs is not None else None
        return Reading(self(body), missing)


@dataclass(frozen=True, slots=True)
class Level:
    """A condition with hysteresis: it becomes true at ``enter`` and false again only past
    ``exit``, so a reading hovering at one threshold does not flicker.

    ``stand_in`` judges the same thing another way where the view cannot judge this level
    (the head hanging below the hips where the thighs are hidden); ``cue`` is the instruction
    the level checks, named when the view could not check it.
    """

    measurement: Measurement
    enter: float
    exit: float
    stand_in: Level | None = None
    cue: str | None = None

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


def at_least(
    measurement: Measurement,
    enter: float,
    exit: float,
    *,
    stand_in: Level | None = None,
    cue: str | None = None,
) -> Level:
    if exit > enter:
        raise ValueError(f"{measurement.name}: exit {exit} must not be above enter {enter}")
    return Level(measurement, enter, exit, stand_in, cue)


def at_most(
    measurement: Measurement,
    enter: float,
    exit: float,
    *,
    stand_in: Level | None = None,
    cue: str | None = None,
) -> Level:
    if exit < enter:
        raise ValueError(f"{measurement.name}: exit {exit} must not be below enter {enter}")
    return Level(measurement, enter, exit, stand_in, cue)


@dataclass(frozen=True, slots=True)
class Check:
    """A form detail: the fault is on while ``fault_when`` holds for ``persist_s``.

    ``during`` is the phase in which it is judged (the start position or the hold); a fault
    that ``pauses_hold`` stops the hold timer while it lasts. ``applies``, when given, says
    whether the check has anything to judge in this body (there is no other leg to keep down
    while both knees are hugged).
    """

    kind: str
    cue: str
    fault_when: Level
    during: Phase = Phase.HOLD
    persist_s: float = 0.7
    pauses_hold: bool = True
    applies: Callable[[Body], bool] | None = None


@dataclass(frozen=True, slots=True)
class HoldTarget:
    """Seconds to hold: the prescribed ``target_s``, the ``minimum_s`` to start with (the
    target itself unless given), and the ``progression_s`` to extend to over the weeks."""

    target_s: float
    progression_s: float
    minimum_s: float = math.nan

    def __post_init__(self) -> None:
        if math.isnan(self.minimum_s):
            object.__setattr__(self, "minimum_s", self.target_s)


@dataclass(frozen=True, slots=True)
class Settle:
    """A hold starts once the body has come to rest in the target position: for
    ``window_s`` the key angle stayed within ``within`` and the body's joints moved no
    faster than ``still_speed`` torso lengths per second (median over joints, mean over the
    window). It ends once the key angle comes back more than ``release`` from its held level.

    ``deepening_per_s``: how fast the key angle may still go deeper in a hold, for exercises
    whose hold is a hold of something that may be drawn further in ("hold that knee"): the
    body at rest, the angle going no way but deeper, at most this fast. 0: the angle must stay
    within ``within``.
    """

    window_s: float = 1.0
    within: float = 3.0
    still_speed: float = 0.25
    release: float = 10.0
    deepening_per_s: float = 0.0


@dataclass(frozen=True, slots=True)
class HoldTiming:
    """When a movement is a hold and when a hold is over, the same for every exercise: a hold
    shorter than ``shortest_hold_s`` is a movement; a gap without a person up to
    ``longest_gap_s`` is nothing; the target left for ``release_after_s`` leaves the hold; a
    fault that began in its last ``leaving_within_s`` and lasts to its end is the way out."""

    shortest_hold_s: float = 3.0
    longest_gap_s: float = 1.0
    release_after_s: float = 0.5
    leaving_within_s: float = 2.0


@dataclass(frozen=True, slots=True)
class SlowRelease:
    """The way back to the start must take at least ``minimum_s`` (judged within
    ``window_s`` of leaving the hold)."""

    kind: str
    cue: str
    minimum_s: float
    window_s: float = 4.0


class Facing(StrEnum):
    """Which way the chest faces in an exercise: lying face down and on the back fold the
    same joints, and so do child's pose and hugging both knees on the back."""

    DOWN = "down"
    UP = "up"

    def matches(self, body: Body) -> bool:
        """Face down: chest within about 70 degrees of straight down (a trunk pressed up
        60 degrees still faces the floor at -0.5); face up: within about 60 degrees of
        straight up. Sideways (a supine twist rolls the chest to one side) is neither."""
        value = body.chest_up
        if math.isnan(value):
            return False
        return value <= -0.35 if self is Facing.DOWN else value >= 0.5

    def reversed_in(self, body: Body) -> bool:
        """The chest faces the other way (face up in a face-down exercise, or face down in one
        on the back): whatever the joints fold, it is not this exercise. Kneeling upright
        (chest forward) is neither."""
        opposite = Facing.UP if self is Facing.DOWN else Facing.DOWN
        return opposite.matches(body)


SideOf = Callable[[Body], str | None]
VariantOf = Callable[[Body], str | None]


@dataclass(frozen=True)
class Exercise:
    """Everything posecheck knows about one exercise: all the recogniser, the rules and the
    command line need, so that an exercise is one file in ``exercises/``.

    ``position`` says the person is doing this exercise at all (lying face down, kneeling),
    ``start`` the starting position within it, ``target`` the held position; ``facing`` which
    way the chest faces in it (the recogniser tells exercises that fold the same joints
    apart by it). The key angle reported per rep is the first target level's measurement,
    and goes deeper the way that level enters. ``side_of`` names the side a hold is done on,
    read as the hold settles; ``start_variant_of`` names the way the start position was
    taken (from kneeling, feet raised...), read on the start position before each hold.
    ``completed_by``: details that complete the position as a hold begins (arms stretched
    forward): the hold is dated from when they held too, where they came to hold while it
    settled; they never end a hold (that is a check's work).
    ``start_labels`` gives the start phase's words for each such variant, so the live phase
    line names the position the person is in (kneeling upright, not on hands and knees);
    ``phase_labels`` gives them where no variant has words of its own.

    Example::

        EXERCISE = Exercise(
            name="prone_press_up", title="Prone press-up", instructions=(...),
            view=CameraView.SIDE, facing=Facing.DOWN, position=(...),
            start=(at_most(trunk_lift, enter=15.0, exit=20.0),),
            target=(at_least(trunk_lift, enter=22.0, exit=17.0),),
            checks=(Check("hips_lifted", "Keep your hips and pelvis on the mat.", ...),),
            hold=HoldTarget(target_s=10.0, progression_s=30.0), reps_target=10, phase_labels={...},
        )
    """

    name: str
    title: str
    instructions: tuple[str, ...]
    view: CameraView
    position: tuple[Level, ...]
    start: tuple[Level, ...]
    target: tuple[Level, ...]
    checks: tuple[Check, ...]
    hold: HoldTarget
    reps_target: int
    phase_labels: Mapping[Phase, str]
    facing: Facing | None = None
    settle: Settle = field(default_factory=Settle)
    timing: HoldTiming = field(default_factory=HoldTiming)
    slow_release: SlowRelease | None = None
    side_of: SideOf | None = None
    start_variant_of: VariantOf | None = None
    completed_by: tuple[Level, ...] = ()
    start_labels: Mapping[str, str] = field(default_factory=dict)
    reps_are_per_side: bool = False

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem is not None:
            raise ExerciseDefinitionError(f"exercise '{self.name}': {problem}")

    def _problem(self) -> str | None:
        """What does not hold together in this definition, if anything."""
        if not self.name.isidentifier() or self.name != self.name.lower():
            return "its name must be a lower-case identifier, like knee_to_chest"
        if not self.title or not self.instructions:
            return "give it a title and the instructions"
        if not self.start or not self.target:
            return "give it a start position and a target position (levels)"
        kinds = [check.kind for check in self.checks]
        if len(set(kinds)) != len(kinds):
            return f"two checks share a kind ({', '.join(sorted(kinds))})"
        if any(not check.cue for check in self.checks):
            return "every check needs its cue"
        if any(check.during not in (Phase.START, Phase.HOLD) for check in self.checks):
            return "checks are judged during the start position or the hold"
        if not 0 < self.hold.minimum_s <= self.hold.target_s <= self.hold.progression_s:
            return "hold seconds must be 0 < minimum <= target <= progression"
        if self.reps_target < 1:
            return "reps_target must be 1 or more"
        if self.reps_are_per_side and self.side_of is None:
            return "reps counted per side need side_of"
        if any(not isinstance(phase, Phase) for phase in self.phase_labels):
            return "phase_labels are keyed by Phase"
        return self._start_labels_problem()

    def _start_labels_problem(self) -> str | None:
        """Start labels are words for the strings ``start_variant_of`` gives: a Phase key (a
        StrEnum, so a string too) is a phase label put in the wrong place."""
        if not self.start_labels:
            return None
        if self.start_variant_of is None:
            return "start_labels name start variants: give it start_variant_of too"
        if any(isinstance(variant, Phase) or not isinstance(variant, str) for variant in self.start_labels):
            return "start_labels are keyed by start variants (strings start_variant_of gives), not Phase"
        if any(not isinstance(words, str) or not words for words in self.start_labels.values()):
            return "every start label needs its words"
        return None

    @property
    def key_angle(self) -> Measurement:
        """The measurement reported per rep: the first target level's."""
        return self.target[0].measurement

    @property
    def deeper_is_higher(self) -> bool:
        """Which way the key angle goes into the hold: up for an "at least" target level."""
        return self.target[0].rising

    def label(self, phase: Phase, start_variant: str | None = None) -> str:
        """The words for a phase; the start phase's after the way it is being taken, where
        ``start_labels`` has words for that variant."""
        if phase is Phase.START and start_variant is not None and start_variant in self.start_labels:
            return self.start_labels[start_variant]
        return self.phase_labels.get(phase, phase.value.replace("_", " "))
