"""`models` and `exercises`: what posecheck works with, found, installed or listed."""

from __future__ import annotations

import argparse

from posecheck.pipeline import model_files as models
from posecheck.terminal_text import shown


def install_model_command(arguments: argparse.Namespace) -> int:
    path = models.install_model(arguments.variant, arguments.to)
    print(f"Pose model ready: {shown(path)}")
    return 0


def model_path_command(arguments: argparse.Namespace) -> int:
    print(shown(models.find_model(arguments.model)))
    return 0


def exercises_command(arguments: argparse.Namespace) -> int:
    from posecheck.rules.registry import available_exercises

    for name, exercise in available_exercises().items():
        print(f"{name}: {exercise.title} (camera: {exercise.view.value})")
        for line in exercise.instructions:
            print(f"  - {line}")
        for check in exercise.checks:
            print(f'  check {check.kind}: "{check.cue}" when {check.fault_when.describe()}')
    return 0
