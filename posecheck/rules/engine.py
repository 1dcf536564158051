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

import dataclasses
import logging
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from posecheck.rules.body import Body
from posecheck.rules.events import (
    Event,
    Fault,
    FaultCleared,
    FaultStarted,
    Hold,
    HoldFinished,
    HoldStarted,
    HoldTargetReached,
    Phase,
    PhaseChanged,
)
from posecheck.rules.settling import Sample, SettleWindow, joint_speed
from posecheck.rules.vocabulary import Check, Exercise, Level

LOG = logging.getLogger(__name__)


class LevelLatch:
    """The running truth of one ``Level``; a missing reading (NaN) keeps the last state."""

    def __init__(self, level: Level) -> None:
        self.level = level
        self.on = False

    def update(self, value: float) -> bool:
        if math.isnan(value):
            return self.on
        level = self.level
        threshold = level.exit if self.on else level.enter
        self.on = value >= threshold if level.rising else value <= threshold
        return self.on


@dataclass(slots=True)
class _FaultTracker:
    check: Check
    latch: LevelLatch
    on_since: float | None = None
    active_since: float | None = None


@dataclass(slots=True)
class _HoldDraft:
    start_s: float
    entered_from_start: bool
    keys: list[float] = field(default_factory=list)
    sides: Counter[str] = field(default_factory=Counter)
    faults: list[Fault] = field(default_factory=list)
    pauses: list[tuple[float, float]] = field(default_factory=list)
    target_announced: bool = False
    left_s: float | None = None
    left_unseen: bool = False
    variant: str | None = None

    @property
    def left(self) -> bool:
        return self.left_s is not None


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


def _median(values: list[float]) -> float:
    finite = [value for value in values if not math.isnan(value)]
    return statistics.median(finite) if finite else math.nan


def _uncovered_s(start_s: float, end_s: float, pauses: list[tuple[float, float]]) -> float:
    """Length of [start_s, end_s] not covered by any of the pause intervals."""
    covered = 0.0
    cursor = start_s
    for pause_start, pause_end in sorted(pauses):
        pause_start, pause_end = max(pause_start, cursor), min(pause_end, end_s)
        if pause_end > pause_start:
            covered += pause_end - pause_start
            cursor = pause_end
    return max(0.0, end_s - start_s - covered)


BRIDGE_S = 10.0
"""How long a hold that was left (or a person lost from view) can still be resumed: a
cut-away or close-up in a filmed session, arms or hips moved for a moment. Longer than that
the person is doing something else."""

UNCHECKED_SHARE = 0.5
"""A check that could not be judged in half the held time or more is named in the summary:
the hold was timed, but that cue went unchecked."""

START_FAULT_OVERLAP_S = 0.5
"""A fault of the start position that ended this soon after the hold was dated to begin still
belongs to that rep's start (the hold is dated back to the body's arrival)."""

SIDE_READ_S = 3.0
"""A hold's side is read over its first seconds, when the body has just settled in it: later
a close-up or a cut may hide the other leg, which the model then draws beside the first."""

RESTED_PART_WAY = "rested part-way down"
"""The variant of a rep entered from a rest short of the start position."""


class RuleEngine:
    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self._position = [LevelLatch(level) for level in exercise.position]
        self._start = [LevelLatch(level) for level in exercise.start]
        self._target = [LevelLatch(level) for level in exercise.target]
        self._faults = [_FaultTracker(check, LevelLatch(check.fault_when)) for check in exercise.checks]
        self._window = SettleWindow(exercise.settle, exercise.deeper_is_higher)
        self._previous_body: Body | None = None
        self._phase = Phase.AWAY
        self._hold: _HoldDraft | None = None
        self._released_since: float | None = None
        self._releasing: tuple[Hold, float] | None = None
        self._start_seen = False
        self._at_start_since: float | None = None
        self._start_faults: list[Fault] = []
        self._start_variants: Counter[str] = Counter()
        self._last_seen_s: float | None = None
        self._last_time_s = 0.0
        self._key = math.nan
        self.holds_done = 0
        self._held_frames = 0
        self._unjudged_frames: Counter[str] = Counter()

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

        in_position = all([latch.update(latch.level.measurement(body)) for latch in self._position])
        at_start = in_position and all([latch.update(latch.level.measurement(body)) for latch in self._start])
        in_target = in_position and all(
            [latch.update(latch.level.measurement(body)) for latch in self._target]
        )
        key = self.exercise.key_angle(body)
        self._key = key
        self._window.add(Sample(time_s, key, in_target, joint_speed(body, self._previous_body)))
        self._previous_body = body

        if at_start:
            self._start_seen = True
            if self.exercise.start_variant_of is not None:
                variant = self.exercise.start_variant_of(body)
                if variant is not None:
                    self._start_variants[variant] += 1
            if self._at_start_since is None:
                self._at_start_since = time_s
        else:
            self._at_start_since = None
        if self._releasing is not None:
            self._judge_release(time_s, at_start, in_position, events)
        self._update_faults(time_s, body, at_start, events)

        if self._hold is None:
            if self._window.settled():
                self._begin_hold(self._window.arrival_s(), events)
        else:
            self._continue_hold(time_s, body, key, in_target, in_position and not at_start, events)

        self._set_phase(time_s, self._phase_now(in_position, at_start), events)
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
        if self._releasing is not None:
            self._finish_release(events, None)
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
            pauses = [(f.start_s, f.end_s) for f in hold.faults if self._pauses(f.kind)] + hold.pauses
            pauses += [
                (t.active_since, self._last_time_s)
                for t in self._faults
                if t.active_since is not None and t.check.pauses_hold and t.check.during is Phase.HOLD
            ]
            until_s = self._last_time_s if hold.left_s is None or hold.left_unseen else hold.left_s
            elapsed = _uncovered_s(hold.start_s, until_s, pauses)
        cues = tuple(t.check.cue for t in self._faults if t.active_since is not None)
        return EngineState(
            phase=self._phase,
            phase_label=self.exercise.label(self._phase),
            hold_elapsed_s=elapsed,
            target_s=self.exercise.hold.target_s,
            key_angle=self._key,
            active_cues=cues,
            holds_done=self.holds_done,
        )

    # ----------------------------------------------------------------- holds
    def _begin_hold(self, start_s: float, events: list[Event]) -> None:
        if self._releasing is not None:
            self._finish_release(events, None)
        variant = (
            self._start_variants.most_common(1)[0][0] if self._start_seen and self._start_variants else None
        )
        self._start_variants.clear()
        self._hold = _HoldDraft(start_s=start_s, entered_from_start=self._start_seen, variant=variant)
        self._hold.keys.extend(self._window.keys)
        self._start_seen = False
        self._released_since = None
        LOG.debug("%s: hold from %.2f s", self.exercise.name, start_s)
        events.append(HoldStarted(start_s, None))

    def _continue_hold(
        self, time_s: float, body: Body, key: float, in_target: bool, elsewhere: bool, events: list[Event]
    ) -> None:
        """One frame of a running hold. ``elsewhere``: in the exercise's position, but neither
        in its start position nor (necessarily) in the target."""
        hold = self._hold
        assert hold is not None
        reference = _median(hold.keys)
        margin = self.exercise.settle.release
        inward = 1.0 if self.exercise.deeper_is_higher else -1.0
        offset = math.nan if math.isnan(key) or math.isnan(reference) else (key - reference) * inward
        came_back = offset < -margin
        held = in_target and not came_back
        if hold.left_s is not None:
            # Left (or lost from view) and seen now: back in the hold within the bridge, or
            # the hold ended where it was left (a rep: the person is seen out of it).
            if time_s - hold.left_s <= BRIDGE_S and held and not offset > margin:
                self._resume(hold, time_s)
            elif (
                not elsewhere
                or time_s - hold.left_s > BRIDGE_S
                or self._window.settled(in_target_throughout=False)
            ):
                self._end_hold(hold.left_s, events, left_inside=True)
                return
            else:
                return
        if held and offset > margin and self._part_way(reference) and self._window.settled():
            # Further in than a level held at the edge of the target, and at rest there: what
            # came before was a rest on the way up (press-up reps that rest low), and this is
            # the hold. It keeps the way the rest itself was entered: from the start position
            # (a pause on the way up from lying flat) or from a rest after the last rep.
            entered_from_start, variant = hold.entered_from_start, hold.variant
            self._hold = None
            self._start_seen = True
            self._begin_hold(self._window.arrival_s(), events)
            assert self._hold is not None
            self._hold.variant = variant if entered_from_start else RESTED_PART_WAY
            return
        if held:
            self._released_since = None
            if not offset > margin:
                hold.keys.append(key)
            if self.exercise.side_of is not None and time_s - hold.start_s <= SIDE_READ_S:
                side = self.exercise.side_of(body)
                if side is not None:
                    hold.sides[side] += 1
            if not hold.target_announced and self.state.hold_elapsed_s >= self.exercise.hold.target_s:
                hold.target_announced = True
                events.append(HoldTargetReached(time_s, self.exercise.hold.target_s))
            return
        if self._released_since is None:
            self._released_since = time_s
        if time_s - self._released_since >= self.exercise.timing.release_after_s:
            hold.left_s = self._window.movement_start_s(self._released_since)
            hold.left_unseen = False
            LOG.debug("%s: hold left at %.2f s", self.exercise.name, hold.left_s)
            self._released_since = None

    def _part_way(self, level: float) -> bool:
        """True for a key angle within ``settle.release`` of the target's edge: a rest on the
        way in, not a hold well inside the target."""
        edges = [
            latch.level.enter for latch in self._target if latch.level.measurement == self.exercise.key_angle
        ]
        return any(abs(level - edge) <= self.exercise.settle.release for edge in edges)

    def _resume(self, hold: _HoldDraft, time_s: float) -> None:
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
        hold = self._hold
        assert hold is not None
        self._hold = None
        self._released_since = None
        exit_faults: list[Fault] = []
        for tracker in self._faults:
            if tracker.check.during is Phase.HOLD and tracker.active_since is not None:
                exit_faults.append(Fault(tracker.check.kind, tracker.check.cue, tracker.active_since, end_s))
                events.append(FaultCleared(end_s, tracker.check.kind))
                tracker.active_since = None
                tracker.on_since = None
        trimmed_by_exit = False
        way_out = [f for f in exit_faults if f.start_s >= end_s - self.exercise.timing.leaving_within_s]
        if left_inside and way_out and min(fault.start_s for fault in way_out) < end_s:
            # Only ever earlier: a fault that began after the hold was left is not its way out.
            end_s = max(hold.start_s, min(fault.start_s for fault in way_out))
            trimmed_by_exit = True
        hold.faults.extend(f for f in exit_faults if not (left_inside and f in way_out))
        if end_s - hold.start_s < self.exercise.timing.shortest_hold_s:
            return
        faults = [fault for fault in hold.faults if fault.start_s < end_s]
        faults = [Fault(f.kind, f.cue, f.start_s, min(f.end_s, end_s)) for f in faults]
        pauses = [(f.start_s, f.end_s) for f in faults if self._pauses(f.kind)] + hold.pauses
        before = [f for f in self._start_faults if f.end_s <= hold.start_s + START_FAULT_OVERLAP_S]
        self._start_faults = []
        side = hold.sides.most_common(1)[0][0] if hold.sides else None
        finished = Hold(
            start_s=hold.start_s,
            end_s=end_s,
            duration_s=_uncovered_s(hold.start_s, end_s, pauses),
            complete=left_inside and hold.entered_from_start,
            side=side,
            target_s=self.exercise.hold.target_s,
            minimum_s=self.exercise.hold.minimum_s,
            key_angle_deg=_median(hold.keys),
            faults=tuple(before + faults),
            variant=hold.variant,
        )
        if left_inside and not trimmed_by_exit and self.exercise.slow_release is not None:
            self._releasing = (finished, end_s)
        else:
            self._publish(finished, events)

    def _publish(self, hold: Hold, events: list[Event]) -> None:
        if hold.complete:
            self.holds_done += 1
        events.append(HoldFinished(hold.end_s, hold))

    def _judge_release(self, time_s: float, at_start: bool, in_position: bool, events: list[Event]) -> None:
        assert self._releasing is not None
        rule = self.exercise.slow_release
        assert rule is not None
        _, released_s = self._releasing
        if at_start:
            reached_s = max(self._at_start_since or time_s, released_s)
            too_fast = None
            if reached_s - released_s < rule.minimum_s:
                too_fast = Fault(rule.kind, rule.cue, released_s, reached_s)
                events.append(FaultStarted(released_s, rule.kind, rule.cue))
                events.append(FaultCleared(reached_s, rule.kind))
            self._finish_release(events, too_fast)
        elif not in_position or time_s - released_s > rule.window_s:
            self._finish_release(events, None)

    def _finish_release(self, events: list[Event], fault: Fault | None) -> None:
        assert self._releasing is not None
        hold, _ = self._releasing
        self._releasing = None
        if fault is not None:
            hold = dataclasses.replace(hold, faults=(*hold.faults, fault))
        self._publish(hold, events)

    def _person_lost(self, last_seen_s: float, events: list[Event]) -> None:
        hold = self._hold
        if hold is not None and hold.left_s is None:
            hold.left_s = last_seen_s
            hold.left_unseen = True
        if self._releasing is not None:
            self._finish_release(events, None)
        self._window.clear()
        self._previous_body = None
        for latch in self._position + self._start + self._target:
            latch.on = False
        if self._hold is None:
            self._set_phase(last_seen_s, Phase.AWAY, events)

    # ----------------------------------------------------------------- faults
    def _pauses(self, kind: str) -> bool:
        return any(check.kind == kind and check.pauses_hold for check in self.exercise.checks)

    def _judged_since(self, check: Check, at_start: bool) -> float | None:
        """Since when ``check`` is judged now (None while it is not): a hold's checks from the
        hold's start, the start position's from when it was taken."""
        if check.during is Phase.HOLD:
            return self._hold.start_s if self._hold is not None else None
        return self._at_start_since if at_start and self._hold is None else None

    def unchecked_cues(self, share: float = UNCHECKED_SHARE) -> tuple[str, ...]:
        """The cues of the hold's checks that the view could not judge (their measurement
        unreadable, as the hip height is off a side view) in ``share`` or more of the frames
        held."""
        if not self._held_frames:
            return ()
        return tuple(
            check.cue
            for check in self.exercise.checks
            if self._unjudged_frames[check.kind] >= share * self._held_frames
        )

    def _update_faults(self, time_s: float, body: Body, at_start: bool, events: list[Event]) -> None:
        """A fault is dated from when its condition began, or from when the check began to be
        judged if later: a fault already there as a hold is found (hips lifted from the first
        frame) earns that hold no time."""
        if self._hold is not None and self._hold.left_s is None:
            self._held_frames += 1
        for tracker in self._faults:
            check = tracker.check
            judged_since = self._judged_since(check, at_start)
            value = check.fault_when.measurement(body)
            if (
                math.isnan(value)
                and check.during is Phase.HOLD
                and self._hold is not None
                and self._hold.left_s is None
                and (check.applies is None or check.applies(body))
            ):
                self._unjudged_frames[check.kind] += 1
            condition = tracker.latch.update(value)
            condition = condition and (check.applies is None or check.applies(body))
            if not condition:
                tracker.on_since = None
            elif tracker.on_since is None:
                tracker.on_since = time_s
            if condition and judged_since is not None:
                assert tracker.on_since is not None
                if tracker.active_since is None and time_s - tracker.on_since >= check.persist_s:
                    tracker.active_since = max(tracker.on_since, judged_since)
                    events.append(FaultStarted(tracker.active_since, check.kind, check.cue))
                continue
            if tracker.active_since is not None:
                fault = Fault(check.kind, check.cue, tracker.active_since, time_s)
                tracker.active_since = None
                events.append(FaultCleared(time_s, check.kind))
                if check.during is Phase.HOLD and self._hold is not None:
                    self._hold.faults.append(fault)
                else:
                    self._start_faults.append(fault)

    # ----------------------------------------------------------------- phases
    def _phase_now(self, in_position: bool, at_start: bool) -> Phase:
        if self._hold is not None:
            return Phase.MOVING_OUT if self._hold.left_s is not None and in_position else Phase.HOLD
        if self._releasing is not None:
            return Phase.MOVING_OUT
        if not in_position:
            return Phase.AWAY
        if at_start:
            return Phase.START
        return Phase.MOVING_OUT if self._phase in (Phase.HOLD, Phase.MOVING_OUT) else Phase.MOVING_IN

    def _set_phase(self, time_s: float, phase: Phase, events: list[Event]) -> None:
        if phase is not self._phase:
            self._phase = phase
            events.append(PhaseChanged(time_s, phase))
