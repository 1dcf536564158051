"""The corpus scoring itself: credited time less labelled faults, partial holds scored on the
boundaries the clip shows, faults found within the tolerance, the leg of each hold."""

from __future__ import annotations

from posecheck.analysis.session import Session
from posecheck.evaluation.corpus import ClipLabel, LabelledFault, score_clip
from posecheck.rules.events import Fault, Hold


def _hold(
    start_s: float,
    end_s: float,
    credited_s: float,
    *faults: Fault,
    side: str | None = None,
    complete: bool = True,
) -> Hold:
    return Hold(start_s, end_s, credited_s, complete, side, 10.0, 10.0, 40.0, tuple(faults))


def _session(duration_s: float, *holds: Hold) -> Session:
    reps = sum(hold.complete for hold in holds)
    return Session(
        "prone_press_up", "Prone press-up", "clip.mp4", "2026-12-01T00:00:00+00:00",
        duration_s, int(duration_s * 30), int(duration_s * 30), holds, reps, False,
    )  # fmt: skip


HIPS = "Keep your hips and pelvis on the mat."


def test_a_labelled_fault_is_taken_off_the_expected_credited_time() -> None:
    label = ClipLabel(
        "c.mp4", "prone_press_up", ((10.0, 30.0),), 1, faults=(LabelledFault("hips_lifted", 15.0, 20.0),)
    )
    fault = Fault("hips_lifted", HIPS, 15.2, 20.3)
    credited_right = score_clip(label, "prone_press_up", _session(40.0, _hold(10.2, 29.8, 14.5, fault)))
    credited_whole_span = score_clip(label, "prone_press_up", _session(40.0, _hold(10.2, 29.8, 19.6, fault)))
    assert credited_right.passed
    assert credited_right.matches[0].expected_credit_s == 15.0
    assert not credited_whole_span.passed


def test_a_labelled_fault_that_is_not_found_fails_the_clip() -> None:
    label = ClipLabel(
        "c.mp4", "prone_press_up", ((10.0, 30.0),), 1, faults=(LabelledFault("hips_lifted", 15.0, 20.0),)
    )
    unfound = score_clip(label, "prone_press_up", _session(40.0, _hold(10.0, 30.0, 15.0)))
    late = score_clip(
        label,
        "prone_press_up",
        _session(40.0, _hold(10.0, 30.0, 17.0, Fault("hips_lifted", HIPS, 17.0, 20.0))),
    )
    assert not unfound.passed
    assert not late.passed


def test_a_partial_hold_is_scored_on_the_boundary_the_clip_shows() -> None:
    label = ClipLabel(
        "c.mp4",
        "prone_press_up",
        ((2.8, 19.8),),
        0,
        partial=(0,),
        faults=(LabelledFault("hips_lifted", 2.8, 19.8),),
    )
    through_to_the_end = _hold(3.0, 19.0, 0.0, Fault("hips_lifted", HIPS, 3.0, 19.0), complete=False)
    credited_a_second = _hold(3.0, 19.0, 1.6, Fault("hips_lifted", HIPS, 4.6, 19.0), complete=False)
    started_late = _hold(5.0, 19.0, 0.0, Fault("hips_lifted", HIPS, 5.0, 19.0), complete=False)
    assert score_clip(label, "prone_press_up", _session(19.83, through_to_the_end)).passed
    assert not score_clip(label, "prone_press_up", _session(19.83, credited_a_second)).passed
    assert not score_clip(label, "prone_press_up", _session(19.83, started_late)).passed


def test_a_hold_on_the_wrong_leg_fails_the_clip() -> None:
    label = ClipLabel("c.mp4", "knee_to_chest", ((10.0, 20.0), (25.0, 35.0)), 2, sides=("right", "left"))
    right_then_left = _session(
        40.0, _hold(10.0, 20.0, 10.0, side="right"), _hold(25.0, 35.0, 10.0, side="left")
    )
    both_times_both = _session(
        40.0, _hold(10.0, 20.0, 10.0, side="both"), _hold(25.0, 35.0, 10.0, side="both")
    )
    assert score_clip(label, "knee_to_chest", right_then_left).passed
    assert not score_clip(label, "knee_to_chest", both_times_both).passed
