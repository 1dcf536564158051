"""posecheck: checks back-spasm exercise form through a camera.

The folders are the pipeline: ``pipeline`` (frames, the pose model, sides, smoothing) ->
``rules`` (the exercises' vocabulary, the body, the engine; events) -> ``analysis`` (a video or
a track into a session; recognition; set-up checks) -> ``reports``, ``history``; ``live`` runs
the same stages on a camera, ``batch`` on many videos, ``evaluation`` on the labelled corpus,
and ``cli`` is the command line over them. Exercises are the files of ``exercises/``.

Example::

    from posecheck import analyze_video
    from posecheck.pipeline.model_files import find_model

    session = analyze_video("press_up.mp4", "prone_press_up", find_model())
    print(session.reps, [hold.duration_s for hold in session.holds])
"""

import importlib
from typing import Any

__version__ = "0.1.0"

# Public names and the module each lives in. They load on first use, so `posecheck --help`
# and a Ctrl-C at start-up do not wait for OpenCV and MediaPipe to import.
_EXPORTS = {
    "analyze_video": "analysis.video",
    "analyze_track": "analysis.video",
    "Body": "rules.body",
    "Side": "rules.body",
    "EngineState": "rules.engine",
    "RuleEngine": "rules.engine",
    "Fault": "rules.events",
    "Hold": "rules.events",
    "Phase": "rules.events",
    "PersonGate": "pipeline.pose",
    "PersonSelector": "pipeline.pose",
    "Pose": "pipeline.pose",
    "PoseEstimator": "pipeline.pose",
    "StillPictureTest": "pipeline.pose",
    "available_exercises": "rules.registry",
    "exercise_named": "rules.registry",
    "CameraView": "rules.vocabulary",
    "Check": "rules.vocabulary",
    "Exercise": "rules.vocabulary",
    "HoldTarget": "rules.vocabulary",
    "Level": "rules.vocabulary",
    "Measurement": "rules.vocabulary",
    "Settle": "rules.vocabulary",
    "SlowRelease": "rules.vocabulary",
    "at_least": "rules.vocabulary",
    "at_most": "rules.vocabulary",
    "Session": "analysis.session",
    "OneEuroParameters": "pipeline.smoothing",
    "PoseSmoother": "pipeline.smoothing",
    "Frame": "pipeline.source",
    "VideoFileSource": "pipeline.source",
    "ExerciseRecogniser": "analysis.recognition",
    "Segment": "analysis.recognition",
    "RecognisedSession": "analysis.recognised",
    "analyze_video_recognised": "analysis.recognised",
    "analyze_track_recognised": "analysis.recognised",
    "SideKeeper": "pipeline.sides",
    "TurnedRetry": "pipeline.turned_retry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"posecheck.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'posecheck' has no attribute {name!r}")
