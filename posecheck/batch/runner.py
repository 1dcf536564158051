"""Batch: every video of a folder or a manifest, analysed on several worker processes.

Each worker is a fresh "spawn" process (MediaPipe must not be forked) that runs the whole
pipeline (``analyze_job``) on one video at a time with its own pose model. A video's
failure, even a crashed worker, is that video's one-line error; the others go on. Where the
videos run is a plain callable (``Runner``): processes on this machine here, Ray tasks in
``posecheck.batch.cluster``; reports are written by the calling process only.

Example::

    outcomes = analyze_folder("videos/", "prone_press_up", models.find_model(), jobs=2)
    print(folder_summary_text(outcomes))
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

from tqdm import tqdm

from posecheck.analysis.recognised import RecognisedSession, analyze_video_recognised
from posecheck.analysis.session import Session
from posecheck.analysis.video import VideoOptions, analyze_video, session_problem
from posecheck.errors import (
    AnalysisCrashedError,
    FolderFailedError,
    InterruptedSessionError,
    OutputError,
    PosecheckError,
    VideoNotFoundError,
)
from posecheck.reports.text import write_json, write_recognised_json
from posecheck.rules.events import Hold
from posecheck.rules.registry import exercise_named
from posecheck.rules.vocabulary import Exercise


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
class VideoJob:
    """One video and how to analyse it: what a worker, local or remote, is handed."""

    video: Path
    exercise: Exercise | None  # None: recognise the exercises
    model_path: Path
    options: VideoOptions  # how the video is read (stride, adaptive stride...), as by analyze


Finished = Callable[[int, VideoOutcome], None]
# Runs the jobs (by index) and reports each outcome as it comes; a job it could not finish
# (its worker died for good) is left out. Ctrl-C: no new video starts, and the
# KeyboardInterrupt goes on to the caller once the runner has stopped.
Runner = Callable[[Mapping[int, VideoJob], Finished], None]


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
    """``<stem>.json``, or ``<name>.json`` where two videos share a stem (a.mp4, a.mov), or
    ``<number>-<name>.json`` where they share a name too (a manifest's a/1.mp4, b/1.mp4)."""
    stems = Counter(video.stem for video in videos)
    names = Counter(video.name for video in videos)
    digits = len(str(len(videos)))
    paths = []
    for number, video in enumerate(videos, 1):
        if stems[video.stem] == 1:
            paths.append(json_dir / f"{video.stem}.json")
        elif names[video.name] == 1:
            paths.append(json_dir / f"{video.name}.json")
        else:
            paths.append(json_dir / f"{number:0{digits}d}-{video.name}.json")
    return paths


_stop: EventType | None = None  # in a worker: set once the parent stops handing out videos


def _start_worker(stop: EventType) -> None:
    """Keeps the parent's stop signal, and ignores Ctrl-C while idle: a worker dying of it
    would take the pool, and the other workers' results, down with it."""
    global _stop
    _stop = stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def analyze_job(job: VideoJob) -> VideoOutcome:
    """One video through the whole pipeline, and its outcome: the code every worker runs.
    Ctrl-C ends the analysis early and keeps what was recorded, as ``analyze_video`` does."""
    session: Session | RecognisedSession | None = None
    problem: PosecheckError | None
    try:
        if job.exercise is None:
            session = analyze_video_recognised(job.video, job.model_path, job.options)
        else:
            session = analyze_video(job.video, job.exercise, job.model_path, job.options)
        problem = (
            InterruptedSessionError(f"interrupted at {session.duration_s:.1f} s of {job.video}")
            if session.interrupted  # session_problem's wording points at a summary printed above
            else session_problem(session, job.video)
        )
    except PosecheckError as error:
        problem = error
    except KeyboardInterrupt:
        problem = not_analysed(job.video)
    return VideoOutcome.of(job.video, session, problem)


def _analyze_one(job: VideoJob) -> VideoOutcome:
    """Runs in a pool worker: ``analyze_job``, with Ctrl-C heard only while it runs."""
    if _stop is not None and _stop.is_set():  # queued before Ctrl-C, beyond cancelling
        return VideoOutcome.of(job.video, None, not_analysed(job.video))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return analyze_job(job)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _outcome_of(future: Future[VideoOutcome], job: VideoJob) -> VideoOutcome | None:
    """The finished future's outcome; None when its worker died (the pool breaks with it)."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None
    except Exception as error:  # a bug met on this video stays this video's error
        crash = AnalysisCrashedError(f"analysing {job.video} failed ({type(error).__name__}: {error})")
        return VideoOutcome.of(job.video, None, crash)


def _analyze_in_workers(jobs: Mapping[int, VideoJob], workers: int, finished: Finished) -> None:
    """Reports each job's outcome as it comes; jobs lost with a dead worker are left out.
    On Ctrl-C, no new video starts and those running are waited for."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(stop,))
    futures: dict[int, Future[VideoOutcome]] = {}
    reported: set[int] = set()

    def report_done() -> None:
        for index, future in futures.items():
            if index not in reported and future.done() and not future.cancelled():
                reported.add(index)
                outcome = _outcome_of(future, jobs[index])
                if outcome is not None:
                    finished(index, outcome)

    try:
        for index, job in jobs.items():
            futures[index] = pool.submit(_analyze_one, job)
        while len(reported) < len(futures):
            wait([futures[index] for index in futures if index not in reported], return_when=FIRST_COMPLETED)
            report_done()
    except BrokenProcessPool:
        pass  # a worker died before every job was handed out; the rest are left out too
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        report_done()


class ProcessPoolRunner:
    """Runs each video in one of ``workers`` spawned processes on this machine (``--jobs``).

    A dying worker takes the whole pool down; what it left unfinished goes again, one video
    per pool, so that a crash is pinned on the video that causes it.
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("jobs must be 1 or more")
        self.workers = workers

    def __call__(self, jobs: Mapping[int, VideoJob], finished: Finished) -> None:
        done: set[int] = set()

        def record(index: int, outcome: VideoOutcome) -> None:
            done.add(index)
            finished(index, outcome)

        workers = min(self.workers, len(jobs))
        if workers > 1:  # the cores are each a worker's: the rules stay in their worker
            jobs = {index: _rules_here(job) for index, job in jobs.items()}
        _analyze_in_workers(jobs, workers, record)
        for index in [index for index in jobs if index not in done]:
            _analyze_in_workers({index: jobs[index]}, 1, record)


def _rules_here(job: VideoJob) -> VideoJob:
    return dataclasses.replace(job, options=dataclasses.replace(job.options, rules_beside=False))


def analyze_videos(
    videos: Sequence[Path],
    exercises: Sequence[Exercise | None],
    model_path: Path,
    *,
    runner: Runner,
    options: VideoOptions | None = None,
    json_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
    **option_values: Any,
) -> list[VideoOutcome]:
    """Analyses each video (with its exercise, or recognising them where None) with
    ``runner`` and returns the outcomes in the videos' order. ``options`` (or the same as
    keywords: ``stride``, ``adaptive``...) say how each video is read, as for
    ``analyze_video``. With ``json_dir``, each recorded session is written there (see
    ``_report_paths``) by this process as it comes, so what finished is kept whatever
    happens to the rest. ``progress``: one bar over the videos, on stderr.

    Ctrl-C starts no further video; what finished is kept, the rest is reported interrupted.
    """
    reports = _report_paths(videos, Path(json_dir)) if json_dir is not None else [None] * len(videos)
    options = dataclasses.replace(options or VideoOptions(), progress=False, **option_values)
    work = {
        index: VideoJob(video, exercise, model_path, options)
        for index, (video, exercise) in enumerate(zip(videos, exercises, strict=True))
    }
    done: dict[int, VideoOutcome] = {}
    interrupted = False
    with tqdm(total=len(work), unit="video", disable=not progress, leave=False) as bar:

        def finished(index: int, outcome: VideoOutcome) -> None:
            done[index] = _with_report(outcome, reports[index])
            bar.update()

        try:
            runner(work, finished)
        except KeyboardInterrupt:
            interrupted = True
    return [done.get(index) or _unfinished(job, interrupted) for index, job in work.items()]


def _with_report(outcome: VideoOutcome, report: Path | None) -> VideoOutcome:
    """The outcome after its session's JSON report is written; a report that cannot be
    written is the video's error."""
    session = outcome.session
    if report is None or session is None:
        return outcome
    try:
        if isinstance(session, RecognisedSession):
            write_recognised_json(session, report)
        else:
            write_json(session, report)
    except OutputError as error:
        return VideoOutcome.of(outcome.path, session, error)
    return outcome


def analyze_folder(
    folder: str | os.PathLike[str],
    exercise: Exercise | str | None,
    model_path: Path,
    *,
    jobs: int = 1,
    options: VideoOptions | None = None,
    json_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
    runner: Runner | None = None,
    **option_values: Any,
) -> list[VideoOutcome]:
    """Analyses every file of ``folder`` (see ``folder_videos``) on ``jobs`` worker processes
    (or with ``runner``) and returns their outcomes in the folder's order; with ``exercise``
    None, the exercises of each video are recognised. With ``json_dir``, each recorded
    session is also written there as ``<stem>.json``.

    Ctrl-C starts no further video; running ones stop early and keep what they recorded.
    """
    if isinstance(exercise, str):
        exercise = exercise_named(exercise)
    runner = runner if runner is not None else ProcessPoolRunner(jobs)
    videos = folder_videos(folder)
    return analyze_videos(
        videos,
        [exercise] * len(videos),
        model_path,
        runner=runner,
        options=options,
        json_dir=json_dir,
        progress=progress,
        **option_values,
    )


def not_analysed(video: Path) -> InterruptedSessionError:
    return InterruptedSessionError(f"interrupted before {video} was analysed")


def worker_died(video: Path) -> AnalysisCrashedError:
    return AnalysisCrashedError(
        f"the process analysing {video} died (a crash in the decoder or the model, or "
        "too little memory): check that the file plays, re-export it, or analyse it alone "
        "with `posecheck --verbose analyze` to see why"
    )


def _unfinished(job: VideoJob, interrupted: bool) -> VideoOutcome:
    return VideoOutcome.of(
        job.video, None, not_analysed(job.video) if interrupted else worker_died(job.video)
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


def folder_summary_text(outcomes: Sequence[VideoOutcome], labels: Sequence[str] | None = None) -> str:
    """A table with a row per video (the error last, for failed ones), then a one-line total.
    ``labels`` name the rows instead of the file names (a manifest's patient/file)."""
    recognising = any(isinstance(outcome.session, RecognisedSession) for outcome in outcomes)
    rows: list[tuple[str, ...]] = [_RECOGNISED_COLUMNS if recognising else _COLUMNS]
    for number, outcome in enumerate(outcomes):
        row = _row(outcome)
        rows.append((labels[number], *row[1:]) if labels is not None else row)
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
