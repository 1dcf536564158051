"""Small pure functions on landmark coordinates that every exercise module shares.

Image points are pixels with y pointing down; "up" means towards the top of the picture.
World points are metres in the camera's axes (y down), so for a level camera the floor is
the plane y = const and heights are -y.
"""

from __future__ import annotations

import math

import numpy as np

HORIZONTAL = np.array([1.0, 0.0])


def angle_at_deg(a: np.ndarray, vertex: np.ndarray, c: np.ndarray) -> float:
    """Angle a-vertex-c in degrees (180 for a straight limb), in 2D or 3D."""
    return angle_between_deg(np.asarray(a) - vertex, np.asarray(c) - vertex)


def angle_between_deg(u: np.ndarray, v: np.ndarray) -> float:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0.0 or nv == 0.0:
        return float("nan")
    cosine = float(np.dot(u, v)) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.asarray(a) + np.asarray(b)) / 2.0


def floor_direction(contacts: np.ndarray, maximum_tilt_deg: float = 25.0) -> np.ndarray:
    """Unit vector along the floor in the picture, fitted through points resting on it.

    A camera may stand a little tilted, so the floor is the line through the body's
    contact points (hands, knees, feet...). A fit steeper than ``maximum_tilt_deg`` means
    the points are not all on the floor, and the picture's horizontal is used instead.
    """
    points = np.asarray(contacts, dtype=np.float64)
    if len(points) < 2:
        return HORIZONTAL
    centred = points - points.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    direction = axes[0]
    if direction[0] < 0:
        direction = -direction
    tilt = math.degrees(math.atan2(abs(direction[1]), direction[0]))
    return direction if tilt <= maximum_tilt_deg else HORIZONTAL


def up_normal(floor: np.ndarray) -> np.ndarray:
    """The unit normal to the floor line that points up the picture."""
    normal = np.array([floor[1], -floor[0]])
    return normal if normal[1] < 0 else -normal


def height_above(point: np.ndarray, on_floor: np.ndarray, floor: np.ndarray = HORIZONTAL) -> float:
    """Signed distance of ``point`` above the floor line through ``on_floor``."""
    return float(np.dot(np.asarray(point) - on_floor, up_normal(floor)))


def incline_deg(start: np.ndarray, end: np.ndarray, floor: np.ndarray = HORIZONTAL) -> float:
    """Angle of the segment start->end above the floor line (negative when it points down)."""
    segment = np.asarray(end) - np.asarray(start)
    along = abs(float(np.dot(segment, floor)))
    up = float(np.dot(segment, up_normal(floor)))
    return math.degrees(math.atan2(up, along))


def world_floor_normal(along_floor: np.ndarray, across_floor: np.ndarray) -> np.ndarray:
    """Unit normal of the floor plane spanned by two world directions that lie in it (for a
    body lying down: its length and its hip axis), pointing up (towards camera y < 0)."""
    normal = np.cross(along_floor, across_floor)
    length = float(np.linalg.norm(normal))
    if length == 0.0:
        return np.array([0.0, -1.0, 0.0])
    normal = normal / length
    return normal if normal[1] <= 0 else -normal


def world_elevation_deg(vector: np.ndarray, floor_normal: np.ndarray) -> float:
    """Angle of a world vector above the floor plane with that normal."""
    length = float(np.linalg.norm(vector))
    if length == 0.0:
        return float("nan")
    sine = float(np.dot(vector, floor_normal)) / length
    return math.degrees(math.asin(max(-1.0, min(1.0, sine))))


def world_incline_deg(start: np.ndarray, end: np.ndarray) -> float:
    """Angle of a world segment above the horizontal plane of a level camera."""
    segment = np.asarray(end) - np.asarray(start)
    horizontal = math.hypot(float(segment[0]), float(segment[2]))
    return math.degrees(math.atan2(-float(segment[1]), horizontal))
