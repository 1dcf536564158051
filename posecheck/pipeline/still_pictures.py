"""Still pictures are not people: a drawing on a title card, a freeze frame, a poster.

The model takes a drawing of the cobra pose for a person. ``StillPictureTest`` (in
``pipeline.pose``) tells one frame by frame: the picture around the body unchanged since a
second earlier. That alone lets a drawing through for its first second (nothing a second
older to compare with) and while it fades in or out (the fade changes the picture), and a
hold can settle on it in that time. So ``StillPictureGuard`` judges each person it follows
as a whole, on time:

- a person newly found is held back until they have been found over ``CONFIRM_AFTER_S``
  without the picture around them standing still; then their frames are released, with
  their own times, so the rules time them as if there had been no wait;
- one whose picture stood still before they were released is a picture until they move for
  that long again (a drawing fading out does not come back as a person); once released, a
  person's single frames that stand still are dropped, as ``StillPictureTest`` says;
- a person is the same one while they are found again within ``SAME_PERSON_GAP_S`` in the
  same place (``ANOTHER_FIGURE_OVERLAP``); one gone or replaced before they
  were released was no person (a card fading in, a flash of a false detection).

Everything is in seconds, so 10 and 30 frames a second give the same answers.
"""

from __future__ import annotations

from enum import Enum

from posecheck.pipeline.pose import Pose, StillPictureTest
from posecheck.pipeline.source import Frame
from posecheck.pipeline.track_check import box_overlap

CONFIRM_AFTER_S = 2.0
"""Twice the still test's lag: the last comparison before the release sees the picture from
a second after the person first showed, so a card that faded in within that second is seen
standing still."""

SAME_PERSON_GAP_S = 3.0
"""A person found again this soon, where they were, is the one followed: the model loses a
body for moments in hard views, and each loss must not start a new wait."""

ANOTHER_FIGURE_OVERLAP = 0.25
"""Fits whose boxes share less than a quarter of their joined area are two figures (a cut,
someone else). One body's fits a moment apart share half or more in the corpus, walkers in
a street and small, jittery figures included, but for a few frames at cuts and of arms
swung up in a front view; the track check's bar (half) would start a new wait at those."""

Released = list[tuple[float, Pose | None]]


class _Verdict(Enum):
    NEW = "seen, not yet known to move"
    MOVING = "a person"
    STILL = "a still picture"
    STILL_MOVING = "a still picture that has begun to move"


class StillPictureGuard:
    """Frames and the followed person in; the poses released, each with its frame's time,
    in time order (a still picture's as None). ``person_now`` is the figure in the last
    frame, released or held back, unless a still picture."""

    def __init__(self, test: StillPictureTest | None = None) -> None:
        self.test = test or StillPictureTest()
        self._verdict: _Verdict | None = None
        self._since_s = 0.0
        self._held: Released = []
        self._last_found: Pose | None = None
        self.person_now: Pose | None = None

    def release(self, frame: Frame, pose: Pose | None) -> Released:
        """The poses that ``frame`` releases: none while a new person waits, or this frame's
        with those held back."""
        time_s = frame.timestamp_s
        still = self.test.is_still_picture(frame, pose)
        released = self._close_if_gone(time_s, pose)
        self.person_now = None if still or self._verdict is _Verdict.STILL else pose
        if pose is not None:
            if self._verdict is None:
                self._verdict, self._since_s = _Verdict.NEW, time_s
            self._last_found = pose
        verdict = self._verdict
        if verdict is None:
            return [*released, (time_s, None)]
        if verdict is _Verdict.MOVING:
            return [*released, (time_s, None if still else pose)]
        if verdict is _Verdict.STILL and pose is None:
            return [*released, (time_s, None)]  # nobody there: nothing to hold back
        if still:
            self._verdict, self._since_s = _Verdict.STILL, time_s
            return [*released, *self._dropped(), (time_s, None)]
        if verdict is _Verdict.STILL and pose is not None:
            self._verdict, self._since_s = _Verdict.STILL_MOVING, time_s
        self._held.append((time_s, pose))
        if pose is not None and verdict is not _Verdict.STILL and time_s - self._since_s >= CONFIRM_AFTER_S:
            self._verdict = _Verdict.MOVING
            released += self._held
            self._held = []
        return released

    @property
    def waiting(self) -> bool:
        """A person is found and held back, not yet known to move."""
        return self._verdict in (_Verdict.NEW, _Verdict.STILL_MOVING) and bool(self._held)

    def flush(self) -> Released:
        """At the end of the frames: those still held back, released as people unless the
        picture stood still (a person seen only in the last seconds was not yet compared)."""
        return self._close(at_end=True)

    def _close_if_gone(self, time_s: float, pose: Pose | None) -> Released:
        """The followed person's verdict ends when they are gone for ``SAME_PERSON_GAP_S``
        or a different figure is found."""
        last = self._last_found
        if last is None:
            return []
        gone = time_s - last.timestamp_s > SAME_PERSON_GAP_S
        if not gone and pose is not None:
            gone = box_overlap(pose, last) < ANOTHER_FIGURE_OVERLAP
        return self._close() if gone else []

    def _close(self, at_end: bool = False) -> Released:
        """Forget the followed person. What was held back is no person (a figure seen for
        less than ``CONFIRM_AFTER_S`` then gone or replaced: a card fading in or out, a
        flash of a false detection), except at the end of the frames."""
        held = self._held if at_end and self._verdict is _Verdict.NEW else self._dropped()
        self._held = []
        self._verdict = None
        self._last_found = None
        return held

    def _dropped(self) -> Released:
        dropped: Released = [(time_s, None) for time_s, _ in self._held]
        self._held = []
        return dropped
