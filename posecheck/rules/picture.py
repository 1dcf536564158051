"""Whether the person is still in view and the picture unbroken: a gap without the person
longer than the exercise's ``timing.longest_gap_s`` loses them, and joints that jump between
two frames mark a cut or a close-up.

Reads: per frame, its time and the body (or none). Adds: when a lost person was last seen,
whether the picture jumped since the previous frame, and the joints' speed since then.
"""

from __future__ import annotations

from posecheck.rules.body import Body
from posecheck.rules.settling import joint_speed, picture_jumped

PICTURE_JUMP = 0.5
"""Joints do not travel half a torso length between two frames of a hold (the median joint;
the same bound as ``pipeline.sides`` puts on its mean over the limbs): a bigger jump is a cut
or a close-up, and what the side read already has stands."""


class PictureWatch:
    """The last frame with a person: when it was, and its body (until the person is lost)."""

    def __init__(self, longest_gap_s: float) -> None:
        self.longest_gap_s = longest_gap_s
        self.last_seen_s: float | None = None
        self._previous: Body | None = None

    def lost_since(self, time_s: float) -> float | None:
        """When the person was last seen, if that is longer ago than ``longest_gap_s`` (they
        are lost); None while they are in view or were never seen."""
        if self.last_seen_s is not None and time_s - self.last_seen_s > self.longest_gap_s:
            return self.last_seen_s
        return None

    def see(self, time_s: float, body: Body) -> tuple[float, bool]:
        """A frame with the person: the joints' speed since the previous one (NaN after a
        loss), and whether the picture jumped."""
        self.last_seen_s = time_s
        speed = joint_speed(body, self._previous)
        jumped = self._previous is not None and picture_jumped(body, self._previous, PICTURE_JUMP)
        self._previous = body
        return speed, jumped

    def forget(self) -> None:
        """The person was lost: the next frame with them starts afresh."""
        self._previous = None
