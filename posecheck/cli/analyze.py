"""`analyze VIDEO`: one video, against one exercise or with its exercises recognised; a
folder or manifest goes to ``cli.batch``."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.cli.analyze_usage import is_batch, video_options
from posecheck.cli.batch import analyze_batch
from posecheck.cli.history import SessionSaver, judged_against_target, open_history_for_analysis, save_session
from posecheck.cli.summaries import print_summary
from posecheck.pipeline import model_files as models
from posecheck.terminal_text import shown, shown_lines

if TYPE_CHECKING:
    from posecheck.analysis.recognised import RecognisedSession
    from posecheck.analysis.session import Session
    from posecheck.analysis.video import AdaptiveStride
    from posecheck.history.store import History
    from posecheck.pipeline.pose import Pose
    from posecheck.rules.vocabulary import Exercise


def analyze_command(arguments: argparse.Namespace) -> int:
    from posecheck.analysis.video import AdaptiveStride
    from posecheck.rules.registry import exercise_named

    exercise = exercise_named(arguments.exercise) if arguments.exercise is not None else None
    model = models.find_model(arguments.model)
    adaptive = AdaptiveStride() if arguments.adaptive_stride else None
    if is_batch(arguments.video):
        return analyze_batch(arguments, exercise, model, adaptive)
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

    if arguments.routine:
        from posecheck.cli.routine import analyze_routine

        return analyze_routine(arguments, model, history)
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
            video_options(arguments, adaptive),
            keep_track=poses,
            on_hold_finished=saver.save_progress,
            each_frame=None
            if annotated is None
            else lambda frame, fps, analysis: annotated.write(
                frame.image, analysis.smoothed_pose, analysis.state, fps
            ),
        )
    print_summary(session, arguments.json)
    saver.save_final(session)
    if arguments.annotate is not None and session.frames:
        print(f"Annotated video written to {shown(arguments.annotate)}")
    return _finish_analysis(session, poses, arguments)


def _analyze_recognised(arguments: argparse.Namespace, model: Path, history: History | None) -> int:
    """``analyze VIDEO`` without ``--exercise``: recognise the exercises, analyse each, and
    save each exercise's session to the history."""
    from posecheck.analysis.recognised import analyze_video_recognised
    from posecheck.reports.text import recognised_summary_text, write_recognised_json

    poses: list[tuple[float, Pose | None]] | None = [] if arguments.save_track else None
    recognised = analyze_video_recognised(
        arguments.video, model, video_options(arguments, None), keep_track=poses
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
