"""`analyze DIR|MANIFEST`: many videos at once, each session saved to its patient's history."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.cli.analyze_usage import video_options
from posecheck.cli.history import judged_against_target, open_history_for_analysis, save_session
from posecheck.errors import PosecheckError
from posecheck.terminal_text import shown, shown_lines

if TYPE_CHECKING:
    from posecheck.analysis.video import AdaptiveStride
    from posecheck.batch.manifest import BatchItem
    from posecheck.batch.runner import VideoOutcome
    from posecheck.history.store import History
    from posecheck.rules.vocabulary import Exercise


def analyze_batch(
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
            options=video_options(arguments, adaptive),
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
