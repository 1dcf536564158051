"""The command line: a few lines over each library call.

Every user mistake ends as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from posecheck import models
from posecheck.errors import PosecheckError


def _analyze(arguments: argparse.Namespace) -> int:
    from posecheck.analysis import analyze_video, session_problem
    from posecheck.registry import exercise_named
    from posecheck.report import summary_text, write_json

    exercise = exercise_named(arguments.exercise)
    model = models.find_model(arguments.model)
    session = analyze_video(
        arguments.video,
        exercise,
        model,
        stride=arguments.stride,
        annotate_to=arguments.annotate,
        progress=sys.stderr.isatty() and not arguments.no_progress,
    )
    print(summary_text(session))
    if arguments.json is not None:
        write_json(session, arguments.json)
        print(f"Report written to {arguments.json}")
    if arguments.annotate is not None and session.frames:
        print(f"Annotated video written to {arguments.annotate}")
    problem = session_problem(session, arguments.video)
    if problem is not None:
        raise problem
    return 0


def _models_install(arguments: argparse.Namespace) -> int:
    path = models.install_model(arguments.variant, arguments.to)
    print(f"Pose model ready: {path}")
    return 0


def _models_path(arguments: argparse.Namespace) -> int:
    print(models.find_model(arguments.model))
    return 0


def _exercises(arguments: argparse.Namespace) -> int:
    from posecheck.registry import available_exercises

    for name, exercise in available_exercises().items():
        print(f"{name}: {exercise.title} (camera: {exercise.view.value})")
        for line in exercise.instructions:
            print(f"  - {line}")
        for check in exercise.checks:
            print(f'  check {check.fault}: "{check.cue}" when {check.fault_when.describe()}')
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posecheck", description="Checks back-spasm exercise form from a video."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    analyze = commands.add_parser("analyze", help="analyse a recorded video")
    analyze.add_argument("video", help="the video file")
    analyze.add_argument(
        "--exercise", "-e", required=True, help="prone_press_up, knee_to_chest or childs_pose"
    )
    analyze.add_argument("--json", type=Path, help="write the JSON report here")
    analyze.add_argument("--annotate", type=Path, help="write the video with the overlay here (.mp4)")
    analyze.add_argument("--stride", type=int, default=1, help="analyse every n-th frame (default 1)")
    analyze.add_argument("--model", help="pose model bundle (.task); default: see `posecheck models path`")
    analyze.add_argument(
        "--no-progress", action="store_true", help="no progress bar (shown only on a terminal anyway)"
    )
    analyze.set_defaults(run=_analyze)

    models_parser = commands.add_parser("models", help="find or install the pose model")
    models_commands = models_parser.add_subparsers(dest="models_command", required=True)
    install = models_commands.add_parser("install", help="download or build the pose model")
    install.add_argument("variant", nargs="?", default="full", choices=models.VARIANTS)
    install.add_argument("--to", type=Path, help="where to write the .task file")
    install.set_defaults(run=_models_install)
    path = models_commands.add_parser("path", help="print the model that would be used")
    path.add_argument("--model", help="an explicit model path to check")
    path.set_defaults(run=_models_path)

    exercises = commands.add_parser("exercises", help="list the exercises and their checks")
    exercises.set_defaults(run=_exercises)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if getattr(arguments, "stride", 1) < 1:
        parser.error("--stride must be 1 or more")
    try:
        return int(arguments.run(arguments))
    except PosecheckError as error:
        print(f"posecheck: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("posecheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
