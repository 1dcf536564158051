"""Session: the record of one exercise session, built from the engine's events.

``SessionRecorder`` listens to every frame's events and presence; ``Session`` is what is
left when it ends: holds, reps and set-up notes, immutable and ready for the reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise

from posecheck.rules.events import Event, Hold, HoldFinished, Phase
from posecheck.rules.nearest import NearestMiss
from posecheck.rules.vocabulary import Exercise


@dataclass(frozen=True, slots=True)
class KeyAngleTrace:
    """The key angle (NaN where unseen) and the phase at every analysed frame: enough to
    plot a session afterwards without keeping a landmark or a picture."""

    times_s: tuple[float, ...] = ()
    angles_deg: tuple[float, ...] = ()
    phases: tuple[Phase, ...] = ()

    def __len__(self) -> int:
        return len(self.times_s)


@dataclass(frozen=True, slots=True)
class Session:
    """One analysed session. ``nearest``: in a session with a person in view and no hold,
    what came nearest to one (None otherwise)."""

    exercise: str
    title: str
    source: str
    started_at: str
    duration_s: float
    frames: int
    frames_with_person: int
    holds: tuple[Hold, ...]
    reps_target: int
    reps_are_per_side: bool
    notes: tuple[str, ...] = ()
    ended_early: bool = False
    interrupted: bool = False
    trace: KeyAngleTrace = KeyAngleTrace()
    nearest: NearestMiss | None = None

    @property
    def reps(self) -> int:
        """Holds entered from the start position and left inside the recording."""
        return sum(1 for hold in self.holds if hold.complete)

    @property
    def reps_by_side(self) -> dict[str, int]:
        counts = Counter(hold.side for hold in self.holds if hold.complete and hold.side)
        return dict(sorted(counts.items()))


@dataclass(slots=True)
class SessionRecorder:
    """Collects what a session needs while the frames go by."""

    exercise: Exercise
    source: str
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    frames: int = 0
    frames_with_person: int = 0
    holds: list[Hold] = field(default_factory=list)
    first_time_s: float | None = None
    last_time_s: float = 0.0
    trace_times_s: list[float] = field(default_factory=list)
    trace_angles_deg: list[float] = field(default_factory=list)
    trace_phases: list[Phase] = field(default_factory=list)

    def record_frame(self, time_s: float, person_seen: bool) -> None:
        if self.first_time_s is None:
            self.first_time_s = time_s
        self.last_time_s = time_s
        self.frames += 1
        if person_seen:
            self.frames_with_person += 1

    def record_key_angle(self, time_s: float, angle_deg: float, phase: Phase) -> None:
        self.trace_times_s.append(time_s)
        self.trace_angles_deg.append(angle_deg)
        self.trace_phases.append(phase)

    def record_events(self, events: list[Event]) -> None:
        self.holds.extend(event.hold for event in events if isinstance(event, HoldFinished))

    def finish(
        self, frame_period_s: float = 0.0, ended_early: bool = False, interrupted: bool = False
    ) -> Session:
        return Session(
            exercise=self.exercise.name,
            title=self.exercise.title,
            source=self.source,
            started_at=self.started_at,
            duration_s=round(self.last_time_s + frame_period_s, 3),
            frames=self.frames,
            frames_with_person=self.frames_with_person,
            holds=tuple(sorted(self.holds, key=lambda hold: hold.start_s)),
            reps_target=self.exercise.reps_target,
            reps_are_per_side=self.exercise.reps_are_per_side,
            notes=tuple(self._notes()),
            ended_early=ended_early,
            interrupted=interrupted,
            trace=KeyAngleTrace(
                tuple(self.trace_times_s), tuple(self.trace_angles_deg), tuple(self.trace_phases)
            ),
        )

    def _notes(self) -> list[str]:
        notes = []
        if self.frames and self.frames_with_person < 0.5 * self.frames:
            share = 100 * (1 - self.frames_with_person / self.frames)
            notes.append(
                f"No person was seen in {share:.0f}% of the frames: keep your whole body in the picture."
            )
        if self.exercise.side_of is not None:
            sides = [hold.side for hold in sorted(self.holds, key=lambda h: h.start_s) if hold.complete]
            for previous, current in pairwise(sides):
                if previous == current and current in ("left", "right"):
                    notes.append("Alternate legs: the same leg was done twice in a row.")
                    break
        return notes
