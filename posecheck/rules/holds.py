"""A hold while it runs, and the time it earns: its start, the key angles held, the leg it is
done with, its faults and the spans it was left, from which the credited time is the span
less every pause.

Reads: what the rule engine records frame by frame. Adds: the credited time.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from posecheck.rules.events import Fault, Unchecked
from posecheck.rules.view import Unjudged

UNCHECKED_SHARE = 0.5
"""A cue the view could not judge in half the timed frames of a hold or more is named with
that hold: the hold was timed, but that cue went unchecked."""


@dataclass(slots=True)
class HoldDraft:
    """A hold being timed. ``left_s``: when it was left (or the person lost, with
    ``left_unseen``), while it may still be resumed (unless ``released``: the key angle went
    back out of the target); ``pauses``: spans it was left and then resumed (not credited)."""

    start_s: float
    entered_from_start: bool
    keys: list[float] = field(default_factory=list)
    sides: Counter[str] = field(default_factory=Counter)
    faults: list[Fault] = field(default_factory=list)
    pauses: list[tuple[float, float]] = field(default_factory=list)
    target_announced: bool = False
    left_s: float | None = None
    left_unseen: bool = False
    released: bool = False
    variant: str | None = None
    side_read_over: bool = False
    timed_frames: int = 0
    unjudged: Counter[tuple[str, Unjudged]] = field(default_factory=Counter)

    @property
    def left(self) -> bool:
        return self.left_s is not None

    @property
    def held_level(self) -> float:
        """The key angle it is held at: the median of the angles held so far."""
        return median_of(self.keys)

    @property
    def side(self) -> str | None:
        return self.sides.most_common(1)[0][0] if self.sides else None

    def note_view(self, unjudged_cues: list[tuple[str, Unjudged]]) -> None:
        """One timed frame, with the cues the view could not judge in it."""
        self.timed_frames += 1
        first_reason: dict[str, Unjudged] = {}
        for cue, why in unjudged_cues:
            first_reason.setdefault(cue, why)
        self.unjudged.update(first_reason.items())

    def unchecked(self, share: float = UNCHECKED_SHARE) -> tuple[Unchecked, ...]:
        """The cues unjudged in ``share`` or more of the timed frames, each with the reason
        seen most often."""
        if not self.timed_frames:
            return ()
        by_cue: dict[str, Counter[Unjudged]] = {}
        for (cue, why), frames in self.unjudged.items():
            by_cue.setdefault(cue, Counter())[why] += frames
        found = []
        for cue, reasons in by_cue.items():
            frames = sum(reasons.values())
            if frames >= share * self.timed_frames:
                why = reasons.most_common(1)[0][0]
                found.append(
                    Unchecked(cue, why.reason, why.advice, round(min(1.0, frames / self.timed_frames), 2))
                )
        return tuple(found)

    def credited_s(self, until_s: float, fault_pauses: Iterable[tuple[float, float]]) -> float:
        """The time earned from the start to ``until_s``: less the spans it was left, and
        less ``fault_pauses`` (the faults that stop the clock)."""
        return uncovered_s(self.start_s, until_s, [*fault_pauses, *self.pauses])


def median_of(values: list[float]) -> float:
    """The median of the readable values (NaN when there is none)."""
    finite = [value for value in values if not math.isnan(value)]
    return statistics.median(finite) if finite else math.nan


def uncovered_s(start_s: float, end_s: float, pauses: list[tuple[float, float]]) -> float:
    """Length of [start_s, end_s] not covered by any of the pause intervals."""
    covered = 0.0
    cursor = start_s
    for pause_start, pause_end in sorted(pauses):
        pause_start, pause_end = max(pause_start, cursor), min(pause_end, end_s)
        if pause_end > pause_start:
            covered += pause_end - pause_start
            cursor = pause_end
    return max(0.0, end_s - start_s - covered)
