"""posecheck: checks back-spasm exercise form through a camera.

The pipeline, one module a stage: ``source`` -> ``pose`` -> ``sides`` -> ``smoothing`` ->
``engine`` (rules from ``exercises/``) -> ``events`` -> ``session`` -> ``report`` / ``overlay``;
without a named exercise, ``recognition`` says which one is done when.
"""

import importlib
from typing import Any

__version__ = "0.1.0"

# Public names and the module each lives in. They load on first use, so `posecheck --help`
# and a Ctrl-C at start-up do not wait for OpenCV and MediaPipe to import.
_EXPORTS = {
    "analyze_video": "analysis",
    "analyze_track": "analysis",
    "Body": "body",
    "Side": "body",
    "EngineState": "engine",
    "RuleEngine": "engine",
    "Fault": "events",
    "Hold": "events",
    "Phase": "events",
    "PersonGate": "pose",
    "PersonSelector": "pose",
    "Pose": "pose",
    "PoseEstimator": "pose",
    "StillPictureTest": "pose",
    "available_exercises": "registry",
    "exercise_named": "registry",
    "CameraView": "rules",
    "Check": "rules",
    "Exercise": "rules",
    "HoldTarget": "rules",
    "Level": "rules",
    "Measurement": "rules",
    "Settle": "rules",
    "SlowRelease": "rules",
    "at_least": "rules",
    "at_most": "rules",
    "Session": "session",
    "OneEuroParameters": "smoothing",
    "PoseSmoother": "smoothing",
    "Frame": "source",
    "VideoFileSource": "source",
    "ExerciseRecognizer": "recognition",
    "Segment": "recognition",
    "RecognisedSession": "recognised_analysis",
    "analyze_video_recognised": "recognised_analysis",
    "analyze_track_recognised": "recognised_analysis",
    "SideKeeper": "sides",
    "TurnedRetry": "rotation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"posecheck.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'posecheck' has no attribute {name!r}")
