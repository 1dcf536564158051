"""The command line: a few lines over each library call.

Every user mistake ends as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, cast

from posecheck.cli.history import (
    SessionSaver,
    add_history_commands,
    history_options,
    judged_against_target,
    open_history_for_analysis,
    save_session,
)
from posecheck.credentials import CAMERA_ENVIRONMENT, read_camera_file
from posecheck.errors import PosecheckError
from posecheck.pipeline import model_files as models
from posecheck.terminal_text import shown, shown_lines

if TYPE_CHECKING:
    from posecheck.analysis.recognised import RecognisedSession
    from posecheck.analysis.session import Session
    from posecheck.analysis.video import AdaptiveStride, VideoOptions
    from posecheck.batch.manifest import BatchItem
    from posecheck.batch.runner import VideoOutcome
    from posecheck.history.store import History
    from posecheck.pipeline.pose import Pose
    from posecheck.rules.vocabulary import Exercise


def _analyze(arguments: argparse.Namespace) -> int:
    from posecheck.analysis.video import AdaptiveStride
    from posecheck.rules.registry import exercise_named

    exercise = exercise_named(arguments.exercise) if arguments.exercise is not None else None
    model = models.find_model(arguments.model)
    adaptive = AdaptiveStride() if arguments.adaptive_stride else None
    if _is_batch(arguments.video):
        return _analyze_batch(arguments, exercise, model, adaptive)
    history = None if arguments.no_history else open_history_for_analysis(arguments.db)
    with history if history is not None else contextlib.nullcontext():
        if exercise is not None:
            exercise = judged_against_target(exercise, history)
        return _analyze_into(arguments, exercise, model, adaptive, history)


def _analyze_into(
    arguments: argparse.Namespace,
    exercise: Exercise | None,
    model: Path,
    adaptive: AdaptiveStride | None,
    history: History | None,
) -> int:
    from posecheck.analysis.video import analyze_video

    if exercise is None:
        return _analyze_recognised(arguments, model, history)
    poses: list[tuple[float, Pose | None]] | None = [] if arguments.save_track else None
    saver = SessionSaver(history, arguments.video)
    with contextlib.ExitStack() as stack:
        annotated = None
        if arguments.annotate is not None:
            from posecheck.reports.overlay import AnnotatedVideo

            annotated = stack.enter_context(AnnotatedVideo(arguments.annotate, exercise.reps_target))
        session = analyze_video(
            arguments.video,
            exercise,
            model,
            _video_options(arguments, adaptive),
            keep_track=poses,
            on_hold_finished=saver.save_progress,
            each_frame=None
            if annotated is None
            else lambda frame, fps, analysis: annotated.write(
                frame.image, analysis.smoothed_pose, analysis.state, fps
            ),
        )
    _report(session, arguments.json)
    saver.save_final(session)
    if arguments.annotate is not None and session.frames:
        print(f"Annotated video written to {shown(arguments.annotate)}")
    return _finish_analysis(session, poses, arguments)


def _video_options(arguments: argparse.Namespace, adaptive: AdaptiveStride | None) -> VideoOptions:
    from posecheck.analysis.video import VideoOptions

    return VideoOptions(
        stride=arguments.stride,
        adaptive=adaptive,
        turned_retry=arguments.turned_retry,
        progress=sys.stderr.isatty() and not arguments.no_progress,
    )


def _analyze_recognised(arguments: argparse.Namespace, model: Path, history: History | None) -> int:
    """``analyze VIDEO`` without ``--exercise``: recognise the exercises, analyse each, and
    save each exercise's session to the history."""
    from posecheck.analysis.recognised import analyze_video_recognised
    from posecheck.reports.text import recognised_summary_text, write_recognised_json

    poses: list[tuple[float, Pose | None]] | None = [] if arguments.save_track else None
    recognised = analyze_video_recognised(
        arguments.video, model, _video_options(arguments, None), keep_track=poses
    )
    print(shown_lines(recognised_summary_text(recognised)))
    for session in recognised.sessions:
        save_session(session, history, arguments.video)
    if arguments.json is not None:
        write_recognised_json(recognised, arguments.json)
        print(f"Report written to {shown(arguments.json)}")
    return _finish_analysis(recognised, poses, arguments)


def _finish_analysis(
    session: Session | RecognisedSession,
    poses: list[tuple[float, Pose | None]] | None,
    arguments: argparse.Namespace,
) -> int:
    """Writes the landmark track when asked for, then reports an input that was not whole."""
    from posecheck.analysis.video import session_problem
    from posecheck.pipeline.recording import save_track, track_from_pairs

    if poses is not None:
        fps = session.frames / session.duration_s if session.duration_s > 0 else 0.0
        save_track(track_from_pairs(session.source, fps, poses), arguments.save_track)
        print(f"Landmark track written to {shown(arguments.save_track)}")
    problem = session_problem(session, arguments.video)
    if problem is not None:
        raise problem
    return 0


def _is_batch(video: str) -> bool:
    from posecheck.batch.manifest import is_manifest

    return _is_folder(video) or is_manifest(video)


def _analyze_batch(
    arguments: argparse.Namespace, exercise: Exercise | None, model: Path, adaptive: AdaptiveStride | None
) -> int:
    """``analyze DIR|MANIFEST``: every video on ``--jobs`` processes or on Ray, one table;
    each session saved by this process to its patient's history (``--db-dir``) or the one
    history. Each exercise is judged against the target in the history it goes to."""
    from posecheck.batch.manifest import batch_items
    from posecheck.batch.runner import (
        ProcessPoolRunner,
        Runner,
        analyze_videos,
        folder_problem,
        folder_summary_text,
    )

    items = batch_items(arguments.video, exercise)
    with_patients = any(item.patient is not None for item in items)
    _check_batch_items(arguments, items, with_patients, adaptive)
    runner: Runner
    if arguments.ray is not None:
        from posecheck.batch.cluster import RayRunner

        runner = RayRunner(arguments.ray or None, verbose=arguments.verbose)
    else:
        runner = ProcessPoolRunner(arguments.jobs)
    with contextlib.ExitStack() as stack:
        histories: dict[str | None, History | None] = {}
        for patient in dict.fromkeys(item.patient for item in items):
            history = None if arguments.no_history else _batch_history(arguments, patient)
            histories[patient] = stack.enter_context(history) if history is not None else None
        outcomes = analyze_videos(
            [item.video for item in items],
            [
                judged_against_target(item.exercise, histories[item.patient]) if item.exercise else None
                for item in items
            ],
            model,
            runner=runner,
            options=_video_options(arguments, adaptive),
            json_dir=arguments.json,
            progress=sys.stderr.isatty() and not arguments.no_progress,
        )
        print(
            shown_lines(
                folder_summary_text(outcomes, [item.label for item in items] if with_patients else None)
            )
        )
        for item, outcome in zip(items, outcomes, strict=True):
            _save_outcome(outcome, histories[item.patient])
    if arguments.json is not None and any(outcome.session for outcome in outcomes):
        print(f"Reports written to {shown(arguments.json)}")
    problem = folder_problem(outcomes)
    if problem is not None:
        raise problem
    return 0


def _check_batch_items(
    arguments: argparse.Namespace,
    items: Sequence[BatchItem],
    with_patients: bool,
    adaptive: AdaptiveStride | None,
) -> None:
    if with_patients and arguments.db_dir is None and not arguments.no_history:
        raise PosecheckError(
            f"{arguments.video} names patients: give --db-dir DIR for their histories (one file each), "
            "or --no-history"
        )
    if not with_patients and arguments.db_dir is not None:
        raise PosecheckError(
            f"--db-dir is for a manifest with a patient column, which {arguments.video} is not: "
            "use --db FILE, or add the column"
        )
    if adaptive is not None and any(item.exercise is None for item in items):
        raise PosecheckError(
            "--adaptive-stride needs an exercise for every video: give --exercise NAME, or fill the "
            "manifest's exercise column"
        )


def _batch_history(arguments: argparse.Namespace, patient: str | None) -> History | None:
    if patient is None:
        return open_history_for_analysis(arguments.db)
    return open_history_for_analysis(Path(arguments.db_dir) / f"{patient}.sqlite")


def _save_outcome(outcome: VideoOutcome, history: History | None) -> None:
    from posecheck.analysis.recognised import RecognisedSession

    found = outcome.session
    if found is None:
        return
    for session in found.sessions if isinstance(found, RecognisedSession) else (found,):
        save_session(session, history, outcome.path)


def _report(session: Session, json_path: Path | None) -> None:
    from posecheck.reports.text import summary_text, write_json

    print(shown_lines(summary_text(session)))
    if json_path is not None:
        write_json(session, json_path)
        print(f"Report written to {shown(json_path)}")


def _replay(arguments: argparse.Namespace) -> int:
    from posecheck.analysis.video import analyze_track
    from posecheck.pipeline.recording import load_track
    from posecheck.rules.registry import exercise_named

    track = load_track(arguments.track)
    if arguments.exercise is None:
        from posecheck.analysis.recognised import analyze_track_recognised
        from posecheck.reports.text import recognised_summary_text, write_recognised_json

        recognised = analyze_track_recognised(track)
        print(shown_lines(recognised_summary_text(recognised)))
        if arguments.json is not None:
            write_recognised_json(recognised, arguments.json)
            print(f"Report written to {shown(arguments.json)}")
        sessions = recognised.sessions
    else:
        session = analyze_track(track, exercise_named(arguments.exercise))
        _report(session, arguments.json)
        sessions = (session,)
    if arguments.save:
        history = open_history_for_analysis(arguments.db)
        with history if history is not None else contextlib.nullcontext():
            for saved in sessions:
                save_session(saved, history, None)
    return 0


def _live(arguments: argparse.Namespace) -> int:
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
    _report(result.session, arguments.json)
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


def _models_install(arguments: argparse.Namespace) -> int:
    path = models.install_model(arguments.variant, arguments.to)
    print(f"Pose model ready: {shown(path)}")
    return 0


def _models_path(arguments: argparse.Namespace) -> int:
    print(shown(models.find_model(arguments.model)))
    return 0


def _exercises(arguments: argparse.Namespace) -> int:
    from posecheck.rules.registry import available_exercises

    for name, exercise in available_exercises().items():
        print(f"{name}: {exercise.title} (camera: {exercise.view.value})")
        for line in exercise.instructions:
            print(f"  - {line}")
        for check in exercise.checks:
            print(f'  check {check.kind}: "{check.cue}" when {check.fault_when.describe()}')
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, its error line shown like posecheck's own (a bad option may hold any text)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {shown(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="posecheck", description="Checks back-spasm exercise form from a video.")
    parser.add_argument(
        "--verbose", action="store_true", help="also show posecheck's log and MediaPipe's and FFmpeg's own"
    )
    # Every subcommand's parser is a _Parser too; typed as argparse's, as the shared options are.
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True),
    )

    analyze = commands.add_parser(
        "analyze",
        parents=[history_options()],
        help="analyse a recorded video",
        # Said here: the video is optional to argparse only (see `_take_ray_address_as_the_batch`).
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
    analyze.set_defaults(run=_analyze)

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
    replay.set_defaults(run=_replay)

    live = commands.add_parser("live", parents=[history_options()], help="coach a session live from a camera")
    live.add_argument(
        "--exercise", "-e", required=True, help="the exercise (`posecheck exercises` lists them)"
    )
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
    live.add_argument(
        "--turned-retry",
        action="store_true",
        help="look again, turned a quarter turn, at frames where nobody was found (adds latency there)",
    )
    live.set_defaults(run=_live)

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
    add_history_commands(commands)
    return parser


@contextlib.contextmanager
def _native_logs_silenced(keep: bool) -> Iterator[None]:
    """MediaPipe, LiteRT and FFmpeg write their own log lines straight to file descriptor 2;
    a user should see only posecheck's. posecheck's own stderr (errors, progress bar) moves
    to a copy of the real stderr while descriptor 2 points at /dev/null."""
    if keep:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    silent = os.open(os.devnull, os.O_WRONLY)
    os.dup2(silent, 2)
    os.close(silent)
    original = sys.stderr
    sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = original
        os.dup2(saved, 2)
        os.close(saved)


def _is_folder(path: str) -> bool:
    """Whether ``path`` names a folder; a name the system refuses (too long) is not one."""
    try:
        return Path(path).is_dir()
    except OSError:
        return False


def _take_ray_address_as_the_batch(arguments: argparse.Namespace) -> None:
    """``analyze --ray FOLDER`` reads FOLDER as the address; with no video given, a path there
    (a folder, a manifest, or a video file, which --ray then refuses) is what to analyse, and
    Ray starts here, as the user meant."""
    address = arguments.ray
    if arguments.video is None and address and (_is_batch(address) or _is_file(address)):
        arguments.video, arguments.ray = address, ""


def _is_file(path: str) -> bool:
    try:
        return Path(path).is_file()
    except OSError:
        return False


def _check_analyze_usage(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    from posecheck.batch.manifest import is_manifest

    _take_ray_address_as_the_batch(arguments)
    if arguments.video is None:
        parser.error("give the video file, folder of videos or manifest to analyse")
    if arguments.jobs < 1:
        parser.error("--jobs must be 1 or more")
    if arguments.jobs > 1 and arguments.ray is not None:
        parser.error("--jobs and --ray are two ways to run a batch: choose one")
    if not _is_batch(arguments.video):
        if arguments.jobs > 1:
            parser.error("--jobs is for a folder of videos: give a folder, or leave --jobs out")
        if arguments.ray is not None:
            parser.error("--ray is for a folder of videos or a manifest: give one, or leave --ray out")
        if arguments.db_dir is not None:
            parser.error("--db-dir is for a manifest with a patient column: use --db FILE for one video")
    elif arguments.annotate is not None or arguments.save_track is not None:
        parser.error("--annotate and --save-track take one video file, not a folder or manifest")
    if arguments.db_dir is not None and arguments.db is not None:
        parser.error("--db-dir and --db both say where sessions go: choose one")
    # A manifest's rows can name their exercise: checked once it is read.
    needs_exercise = arguments.annotate is not None or (
        arguments.adaptive_stride and not is_manifest(arguments.video)
    )
    if arguments.exercise is None and needs_exercise:
        parser.error("--annotate and --adaptive-stride need --exercise NAME")


def _show_posecheck_log() -> None:
    """``--verbose``: posecheck's own log (detections dropped, holds found and left) on stderr,
    each line escaped like every other line posecheck prints."""

    class Escaped(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return shown(super().format(record))

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Escaped("posecheck: %(name)s: %(message)s"))
    log = logging.getLogger("posecheck")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        arguments = parser.parse_args(argv)
        if getattr(arguments, "stride", 1) < 1:
            parser.error("--stride must be 1 or more")
        if arguments.command == "analyze":
            _check_analyze_usage(parser, arguments)
        if arguments.verbose:
            _show_posecheck_log()
        with _native_logs_silenced(keep=arguments.verbose):
            try:
                return int(arguments.run(arguments))
            except PosecheckError as error:
                print(f"posecheck: error: {shown(error)}", file=sys.stderr)
                return error.exit_code
    except KeyboardInterrupt:
        print("posecheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
