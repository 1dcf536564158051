"""Pose estimation: MediaPipe PoseLandmarker in VIDEO mode, one followed person per frame.

A frame gives a ``Pose`` or ``None`` (a gap). Gaps are frames with nobody in them and frames
whose "person" is implausible: title and logo cards fool the model into reporting stick
figures, so a detection must also look like a human body before it counts.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from posecheck.closing import Closing
from posecheck.errors import ModelInvalidError
from posecheck.pipeline.landmarks import LANDMARK_COUNT, Landmark
from posecheck.pipeline.source import Frame

LOG = logging.getLogger(__name__)

CORE_LANDMARKS = (
    Landmark.LEFT_SHOULDER,
    Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_HIP,
    Landmark.RIGHT_HIP,
)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, slots=True)
class Pose:
    """33 landmarks of one person at one instant.

    ``image_xy`` is in pixels of the analysed picture, so angles drawn on it are true to
    the picture; ``world_xyz`` is in metres around the hips, as the model estimates them.
    """

    timestamp_s: float
    image_xy: np.ndarray
    image_z: np.ndarray
    world_xyz: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    image_size: tuple[int, int]

    @staticmethod
    def from_arrays(
        timestamp_s: float,
        image_xy: np.ndarray,
        image_z: np.ndarray,
        world_xyz: np.ndarray,
        visibility: np.ndarray,
        presence: np.ndarray,
        image_size: tuple[int, int],
    ) -> Pose:
        return Pose(
            timestamp_s=float(timestamp_s),
            image_xy=_frozen(np.asarray(image_xy, dtype=np.float64).reshape(LANDMARK_COUNT, 2)),
            image_z=_frozen(np.asarray(image_z, dtype=np.float64).reshape(LANDMARK_COUNT)),
            world_xyz=_frozen(np.asarray(world_xyz, dtype=np.float64).reshape(LANDMARK_COUNT, 3)),
            visibility=_frozen(np.asarray(visibility, dtype=np.float64).reshape(LANDMARK_COUNT)),
            presence=_frozen(np.asarray(presence, dtype=np.float64).reshape(LANDMARK_COUNT)),
            image_size=(int(image_size[0]), int(image_size[1])),
        )

    def xy(self, landmark: Landmark) -> np.ndarray:
        return self.image_xy[landmark]

    def centre(self) -> np.ndarray:
        """Mid-point of shoulders and hips in pixels: where the person is."""
        return self.image_xy[list(CORE_LANDMARKS)].mean(axis=0)

    def with_landmarks(self, image_xy: np.ndarray, world_xyz: np.ndarray) -> Pose:
        """The same pose with smoothed coordinates."""
        return Pose.from_arrays(
            self.timestamp_s,
            image_xy,
            self.image_z,
            world_xyz,
            self.visibility,
            self.presence,
            self.image_size,
        )


@dataclass(frozen=True, slots=True)
class PersonGate:
    """Says whether a detection is a plausible human body, not a logo or a drawing.

    Thresholds: the core joints (shoulders, hips) must be seen (mean visibility), the
    model must be fairly sure the landmarks are in the picture (mean presence; pictograms in
    logos score below 0.5, people 0.64 or more in the corpus), the body must span a minimal
    part of the picture, and its estimated real size must be a human's (shoulder-to-hip
    length in metres, from the world landmarks).
    """

    minimum_core_visibility: float = 0.75
    minimum_mean_presence: float = 0.55
    minimum_extent_fraction: float = 0.12
    torso_length_range_m: tuple[float, float] = (0.25, 0.85)

    def accepts(self, pose: Pose) -> bool:
        core = list(CORE_LANDMARKS)
        if float(np.mean(pose.visibility[core])) < self.minimum_core_visibility:
            return False
        if float(np.mean(pose.presence)) < self.minimum_mean_presence:
            return False
        width, height = pose.image_size
        points = pose.image_xy[: Landmark.RIGHT_FOOT_INDEX + 1]
        extent = np.ptp(points, axis=0)
        if max(extent[0] / width, extent[1] / height) < self.minimum_extent_fraction:
            return False
        world = pose.world_xyz
        shoulders = (world[Landmark.LEFT_SHOULDER] + world[Landmark.RIGHT_SHOULDER]) / 2
        hips = (world[Landmark.LEFT_HIP] + world[Landmark.RIGHT_HIP]) / 2
        torso_m = float(np.linalg.norm(shoulders - hips))
        low, high = self.torso_length_range_m
        return low <= torso_m <= high


def candidate_poses(result: object, timestamp_s: float, size: tuple[int, int]) -> list[Pose]:
    width, height = size
    poses = []
    for image_marks, world_marks in zip(
        result.pose_landmarks,  # type: ignore[attr-defined]
        result.pose_world_landmarks,  # type: ignore[attr-defined]
        strict=True,
    ):
        image = np.array(
            [(m.x, m.y, m.z, m.visibility or 0.0, m.presence or 0.0) for m in image_marks],
            dtype=np.float64,
        )
        world = np.array([(m.x, m.y, m.z) for m in world_marks], dtype=np.float64)
        poses.append(
            Pose.from_arrays(
                timestamp_s,
                image[:, :2] * (width, height),
                image[:, 2] * width,
                world,
                image[:, 3],
                image[:, 4],
                size,
            )
        )
    return poses


class PersonSelector:
    """Picks the person to follow among the model's candidates, or None for a gap.

    Implausible candidates are dropped first (see ``PersonGate``). Of the rest, the one
    nearest the person followed in the previous frame is kept; at the start, the largest.
    """

    def __init__(self, gate: PersonGate | None = None) -> None:
        self.gate = gate or PersonGate()
        self._last_centre: np.ndarray | None = None
        self.rejected_detections = 0

    def select(self, candidates: list[Pose]) -> Pose | None:
        plausible = [pose for pose in candidates if self.gate.accepts(pose)]
        if len(plausible) < len(candidates):
            LOG.debug(
                "dropped %d detection(s) that do not look like a body", len(candidates) - len(plausible)
            )
        self.rejected_detections += len(candidates) - len(plausible)
        if not plausible:
            return None
        return self._follow(plausible)

    def _follow(self, plausible: list[Pose]) -> Pose:
        if self._last_centre is not None:
            last = self._last_centre
            chosen = min(plausible, key=lambda pose: float(np.linalg.norm(pose.centre() - last)))
        else:
            chosen = max(plausible, key=lambda pose: float(np.prod(np.ptp(pose.image_xy, axis=0))))
        self._last_centre = chosen.centre()
        return chosen


THUMBNAIL_WIDTH = 160


def grey_thumbnail(image: np.ndarray, width: int = THUMBNAIL_WIDTH) -> np.ndarray:
    """The picture in grey, ``width`` pixels wide, each pixel the mean of the area it covers."""
    height = max(1, round(image.shape[0] * width / image.shape[1]))
    return cv2.cvtColor(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)


def model_picture(image: np.ndarray) -> mp.Image:
    """The picture as the model takes it: RGB, in MediaPipe's own image (a copy)."""
    return mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


def prepared_for_pose(frame: Frame) -> Frame:
    """The frame with what the pose stage makes of every picture (the model's RGB copy, the
    still-picture test's thumbnail) made now: given to ``prefetched``, this runs on the
    decoding thread, beside the model instead of before it."""
    return dataclasses.replace(
        frame, model_picture=model_picture(frame.image), grey_thumbnail=grey_thumbnail(frame.image)
    )


class StillPictureTest:
    """Says when the "person" found is a picture that does not move: a drawing on a title
    card, a freeze frame. The model takes both for people.

    A filmed person changes the picture even when holding still: breathing, the camera's
    noise and the video's compression. So the region of the body is compared with the
    picture ``lag_s`` earlier, in grey at ``compared_width`` pixels wide: an average change
    under ``largest_still_change`` grey levels (of 255) is a picture. In the corpus, people
    holding a pose change it by 0.18 or more (most by over 0.5), drawings and freeze frames
    by under 0.1. Frames must be shown in time order; any gap between them is fine, so it
    works with frames skipped (adaptive stride) and with a camera dropping frames.
    """

    def __init__(
        self, lag_s: float = 1.0, largest_still_change: float = 0.1, compared_width: int = THUMBNAIL_WIDTH
    ) -> None:
        self.lag_s = lag_s
        self.largest_still_change = largest_still_change
        self.compared_width = compared_width
        self._pictures: deque[tuple[float, np.ndarray]] = deque()

    def is_still_picture(self, frame: Frame, pose: Pose | None) -> bool:
        """Remembers ``frame``; True when ``pose`` is in a region unchanged for ``lag_s``."""
        scale = self.compared_width / frame.size[0]
        grey = frame.grey_thumbnail
        if grey is None or grey.shape[1] != self.compared_width:
            grey = grey_thumbnail(frame.image, self.compared_width)
        earlier = None
        while self._pictures and self._pictures[0][0] <= frame.timestamp_s - self.lag_s:
            earlier = self._pictures.popleft()
        if earlier is not None:
            self._pictures.appendleft(earlier)  # still the reference for the next frame
        self._pictures.append((frame.timestamp_s, grey))
        if pose is None or earlier is None or earlier[1].shape != grey.shape:
            return False
        low = np.clip(np.floor(pose.image_xy.min(axis=0) * scale), 0, None).astype(int)
        high = np.ceil(pose.image_xy.max(axis=0) * scale).astype(int) + 1
        region = (slice(low[1], high[1]), slice(low[0], high[0]))
        now, then = grey[region], earlier[1][region]
        if now.size == 0:
            return False
        change = float(np.mean(cv2.absdiff(now, then)))
        return change < self.largest_still_change


def open_landmarker(
    model_path: Path, running_mode: vision.RunningMode, **settings: float
) -> vision.PoseLandmarker:
    """The pose model loaded for ``running_mode`` (VIDEO for the followed person, IMAGE for
    single looks); a bundle that cannot load is one clear error."""
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)), running_mode=running_mode, **settings
    )
    try:
        return vision.PoseLandmarker.create_from_options(options)
    except (RuntimeError, ValueError) as error:
        raise ModelInvalidError(
            f"the pose model {model_path} cannot be loaded ({str(error).splitlines()[0]}): "
            "run `posecheck models install` to get a working one"
        ) from None


class SingleImageModel(Closing):
    """The pose model for single pictures (IMAGE mode, one person a picture). The looks taken
    beside following the person, the track check and the search for other people, share one:
    each copy of the model costs about 80 MB of memory, and single looks keep no state
    between pictures."""

    def __init__(self, model_path: Path) -> None:
        self._landmarker = open_landmarker(model_path, vision.RunningMode.IMAGE, num_poses=1)

    def detect(self, picture: mp.Image) -> object:
        """The model's result for one picture (``candidate_poses`` reads it)."""
        return self._landmarker.detect(picture)

    def close(self) -> None:
        self._landmarker.close()


def given_or_own(model: Path | SingleImageModel) -> tuple[SingleImageModel, SingleImageModel | None]:
    """The single-image model a part uses, and the one it must close: the model it is given
    (closed by whoever opened it), or its own, opened from a model path."""
    if isinstance(model, SingleImageModel):
        return model, None
    own = SingleImageModel(model)
    return own, own


class PoseEstimator(Closing):
    """Runs the pose model (VIDEO mode) on a stream of frames: every person it reports.

    One person by default: the model then finds the person once and follows them from
    frame to frame (its person detector runs again only when they are lost), so the person
    coached stays followed when someone walks by, at about half the time per frame that
    looking for two people costs (the detector on every frame; ``bench/live.py --people 2``). Asked
    for more, the model still reported a single person on every corpus frame with two people
    in it; ``posecheck.analysis.other_people`` looks for others instead; a second look,
    turned, at frames where nobody was found is ``posecheck.pipeline.turned_retry``'s.
    """

    def __init__(
        self,
        model_path: Path,
        max_people: int = 1,
        minimum_detection_confidence: float = 0.5,
    ) -> None:
        self._settings = {
            "num_poses": max_people,
            "min_pose_detection_confidence": minimum_detection_confidence,
            "min_pose_presence_confidence": 0.5,
            "min_tracking_confidence": 0.5,
        }
        self._model_path = model_path
        self._landmarker = open_landmarker(model_path, vision.RunningMode.VIDEO, **self._settings)
        self._last_timestamp_ms = -1

    def restart(self) -> None:
        """Forgets the person followed: the next frame is looked at afresh (see
        ``posecheck.pipeline.track_check``)."""
        fresh = open_landmarker(self._model_path, vision.RunningMode.VIDEO, **self._settings)
        self._landmarker, old = fresh, self._landmarker
        old.close()

    def detect(self, frame: Frame) -> list[Pose]:
        """Every person the model reports in this frame."""
        timestamp_ms = max(round(frame.timestamp_s * 1000), self._last_timestamp_ms + 1)
        self._last_timestamp_ms = timestamp_ms
        picture = frame.model_picture
        if not isinstance(picture, mp.Image):
            picture = model_picture(frame.image)
        result = self._landmarker.detect_for_video(picture, timestamp_ms)
        return candidate_poses(result, frame.timestamp_s, frame.size)

    def close(self) -> None:
        self._landmarker.close()
