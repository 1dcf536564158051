"""`live`: coaching from a camera, with the window, the voice, and the session saved as it goes."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.cli.history import SessionSaver, judged_against_target, open_history_for_analysis
from posecheck.cli.summaries import print_summary
from posecheck.credentials import CAMERA_ENVIRONMENT, read_camera_file
from posecheck.pipeline import model_files as models
from posecheck.terminal_text import shown

if TYPE_CHECKING:
    from posecheck.rules.vocabulary import Exercise


def live_command(arguments: argparse.Namespace) -> int:
    from posecheck.rules.registry import exercise_named

    model = models.find_model(arguments.model)
    history = None if arguments.no_history else open_history_for_analysis(arguments.db)
    with history if history is not None else contextlib.nullcontext():
        exercise = judged_against_target(exercise_named(arguments.exercise), history)
        return _live_into(arguments, exercise, model, SessionSaver(history, None))


def _live_into(arguments: argparse.Namespace, exercise: Exercise, model: Path, saver: SessionSaver) -> int:
    from posecheck.live.session import LIVE_OPTIONS, live_problem, run_live
    from posecheck.live.voice import local_voice
    from posecheck.live.window import LiveWindow
    from posecheck.pipeline.camera import LiveCamera

    voice = None if arguments.quiet else local_voice()
    if voice is None and not arguments.quiet:
        print(
            "posecheck: warning: no speech engine (install espeak-ng): cues are shown, not spoken",
            file=sys.stderr,
        )
    with contextlib.ExitStack() as stack:
        if voice is not None:
            stack.callback(voice.close)  # lets the last sentence finish
        window = (
            None if arguments.no_window else stack.enter_context(LiveWindow(f"posecheck: {exercise.title}"))
        )
        camera = stack.enter_context(LiveCamera(_camera_address(arguments)))
        print_line = _print_shown if arguments.no_window else None
        result = run_live(
            camera,
            exercise,
            model,
            window=window,
            voice=voice,
            print_line=print_line,
            on_hold_finished=saver.save_progress,
            options=dataclasses.replace(LIVE_OPTIONS, turned_retry=arguments.turned_retry),
        )
    print_summary(result.session, arguments.json)
    saver.save_final(result.session)
    problem = live_problem(result)
    if problem is not None:
        raise problem
    return 0


def _camera_address(arguments: argparse.Namespace) -> str:
    """--camera-file, else --camera, else $POSECHECK_CAMERA, else camera 0."""
    if arguments.camera_file is not None:
        return read_camera_file(arguments.camera_file)
    if arguments.camera is not None:
        return str(arguments.camera)
    return os.environ.get(CAMERA_ENVIRONMENT, "").strip() or "0"


def _print_shown(line: str) -> None:
    print(shown(line), flush=True)
