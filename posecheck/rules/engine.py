"""The rule engine: turns a stream of bodies into events, for any ``Exercise``.

Counting is a state machine with hysteresis and debounce, never a single threshold: every
level has separate enter and exit thresholds (``LevelLatch``), a hold starts only once the
body has settled in the target and ends only once it has been left for a while
(``HoldTimer``), and a hold is a repetition only if a start was seen before it (``RepWatch``).

Each frame goes through the same stages: the person lost or still in view
(``PictureWatch``), where the body is (``PositionWatch``) and whether it has come to rest
(``SettleWindow``), the start position, the way back from the last hold (``ReleaseWatch``),
the checks (``FaultWatch``), the hold's clock, and the phase (``PhaseTrack``). The live
coaching and the recorded session read the events it gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from posecheck.rules.body import Body
from posecheck.rules.events import Event, Phase
from posecheck.rules.faults import FaultWatch
from posecheck.rules.levels import PositionWatch, Whereabouts
from posecheck.rules.phases import PhaseTrack
from posecheck.rules.picture import PictureWatch
from posecheck.rules.release import ReleaseWatch
from posecheck.rules.reps import RepWatch
from posecheck.rules.settling import Sample, SettleWindow
from posecheck.rules.timer import HoldTimer
from posecheck.rules.vocabulary import Exercise


@dataclass(frozen=True, slots=True)
class EngineState:
    """What the overlay and the voice show now."""

    phase: Phase
    phase_label: str
    hold_elapsed_s: float
    target_s: float
    key_angle: float
    active_cues: tuple[str, ...]
    holds_done: int


class RuleEngine:
    """One exercise's rules over a stream of bodies.

    >>> from posecheck.rules.registry import exercise_named
    >>> engine = RuleEngine(exercise_named("prone_press_up"))
    >>> engine.update(0.0, None), engine.state.phase
    ([], <Phase.AWAY: 'away'>)
    """

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self._levels = PositionWatch(exercise)
        self._faults = FaultWatch(exercise.checks)
        self._release = ReleaseWatch(exercise.slow_release)
        self._window = SettleWindow(exercise.settle, exercise.deeper_is_higher)
        self._picture = PictureWatch(exercise.timing.longest_gap_s)
        self._reps = RepWatch(exercise)
        self._timer = HoldTimer(exercise, self._levels, self._window, self._faults, self._release, self._reps)
        self._phases = PhaseTrack()
        self._last_time_s = 0.0
        self._key = math.nan
        # The levels as read in the last frame with a person, for what watches them too.
        self.last_whereabouts: Whereabouts | None = None

    def update(self, time_s: float, body: Body | None) -> list[Event]:
        """One frame: its time and the body in it (None without a person)."""
        events: list[Event] = []
        self._last_time_s = time_s
        lost_since = self._picture.lost_since(time_s)
        if lost_since is not None:
            self._person_lost(lost_since, events)
        if body is None:
            self._timer.end_if_left_too_long(time_s, events)
            return events
        where = self._read(time_s, body)
        self._reps.note_start(time_s, body, where.at_start)
        self._judge_way_back(time_s, where, events)
        self._judge_checks(time_s, body, where.at_start, events)
        self._timer.step(time_s, body, self._key, where, events)
        self._phases.follow(time_s, where, self._timer.hold, self._release.waiting, events)
        return events

    def finish(self, time_s: float) -> list[Event]:
        """End of the recording: a hold still running is reported as incomplete."""
        events: list[Event] = []
        last_seen_s = self._picture.last_seen_s
        self._timer.finish(min(time_s, last_seen_s) if last_seen_s is not None else time_s, events)
        return events

    @property
    def holds_done(self) -> int:
        return self._reps.holds_done

    @property
    def recent_body_speed(self) -> float:
        """Mean joint speed over the last settle window, torso lengths per second (NaN when
        no body was seen lately)."""
        return self._window.mean_speed

    @property
    def state(self) -> EngineState:
        return EngineState(
            phase=self._phases.phase,
            phase_label=self.exercise.label(self._phases.phase, self._reps.variant_now),
            hold_elapsed_s=self._timer.elapsed_s(self._last_time_s),
            target_s=self.exercise.hold.target_s,
            key_angle=self._key,
            active_cues=self._faults.active_cues(),
            holds_done=self._reps.holds_done,
        )

    # ----------------------------------------------------------------- stages
    def _read(self, time_s: float, body: Body) -> Whereabouts:
        """Where the body is and its key angle, added to the settle window. A jump in the
        picture ends the hold's side read and dates a way out already under way before it."""
        speed, jumped = self._picture.see(time_s, body)
        where = self._levels.read(body)
        self.last_whereabouts = where
        self._key = self._key_reading(body, where)
        self._window.add(Sample(time_s, self._key, where.in_target, speed, complete=where.complete))
        if jumped:
            self._reps.picture_changed(self._timer.hold)
            self._timer.picture_cut(time_s)
        return where

    def _key_reading(self, body: Body, where: Whereabouts) -> float:
        """The key angle where the view can judge it, else NaN (a guess is not a reading)."""
        reading = where.target[0].reading if where.target else self.exercise.key_angle.judge(body)
        return reading.value if reading.judged else math.nan

    def _judge_way_back(self, time_s: float, where: Whereabouts, events: list[Event]) -> None:
        """The last hold's way back, while it is followed: told once judged."""
        if self._release.waiting:
            judged = self._release.judge(
                time_s, where.at_start, self._reps.at_start_since, where.in_position, events
            )
            if judged is not None:
                self._reps.publish(judged, events)

    def _judge_checks(self, time_s: float, body: Body, at_start: bool, events: list[Event]) -> None:
        """The checks, judged from the hold's start, or from when the start position was
        taken while no hold runs."""
        hold = self._timer.hold
        self._faults.update(
            time_s,
            body,
            hold_since=hold.start_s if hold is not None else None,
            start_since=self._reps.at_start_since if at_start and hold is None else None,
            hold_faults=hold.faults if hold is not None else None,
            timing_hold=hold is not None and hold.left_s is None,
            events=events,
        )

    def _person_lost(self, last_seen_s: float, events: list[Event]) -> None:
        """No person for longer than ``longest_gap_s``: a running hold is left where they were
        last seen (and may be resumed), and everything read of the body starts again."""
        self._reps.picture_changed(self._timer.hold)
        self._timer.lost_from_view(last_seen_s)
        self._timer.stop_following_release(events)
        self._window.clear()
        self._picture.forget()
        self._levels.forget()
        if self._timer.hold is None:
            self._phases.set(last_seen_s, Phase.AWAY, events)
