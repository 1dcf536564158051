"""Reps and sides: whether a hold is a repetition (the start position was seen before it, or
the last hold was released to a rest), the way its start was taken, the leg it is done with,
and how many complete holds there have been.

Reads: per frame, whether the body is at the start position, and the body in a hold's first
seconds. Adds: how a new hold was entered (from the start or not, and the start's variant),
the start variant taken now, the hold's side, and each finished hold's ``HoldFinished`` event
with the count of complete holds.
"""

from __future__ import annotations

from collections import Counter

from posecheck.rules.body import Body
from posecheck.rules.events import Event, Hold, HoldFinished
from posecheck.rules.holds import HoldDraft
from posecheck.rules.vocabulary import Exercise

SIDE_READ_S = 3.0
"""A hold's side is read over its first seconds, when the body has just settled in it: later
a close-up or a cut may hide the other leg, which the model then draws beside the first."""


class RepWatch:
    """The start position seen since the last hold, the ways it was taken, and the holds
    done. ``at_start_since``: since when the start position is held (None when it is not)."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.start_seen = False
        self.at_start_since: float | None = None
        self.variant_now: str | None = None
        self._variants: Counter[str] = Counter()
        self.holds_done = 0

    def note_start(self, time_s: float, body: Body, at_start: bool) -> None:
        """The start position seen: a hold after it is a repetition, entered the way it
        was taken (the exercise's start variant). The variant read now also names the start
        phase while the person is in it."""
        if not at_start:
            self.at_start_since = None
            self.variant_now = None
            return
        self.start_seen = True
        if self.exercise.start_variant_of is not None:
            variant = self.exercise.start_variant_of(body)
            self.variant_now = variant
            if variant is not None:
                self._variants[variant] += 1
        if self.at_start_since is None:
            self.at_start_since = time_s

    def released_to_rest(self, body: Body) -> None:
        """A hold released by the key angle (lowered out of the target, the knee let go, come
        up from the fold) ended: that rest is the start of the next rep ("a release to any
        start position"), named as the start it resembles where the exercise names starts."""
        if self.start_seen:
            return
        self.start_seen = True
        if self.exercise.start_variant_of is not None:
            variant = self.exercise.start_variant_of(body)
            if variant is not None:
                self._variants[variant] += 1

    def rested_on_the_way_in(self) -> None:
        """What looked like a hold was a rest on the way in: it counts as a start."""
        self.start_seen = True

    def entry(self) -> tuple[bool, str | None]:
        """How a hold beginning now was entered: from a start (then it is a repetition), and
        the start's variant taken most. Both are used up: the next hold needs a start of its
        own."""
        entered_from_start = self.start_seen
        variant = self._variants.most_common(1)[0][0] if self.start_seen and self._variants else None
        self._variants.clear()
        self.start_seen = False
        return entered_from_start, variant

    def read_side(self, hold: HoldDraft, time_s: float, body: Body) -> None:
        """The leg the hold is done with, read over its first ``SIDE_READ_S`` until the
        picture changes."""
        reading_side = time_s - hold.start_s <= SIDE_READ_S and not hold.side_read_over
        if self.exercise.side_of is not None and reading_side:
            side = self.exercise.side_of(body)
            if side is not None:
                hold.sides[side] += 1

    @staticmethod
    def picture_changed(hold: HoldDraft | None) -> None:
        """A cut, a close-up or a gap without the person: the running hold's side is what was
        read before it (the other leg may now be out of the picture)."""
        if hold is not None and hold.sides:
            hold.side_read_over = True

    def publish(self, hold: Hold, events: list[Event]) -> None:
        """A finished hold: counted when complete, and told."""
        if hold.complete:
            self.holds_done += 1
        events.append(HoldFinished(hold.end_s, hold))
