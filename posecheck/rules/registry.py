"""Finds the exercise modules: every module in the ``exercises`` package that defines
``EXERCISE``. A new exercise is a new file there; nothing in ``posecheck`` changes."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from posecheck.errors import ExerciseDefinitionError, UnknownExerciseError
from posecheck.rules.vocabulary import Exercise


@cache
def available_exercises() -> dict[str, Exercise]:
    """Every exercise, by name, in the order of their files' names. An ``Exercise`` checks
    itself as it is built (see ``Exercise``); a name taken twice is refused here, naming
    both files, and so is an ``EXERCISE`` that is not an ``Exercise``."""
    package = importlib.import_module("exercises")
    found: dict[str, Exercise] = {}
    files: dict[str, str] = {}
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        file = f"exercises/{module_info.name}.py"
        module = importlib.import_module(f"exercises.{module_info.name}")
        exercise = getattr(module, "EXERCISE", None)
        if exercise is None:
            continue
        if not isinstance(exercise, Exercise):
            raise ExerciseDefinitionError(f"{file}: EXERCISE must be a posecheck Exercise")
        if exercise.name in found:
            raise ExerciseDefinitionError(
                f"{file} and {files[exercise.name]} both define the exercise '{exercise.name}': "
                "rename one of them"
            )
        found[exercise.name] = exercise
        files[exercise.name] = file
    return found


def exercise_named(name: str) -> Exercise:
    """The exercise called ``name`` (hyphens or underscores, any case)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    exercises = available_exercises()
    if key in exercises:
        return exercises[key]
    names = ", ".join(sorted(exercises))
    raise UnknownExerciseError(f"unknown exercise '{name}': choose one of {names}")
