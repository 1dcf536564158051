"""The phase the person is in: away, at the start, moving in, holding, moving out.

Reads: per frame, where the body is (in the exercise's position, at its start), whether a
hold runs or was left, and whether a finished hold's way back is still followed. Adds:
``PhaseChanged`` events, and the phase now for the overlay and the voice.
"""

from __future__ import annotations

from posecheck.rules.events import Event, Phase, PhaseChanged
from posecheck.rules.holds import HoldDraft
from posecheck.rules.levels import Whereabouts


class PhaseTrack:
    """The phase, changed (with its event) when the body's whereabouts call for another."""

    def __init__(self) -> None:
        self.phase = Phase.AWAY

    def follow(
        self,
        time_s: float,
        where: Whereabouts,
        hold: HoldDraft | None,
        following_way_back: bool,
        events: list[Event],
    ) -> None:
        """One frame with a person: the phase their whereabouts and the hold give now."""
        self.set(time_s, self._phase_now(where, hold, following_way_back), events)

    def set(self, time_s: float, phase: Phase, events: list[Event]) -> None:
        if phase is not self.phase:
            self.phase = phase
            events.append(PhaseChanged(time_s, phase))

    def _phase_now(self, where: Whereabouts, hold: HoldDraft | None, following_way_back: bool) -> Phase:
        if hold is not None:
            return Phase.MOVING_OUT if hold.left_s is not None and where.in_position else Phase.HOLD
        if following_way_back:
            return Phase.MOVING_OUT
        if not where.in_position:
            return Phase.AWAY
        if where.at_start:
            return Phase.START
        return Phase.MOVING_OUT if self.phase in (Phase.HOLD, Phase.MOVING_OUT) else Phase.MOVING_IN
