"""`replay TRACK`: the rules run again on a saved landmark track, no video or model needed."""

from __future__ import annotations

import argparse
import contextlib

from posecheck.cli.history import open_history_for_analysis, save_session
from posecheck.cli.summaries import print_summary
from posecheck.terminal_text import shown, shown_lines


def replay_command(arguments: argparse.Namespace) -> int:
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
        print_summary(session, arguments.json)
        sessions = (session,)
    if arguments.save:
        history = open_history_for_analysis(arguments.db)
        with history if history is not None else contextlib.nullcontext():
            for saved in sessions:
                save_session(saved, history, None)
    return 0
