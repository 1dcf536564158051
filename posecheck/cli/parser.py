"""The command line's options: one builder per command, each naming the function it runs
(the history's commands are built beside their functions, in ``cli.history``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn, cast

from posecheck.cli.analyze import analyze_command
from posecheck.cli.catalogue import exercises_command, install_model_command, model_path_command
from posecheck.cli.history import add_history_commands, history_options
from posecheck.cli.live import live_command
from posecheck.cli.replay import replay_command
from posecheck.cli.routine import routine_command
from posecheck.credentials import CAMERA_ENVIRONMENT
from posecheck.pipeline import model_files as models
from posecheck.terminal_text import shown


class PosecheckParser(argparse.ArgumentParser):
    """argparse, its error line shown like posecheck's own (a bad option may hold any text)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {shown(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = PosecheckParser(prog="posecheck", description="Checks back-spasm exercise form from a video.")
    parser.add_argument(
        "--verbose", action="store_true", help="also show posecheck's log and MediaPipe's and FFmpeg's own"
    )
    # Every subcommand's parser is a PosecheckParser too; typed as argparse's, as the shared options are.
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True),
    )
    _add_analyze(commands)
    _add_replay(commands)
    _add_live(commands)
    _add_routine(commands)
    _add_models(commands)
    _add_exercises(commands)
    add_history_commands(commands)
    return parser


def _add_analyze(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    analyze = commands.add_parser(
        "analyze",
        parents=[history_options()],
        help="analyse a recorded video",
        # Said here: the video is optional to argparse only (see `check_analyze_usage`).
        usage="%(prog)s VIDEO|FOLDER|MANIFEST [--exercise NAME] [options]",
    )
    analyze.add_argument(
        "video",
        # Optional only so that `--ray FOLDER` (the folder taken as the address) can be read as meant.
        nargs="?",
        help="the video file, a folder of videos, or a manifest (.csv: video[,exercise][,patient])",
    )
    analyze.add_argument(
        "--exercise",
        "-e",
        help="the exercise (`posecheck exercises` lists them); without it, the exercises are recognised",
    )
    analyze.add_argument(
        "--json", type=Path, help="write the JSON report here (with a folder: a folder for one per video)"
    )
    analyze.add_argument("--annotate", type=Path, help="write the video with the overlay here (.mp4)")
    analyze.add_argument("--stride", type=int, default=1, help="analyse every n-th frame (default 1)")
    analyze.add_argument(
        "--adaptive-stride", action="store_true", help="analyse fewer frames while the body is still"
    )
    _add_batch_options(analyze)
    analyze.add_argument("--model", help="pose model bundle (.task); default: see `posecheck models path`")
    analyze.add_argument("--save-track", type=Path, help="save the landmark track (no pictures) here (.npz)")
    analyze.add_argument(
        "--turned-retry",
        action="store_true",
        help="look again, turned a quarter turn, at frames where nobody was found (slower there)",
    )
    analyze.add_argument(
        "--no-progress", action="store_true", help="no progress bar (shown only on a terminal anyway)"
    )
    analyze.add_argument("--no-history", action="store_true", help="do not save the session to the history")
    _add_routine_options(analyze, live=False)
    analyze.set_defaults(run=analyze_command)


def _add_routine_options(parser: argparse.ArgumentParser, live: bool) -> None:
    """The options a routine takes, live or from a recording."""
    if not live:
        parser.add_argument(
            "--routine", action="store_true", help="read the video as a routine: its exercises recognised"
        )
    parser.add_argument(
        "--plan", type=Path, metavar="FILE", help="the routine's plan (.toml); default: the instructions'"
    )
    parser.add_argument(
        "--answers",
        metavar="ANSWERS",
        help="the check-ins given ahead: pain_before=N,pain_after=N,stretch=yes|no|not_sure "
        "(stretch.EXERCISE=... for one exercise)",
    )


def _add_batch_options(analyze: argparse.ArgumentParser) -> None:
    """The options for a folder or manifest of videos."""
    analyze.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="with a folder or manifest: analyse N videos at once (default 1)",
    )
    analyze.add_argument(
        "--ray",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="with a folder or manifest: one Ray task a video, on the cluster at ADDRESS "
        "(HOST:6379, ray://HOST:10001, auto) or, without it, on a Ray started here",
    )
    analyze.add_argument(
        "--db-dir",
        type=Path,
        metavar="DIR",
        help="with a manifest's patient column: each patient's history in DIR/PATIENT.sqlite",
    )


def _add_replay(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    replay = commands.add_parser(
        "replay", parents=[history_options()], help="run the rules again on a saved landmark track"
    )
    replay.add_argument("track", type=Path, help="a track saved with analyze --save-track")
    replay.add_argument(
        "--exercise",
        "-e",
        help="the exercise (`posecheck exercises` lists them); without it, the exercises are recognised",
    )
    replay.add_argument("--json", type=Path, help="write the JSON report here")
    replay.add_argument("--save", action="store_true", help="save the replayed session to the history")
    replay.set_defaults(run=replay_command)


def _add_live(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    live = commands.add_parser("live", parents=[history_options()], help="coach a session live from a camera")
    live.add_argument(
        "--exercise", "-e", required=True, help="the exercise (`posecheck exercises` lists them)"
    )
    _add_camera_options(live)
    live.add_argument(
        "--turned-retry",
        action="store_true",
        help="look again, turned a quarter turn, at frames where nobody was found (adds latency there)",
    )
    live.set_defaults(run=live_command)


def _add_routine(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    routine = commands.add_parser(
        "routine",
        parents=[history_options()],
        help="the whole routine live: each exercise in turn, with check-ins",
        description="Guides the routine live: says what comes next, counts reps and holds per leg, "
        "rests between exercises, asks how the back feels, and keeps the whole routine as one record. "
        "Keys: space pauses, n skips to the next exercise, h says it hurts, q quits (what was done is "
        "kept); answers by number keys then Enter, or y, n, s.",
    )
    _add_camera_options(routine)
    _add_routine_options(routine, live=True)
    routine.add_argument(
        "--show-plan", action="store_true", help="print the plan (the default one, or --plan) and stop"
    )
    routine.set_defaults(run=routine_command)


def _add_camera_options(live: argparse.ArgumentParser) -> None:
    """The options `live` and `routine` share: the camera, the window, the voice, the outputs."""
    camera = live.add_mutually_exclusive_group()
    camera.add_argument(
        "--camera",
        help=f"camera index (default ${CAMERA_ENVIRONMENT}, else 0), stream URL, or a video as a camera",
    )
    camera.add_argument(
        "--camera-file",
        type=Path,
        metavar="FILE",
        help="read the camera address from the first line of FILE (owner-only: for one with a password)",
    )
    live.add_argument("--no-window", action="store_true", help="no window: print the events as text")
    live.add_argument("--quiet", action="store_true", help="do not speak the cues")
    live.add_argument("--json", type=Path, help="write the JSON report here")
    live.add_argument("--no-history", action="store_true", help="do not save the session to the history")
    live.add_argument("--model", help="pose model bundle (.task); default: see `posecheck models path`")


def _add_models(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models_parser = commands.add_parser("models", help="find or install the pose model")
    models_commands = models_parser.add_subparsers(dest="models_command", required=True)
    install = models_commands.add_parser("install", help="download or build the pose model")
    install.add_argument("variant", nargs="?", default="full", choices=models.VARIANTS)
    install.add_argument("--to", type=Path, help="where to write the .task file")
    install.set_defaults(run=install_model_command)
    path = models_commands.add_parser("path", help="print the model that would be used")
    path.add_argument("--model", help="an explicit model path to check")
    path.set_defaults(run=model_path_command)


def _add_exercises(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    exercises = commands.add_parser("exercises", help="list the exercises and their checks")
    exercises.set_defaults(run=exercises_command)
