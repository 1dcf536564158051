"""The hold's clock: when a hold begins, when it is left, resumed or over, and the time it
has earned.

- a hold starts once the key angle has settled for ``settle.window_s`` in the target
  position, dated from the start of that still window, or later where the body was still
  sinking into the position;
- once the target is left, or the key angle comes back ``settle.release`` from its held
  level (or half-way to the start), for ``release_after_s``, the hold is *left* (dated from
  when that movement began); it ends there once the person is seen in the start position,
  out of the exercise's position, or at rest elsewhere, or after ``BRIDGE_S``. Coming back
  into the held position before that resumes the same hold: a fault inside a rep (arms drawn
  back, the hips up for a moment) pauses its credited time but does not split it. A gap
  without a person is bridged the same way, and is credited;
- further in than a level held at the target's edge, and at rest there, the first level was
  a rest on the way in, and the hold starts again;
- a fault that began in the last ``leaving_within_s`` of a hold and is still on when it ends
  is how the person left the hold, not a fault in it: the hold ends where that fault began.

Reads: per frame, the key angle and where the body is (``PositionWatch``), whether it has
settled (``SettleWindow``), the checks (``FaultWatch``), how the hold was entered and its
side (``RepWatch``). Adds: ``HoldStarted`` and ``HoldTargetReached`` events, and each finished
hold, told through ``RepWatch`` or first handed to ``ReleaseWatch`` to judge its way back.
"""

from __future__ import annotations

import logging
import math

from posecheck.rules.body import Body
from posecheck.rules.events import Event, Fault, Hold, HoldStarted, HoldTargetReached
from posecheck.rules.faults import FaultWatch
from posecheck.rules.holds import HoldDraft
from posecheck.rules.levels import PositionWatch, Whereabouts
from posecheck.rules.release import ReleaseWatch
from posecheck.rules.reps import RepWatch
from posecheck.rules.settling import SettleWindow
from posecheck.rules.view import Unjudged
from posecheck.rules.vocabulary import Exercise

LOG = logging.getLogger(__name__)

BRIDGE_S = 10.0
"""How long a hold that was left (or a person lost from view) can still be resumed: a
cut-away or close-up in a filmed session, arms or hips moved for a moment. Longer than that
the person is doing something else."""

RESTED_PART_WAY = "rested part-way down"
"""The variant of a rep entered from a rest short of the start position."""


class HoldTimer:
    """At most one hold, from its start to its end. ``hold``: the one running or left."""

    def __init__(
        self,
        exercise: Exercise,
        levels: PositionWatch,
        window: SettleWindow,
        faults: FaultWatch,
        release: ReleaseWatch,
        reps: RepWatch,
    ) -> None:
        self.exercise = exercise
        self._levels = levels
        self._window = window
        self._faults = faults
        self._release = release
        self._reps = reps
        self.hold: HoldDraft | None = None
        self._released_since: float | None = None
        self._last_cut_s: float | None = None

    # ----------------------------------------------------------------- per frame
    def step(self, time_s: float, body: Body, key: float, where: Whereabouts, events: list[Event]) -> None:
        """One frame with a person: a hold begins once the body has settled in the target,
        or the running one goes on."""
        hold = self.hold
        if hold is None:
            if self._window.settled():
                self._begin(self._window.arrival_s(), events)
            return
        if hold.left_s is None:
            hold.note_view(self._faults.unjudged_now + _unjudged_target(where))
        self._continue(hold, time_s, body, key, where, events)

    def elapsed_s(self, now_s: float) -> float:
        """The time the hold has earned by ``now_s`` (0 without one)."""
        hold = self.hold
        if hold is None:
            return 0.0
        until_s = now_s if hold.left_s is None or hold.left_unseen else hold.left_s
        pauses = self._fault_pauses(hold.faults) + self._faults.running_pauses(now_s)
        return hold.credited_s(until_s, pauses)

    def lost_from_view(self, last_seen_s: float) -> None:
        """The person was lost: a running hold is left, unseen, where they were last seen."""
        hold = self.hold
        if hold is not None and hold.left_s is None:
            hold.left_s = last_seen_s
            hold.left_unseen = True

    def picture_cut(self, time_s: float) -> None:
        """A cut (the picture jumped) at ``time_s``. One while the key angle was on its way out
        of the hold, as seen before the cut, ends the hold where that began (a held cobra
        lowered, then a cut to the next one, is two holds, and the lowering is not hold time).
        A way out first seen on the frame of an earlier cut is not seen before this one: the
        model's first reading of a new picture can be a body drawn where the old one lay, and
        the next frame, with the body found, jumps again."""
        hold = self.hold
        released_since, last_cut_s = self._released_since, self._last_cut_s
        self._last_cut_s = time_s
        seen_before = released_since is not None and (last_cut_s is None or released_since > last_cut_s)
        if hold is not None and hold.left_s is None and seen_before:
            self._leave(hold, released=True)

    def end_if_left_too_long(self, time_s: float, events: list[Event]) -> None:
        """A hold left more than ``BRIDGE_S`` ago ends where it was left."""
        hold = self.hold
        if hold is not None and hold.left_s is not None and time_s - hold.left_s > BRIDGE_S:
            self._end(hold.left_s, events, left_inside=not hold.left_unseen)

    def finish(self, end_s: float, events: list[Event]) -> None:
        """End of the recording: a hold left ends where it was left, one still running at
        ``end_s`` as incomplete; a way back still followed is told as it stands."""
        hold = self.hold
        if hold is not None and hold.left_s is not None:
            self._end(hold.left_s, events, left_inside=not hold.left_unseen)
        elif hold is not None:
            self._end(end_s, events, left_inside=False)
        self.stop_following_release(events)

    def stop_following_release(self, events: list[Event]) -> None:
        """A hold waiting for its way back to be judged is told as it stands."""
        if self._release.waiting:
            self._reps.publish(self._release.give_up(), events)

    # ----------------------------------------------------------------- a running hold
    def _begin(self, start_s: float, events: list[Event]) -> None:
        self.stop_following_release(events)
        entered_from_start, variant = self._reps.entry()
        self.hold = HoldDraft(start_s=start_s, entered_from_start=entered_from_start, variant=variant)
        self.hold.keys.extend(self._window.keys)
        self._released_since = None
        LOG.debug("%s: hold from %.2f s", self.exercise.name, start_s)
        events.append(HoldStarted(start_s, None))

    def _continue(
        self, hold: HoldDraft, time_s: float, body: Body, key: float, where: Whereabouts, events: list[Event]
    ) -> None:
        """One frame of a running (or left) hold."""
        reference = hold.held_level
        inward = 1.0 if self.exercise.deeper_is_higher else -1.0
        offset = math.nan if math.isnan(key) or math.isnan(reference) else (key - reference) * inward
        held = where.in_target and not offset < -self._way_back(reference)
        deeper = offset > self.exercise.settle.release
        if hold.left_s is not None and not self._back_in(hold, time_s, body, held, deeper, where, events):
            return
        if held and deeper and self._part_way(reference) and self._window.settled():
            self._restart_from_rest(hold, events)
        elif held:
            self._keep_holding(hold, time_s, body, key, deeper, events)
        else:
            self._leaving(hold, time_s, released=bool(where.target) and where.target[0].on is False)

    def _back_in(
        self,
        hold: HoldDraft,
        time_s: float,
        body: Body,
        held: bool,
        deeper: bool,
        where: Whereabouts,
        events: list[Event],
    ) -> bool:
        """Left (or lost from view) and seen now: back in the hold within the bridge (True),
        or the hold ended where it was left (a rep: the person is seen out of it).
        ``elsewhere``: in the exercise's position, but neither at its start nor (necessarily)
        in its target. A hold released (the key angle back out of the target) is not resumed:
        going back in is a new rep."""
        assert hold.left_s is not None
        elsewhere = where.in_position and not where.at_start
        if time_s - hold.left_s <= BRIDGE_S and held and not deeper and not hold.released:
            self._resume(hold, time_s)
            return True
        if (
            not elsewhere
            or hold.released
            or time_s - hold.left_s > BRIDGE_S
            or self._window.settled(in_target_throughout=False)
        ):
            if hold.released:
                self._reps.released_to_rest(body)
            self._end(hold.left_s, events, left_inside=True)
        return False

    def _keep_holding(
        self, hold: HoldDraft, time_s: float, body: Body, key: float, deeper: bool, events: list[Event]
    ) -> None:
        """Still in the hold: its level (unless gone deeper than the margin), its side over
        the first seconds, the target time reached."""
        self._released_since = None
        if not deeper:
            hold.keys.append(key)
        self._reps.read_side(hold, time_s, body)
        if not hold.target_announced and self.elapsed_s(time_s) >= self.exercise.hold.target_s:
            hold.target_announced = True
            events.append(HoldTargetReached(time_s, self.exercise.hold.target_s))

    def _leaving(self, hold: HoldDraft, time_s: float, released: bool) -> None:
        """Out of the held position: left once that has lasted ``release_after_s``."""
        if self._released_since is None:
            self._released_since = time_s
        if time_s - self._released_since >= self.exercise.timing.release_after_s:
            self._leave(hold, released)
            LOG.debug("%s: hold left at %.2f s", self.exercise.name, hold.left_s)

    def _leave(self, hold: HoldDraft, released: bool) -> None:
        """The hold left, dated from when the way out began."""
        assert self._released_since is not None
        hold.left_s = self._window.movement_start_s(self._released_since)
        hold.left_unseen = False
        hold.released = released
        self._released_since = None

    def _resume(self, hold: HoldDraft, time_s: float) -> None:
        """Back in the held position: the time away is paused, a time unseen is credited."""
        assert hold.left_s is not None
        if not hold.left_unseen:
            hold.pauses.append((hold.left_s, time_s))
        hold.left_s = None
        hold.left_unseen = False
        self._released_since = None

    def _restart_from_rest(self, hold: HoldDraft, events: list[Event]) -> None:
        """Further in than a level held at the edge of the target, and at rest there: what
        came before was a rest on the way up (press-up reps that rest low), and this is the
        hold. It keeps the way the rest itself was entered: from the start position (a pause
        on the way up from lying flat) or from a rest after the last rep."""
        entered_from_start, variant = hold.entered_from_start, hold.variant
        self.hold = None
        self._reps.rested_on_the_way_in()
        self._begin(self._window.arrival_s(), events)
        assert self.hold is not None
        self.hold.variant = variant if entered_from_start else RESTED_PART_WAY

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

    # ----------------------------------------------------------------- the end
    def _end(self, end_s: float, events: list[Event], left_inside: bool) -> None:
        """The hold is over at ``end_s``, or where the fault it was left by began. Shorter
        than ``shortest_hold_s``, it was a movement, not a hold."""
        hold = self.hold
        assert hold is not None
        self.hold = None
        self._released_since = None
        end_s, trimmed_by_exit = self._close_faults(hold, end_s, left_inside, events)
        if end_s - hold.start_s < self.exercise.timing.shortest_hold_s:
            return
        finished = self._finished(hold, end_s, left_inside)
        if left_inside and not trimmed_by_exit and self.exercise.slow_release is not None:
            self._release.follow(finished, end_s)
        else:
            self._reps.publish(finished, events)

    def _close_faults(
        self, hold: HoldDraft, end_s: float, left_inside: bool, events: list[Event]
    ) -> tuple[float, bool]:
        """The hold's faults still on, closed at ``end_s``. One that began in its last
        ``leaving_within_s`` is how the person left it: the hold ends where that fault began
        (True with that end)."""
        exit_faults = self._faults.end_hold(end_s, events)
        trimmed_by_exit = False
        way_out = [f for f in exit_faults if f.start_s >= end_s - self.exercise.timing.leaving_within_s]
        if left_inside and way_out and min(fault.start_s for fault in way_out) < end_s:
            # Only ever earlier: a fault that began after the hold was left is not its way out.
            end_s = max(hold.start_s, min(fault.start_s for fault in way_out))
            trimmed_by_exit = True
        hold.faults.extend(f for f in exit_faults if not (left_inside and f in way_out))
        return end_s, trimmed_by_exit

    def _finished(self, hold: HoldDraft, end_s: float, left_inside: bool) -> Hold:
        """The hold as told, ending at ``end_s``, with the start faults that belong to it."""
        faults = [
            Fault(f.kind, f.cue, f.start_s, min(f.end_s, end_s)) for f in hold.faults if f.start_s < end_s
        ]
        before = self._faults.take_start_faults(hold.start_s)
        return Hold(
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

    def _fault_pauses(self, faults: list[Fault]) -> list[tuple[float, float]]:
        return [(f.start_s, f.end_s) for f in faults if self._faults.pauses(f.kind)]


def _unjudged_target(where: Whereabouts) -> list[tuple[str, Unjudged]]:
    """The target's cues whose own reading the view could not judge this frame (a stand-in
    may have timed the hold, but it does not check that cue's detail)."""
    return [
        (reading.level.cue, reading.reading.unjudged)
        for reading in where.target
        if reading.level.cue is not None and reading.reading.unjudged is not None
    ]
