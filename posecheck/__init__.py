"""posecheck: checks back-spasm exercise form through a camera.

The pipeline, one module a stage: ``source`` -> ``pose`` -> ``smoothing`` -> ``engine``
(rules from ``exercises/``) -> ``events`` -> ``session`` -> ``report`` / ``overlay``.
"""

from posecheck.analysis import analyze_video
from posecheck.body import Body, Side
from posecheck.engine import EngineState, RuleEngine
from posecheck.events import Fault, Hold, Phase
from posecheck.pose import PersonGate, PersonSelector, Pose, PoseEstimator
from posecheck.registry import available_exercises, exercise_named
from posecheck.rules import (
    CameraView,
    Check,
    Exercise,
    HoldTarget,
    Level,
    Measurement,
    Settle,
    SlowRelease,
    at_least,
    at_most,
)
from posecheck.session import Session
from posecheck.smoothing import OneEuroParameters, PoseSmoother
from posecheck.source import Frame, VideoFileSource

__version__ = "0.1.0"

__all__ = [
    "Body",
    "CameraView",
    "Check",
    "EngineState",
    "Exercise",
    "Fault",
    "Frame",
    "Hold",
    "HoldTarget",
    "Level",
    "Measurement",
    "OneEuroParameters",
    "PersonGate",
    "PersonSelector",
    "Phase",
    "Pose",
    "PoseEstimator",
    "PoseSmoother",
    "RuleEngine",
    "Session",
    "Settle",
    "Side",
    "SlowRelease",
    "VideoFileSource",
    "analyze_video",
    "at_least",
    "at_most",
    "available_exercises",
    "exercise_named",
]
