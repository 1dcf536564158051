"""The rule engine's parts on their own: the level latches, the checks, the way back from a
hold and the credited time (the engine as a whole is tested on generated and real footage)."""

from __future__ import annotations

import dataclasses

import pytest

from posecheck.rules.body import Body
from posecheck.rules.engine import RuleEngine
from posecheck.rules.events import Event, Fault, FaultCleared, FaultStarted, Hold, HoldFinished, Phase
from posecheck.rules.faults import START_FAULT_OVERLAP_S, FaultWatch
from posecheck.rules.holds import HoldDraft
from posecheck.rules.levels import PositionWatch
from posecheck.rules.picture import PICTURE_JUMP
from posecheck.rules.registry import exercise_named
from posecheck.rules.release import ReleaseWatch
from posecheck.rules.settling import picture_jumped
from posecheck.rules.view import Unjudged, Unseen
from posecheck.rules.vocabulary import Check, Measurement, SlowRelease, at_least
from tests.figures import prone, timeline

BODY = Body.of(prone(0.0, 30.0))


class Dial:
    """A measurement whose reading the test sets frame by frame."""

    def __init__(self) -> None:
        self.value = 0.0

    def read(self, body: Body) -> float:
        return self.value


def _watch(during: Phase = Phase.HOLD) -> tuple[FaultWatch, Dial]:
    dial = Dial()
    check = Check(
        kind="hips_lifted",
        cue="Keep your hips on the mat.",
        fault_when=at_least(Measurement("hip_height", "torso lengths", dial.read), enter=0.2, exit=0.1),
        during=during,
        persist_s=0.5,
    )
    return FaultWatch((check,)), dial


def _run(
    watch: FaultWatch,
    dial: Dial,
    readings: list[tuple[float, float]],
    hold_since: float | None,
    hold: list[Fault],
) -> list[Event]:
    events: list[Event] = []
    for time_s, value in readings:
        dial.value = value
        watch.update(
            time_s,
            BODY,
            hold_since=hold_since,
            start_since=None,
            hold_faults=hold if hold_since is not None else None,
            timing_hold=hold_since is not None,
            events=events,
        )
    return events


def test_a_fault_already_on_when_the_hold_is_found_is_dated_from_the_hold_start() -> None:
    watch, dial = _watch()
    hold_faults: list[Fault] = []
    _run(watch, dial, [(t / 10, 0.3) for t in range(0, 30)], hold_since=None, hold=hold_faults)
    events = _run(watch, dial, [(3.0 + t / 10, 0.3) for t in range(0, 10)], hold_since=2.0, hold=hold_faults)
    started = [e for e in events if isinstance(e, FaultStarted)]
    assert [e.time_s for e in started] == [2.0]
    _run(watch, dial, [(4.0 + t / 10, 0.0) for t in range(0, 3)], hold_since=2.0, hold=hold_faults)
    assert [(f.kind, f.start_s, f.end_s) for f in hold_faults] == [("hips_lifted", 2.0, 4.0)]


def test_a_fault_must_persist_before_it_is_on_and_clears_only_past_its_exit_level() -> None:
    watch, dial = _watch()
    hold_faults: list[Fault] = []
    events = _run(watch, dial, [(0.0, 0.3), (0.2, 0.3), (0.4, 0.0)], hold_since=0.0, hold=hold_faults)
    assert events == []  # 0.4 s on, under its 0.5 s persistence
    events = _run(watch, dial, [(1.0, 0.3), (1.6, 0.15), (2.0, 0.05)], hold_since=0.0, hold=hold_faults)
    assert [type(e) for e in events] == [FaultStarted, FaultCleared]
    assert hold_faults == [Fault("hips_lifted", "Keep your hips on the mat.", 1.0, 2.0)]


def test_a_fault_still_on_as_the_hold_ends_is_closed_at_the_end() -> None:
    watch, dial = _watch()
    hold_faults: list[Fault] = []
    _run(watch, dial, [(t / 10, 0.3) for t in range(0, 20)], hold_since=0.5, hold=hold_faults)
    events: list[Event] = []
    closed = watch.end_hold(2.5, events)
    assert [(f.start_s, f.end_s) for f in closed] == [(0.5, 2.5)]
    assert events == [FaultCleared(2.5, "hips_lifted")]
    assert watch.running_pauses(3.0) == []


def test_only_start_faults_that_end_by_the_hold_start_belong_to_it() -> None:
    watch, dial = _watch(during=Phase.START)
    events: list[Event] = []
    for time_s, value in [(0.0, 0.3), (0.6, 0.3), (1.0, 0.0), (5.0, 0.3), (5.6, 0.3), (6.0, 0.0)]:
        dial.value = value
        watch.update(
            time_s, BODY, hold_since=None, start_since=0.0, hold_faults=None, timing_hold=False, events=events
        )
    taken = watch.take_start_faults(hold_start_s=1.0 - START_FAULT_OVERLAP_S)
    assert [(f.start_s, f.end_s) for f in taken] == [(0.0, 1.0)]
    assert watch.take_start_faults(hold_start_s=10.0) == []  # the later one was forgotten


def test_a_check_the_view_cannot_judge_is_reported_with_the_part_and_the_fix() -> None:
    dial = Dial()
    unseen = Unjudged("your hips", Unseen.NOT_SIDE_ON)
    check = Check(
        kind="hips_lifted",
        cue="Keep your hips on the mat.",
        fault_when=at_least(
            Measurement(
                "hip_height", "torso lengths", dial.read, lambda body: unseen if dial.value < 0 else None
            ),
            enter=0.2,
            exit=0.1,
        ),
        persist_s=0.5,
    )
    watch = FaultWatch((check,))
    draft = HoldDraft(start_s=0.0, entered_from_start=True)
    for time_s, value in [(t / 10, -1.0) for t in range(6)] + [(0.6 + t / 10, 0.0) for t in range(4)]:
        dial.value = value
        watch.update(
            time_s, BODY, hold_since=0.0, start_since=None, hold_faults=[], timing_hold=True, events=[]
        )
        draft.note_view(watch.unjudged_now)
    [unchecked] = draft.unchecked()
    assert unchecked.cue == "Keep your hips on the mat."
    assert unchecked.share == 0.6
    assert unchecked.sentence == (
        '"Keep your hips on the mat" could not be checked: the camera did not see your hips from the '
        "side. To have it checked, film from the side."
    )
    for time_s in range(2, 10):
        dial.value = 0.0
        watch.update(
            float(time_s), BODY, hold_since=0.0, start_since=None, hold_faults=[], timing_hold=True, events=[]
        )
        draft.note_view(watch.unjudged_now)
    assert draft.unchecked() == ()  # judged in most of the hold after all


def test_a_fault_is_not_started_by_a_reading_the_view_cannot_judge() -> None:
    dial = Dial()
    check = Check(
        kind="hips_lifted",
        cue="Keep your hips on the mat.",
        fault_when=at_least(
            Measurement(
                "hip_height", "torso lengths", dial.read, lambda body: Unjudged("your hips", Unseen.HIDDEN)
            ),
            enter=0.2,
            exit=0.1,
        ),
        persist_s=0.5,
    )
    watch = FaultWatch((check,))
    events: list[Event] = []
    dial.value = 0.5  # a guess well over the threshold
    for t in range(20):
        watch.update(
            t / 10, BODY, hold_since=0.0, start_since=None, hold_faults=[], timing_hold=True, events=events
        )
    assert events == []


def _hold(end_s: float) -> Hold:
    return Hold(
        start_s=0.0,
        end_s=end_s,
        duration_s=end_s,
        complete=True,
        side=None,
        target_s=10.0,
        minimum_s=10.0,
        key_angle_deg=40.0,
        faults=(),
    )


RULE = SlowRelease(kind="lowered_too_fast", cue="Lower yourself slowly.", minimum_s=1.0, window_s=4.0)


def test_a_return_to_the_start_faster_than_the_minimum_is_a_fault_of_the_hold() -> None:
    release = ReleaseWatch(RULE)
    release.follow(_hold(10.0), released_s=10.0)
    events: list[Event] = []
    assert release.judge(10.2, at_start=False, at_start_since=None, in_position=True, events=events) is None
    judged = release.judge(10.4, at_start=True, at_start_since=10.4, in_position=True, events=events)
    assert judged is not None and not release.waiting
    assert [(f.kind, f.start_s, f.end_s) for f in judged.faults] == [("lowered_too_fast", 10.0, 10.4)]
    assert [type(e) for e in events] == [FaultStarted, FaultCleared]


def test_a_slow_return_or_leaving_the_position_gives_the_hold_without_a_fault() -> None:
    release = ReleaseWatch(RULE)
    release.follow(_hold(10.0), released_s=10.0)
    slow = release.judge(11.5, at_start=True, at_start_since=11.5, in_position=True, events=[])
    assert slow is not None and slow.faults == ()
    release.follow(_hold(10.0), released_s=10.0)
    gone = release.judge(10.5, at_start=False, at_start_since=None, in_position=False, events=[])
    assert gone is not None and gone.faults == ()


def test_the_start_and_the_target_count_only_inside_the_position() -> None:
    levels = PositionWatch(exercise_named("prone_press_up"))
    lifted = levels.read(Body.of(prone(0.0, 40.0)))
    assert lifted.in_position and lifted.in_target and not lifted.at_start
    flat = levels.read(Body.of(prone(0.1, 3.0)))
    assert flat.in_position and flat.at_start and not flat.in_target
    levels.forget()
    assert levels.target_edges() and all(edge > 3.0 for edge in levels.target_edges())


def test_credited_time_is_the_span_less_every_pause_counted_once() -> None:
    draft = HoldDraft(start_s=10.0, entered_from_start=True, pauses=[(12.0, 14.0)])
    assert draft.credited_s(20.0, []) == pytest.approx(8.0)
    assert draft.credited_s(20.0, [(13.0, 15.0), (18.0, 25.0)]) == pytest.approx(5.0)
    assert draft.credited_s(9.0, []) == 0.0


def test_a_close_up_is_a_jump_in_the_picture_and_a_held_body_is_not() -> None:
    still = prone(0.0, 30.0)
    held = dataclasses.replace(still, timestamp_s=0.04, image_xy=still.image_xy + 2.0)
    # a close-up: the same body twice as large about its own middle, so that the joints move
    # 0.35 of the close-up's torso (under the bound) and 0.70 of the first frame's (over it)
    middle = still.image_xy[11:29].mean(axis=0)
    close_up = dataclasses.replace(still, timestamp_s=0.04, image_xy=middle + (still.image_xy - middle) * 2.0)
    assert not picture_jumped(Body.of(held), Body.of(still), PICTURE_JUMP)
    assert picture_jumped(Body.of(close_up), Body.of(still), PICTURE_JUMP)
    assert picture_jumped(Body.of(still), Body.of(close_up), PICTURE_JUMP)  # and back out


def _hold_side(
    close_up_from_s: float | None, other_leg_from_s: float, first: str | None = "left"
) -> str | None:
    """A press-up hold (3-10 s) whose side a dial reads: ``first`` until ``other_leg_from_s``,
    then "both", as the model draws a leg out of the picture beside the held one; the
    picture enlarged about the body (a close-up) from ``close_up_from_s``."""
    readings: list[str | None] = []
    exercise = dataclasses.replace(exercise_named("prone_press_up"), side_of=lambda body: readings[-1])
    engine = RuleEngine(exercise)
    finished: list[Hold] = []
    for time_s, lift in timeline([(2.0, 5.0), (1.0, 35.0), (7.0, 35.0), (2.0, 5.0), (2.0, 5.0)], 5.0):
        pose = prone(time_s, lift)
        if close_up_from_s is not None and time_s >= close_up_from_s:
            middle = pose.image_xy[11:29].mean(axis=0)
            pose = dataclasses.replace(pose, image_xy=middle + (pose.image_xy - middle) * 2.0)
        readings.append(first if time_s < other_leg_from_s else "both")
        finished += [
            event.hold for event in engine.update(time_s, Body.of(pose)) if isinstance(event, HoldFinished)
        ]
    (hold,) = finished
    return hold.side


def test_a_hold_keeps_the_side_read_before_a_close_up_in_its_first_seconds() -> None:
    assert _hold_side(close_up_from_s=None, other_leg_from_s=4.6) == "both"  # what the dial reads most
    assert _hold_side(close_up_from_s=4.6, other_leg_from_s=4.6) == "left"


def test_a_close_up_before_any_side_is_read_does_not_stop_the_reading() -> None:
    assert _hold_side(close_up_from_s=4.6, other_leg_from_s=4.8, first=None) == "both"
