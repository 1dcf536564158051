"""Shared fixtures: the real corpus and the real pose model, or a skip saying why."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from posecheck.errors import ModelNotFoundError
from posecheck.pipeline import model_files as models
from tests.routine_video import ROUTINE_CLIPS, ClipSpan, compose_routine_video

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    # Started in the background by a shell, which ignores Ctrl-C for it and for every program
    # it starts. The Ctrl-C tests send SIGINT to posecheck: with a handler here (reset to the
    # default in each program started), it is heard there.
    signal.signal(signal.SIGINT, signal.default_int_handler)

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
SHARED_MODEL = SHARED / "models" / "pose_landmarker_full.task"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "labels.toml").exists():
        pytest.skip(f"the real-footage corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def model_path() -> Path:
    try:
        return models.find_model()
    except ModelNotFoundError:
        if SHARED_MODEL.exists():
            return SHARED_MODEL
        pytest.skip("no pose model: run `posecheck models install` or set POSECHECK_MODEL")


@pytest.fixture(scope="session")
def track_cache() -> Path:
    """Pose tracks of corpus videos, reused across runs while video, model and pose code
    are unchanged (see posecheck.evaluation.corpus_track)."""
    folder = Path(os.environ.get("POSECHECK_TRACK_CACHE", models.user_cache_dir() / "tracks"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session", autouse=True)
def private_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sessions analysed by the tests go to a history of their own, never the user's."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite"
    os.environ["POSECHECK_HISTORY"] = str(path)
    return path


@pytest.fixture(scope="session")
def routine_video(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ClipSpan]]:
    """Press-up, knee to chest, then child's pose as one video, composed once per session
    (under a minute of work); with where each clip plays in it."""
    for clip in ROUTINE_CLIPS:
        if not clip.is_file():
            pytest.skip(f"the corpus clip {clip} is absent")
    path = tmp_path_factory.mktemp("routine") / "routine.mp4"
    return path, compose_routine_video(path, ROUTINE_CLIPS)
