"""The way back from a hold, for exercises that ask for it to be slow ("lower slowly"): a
finished hold waits here until the person reaches the start position, so that a return
faster than the exercise's ``SlowRelease.minimum_s`` is a fault of that hold.

Reads: per frame, whether the body is in the position and at its start. Adds: the hold,
with its too-fast return if there was one, once the way back is judged.
"""

from __future__ import annotations

import dataclasses

from posecheck.rules.events import Event, Fault, FaultCleared, FaultStarted, Hold
from posecheck.rules.vocabulary import SlowRelease


class ReleaseWatch:
    """At most one finished hold waiting for its way back to be judged."""

    def __init__(self, rule: SlowRelease | None) -> None:
        self.rule = rule
        self._waiting: tuple[Hold, float] | None = None

    @property
    def waiting(self) -> bool:
        return self._waiting is not None

    def follow(self, hold: Hold, released_s: float) -> None:
        """``hold`` was left at ``released_s``: its way back is judged from there."""
        self._waiting = (hold, released_s)

    def judge(
        self,
        time_s: float,
        at_start: bool,
        at_start_since: float | None,
        in_position: bool,
        events: list[Event],
    ) -> Hold | None:
        """The waiting hold once its way back is judged: on reaching the start (too fast is
        a fault), or on leaving the position or taking longer than ``window_s`` (not
        judged). None while still on the way."""
        assert self._waiting is not None and self.rule is not None
        rule = self.rule
        _, released_s = self._waiting
        if at_start:
            reached_s = max(at_start_since or time_s, released_s)
            too_fast = None
            if reached_s - released_s < rule.minimum_s:
                too_fast = Fault(rule.kind, rule.cue, released_s, reached_s)
                events.append(FaultStarted(released_s, rule.kind, rule.cue))
                events.append(FaultCleared(reached_s, rule.kind))
            return self.give_up(too_fast)
        if not in_position or time_s - released_s > rule.window_s:
            return self.give_up()
        return None

    def give_up(self, fault: Fault | None = None) -> Hold:
        """The waiting hold as it stands (with ``fault`` added): the way back is no longer
        followed (a new hold began, the person was lost, the recording ended)."""
        assert self._waiting is not None
        hold, _ = self._waiting
        self._waiting = None
        return hold if fault is None else dataclasses.replace(hold, faults=(*hold.faults, fault))
