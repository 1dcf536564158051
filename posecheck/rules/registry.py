"""Finds the exercises: the built-in ones, every module of ``posecheck.exercises`` (the
repository's ``exercises/`` folder) that defines ``EXERCISE``, then those other installed
packages add through the entry-point group ``posecheck.exercises``. A new built-in exercise
is a new file in ``exercises/``; a plug-in needs no change to posecheck at all.

A plug-in's entry point names either a module that defines ``EXERCISE`` or the ``Exercise``
itself, in the plug-in's ``pyproject.toml``::

    [project.entry-points."posecheck.exercises"]
    knee_hug = "knee_hug.exercise"              # the module; its EXERCISE is the exercise
    side_plank = "side_plank.rules:SIDE_PLANK"  # or the Exercise object

Batch workers receive an exercise pickled, its measurements by their module's name: a
plug-in's measurements are module-level functions (as the built-ins' are), and the plug-in is
installed wherever the workers run.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

from posecheck.errors import ExerciseDefinitionError, UnknownExerciseError
from posecheck.rules.vocabulary import Exercise

BUILT_IN_PACKAGE = "posecheck.exercises"
PLUG_IN_GROUP = "posecheck.exercises"


@dataclass(frozen=True, slots=True)
class _Defined:
    """An exercise and where it came from: a file of ``exercises/``, or a plug-in's entry
    point (with its distribution, which is what pip uninstalls)."""

    exercise: Exercise
    source: str
    distribution: str | None = None


@cache
def available_exercises() -> dict[str, Exercise]:
    """Every exercise, by name: the built-in ones in the order of their files' names, then
    the plug-ins' in the order of their distributions' and entry points' names. An
    ``Exercise`` checks itself as it is built (see ``Exercise``); a name taken twice is
    refused here, naming both sources, and so is an ``EXERCISE`` that is not an
    ``Exercise`` or a plug-in that cannot be loaded.

    Example::

        >>> list(available_exercises())[:3]
        ['childs_pose', 'knee_to_chest', 'prone_press_up']
    """
    found: dict[str, _Defined] = {}
    for defined in [*_built_in(), *_plug_ins()]:
        name = defined.exercise.name
        if name in found:
            raise ExerciseDefinitionError(
                f"{defined.source} and {found[name].source} both define the exercise '{name}': "
                f"{_duplicate_fix(found[name], defined)}"
            )
        found[name] = defined
    return {name: defined.exercise for name, defined in found.items()}


def exercise_named(name: str) -> Exercise:
    """The exercise called ``name`` (hyphens or underscores, any case)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    exercises = available_exercises()
    if key in exercises:
        return exercises[key]
    names = ", ".join(sorted(exercises))
    raise UnknownExerciseError(f"unknown exercise '{name}': choose one of {names}")


def _built_in() -> Iterator[_Defined]:
    package = importlib.import_module(BUILT_IN_PACKAGE)
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        file = f"exercises/{module_info.name}.py"
        module = importlib.import_module(f"{BUILT_IN_PACKAGE}.{module_info.name}")
        exercise = getattr(module, "EXERCISE", None)
        if exercise is None:
            continue
        if not isinstance(exercise, Exercise):
            raise ExerciseDefinitionError(f"{file}: EXERCISE must be a posecheck Exercise")
        yield _Defined(exercise, file)


def _plug_ins() -> Iterator[_Defined]:
    found = entry_points(group=PLUG_IN_GROUP)
    for entry_point in sorted(found, key=lambda point: (_distribution(point), point.name)):
        yield _load_plug_in(entry_point)


def _load_plug_in(entry_point: EntryPoint) -> _Defined:
    distribution = _distribution(entry_point)
    source = f"the plug-in '{entry_point.name} = {entry_point.value}' of {distribution}"
    uninstall = f"or uninstall it (pip uninstall {distribution})"
    try:
        loaded = entry_point.load()
    except ExerciseDefinitionError as error:
        raise ExerciseDefinitionError(f"{source}: {error}; fix the plug-in {uninstall}") from None
    except Exception as error:  # a plug-in's import can fail in any way: it is named, not hidden
        problem = " ".join(f"{type(error).__name__}: {error}".split())
        raise ExerciseDefinitionError(
            f"{source} cannot be loaded ({problem}): fix the plug-in {uninstall}"
        ) from None
    exercise = getattr(loaded, "EXERCISE", None) if isinstance(loaded, ModuleType) else loaded
    if not isinstance(exercise, Exercise):
        given = "a module without EXERCISE" if exercise is None else f"a {type(exercise).__name__}"
        raise ExerciseDefinitionError(
            f"{source} gives {given}, not a posecheck Exercise: point the entry point at a module "
            f"that defines EXERCISE = Exercise(...) or at the Exercise itself, {uninstall}"
        )
    return _Defined(exercise, source, distribution)


def _distribution(entry_point: EntryPoint) -> str:
    return entry_point.dist.name if entry_point.dist is not None else "an unnamed distribution"


def _duplicate_fix(first: _Defined, second: _Defined) -> str:
    plug_ins = list(dict.fromkeys(d.distribution for d in (first, second) if d.distribution is not None))
    if not plug_ins:
        return "rename one of them"
    if len(plug_ins) == 1:
        return f"rename the plug-in's exercise, or uninstall it (pip uninstall {plug_ins[0]})"
    return (
        f"rename the exercise in one of the plug-ins, or uninstall one "
        f"(pip uninstall {plug_ins[0]} or pip uninstall {plug_ins[1]})"
    )
