"""Batch: every video of a folder, analysed on several worker processes.

Each worker is a fresh "spawn" process (MediaPipe must not be forked) that runs the whole
pipeline (``analyze_video``) on one video at a time with its own pose model. A video's
failure, even a crashed worker, is that video's one-line error; the others go on.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

from posecheck.analysis import AdaptiveStride, analyze_video, session_problem
from posecheck.errors import (
    AnalysisCrashedError,
    FolderFailedError,
    InterruptedSessionError,
    PosecheckError,
    VideoNotFoundError,
)
from posecheck.events import Hold
from posecheck.recognised_analysis import RecognisedSession, analyze_video_recognised
from posecheck.registry import exercise_named
from posecheck.report import write_json, write_recognised_json
from posecheck.rules import Exercise
from posecheck.session import Session


@dataclass(frozen=True, slots=True)
class VideoOutcome:
    """What became of one video: its session (when one was recorded) and its error, if any."""

    path: Path
    session: Session | RecognisedSession | None
    error: str | None
    exit_code: int

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @classmethod
    def of(
        cls, path: Path, session: Session | RecognisedSession | None, problem: PosecheckError | None
    ) -> VideoOutcome:
        if problem is None:
            return cls(path, session, None, 0)
        return cls(path, session, " ".join(str(problem).split()), problem.exit_code)


@dataclass(frozen=True, slots=True)
class _Job:
    video: Path
    exercise: Exercise | None  # None: recognise the exercises
    model_path: Path
    stride: int
    adaptive: AdaptiveStride | None
    report: Path | None


def folder_videos(folder: str | os.PathLike[str]) -> list[Path]:
    """The folder's files, sorted by name, hidden ones left out. Whether each is a video is
    for the frame source to say: a file it refuses becomes that file's error."""
    files = sorted(
        path for path in Path(folder).iterdir() if path.is_file() and not path.name.startswith(".")
    )
    if not files:
        raise VideoNotFoundError(f"no file in the folder {folder}: give a folder that holds the videos")
    return files


def _report_paths(videos: Sequence[Path], json_dir: Path) -> list[Path]:
    """``<stem>.json``, or ``<name>.json`` where two videos share a stem (a.mp4, a.mov)."""
    stems = Counter(video.stem for video in videos)
    return [json_dir / f"{video.stem if stems[video.stem] == 1 else video.name}.json" for video in videos]


_stop: EventType | None = None  # in a worker: set once the parent stops handing out videos


def _start_worker(stop: EventType) -> None:
    """Keeps the parent's stop signal, and ignores Ctrl-C while idle: a worker dying of it
    would take the pool, and the other workers' results, down with it."""
    global _stop
    _stop = stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _analyze_one(job: _Job) -> VideoOutcome:
    """Runs in a worker: one video, its report, its outcome. Ctrl-C ends the analysis early
    and keeps what was recorded, as ``analyze_video`` does."""
    if _stop is not None and _stop.is_set():  # queued before Ctrl-C, beyond cancelling
        return VideoOutcome.of(job.video, None, _not_analysed(job))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    session: Session | RecognisedSession | None = None
    problem: PosecheckError | None
    try:
        if job.exercise is None:
            session = analyze_video_recognised(job.video, job.model_path, stride=job.stride)
            if job.report is not None:
                write_recognised_json(session, job.report)
        else:
            session = analyze_video(
                job.video, job.exercise, job.model_path, stride=job.stride, adaptive=job.adaptive
            )
            if job.report is not None:
                write_json(session, job.report)
        problem = (
            InterruptedSessionError(f"interrupted at {session.duration_s:.1f} s of {job.video}")
            if session.interrupted  # session_problem's wording points at a summary printed above
            else session_problem(session, job.video)
        )
    except PosecheckError as error:
        problem = error
    except KeyboardInterrupt:
        problem = _not_analysed(job)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return VideoOutcome.of(job.video, session, problem)


def _outcome_of(future: Future[VideoOutcome], job: _Job) -> VideoOutcome | None:
    """The finished future's outcome; None when its worker died (the pool breaks with it)."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None
    except Exception as error:  # a bug met on this video stays this video's error
        crash = AnalysisCrashedError(f"analysing {job.video} failed ({type(error).__name__}: {error})")
        return VideoOutcome.of(job.video, None, crash)


def _analyze_in_workers(jobs: dict[int, _Job], workers: int, done: dict[int, VideoOutcome]) -> None:
    """Adds each job's outcome to ``done`` under its index; jobs lost with a dead worker are
    left out. On Ctrl-C, no new video starts and those running are waited for."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(stop,))
    futures: dict[int, Future[VideoOutcome]] = {}
    try:
        for index, job in jobs.items():
            futures[index] = pool.submit(_analyze_one, job)
        wait(futures.values())
    except BrokenProcessPool:
        pass  # a worker died before every job was handed out; the rest are left out too
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        for index, future in futures.items():
            outcome = _outcome_of(future, jobs[index]) if future.done() and not future.cancelled() else None
            if outcome is not None:
                done[index] = outcome


def analyze_folder(
    folder: str | os.PathLike[str],
    exercise: Exercise | str | None,
    model_path: Path,
    *,
    jobs: int = 1,
    stride: int = 1,
    adaptive: AdaptiveStride | None = None,
    json_dir: str | os.PathLike[str] | None = None,
) -> list[VideoOutcome]:
    """Analyses every file of ``folder`` (see ``folder_videos``) on ``jobs`` worker processes
    and returns their outcomes in the folder's order; with ``exercise`` None, the exercises
    of each video are recognised. With ``json_dir``, each recorded
    session is also written there as ``<stem>.json``.

    Ctrl-C starts no further video; running ones stop early and keep what they recorded.
    """
    if jobs < 1:
        raise ValueError("jobs must be 1 or more")
    videos = folder_videos(folder)
    if isinstance(exercise, str):
        exercise = exercise_named(exercise)
    reports = _report_paths(videos, Path(json_dir)) if json_dir is not None else [None] * len(videos)
    work = [
        _Job(video, exercise, model_path, stride, adaptive, report)
        for video, report in zip(videos, reports, strict=True)
    ]
    done: dict[int, VideoOutcome] = {}
    interrupted = False
    try:
        _analyze_in_workers(dict(enumerate(work)), min(jobs, len(work)), done)
        # A dying worker takes the whole pool down; what it left unfinished goes again, one
        # video per pool, so that a crash is pinned on the video that causes it.
        for index in [index for index in range(len(work)) if index not in done]:
            _analyze_in_workers({index: work[index]}, 1, done)
    except KeyboardInterrupt:
        interrupted = True
    return [done.get(index) or _unfinished(job, interrupted) for index, job in enumerate(work)]


def _not_analysed(job: _Job) -> InterruptedSessionError:
    return InterruptedSessionError(f"interrupted before {job.video} was analysed")


def _unfinished(job: _Job, interrupted: bool) -> VideoOutcome:
    if interrupted:
        return VideoOutcome.of(job.video, None, _not_analysed(job))
    return VideoOutcome.of(
        job.video,
        None,
        AnalysisCrashedError(
            f"the process analysing {job.video} died (a crash in the decoder or the model, or "
            "too little memory): check that the file plays, re-export it, or analyse it alone "
            "with `posecheck --verbose analyze` to see why"
        ),
    )


_COLUMNS = ("file", "reps/target", "holds", "longest hold s", "targets met", "faults", "error")
_RECOGNISED_COLUMNS = (
    "file",
    "exercises (reps)",
    "holds",
    "longest hold s",
    "targets met",
    "faults",
    "error",
)


def _all_holds(session: Session | RecognisedSession) -> tuple[Hold, ...]:
    if isinstance(session, RecognisedSession):
        return tuple(hold for segment in session.segments for hold in segment.holds)
    return session.holds


def _reps(session: Session | RecognisedSession) -> int:
    if isinstance(session, RecognisedSession):
        return sum(segment.reps for segment in session.segments)
    return session.reps


def _row(outcome: VideoOutcome) -> tuple[str, ...]:
    session, error = outcome.session, outcome.error or ""
    if session is None:
        return (outcome.path.name, "-", "-", "-", "-", "-", error)
    if isinstance(session, RecognisedSession):
        return _recognised_row(outcome.path, session, error)
    holds = session.holds
    per_leg = " per leg" if session.reps_are_per_side else ""
    return (
        outcome.path.name,
        f"{session.reps}/{session.reps_target}{per_leg}",
        str(len(holds)),
        f"{max(hold.duration_s for hold in holds):.1f}" if holds else "-",
        str(sum(hold.met for hold in holds)),
        str(sum(len(hold.faults) for hold in holds)),
        error,
    )


def _recognised_row(path: Path, recognised: RecognisedSession, error: str) -> tuple[str, ...]:
    holds = _all_holds(recognised)
    exercises = ", ".join(f"{session.exercise} ({session.reps})" for session in recognised.sessions)
    return (
        path.name,
        exercises or "other activity",
        str(len(holds)),
        f"{max(hold.duration_s for hold in holds):.1f}" if holds else "-",
        str(sum(hold.met for hold in holds)),
        str(sum(len(hold.faults) for hold in holds)),
        error,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def folder_summary_text(outcomes: Sequence[VideoOutcome]) -> str:
    """A table with a row per video (the error last, for failed ones), then a one-line total."""
    recognising = any(isinstance(outcome.session, RecognisedSession) for outcome in outcomes)
    rows = [_RECOGNISED_COLUMNS if recognising else _COLUMNS, *map(_row, outcomes)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_COLUMNS) - 1)]
    lines = []
    for row in rows:
        numbers = [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:], strict=True)]
        lines.append("  ".join([row[0].ljust(widths[0]), *numbers, row[-1]]).rstrip())
    holds = [hold for outcome in outcomes if outcome.session for hold in _all_holds(outcome.session)]
    reps = sum(_reps(outcome.session) for outcome in outcomes if outcome.session)
    analysed = sum(outcome.ok for outcome in outcomes)
    lines.append(
        f"{_count(len(outcomes), 'video')}: {analysed} analysed, {len(outcomes) - analysed} failed; "
        f"{_count(reps, 'rep')}, {_count(len(holds), 'hold')} "
        f"({sum(hold.met for hold in holds)} met the target), "
        f"{_count(sum(len(hold.faults) for hold in holds), 'fault')}"
    )
    return "\n".join(lines)


def folder_problem(outcomes: Sequence[VideoOutcome]) -> PosecheckError | None:
    """The error to report after the table: how many videos failed, with the first failure's
    exit code (Ctrl-C's, 130, when the run was interrupted)."""
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if not failed:
        return None
    interrupted = InterruptedSessionError.exit_code
    if any(outcome.exit_code == interrupted for outcome in failed):
        return FolderFailedError(
            f"interrupted: {len(outcomes) - len(failed)} of {_count(len(outcomes), 'video')} analysed "
            "in full; the table above covers what was recorded",
            interrupted,
        )
    names = ", ".join(outcome.path.name for outcome in failed[:3]) + (", ..." if len(failed) > 3 else "")
    return FolderFailedError(
        f"{len(failed)} of {_count(len(outcomes), 'video')} failed ({names}): see the error column "
        "above, then fix, re-export or remove those files",
        failed[0].exit_code,
    )
