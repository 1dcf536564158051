"""The rule engine: turns a stream of bodies into events, for any ``Exercise``.

Counting is a state machine with hysteresis and debounce, never a single threshold:
- every level has separate enter and exit thresholds (``LevelLatch``);
- a hold starts only once the key angle has settled for ``settle.window_s`` in the target
  position, and is dated from the start of that still window, or later where the body was
  still sinking into the position;
- once the target is left, or the key angle comes back ``settle.release`` from its held
  level, for ``release_after_s``, the hold is *left* (dated from when that movement began);
  it ends there once the person is seen in the start position, out of the exercise's
  position, or at rest elsewhere, or after ``bridge_s``. Coming back into the held position
  before that resumes the same hold: a fault inside a rep (arms drawn back, the hips up for a
  moment) pauses its credited time but does not split it. A gap without a person (a cut, a
  close-up, the model losing the person) is bridged the same way, and is credited;
- a hold is a repetition only if the start position was seen before it, or a rest at a
  level ``settle.release`` short of the held one (press-up reps that rest low, not flat).
A fault that began in the last ``leaving_within_s`` of a hold and is still on when it ends
is how the person left the hold, not a fault in it: the hold is taken to end where that
fault began.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

from posecheck.rules.body import Body
from posecheck.rules.events import (
    Event,
    Fault,
    Hold,
    HoldFinished,
    HoldStarted,
    HoldTargetReached,
    Phase,
    PhaseChanged,
)
from posecheck.rules.faults import FaultWatch
from posecheck.rules.holds import HoldDraft
from posecheck.rules.levels import PositionWatch, Whereabouts
from posecheck.rules.release import ReleaseWatch
from posecheck.rules.settling import Sample, SettleWindow, joint_speed, picture_jumped
from posecheck.rules.view import Unjudged
from posecheck.rules.vocabulary import Exercise

LOG = logging.getLogger(__name__)


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


BRIDGE_S = 10.0
"""How long a hold that was left (or a person lost from view) can still be resumed: a
cut-away or close-up in a filmed session, arms or hips moved for a moment. Longer than that
the person is doing something else."""

SIDE_READ_S = 3.0
"""A hold's side is read over its first seconds, when the body has just settled in it: later
a close-up or a cut may hide the other leg, which the model then draws beside the first."""

PICTURE_JUMP = 0.5
"""Joints do not travel half a torso length between two frames of a hold (the median joint;
the same bound as ``pipeline.sides`` puts on its mean over the limbs): a bigger jump is a cut
or a close-up, and what the side read already has stands."""

RESTED_PART_WAY = "rested part-way down"
"""The variant of a rep entered from a rest short of the start position."""


class RuleEngine:
    """One exercise's rules over a stream of bodies: where the body is (``PositionWatch``),
    whether it has come to rest (``SettleWindow``), the checks (``FaultWatch``) and the way
    back (``ReleaseWatch``); the engine itself times the holds and keeps the phase."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self._levels = PositionWatch(exercise)
        self._faults = FaultWatch(exercise.checks)
        self._release = ReleaseWatch(exercise.slow_release)
        self._window = SettleWindow(exercise.settle, exercise.deeper_is_higher)
        self._previous_body: Body | None = None
        self._phase = Phase.AWAY
        self._hold: HoldDraft | None = None
        self._released_since: float | None = None
        self._start_seen = False
        self._at_start_since: float | None = None
        self._start_variants: Counter[str] = Counter()
        self._start_variant_now: str | None = None
        self._last_seen_s: float | None = None
        self._last_time_s = 0.0
        self._key = math.nan
        self.holds_done = 0
        # The levels as read in the last frame with a person, for what watches them too.
        self.last_whereabouts: Whereabouts | None = None

    # ----------------------------------------------------------------- per frame
    def update(self, time_s: float, body: Body | None) -> list[Event]:
        events: list[Event] = []
        self._last_time_s = time_s
        if body is None:
            if (
                self._last_seen_s is not None
                and time_s - self._last_seen_s > self.exercise.timing.longest_gap_s
            ):
                self._person_lost(self._last_seen_s, events)
            self._end_hold_left_too_long(time_s, events)
            return events
        if self._last_seen_s is not None and time_s - self._last_seen_s > self.exercise.timing.longest_gap_s:
            self._person_lost(self._last_seen_s, events)
        self._last_seen_s = time_s

        where = self._levels.read(body)
        self.last_whereabouts = where
        key = self._key_reading(body, where)
        self._key = key
        speed = joint_speed(body, self._previous_body)
        self._window.add(Sample(time_s, key, where.in_target, speed, complete=where.complete))
        if self._previous_body is not None and picture_jumped(body, self._previous_body, PICTURE_JUMP):
            self._picture_changed()
            self._cut_during_release()
        self._previous_body = body

        self._note_start(time_s, body, where.at_start)
        if self._release.waiting:
            judged = self._release.judge(
                time_s, where.at_start, self._at_start_since, where.in_position, events
            )
            if judged is not None:
                self._publish(judged, events)
        self._update_faults(time_s, body, where.at_start, events)
        if self._hold is not None and self._hold.left_s is None:
            self._hold.note_view(self._faults.unjudged_now + self._unjudged_target(where))

        if self._hold is None:
            if self._window.settled():
                self._begin_hold(self._window.arrival_s(), events)
        else:
            self._continue_hold(time_s, body, key, where, events)

        self._set_phase(time_s, self._phase_now(where), events)
        return events

    def finish(self, time_s: float) -> list[Event]:
        """End of the recording: a hold still running is reported as incomplete."""
        events: list[Event] = []
        end_s = min(time_s, self._last_seen_s) if self._last_seen_s is not None else time_s
        hold = self._hold
        if hold is not None and hold.left_s is not None:
            self._end_hold(hold.left_s, events, left_inside=not hold.left_unseen)
        elif hold is not None:
            self._end_hold(end_s, events, left_inside=False)
        self._stop_following_release(events)
        return events

    @property
    def recent_body_speed(self) -> float:
        """Mean joint speed over the last settle window, torso lengths per second (NaN when
        no body was seen lately)."""
        return self._window.mean_speed

    @property
    def state(self) -> EngineState:
        hold = self._hold
        elapsed = 0.0
        if hold is not None:
            until_s = self._last_time_s if hold.left_s is None or hold.left_unseen else hold.left_s
            pauses = self._fault_pauses(hold.faults) + self._faults.running_pauses(self._last_time_s)
            elapsed = hold.credited_s(until_s, pauses)
        return EngineState(
            phase=self._phase,
            phase_label=self.exercise.label(self._phase, self._start_variant_now),
            hold_elapsed_s=elapsed,
            target_s=self.exercise.hold.target_s,
            key_angle=self._key,
            active_cues=self._faults.active_cues(),
            holds_done=self.holds_done,
        )

    def _key_reading(self, body: Body, where: Whereabouts) -> float:
        """The key angle where the view can judge it, else NaN (a guess is not a reading)."""
        reading = where.target[0].reading if where.target else self.exercise.key_angle.judge(body)
        return reading.value if reading.judged else math.nan

    @staticmethod
    def _unjudged_target(where: Whereabouts) -> list[tuple[str, Unjudged]]:
        """The target's cues whose own reading the view could not judge this frame (a stand-in
        may have timed the hold, but it does not check that cue's detail)."""
        return [
            (reading.level.cue, reading.reading.unjudged)
            for reading in where.target
            if reading.level.cue is not None and reading.reading.unjudged is not None
        ]

    def _note_start(self, time_s: float, body: Body, at_start: bool) -> None:
        """The start position seen: a hold after it is a repetition, entered the way it
        was taken (the exercise's start variant). The variant read now also names the start
        phase while the person is in it."""
        if not at_start:
            self._at_start_since = None
            self._start_variant_now = None
            return
        self._start_seen = True
        if self.exercise.start_variant_of is not None:
            variant = self.exercise.start_variant_of(body)
            self._start_variant_now = variant
            if variant is not None:
                self._start_variants[variant] += 1
        if self._at_start_since is None:
            self._at_start_since = time_s

    def _update_faults(self, time_s: float, body: Body, at_start: bool, events: list[Event]) -> None:
        """The checks, judged from the hold's start, or from when the start position was
        taken while no hold runs."""
        hold = self._hold
        self._faults.update(
            time_s,
            body,
            hold_since=hold.start_s if hold is not None else None,
            start_since=self._at_start_since if at_start and hold is None else None,
            hold_faults=hold.faults if hold is not None else None,
            timing_hold=hold is not None and hold.left_s is None,
            events=events,
        )

    def _fault_pauses(self, faults: list[Fault]) -> list[tuple[float, float]]:
        return [(f.start_s, f.end_s) for f in faults if self._faults.pauses(f.kind)]

    # ----------------------------------------------------------------- holds
    def _begin_hold(self, start_s: float, events: list[Event]) -> None:
        self._stop_following_release(events)
        variant = (
            self._start_variants.most_common(1)[0][0] if self._start_seen and self._start_variants else None
        )
        self._start_variants.clear()
        self._hold = HoldDraft(start_s=start_s, entered_from_start=self._start_seen, variant=variant)
        self._hold.keys.extend(self._window.keys)
        self._start_seen = False
        self._released_since = None
        LOG.debug("%s: hold from %.2f s", self.exercise.name, start_s)
        events.append(HoldStarted(start_s, None))

    def _continue_hold(
        self, time_s: float, body: Body, key: float, where: Whereabouts, events: list[Event]
    ) -> None:
        """One frame of a running hold."""
        hold = self._hold
        assert hold is not None
        reference = hold.held_level
        margin = self.exercise.settle.release
        inward = 1.0 if self.exercise.deeper_is_higher else -1.0
        offset = math.nan if math.isnan(key) or math.isnan(reference) else (key - reference) * inward
        came_back = offset < -self._way_back(reference)
        held = where.in_target and not came_back
        released = bool(where.target) and where.target[0].on is False
        if hold.left_s is not None:
            # Left (or lost from view) and seen now: back in the hold within the bridge, or
            # the hold ended where it was left (a rep: the person is seen out of it).
            # ``elsewhere``: in the exercise's position, but neither at its start nor
            # (necessarily) in its target. A hold released (the key angle back out of the
            # target) is not resumed: going back in is a new rep.
            elsewhere = where.in_position and not where.at_start
            if time_s - hold.left_s <= BRIDGE_S and held and not offset > margin and not hold.released:
                self._resume(hold, time_s)
            elif (
                not elsewhere
                or hold.released
                or time_s - hold.left_s > BRIDGE_S
                or self._window.settled(in_target_throughout=False)
            ):
                if hold.released:
                    self._released_to_rest(body)
                self._end_hold(hold.left_s, events, left_inside=True)
                return
            else:
                return
        if held and offset > margin and self._part_way(reference) and self._window.settled():
            self._restart_from_rest(hold, events)
            return
        if held:
            self._keep_holding(hold, time_s, body, key, offset > margin, events)
            return
        if self._released_since is None:
            self._released_since = time_s
        if time_s - self._released_since >= self.exercise.timing.release_after_s:
            hold.left_s = self._window.movement_start_s(self._released_since)
            hold.left_unseen = False
            hold.released = released
            LOG.debug("%s: hold left at %.2f s", self.exercise.name, hold.left_s)
            self._released_since = None

    def _keep_holding(
        self, hold: HoldDraft, time_s: float, body: Body, key: float, deeper: bool, events: list[Event]
    ) -> None:
        """Still in the hold: its level (unless gone deeper than the margin), its side over
        the first seconds, the target time reached."""
        self._released_since = None
        if not deeper:
            hold.keys.append(key)
        reading_side = time_s - hold.start_s <= SIDE_READ_S and not hold.side_read_over
        if self.exercise.side_of is not None and reading_side:
            side = self.exercise.side_of(body)
            if side is not None:
                hold.sides[side] += 1
        if not hold.target_announced and self.state.hold_elapsed_s >= self.exercise.hold.target_s:
            hold.target_announced = True
            events.append(HoldTargetReached(time_s, self.exercise.hold.target_s))

    def _released_to_rest(self, body: Body) -> None:
        """A hold released by the key angle (lowered out of the target, the knee let go, come
        up from the fold) ended: that rest is the start of the next rep ("a release to any
        start position"), named as the start it resembles where the exercise names starts."""
        if self._start_seen:
            return
        self._start_seen = True
        if self.exercise.start_variant_of is not None:
            variant = self.exercise.start_variant_of(body)
            if variant is not None:
                self._start_variants[variant] += 1

    def _restart_from_rest(self, hold: HoldDraft, events: list[Event]) -> None:
        """Further in than a level held at the edge of the target, and at rest there: what
        came before was a rest on the way up (press-up reps that rest low), and this is the
        hold. It keeps the way the rest itself was entered: from the start position (a pause
        on the way up from lying flat) or from a rest after the last rep."""
        entered_from_start, variant = hold.entered_from_start, hold.variant
        self._hold = None
        self._start_seen = True
        self._begin_hold(self._window.arrival_s(), events)
        assert self._hold is not None
        self._hold.variant = variant if entered_from_start else RESTED_PART_WAY

    def _way_back(self, held_level: float) -> float:
        """How far the key angle comes back from its held level to leave the hold:
        ``settle.release``, or half the way back to the start position where that is more. A
        hold that shifts inside the target (hands walked to one side, a knee drawn further in)
        is still the hold; half-way back to the start is on the way out."""
        release = self.exercise.settle.release
        start_edge = self._levels.start_edge()
        if math.isnan(start_edge) or math.isnan(held_level):
            return release
        return max(release, 0.5 * abs(held_level - start_edge))

    def _part_way(self, level: float) -> bool:
        """True for a key angle within ``settle.release`` of the target's edge: a rest on the
        way in, not a hold well inside the target."""
        return any(abs(level - edge) <= self.exercise.settle.release for edge in self._levels.target_edges())

    def _resume(self, hold: HoldDraft, time_s: float) -> None:
        """Back in the held position: the time away is paused, a time unseen is credited."""
        assert hold.left_s is not None
        if not hold.left_unseen:
            hold.pauses.append((hold.left_s, time_s))
        hold.left_s = None
        hold.left_unseen = False
        self._released_since = None

    def _end_hold_left_too_long(self, time_s: float, events: list[Event]) -> None:
        hold = self._hold
        if hold is not None and hold.left_s is not None and time_s - hold.left_s > BRIDGE_S:
            self._end_hold(hold.left_s, events, left_inside=not hold.left_unseen)

    def _end_hold(self, end_s: float, events: list[Event], left_inside: bool) -> None:
        """The hold is over at ``end_s``. A fault that began in its last
        ``leaving_within_s`` and is still on is how the person left it: the hold ends where
        that fault began. Shorter than ``shortest_hold_s``, it was a movement, not a hold."""
        hold = self._hold
        assert hold is not None
        self._hold = None
        self._released_since = None
        exit_faults = self._faults.end_hold(end_s, events)
        trimmed_by_exit = False
        way_out = [f for f in exit_faults if f.start_s >= end_s - self.exercise.timing.leaving_within_s]
        if left_inside and way_out and min(fault.start_s for fault in way_out) < end_s:
            # Only ever earlier: a fault that began after the hold was left is not its way out.
            end_s = max(hold.start_s, min(fault.start_s for fault in way_out))
            trimmed_by_exit = True
        hold.faults.extend(f for f in exit_faults if not (left_inside and f in way_out))
        if end_s - hold.start_s < self.exercise.timing.shortest_hold_s:
            return
        faults = [
            Fault(f.kind, f.cue, f.start_s, min(f.end_s, end_s)) for f in hold.faults if f.start_s < end_s
        ]
        before = self._faults.take_start_faults(hold.start_s)
        finished = Hold(
            start_s=hold.start_s,
            end_s=end_s,
            duration_s=hold.credited_s(end_s, self._fault_pauses(faults)),
            complete=left_inside and hold.entered_from_start,
            side=hold.side,
            target_s=self.exercise.hold.target_s,
            minimum_s=self.exercise.hold.minimum_s,
            key_angle_deg=hold.held_level,
            faults=tuple(before + faults),
            variant=hold.variant,
            unchecked=hold.unchecked(),
        )
        if left_inside and not trimmed_by_exit and self.exercise.slow_release is not None:
            self._release.follow(finished, end_s)
        else:
            self._publish(finished, events)

    def _publish(self, hold: Hold, events: list[Event]) -> None:
        if hold.complete:
            self.holds_done += 1
        events.append(HoldFinished(hold.end_s, hold))

    def _stop_following_release(self, events: list[Event]) -> None:
        """A hold waiting for its way back to be judged is published as it stands."""
        if self._release.waiting:
            self._publish(self._release.give_up(), events)

    def _picture_changed(self) -> None:
        """A cut, a close-up or a gap without the person: the running hold's side is what was
        read before it (the other leg may now be out of the picture)."""
        if self._hold is not None and self._hold.sides:
            self._hold.side_read_over = True

    def _cut_during_release(self) -> None:
        """A cut while the key angle was on its way out of the hold: the release began before
        the cut, so the hold ended there (a held cobra lowered, then a cut to the next one, is
        two holds, and the lowering is not hold time)."""
        hold = self._hold
        if hold is not None and hold.left_s is None and self._released_since is not None:
            hold.left_s = self._window.movement_start_s(self._released_since)
            hold.left_unseen = False
            hold.released = True
            self._released_since = None

    def _person_lost(self, last_seen_s: float, events: list[Event]) -> None:
        self._picture_changed()
        hold = self._hold
        if hold is not None and hold.left_s is None:
            hold.left_s = last_seen_s
            hold.left_unseen = True
        self._stop_following_release(events)
        self._window.clear()
        self._previous_body = None
        self._levels.forget()
        if self._hold is None:
            self._set_phase(last_seen_s, Phase.AWAY, events)

    # ----------------------------------------------------------------- phases
    def _phase_now(self, where: Whereabouts) -> Phase:
        if self._hold is not None:
            return Phase.MOVING_OUT if self._hold.left_s is not None and where.in_position else Phase.HOLD
        if self._release.waiting:
            return Phase.MOVING_OUT
        if not where.in_position:
            return Phase.AWAY
        if where.at_start:
            return Phase.START
        return Phase.MOVING_OUT if self._phase in (Phase.HOLD, Phase.MOVING_OUT) else Phase.MOVING_IN

    def _set_phase(self, time_s: float, phase: Phase, events: list[Event]) -> None:
        if phase is not self._phase:
            self._phase = phase
            events.append(PhaseChanged(time_s, phase))
