"""A routine plan: which exercises, in what order, with what holds, reps, legs and rests.

A plan is a TOML file a physiotherapist can write (``default_plan.toml``, shipped with
posecheck, is the instructions' routine and shows every key). What it leaves out comes from
the person's own targets, so the routine grows with them. A plan with a mistake is refused
with one line naming the key and the fix: a routine that silently does something else than
prescribed would be worse than none.

Example::

    plan = load_plan(Path("plan.toml"))            # or default_plan()
    steps = plan.steps_for(targets)                # each with its exercise judged on its target
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from posecheck.errors import InvalidPlanError, UnknownExerciseError
from posecheck.rules.registry import exercise_named
from posecheck.rules.vocabulary import Exercise

DEFAULT_REST_S = 30.0
LONGEST_REST_S = 600.0
LONGEST_HOLD_S = 300.0
MOST_REPS = 50
STEP_KEYS = ("name", "hold_s", "reps", "legs", "rest_s")
TOP_KEYS = ("rest_s", "exercise")


class PersonTarget(Protocol):
    """The person's own target for an exercise (``history.progression.Target``): read here,
    kept by the history."""

    @property
    def hold_s(self) -> float: ...
    @property
    def reps(self) -> int: ...
    @property
    def legs(self) -> str | None: ...


class Legs(StrEnum):
    """How an exercise done one leg at a time is done: one knee then the other, or both."""

    ALTERNATE = "alternate"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One exercise as the plan gives it; None where the person's target decides."""

    exercise: str
    hold_s: float | None = None
    reps: int | None = None
    legs: Legs | None = None
    rest_s: float = DEFAULT_REST_S


@dataclass(frozen=True, slots=True)
class RoutineStep:
    """One exercise of the routine as it will be coached: the exercise judged on the hold
    and reps to reach, the legs, and the rest after it."""

    exercise: Exercise
    hold_s: float
    reps: int
    legs: Legs | None
    rest_s: float

    @property
    def name(self) -> str:
        return self.exercise.name

    def describe(self) -> str:
        per_leg = ""
        if self.legs is Legs.ALTERNATE:
            per_leg = " each leg"
        elif self.legs is Legs.BOTH:
            per_leg = ", both knees together"
        return f"{self.exercise.title}: hold {self.hold_s:g} s, {self.reps} reps{per_leg}"


@dataclass(frozen=True, slots=True)
class RoutinePlan:
    """The plan's entries in order, and the text it was read from (kept with the record)."""

    entries: tuple[PlanEntry, ...]
    source: str
    text: str

    def steps_for(self, targets: Mapping[str, PersonTarget]) -> tuple[RoutineStep, ...]:
        """Each entry with what it leaves out taken from the person's target (else the
        exercise's starting target)."""
        return tuple(_step(entry, targets.get(entry.exercise)) for entry in self.entries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "exercises": [
                {key: value for key, value in dataclasses.asdict(entry).items() if value is not None}
                for entry in self.entries
            ],
        }


def _step(entry: PlanEntry, target: PersonTarget | None) -> RoutineStep:
    """The entry with what it leaves out from the person's target, else the exercise's
    starting one (its shortest prescribed hold, its reps)."""
    exercise = exercise_named(entry.exercise)
    hold_s = (
        entry.hold_s if entry.hold_s is not None else target.hold_s if target else exercise.hold.minimum_s
    )
    reps = entry.reps if entry.reps is not None else target.reps if target else exercise.reps_target
    legs = entry.legs
    if legs is None and exercise.reps_are_per_side:
        legs = Legs.BOTH if target is not None and target.legs == Legs.BOTH else Legs.ALTERNATE
    judged = dataclasses.replace(
        exercise, hold=dataclasses.replace(exercise.hold, target_s=hold_s), reps_target=reps
    )
    return RoutineStep(judged, hold_s, reps, legs, entry.rest_s)


def default_plan_text() -> str:
    return resources.files("posecheck.routine").joinpath("default_plan.toml").read_text(encoding="utf-8")


def default_plan() -> RoutinePlan:
    """The instructions' routine: press-ups, knee to chest, child's pose."""
    return parse_plan(default_plan_text(), "the default plan")


def load_plan(path: Path) -> RoutinePlan:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidPlanError(
            f"no plan file {path}: give the path of a .toml plan (`posecheck routine --show-plan` prints one)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise InvalidPlanError(
            f"cannot read the plan {path} ({reason}): give a readable UTF-8 .toml file"
        ) from None
    return parse_plan(text, str(path))


def parse_plan(text: str, source: str) -> RoutinePlan:
    """The plan in ``text``, checked whole; ``source`` names it in the error."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidPlanError(
            f"plan {source} is not valid TOML ({error}): fix that line (`posecheck routine --show-plan` "
            "prints a valid plan)"
        ) from None
    _only_keys(table, TOP_KEYS, f"plan {source}")
    rest_s = _seconds(table.get("rest_s", DEFAULT_REST_S), f"plan {source}: rest_s", 0.0, LONGEST_REST_S)
    listed = table.get("exercise")
    if not isinstance(listed, list) or not listed or not all(isinstance(item, dict) for item in listed):
        raise InvalidPlanError(
            f"plan {source}: no [[exercise]] table: add one per exercise "
            '(like [[exercise]] name = "childs_pose")'
        )
    entries = tuple(
        _entry(item, f"plan {source}: exercise {number}", rest_s) for number, item in enumerate(listed, 1)
    )
    names = [entry.exercise for entry in entries]
    for name in names:
        if names.count(name) > 1:
            raise InvalidPlanError(
                f"plan {source}: {name} is listed {names.count(name)} times: list each exercise once "
                "(reps sets how many times it is done)"
            )
    return RoutinePlan(entries, source, text)


def _entry(item: dict[str, Any], where: str, default_rest_s: float) -> PlanEntry:
    _only_keys(item, STEP_KEYS, where)
    name = item.get("name")
    if not isinstance(name, str):
        raise InvalidPlanError(
            f'{where}: name is missing: add name = "..." (`posecheck exercises` lists them)'
        )
    try:
        exercise = exercise_named(name)
    except UnknownExerciseError as error:
        raise InvalidPlanError(f"{where}: name: {error}") from None
    where = f"{where} ({exercise.name})"
    hold_s = item.get("hold_s")
    if hold_s is not None:
        hold_s = _seconds(hold_s, f"{where}: hold_s", exercise.timing.shortest_hold_s, LONGEST_HOLD_S)
    reps = item.get("reps")
    if reps is not None and (
        isinstance(reps, bool) or not isinstance(reps, int) or not 1 <= reps <= MOST_REPS
    ):
        raise InvalidPlanError(f"{where}: reps = {reps!r}: give a whole number from 1 to {MOST_REPS}")
    return PlanEntry(
        exercise.name,
        hold_s,
        reps,
        _legs(item.get("legs"), exercise, where),
        _seconds(item.get("rest_s", default_rest_s), f"{where}: rest_s", 0.0, LONGEST_REST_S),
    )


def _legs(value: object, exercise: Exercise, where: str) -> Legs | None:
    if value is None:
        return None
    if not exercise.reps_are_per_side:
        raise InvalidPlanError(f"{where}: legs: {exercise.name} is not done one leg at a time: remove legs")
    choices = " or ".join(f'"{legs}"' for legs in Legs)
    if value not in tuple(Legs):
        raise InvalidPlanError(f"{where}: legs = {value!r}: give {choices}")
    return Legs(str(value))


def _seconds(value: object, where: str, lowest: float, highest: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidPlanError(
            f"{where} = {value!r}: give a number of seconds from {lowest:g} to {highest:g}"
        )
    if not lowest <= value <= highest:
        raise InvalidPlanError(f"{where} = {value:g} is out of range: give {lowest:g} to {highest:g} seconds")
    return float(value)


def _only_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise InvalidPlanError(f"{where}: unknown key {key!r}: the keys are {', '.join(allowed)}")
