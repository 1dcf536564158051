"""Finds the exercise modules: every module in the ``exercises`` package that defines
``EXERCISE``. A new exercise is a new file there; nothing in ``posecheck`` changes."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from posecheck.errors import UnknownExerciseError
from posecheck.rules.vocabulary import Exercise


@cache
def available_exercises() -> dict[str, Exercise]:
    package = importlib.import_module("exercises")
    found: dict[str, Exercise] = {}
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"exercises.{module_info.name}")
        exercise = getattr(module, "EXERCISE", None)
        if isinstance(exercise, Exercise):
            found[exercise.name] = exercise
    return found


def exercise_named(name: str) -> Exercise:
    """The exercise called ``name`` (hyphens or underscores, any case)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    exercises = available_exercises()
    if key in exercises:
        return exercises[key]
    names = ", ".join(sorted(exercises))
    raise UnknownExerciseError(f"unknown exercise '{name}': choose one of {names}")
