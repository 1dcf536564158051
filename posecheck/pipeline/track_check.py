"""A fresh look at the followed person every few seconds, to catch a track that has gone wrong.

The model follows a person from the landmarks of the frame before (``PoseEstimator``), and
a wrong fit, once taken, can be followed for a whole clip with full confidence: seen from
its other side, a man kneeling in child's pose was read with his hips at his knees for all
of a 10 s clip, while the model run on any one of those frames alone fits him well. So
every ``period_s`` the model also looks at the frame alone; when that fresh fit is on the
same body (their boxes overlap) but its limbs are elsewhere, and a second look
``CONFIRM_AFTER_S`` later still finds it so, the track has drifted: the tracker starts again
from this frame, and the fresh fit is used. (One look alone is not enough: in a cross-fade
between two shots both bodies are in the picture, and the two fits may each follow one.)

Reads: a frame and the tracked pose. Adds: the fresh pose where the track had drifted.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path

import mediapipe as mp
import numpy as np

from posecheck.closing import Closing
from posecheck.pipeline.landmarks import Landmark as L
from posecheck.pipeline.looks import LooksThread
from posecheck.pipeline.pose import (
    PersonGate,
    Pose,
    SingleImageModel,
    candidate_poses,
    given_or_own,
    model_picture,
)
from posecheck.pipeline.source import Frame

LOG = logging.getLogger(__name__)

TRACK_CHECK_PERIOD_S = 2.0
"""How often to look afresh: a drifted track is put right within 2 s, for one more model run
every 2 s (a few percent of the analysis time at 25-30 frames a second)."""

LIMB_JOINTS = np.array(
    [
        L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_ELBOW, L.RIGHT_ELBOW, L.LEFT_WRIST, L.RIGHT_WRIST,
        L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE,
    ]
)  # fmt: skip
MIRRORED_JOINTS = np.array(
    [
        L.RIGHT_SHOULDER, L.LEFT_SHOULDER, L.RIGHT_ELBOW, L.LEFT_ELBOW, L.RIGHT_WRIST, L.LEFT_WRIST,
        L.RIGHT_HIP, L.LEFT_HIP, L.RIGHT_KNEE, L.LEFT_KNEE, L.RIGHT_ANKLE, L.LEFT_ANKLE,
    ]
)  # fmt: skip

DRIFTED_TORSO_LENGTHS = 0.3
"""Two fits of one body whose limb joints lie, on average, a third of a torso length apart or
more are two readings of the body, not one reading's jitter (a few hundredths)."""

CONFIRM_AFTER_S = 0.5
"""The second look at a suspected drift: a cross-fade or a cut is over by then, a wrong fit
that the model keeps is not."""

SAME_BODY_OVERLAP = 0.5
"""Two fits whose boxes share half their joined area or more are on the same body; less, and
the fresh look found someone else (the followed person is kept)."""


def _box(pose: Pose) -> tuple[float, float, float, float]:
    points = pose.image_xy[LIMB_JOINTS]
    low, high = points.min(axis=0), points.max(axis=0)
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


def box_overlap(one: Pose, other: Pose) -> float:
    """Area shared by the two fits' boxes over the area they cover together (0 to 1)."""
    a, b = _box(one), _box(other)
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    shared = width * height
    joined = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - shared
    return shared / joined if joined > 0 else 0.0


def limb_disagreement(tracked: Pose, fresh: Pose) -> float:
    """Mean distance between the two fits' limb joints, in the fresh fit's torso lengths in
    the picture; left and right may be exchanged between two fits, so the smaller reading of
    the two pairings counts."""
    xy = fresh.image_xy
    torso = float(
        np.linalg.norm(
            xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]].mean(0) - xy[[L.LEFT_HIP, L.RIGHT_HIP]].mean(0)
        )
    )
    if torso <= 0:
        return 0.0
    same = np.linalg.norm(tracked.image_xy[LIMB_JOINTS] - xy[LIMB_JOINTS], axis=1).mean()
    exchanged = np.linalg.norm(tracked.image_xy[MIRRORED_JOINTS] - xy[LIMB_JOINTS], axis=1).mean()
    return float(min(same, exchanged)) / torso


def has_drifted(tracked: Pose, fresh: Pose) -> bool:
    """The fresh fit is on the same body as the tracked one, with its limbs elsewhere."""
    return (
        box_overlap(tracked, fresh) >= SAME_BODY_OVERLAP
        and limb_disagreement(tracked, fresh) >= DRIFTED_TORSO_LENGTHS
    )


class TrackCheck(Closing):
    """The fresh looks, with a single-image model apart from the tracking one (the one shared
    with the search for other people when given, else its own)."""

    def __init__(
        self,
        model: Path | SingleImageModel,
        period_s: float = TRACK_CHECK_PERIOD_S,
        gate: PersonGate | None = None,
    ) -> None:
        self.single_image_model, self._own_model = given_or_own(model)
        self.period_s = period_s
        self.gate = gate or PersonGate()
        self._next_look_s: float | None = None
        self._suspected = False
        self.looks = 0
        self.drifts = 0

    def look_due(self, time_s: float) -> bool:
        """Whether a look at a frame of this time is due (when its tracked pose is known, a
        look is made only if somebody is followed)."""
        return self._next_look_s is None or time_s >= self._next_look_s

    def look(self, frame: Frame) -> list[Pose]:
        """The model's fresh fits of the frame alone that pass the person gate (the look
        itself: ``start_look`` runs it beside the tracking)."""
        picture = frame.model_picture
        if not isinstance(picture, mp.Image):
            picture = model_picture(frame.image)
        found = candidate_poses(self.single_image_model.detect(picture), frame.timestamp_s, frame.size)
        return [pose for pose in found if self.gate.accepts(pose)]

    def start_look(self, frame: Frame, looks: LooksThread) -> Future[list[Pose]] | None:
        """The look at this frame started on the looks' thread, when one is due."""
        return looks.start(self.look, frame) if self.look_due(frame.timestamp_s) else None

    def fresh_fit(
        self, frame: Frame, tracked: Pose | None, started: Future[list[Pose]] | None = None
    ) -> Pose | None:
        """The fresh fit to take instead of ``tracked`` when a look is due and confirms the
        track drifted; None otherwise (nobody followed, no look due, the track right, or a
        drift suspected but not yet confirmed). ``started``: the look at this frame, started
        beside its tracking (``start_look``); without it the look is made now."""
        if tracked is None or not self.look_due(frame.timestamp_s):
            return None
        if (
            self._suspected
            and self._next_look_s is not None
            and frame.timestamp_s > self._next_look_s + CONFIRM_AFTER_S
        ):
            self._suspected = False  # the second look came too late (nobody seen meanwhile): look anew
        self.looks += 1
        found = started.result() if started is not None else self.look(frame)
        drifted = bool(found) and has_drifted(tracked, found[0])
        if drifted and not self._suspected:
            self._suspected = True
            self._next_look_s = frame.timestamp_s + CONFIRM_AFTER_S
            return None
        self._suspected = False
        self._next_look_s = frame.timestamp_s + self.period_s
        if not drifted:
            return None
        self.drifts += 1
        LOG.debug("track drifted at %.2f s: following the fresh fit", frame.timestamp_s)
        return found[0]

    def close(self) -> None:
        if self._own_model is not None:
            self._own_model.close()
