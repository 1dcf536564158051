"""Coaching: the engine's events and state turned into what is said and shown live.

Reads the events of each frame and the engine state; gives ``Announcement``s (a line of
text for the terminal, and the words to speak) and keeps the rep counter the window shows,
which the person may reset without touching the session record.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from posecheck.rules.engine import EngineState
from posecheck.rules.events import (
    Event,
    FaultStarted,
    HoldFinished,
    HoldStarted,
    Phase,
    PhaseChanged,
)
from posecheck.rules.vocabulary import Exercise

COUNT_EVERY_S = 5
RELEASE_WORDS = "lower slowly"
CUE_COOLDOWN_S = 8.0

_NUMBER_WORDS = {
    5: "five",
    10: "ten",
    15: "fifteen",
    20: "twenty",
    25: "twenty-five",
    30: "thirty",
    35: "thirty-five",
    40: "forty",
    45: "forty-five",
    50: "fifty",
    55: "fifty-five",
    60: "sixty",
}


def number_words(number: int) -> str:
    return _NUMBER_WORDS.get(number, str(number))


@dataclass(frozen=True, slots=True)
class Announcement:
    """Something to tell the person: ``text`` for the terminal, ``spoken`` for the voice
    (None when it is only shown), ``cooldown_s`` before the same words may be said again;
    ``kept``: never dropped for a newer sentence (a question, what comes next)."""

    time_s: float
    text: str
    spoken: str | None = None
    cooldown_s: float = CUE_COOLDOWN_S
    kept: bool = False


class Coach:
    """Turns each frame's events into announcements; counts reps for the display."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.reps = 0
        self.reps_by_side: Counter[str] = Counter()
        self._counted_to = 0

    def reset_counter(self) -> None:
        """Starts the displayed rep count again (the session keeps every hold)."""
        self.reps = 0
        self.reps_by_side.clear()

    def counter_text(self) -> str:
        """'3 / 10', or per side for exercises counted per side: 'left 2 / 4  right 1 / 4'."""
        target = self.exercise.reps_target
        if not self.exercise.reps_are_per_side:
            return f"{self.reps} / {target}"
        sides = ["left", "right", *sorted(set(self.reps_by_side) - {"left", "right"})]
        return "  ".join(f"{side} {self.reps_by_side[side]} / {target}" for side in sides)

    def hear(self, time_s: float, events: list[Event], state: EngineState) -> list[Announcement]:
        announcements: list[Announcement] = []
        for event in events:
            announcements.extend(self._announce(time_s, event, state))
        announcements.extend(self._count(time_s, state))
        return announcements

    def _announce(self, time_s: float, event: Event, state: EngineState) -> list[Announcement]:
        if isinstance(event, PhaseChanged):
            return [Announcement(time_s, f"phase: {self._phase_words(event.phase, state)}")]
        if isinstance(event, HoldStarted):
            self._counted_to = 0
            return [Announcement(time_s, "hold started", "Hold.", cooldown_s=0.0)]
        if isinstance(event, FaultStarted):
            release = self.exercise.slow_release
            if state.phase is Phase.MOVING_OUT and (release is None or event.kind != release.kind):
                return []  # the way out of a hold is no fault in it (the summary leaves it out too)
            return [Announcement(time_s, f"! {event.cue}", event.cue)]
        if isinstance(event, HoldFinished):
            return [self._hold_finished(time_s, event)]
        return []

    def _phase_words(self, phase: Phase, state: EngineState) -> str:
        """The engine's words for the phase it is in now (the start named after the position
        seen: kneeling upright, legs straight); the exercise's own for a phase passed through
        within the frame."""
        return state.phase_label if phase is state.phase else self.exercise.label(phase)

    def _hold_finished(self, time_s: float, event: HoldFinished) -> Announcement:
        hold = event.hold
        held = f"held {hold.duration_s:.1f} s of {hold.target_s:g} s"
        if not hold.complete:
            return Announcement(time_s, f"hold ended ({held}, not counted)")
        self.reps += 1
        side = hold.side
        if self.exercise.reps_are_per_side and side:
            self.reps_by_side[side] += 1
            count = self.reps_by_side[side]
            words = f"{side.capitalize()} {'knees' if side == 'both' else 'leg'}: {count} of "
            words += f"{self.exercise.reps_target}."
        else:
            words = f"Rep {self.reps} of {self.exercise.reps_target}."
        if not hold.met:
            words += f" That was {hold.duration_s:.0f} seconds; aim for {hold.target_s:g}."
        return Announcement(time_s, f"rep done: {words} ({held})", words, cooldown_s=0.0)

    def _count(self, time_s: float, state: EngineState) -> list[Announcement]:
        """Every ``COUNT_EVERY_S`` seconds of a hold, the seconds held; at the target, also
        when to come out."""
        if state.phase is not Phase.HOLD:
            return []
        reached = math.floor(state.hold_elapsed_s / COUNT_EVERY_S) * COUNT_EVERY_S
        if reached <= self._counted_to:
            return []
        self._counted_to = reached
        words = number_words(reached)
        target = state.target_s
        if reached >= target > reached - COUNT_EVERY_S:
            words += f", {RELEASE_WORDS}"
        return [Announcement(time_s, f"held {reached} s", words.capitalize() + ".", cooldown_s=0.0)]
