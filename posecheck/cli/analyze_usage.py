"""`analyze`'s options checked together, where argparse checks each alone, and turned into
the options of the video analysis."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from posecheck.analysis.video import AdaptiveStride, VideoOptions


def check_analyze_usage(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    from posecheck.batch.manifest import is_manifest

    _take_ray_address_as_the_batch(arguments)
    if arguments.video is None:
        parser.error("give the video file, folder of videos or manifest to analyse")
    if arguments.jobs < 1:
        parser.error("--jobs must be 1 or more")
    if arguments.jobs > 1 and arguments.ray is not None:
        parser.error("--jobs and --ray are two ways to run a batch: choose one")
    if not is_batch(arguments.video):
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
    _check_routine_usage(parser, arguments)


def _check_routine_usage(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    """--routine reads one video as a routine: its exercises are recognised."""
    if not arguments.routine:
        if arguments.plan is not None or arguments.answers is not None:
            parser.error("--plan and --answers are for a routine: add --routine")
        return
    if arguments.exercise is not None:
        parser.error("--routine recognises the routine's exercises: leave --exercise out")
    if is_batch(arguments.video):
        parser.error("--routine takes one video file, not a folder or manifest")
    if arguments.adaptive_stride or arguments.annotate is not None or arguments.save_track is not None:
        parser.error("--routine does not take --adaptive-stride, --annotate or --save-track")


def _take_ray_address_as_the_batch(arguments: argparse.Namespace) -> None:
    """``analyze --ray FOLDER`` reads FOLDER as the address; with no video given, a path there
    (a folder, a manifest, or a video file, which --ray then refuses) is what to analyse, and
    Ray starts here, as the user meant."""
    address = arguments.ray
    if arguments.video is None and address and (is_batch(address) or _is_file(address)):
        arguments.video, arguments.ray = address, ""


def is_batch(video: str) -> bool:
    from posecheck.batch.manifest import is_manifest

    return _is_folder(video) or is_manifest(video)


def _is_folder(path: str) -> bool:
    """Whether ``path`` names a folder; a name the system refuses (too long) is not one."""
    try:
        return Path(path).is_dir()
    except OSError:
        return False


def _is_file(path: str) -> bool:
    try:
        return Path(path).is_file()
    except OSError:
        return False


def video_options(arguments: argparse.Namespace, adaptive: AdaptiveStride | None) -> VideoOptions:
    from posecheck.analysis.video import VideoOptions

    return VideoOptions(
        stride=arguments.stride,
        adaptive=adaptive,
        turned_retry=arguments.turned_retry,
        progress=sys.stderr.isatty() and not arguments.no_progress,
    )
