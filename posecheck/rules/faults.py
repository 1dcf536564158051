"""The exercise's checks, frame by frame: when each fault began and ended, and which cues
the camera's view could not judge in the frame.

Reads: a body per frame, and since when each check is judged (a hold's checks from the
hold's start, the start position's from when it was taken). Adds: ``FaultStarted`` and
``FaultCleared`` events, the faults of the running hold and of the start before it, and
``unjudged_now``: the hold's cues the view could not judge in the last frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from posecheck.rules.body import Body
from posecheck.rules.events import Event, Fault, FaultCleared, FaultStarted, Phase
from posecheck.rules.levels import LevelLatch
from posecheck.rules.view import Unjudged
from posecheck.rules.vocabulary import Check

START_FAULT_OVERLAP_S = 0.5
"""A fault of the start position that ended this soon after the hold was dated to begin still
belongs to that rep's start (the hold is dated back to the body's arrival)."""


@dataclass(slots=True)
class _CheckState:
    check: Check
    latch: LevelLatch
    on_since: float | None = None
    active_since: float | None = None


class FaultWatch:
    """Every check of one exercise. A fault is dated from when its condition began, or from
    when the check began to be judged if later: a fault already there as a hold is found
    (hips lifted from the first frame) earns that hold no time."""

    def __init__(self, checks: tuple[Check, ...]) -> None:
        self._checks = [_CheckState(check, LevelLatch(check.fault_when)) for check in checks]
        self._start_faults: list[Fault] = []
        self.unjudged_now: list[tuple[str, Unjudged]] = []

    def update(
        self,
        time_s: float,
        body: Body,
        *,
        hold_since: float | None,
        start_since: float | None,
        hold_faults: list[Fault] | None,
        timing_hold: bool,
        events: list[Event],
    ) -> None:
        """One frame. ``hold_since``: the running hold's start (None without one);
        ``start_since``: since when the start position is held (None when it is not);
        ``hold_faults`` receives the hold's faults as they clear; ``timing_hold``: the hold
        is being timed now (not left), so a check the view cannot judge counts as unchecked.
        A reading the view cannot judge keeps the fault as it was."""
        self.unjudged_now = []
        for state in self._checks:
            check = state.check
            judged_since = hold_since if check.during is Phase.HOLD else start_since
            applies = check.applies is None or check.applies(body)
            reading = check.fault_when.measurement.judge(body)
            if not reading.judged and check.during is Phase.HOLD and timing_hold and applies:
                why = reading.unjudged
                if why is not None:
                    self.unjudged_now.append((check.cue, why))
            value = reading.value if reading.judged else float("nan")
            condition = state.latch.update(value) and applies
            if not condition:
                state.on_since = None
            elif state.on_since is None:
                state.on_since = time_s
            if condition and judged_since is not None:
                assert state.on_since is not None
                if state.active_since is None and time_s - state.on_since >= check.persist_s:
                    state.active_since = max(state.on_since, judged_since)
                    events.append(FaultStarted(state.active_since, check.kind, check.cue))
                continue
            if state.active_since is not None:
                fault = Fault(check.kind, check.cue, state.active_since, time_s)
                state.active_since = None
                events.append(FaultCleared(time_s, check.kind))
                if check.during is Phase.HOLD and hold_faults is not None:
                    hold_faults.append(fault)
                else:
                    self._start_faults.append(fault)

    def end_hold(self, end_s: float, events: list[Event]) -> list[Fault]:
        """The hold's faults still on as it ends, closed at ``end_s``."""
        closed = []
        for state in self._checks:
            if state.check.during is Phase.HOLD and state.active_since is not None:
                closed.append(Fault(state.check.kind, state.check.cue, state.active_since, end_s))
                events.append(FaultCleared(end_s, state.check.kind))
                state.active_since = None
                state.on_since = None
        return closed

    def take_start_faults(self, hold_start_s: float) -> list[Fault]:
        """The start position's faults that belong to a hold starting at ``hold_start_s``
        (the rest are forgotten: they belonged to no rep)."""
        taken = [f for f in self._start_faults if f.end_s <= hold_start_s + START_FAULT_OVERLAP_S]
        self._start_faults = []
        return taken

    def pauses(self, kind: str) -> bool:
        """Whether a fault of this kind stops the hold's credited time."""
        return any(state.check.kind == kind and state.check.pauses_hold for state in self._checks)

    def running_pauses(self, now_s: float) -> list[tuple[float, float]]:
        """The spans, up to now, of the hold's pausing faults still on."""
        return [
            (state.active_since, now_s)
            for state in self._checks
            if state.active_since is not None and state.check.pauses_hold and state.check.during is Phase.HOLD
        ]

    def active_cues(self) -> tuple[str, ...]:
        return tuple(state.check.cue for state in self._checks if state.active_since is not None)
