"""Generated bodies for rule tests: a side-on stick figure whose posture is set exactly.

Lengths are in metres; the picture is 1280x720 at 400 pixels per metre, the camera level
and side-on (the right side nearer: lying face down with the head to the right of the
picture, the left side is the far one). World coordinates follow MediaPipe's: metres around
the hips, y down, z away from the camera.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from posecheck.pipeline.landmarks import LANDMARK_COUNT, Landmark
from posecheck.pipeline.pose import Pose

PIXELS_PER_METRE = 400.0
IMAGE_SIZE = (1280, 720)
TORSO_M = 0.5


def _pose_from_points(
    time_s: float, points: dict[str, tuple[float, float]], rng: np.random.Generator | None
) -> Pose:
    """Points are (x, height) in metres for the joints of one side; both sides share them
    (the left, far side 0.2 m deeper)."""
    image = np.zeros((LANDMARK_COUNT, 2))
    world = np.zeros((LANDMARK_COUNT, 3))
    depth = np.zeros(LANDMARK_COUNT)
    hip_x, hip_height = points["HIP"]
    for landmark in Landmark:
        name = landmark.name
        side_offset = 0.0
        for prefix, offset in (("LEFT_", 0.1), ("RIGHT_", -0.1)):
            if name.startswith(prefix):
                name, side_offset = name[len(prefix) :], offset
        name = "NOSE" if name.startswith("MOUTH") else name
        key = {
            "EYE_INNER": "EYE",
            "EYE_OUTER": "EYE",
            "MOUTH": "NOSE",
            "PINKY": "WRIST",
            "INDEX": "WRIST",
            "THUMB": "WRIST",
            "FOOT_INDEX": "FOOT",
        }.get(name, name)
        x, height = points[key]
        image[landmark] = (x * PIXELS_PER_METRE + 640.0, 650.0 - height * PIXELS_PER_METRE)
        world[landmark] = (x - hip_x, -(height - hip_height), side_offset)
        depth[landmark] = side_offset * PIXELS_PER_METRE
    if rng is not None:
        image = image + rng.normal(0.0, 0.4, image.shape)
        world = world + rng.normal(0.0, 0.001, world.shape)
    visibility = np.full(LANDMARK_COUNT, 0.99)
    return Pose.from_arrays(time_s, image, depth, world, visibility, visibility, IMAGE_SIZE)


def prone(
    time_s: float,
    trunk_lift_deg: float,
    hip_raise_m: float = 0.0,
    hands_forward_m: float = 0.1,
    rng: np.random.Generator | None = None,
) -> Pose:
    """Lying face down, head to the right, hands on the mat; the trunk lifted by an angle."""
    lift = math.radians(trunk_lift_deg)
    hip = (0.0, 0.1 + hip_raise_m)
    shoulder = (hip[0] + TORSO_M * math.cos(lift), hip[1] + TORSO_M * math.sin(lift))
    wrist = (shoulder[0] + hands_forward_m, 0.03)
    elbow = ((shoulder[0] + wrist[0]) / 2 - 0.03, (shoulder[1] + wrist[1]) / 2)
    head = (shoulder[0] + 0.15 * math.cos(lift), shoulder[1] + 0.15 * math.sin(lift))
    knee_height = 0.08 + hip_raise_m * 0.5
    points = {
        "HIP": hip,
        "SHOULDER": shoulder,
        "ELBOW": elbow,
        "WRIST": wrist,
        "KNEE": (-0.45, knee_height),
        "ANKLE": (-0.87, 0.07),
        "HEEL": (-0.9, 0.1),
        "FOOT": (-0.95, 0.02),
        "EAR": head,
        "EYE": (head[0] + 0.04, head[1] - 0.01),
        "NOSE": (head[0] + 0.07, head[1] - 0.04),
    }
    return _pose_from_points(time_s, points, rng)


Profile = Sequence[tuple[float, float]]
"""(duration_s, value at its end) pieces; the value moves linearly within a piece."""


def timeline(profile: Profile, start_value: float, fps: float = 30.0) -> Iterator[tuple[float, float]]:
    time_s, value = 0.0, start_value
    for duration_s, end_value in profile:
        steps = max(1, round(duration_s * fps))
        for step in range(steps):
            yield time_s + step / fps, value + (end_value - value) * step / steps
        time_s += steps / fps
        value = end_value
    yield time_s, value


def prone_sequence(
    profile: Profile,
    start_deg: float = 5.0,
    fps: float = 30.0,
    seed: int = 1,
    hips: Callable[[float], float] = lambda t: 0.0,
) -> list[tuple[float, Pose | None]]:
    rng = np.random.default_rng(seed)
    return [
        (t, prone(t, angle, hip_raise_m=hips(t), rng=rng)) for t, angle in timeline(profile, start_deg, fps)
    ]


THIGH_M = 0.45
SHIN_M = 0.43


def _towards(point: tuple[float, float], length_m: float, angle_deg: float) -> tuple[float, float]:
    angle = math.radians(angle_deg)
    return (point[0] + length_m * math.cos(angle), point[1] + length_m * math.sin(angle))


def supine(
    time_s: float, thigh_rise_deg: float, knee_deg: float, rng: np.random.Generator | None = None
) -> Pose:
    """Lying on the back, head to the left (the right side nearer, as filmed from the person's
    right), both legs alike: each thigh rises ``thigh_rise_deg`` from the floor (0 lying
    straight, 90 upright, past 90 drawn towards the chest), the knee bent to ``knee_deg``."""
    hip = (0.0, 0.1)
    knee = _towards(hip, THIGH_M, thigh_rise_deg)
    ankle = _towards(knee, SHIN_M, thigh_rise_deg - (180.0 - knee_deg))
    points = {
        "HIP": hip,
        "SHOULDER": (-TORSO_M, 0.1),
        "ELBOW": (-0.3, 0.05),
        "WRIST": (-0.05, 0.05),
        "KNEE": knee,
        "ANKLE": ankle,
        "HEEL": (ankle[0] - 0.03, ankle[1] - 0.03),
        "FOOT": (ankle[0] + 0.05, ankle[1] + 0.06),
        "EAR": (-0.65, 0.12),
        "EYE": (-0.69, 0.17),
        "NOSE": (-0.72, 0.2),
    }
    return _pose_from_points(time_s, points, rng)


def kneeling(
    time_s: float,
    trunk_rise_deg: float,
    thigh_rise_deg: float,
    reach_m: float = 0.0,
    rng: np.random.Generator | None = None,
) -> Pose:
    """On the knees, shins on the floor, facing right (the left side the far one): the thighs
    rise ``thigh_rise_deg`` from the shins (about 30 sitting on the heels, 90 on hands and
    knees), the trunk ``trunk_rise_deg`` from the floor (90 upright, 0 level, below 0 folded
    over the thighs); the hands ``reach_m`` ahead of the shoulders, on the floor where the
    arms reach it."""
    knee = (0.0, 0.05)
    hip = _towards(knee, THIGH_M, 180.0 - thigh_rise_deg)
    shoulder = _towards(hip, TORSO_M, trunk_rise_deg)
    ear = _towards(shoulder, 0.17, trunk_rise_deg)
    face = _towards(ear, 0.07, trunk_rise_deg - 90.0)
    wrist = (shoulder[0] + reach_m, max(0.03, shoulder[1] - 0.55))
    points = {
        "HIP": hip,
        "SHOULDER": shoulder,
        "ELBOW": ((shoulder[0] + wrist[0]) / 2, (shoulder[1] + wrist[1]) / 2),
        "WRIST": wrist,
        "KNEE": knee,
        "ANKLE": (-SHIN_M, 0.05),
        "HEEL": (-SHIN_M - 0.02, 0.1),
        "FOOT": (-SHIN_M - 0.07, 0.02),
        "EAR": ear,
        "EYE": ((ear[0] + face[0]) / 2, (ear[1] + face[1]) / 2),
        "NOSE": face,
    }
    return _pose_from_points(time_s, points, rng)


Posture = tuple[float, ...]
"""The arguments after the time of a figure (``supine``, ``kneeling``), in order."""


def posture_sequence(
    figure: Callable[..., Pose],
    profile: Sequence[tuple[float, Posture]],
    start: Posture,
    fps: float = 30.0,
    seed: int = 1,
) -> list[tuple[float, Pose | None]]:
    """A figure moving from ``start`` through the postures of ``profile`` ((duration_s,
    posture at its end) pieces, each argument moving linearly within a piece)."""
    rng = np.random.default_rng(seed)
    arguments = [
        timeline([(duration_s, posture[i]) for duration_s, posture in profile], start[i], fps)
        for i in range(len(start))
    ]
    frames: list[tuple[float, Pose | None]] = []
    for values in zip(*arguments, strict=True):
        time_s = values[0][0]
        frames.append((time_s, figure(time_s, *(value for _, value in values), rng=rng)))
    return frames
