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


# How far the floor's normal may lean from the camera's up axis: a camera pitched down
# 45 degrees at the floor, or rolled as far, still sees a floor.
MAXIMUM_FLOOR_LEAN_DEG = 50.0


def resting_plane(
    points: np.ndarray, paired_contacts: np.ndarray, tolerance: float, shortest_span: float
) -> np.ndarray | None:
    """Unit normal (pointing up, camera y < 0) of the floor a body rests on, from its world
    points (metres), or None when no floor shows.

    ``paired_contacts`` holds the joints that can rest on a mat as (left, right) pairs,
    shape (pairs, 2, 3). Every plane through three of them that has the whole body above it
    (within ``tolerance``) is tried. A body lying or kneeling touches the floor with both
    sides (both hands, both knees...), while its flank, also a plane with the body on one
    side, touches one side only: the floor is the plane touching the most joints of both
    sides (two pairs at least: hands and knees, shoulders and hips...), fitted again through
    the joints it touches. These must span ``shortest_span`` (two feet, standing, are too
    small a patch of floor to measure).
    """
    body = np.asarray(points, dtype=np.float64)
    pairs = np.asarray(paired_contacts, dtype=np.float64)
    contacts = pairs.reshape(-1, 3)
    count = len(contacts)
    if count < 3:
        return None
    first, second, third = np.array(
        [(i, j, k) for i in range(count) for j in range(i + 1, count) for k in range(j + 1, count)]
    ).T
    normals = np.cross(contacts[second] - contacts[first], contacts[third] - contacts[first])
    lengths = np.linalg.norm(normals, axis=1)
    usable = lengths > 1e-9
    normals, first = normals[usable] / lengths[usable, None], first[usable]
    normals[normals[:, 1] > 0] *= -1
    facing_up = -normals[:, 1] >= math.cos(math.radians(MAXIMUM_FLOOR_LEAN_DEG))
    normals, anchors = normals[facing_up], contacts[first[facing_up]]
    heights = np.einsum("pnd,pd->pn", body[None, :, :] - anchors[:, None, :], normals)
    supporting = heights.min(axis=1) >= -tolerance
    if not np.any(supporting):
        return None
    normals, anchors = normals[supporting], anchors[supporting]
    contact_heights = np.einsum("pnd,pd->pn", contacts[None, :, :] - anchors[:, None, :], normals)
    touching = np.abs(contact_heights) <= tolerance
    both_sides = touching.reshape(len(normals), -1, 2).all(axis=2).sum(axis=1)
    best = int(np.lexsort((touching.sum(axis=1), both_sides))[-1])
    if both_sides[best] < 2:
        return None
    resting = contacts[touching[best]]
    centred = resting - resting.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    if float(np.ptp(centred @ axes[0])) < shortest_span:
        return None
    normal = axes[2]
    return normal if normal[1] <= 0 else -normal


def roll_deg(floor_normal: np.ndarray) -> float:
    """How far the camera is turned about its own axis, from the floor's normal in camera
    axes: positive when the floor climbs to the left of the picture, negative to the right.
    Neither the camera's pitch nor the direction it faces changes it."""
    return math.degrees(math.atan2(float(floor_normal[0]), -float(floor_normal[1])))
