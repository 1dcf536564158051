"""Set-up cues judged on time: the same cues at 30 and at 10 frames a second, a cue that
flickers between two does not flicker in what is said, and a cue is said once while it
stands."""

from __future__ import annotations

import pytest

from posecheck.analysis.setup_cues import CUE_WINDOW_S, CueChange, StandingCue, same_cue_key

FEET_OUT = "Move the camera further away: your feet are out of the picture."
KNEES_AND_FEET_OUT = "Move the camera further away: your knees and feet are out of the picture."
STEP_IN = "Step into the picture: the camera must see your whole body."


def _changes(cues_at: list[tuple[float, str | None]], fps: float, until_s: float) -> list[CueChange]:
    """Feeds a frame every 1/fps seconds; ``cues_at``: from which time each cue is seen."""
    standing = StandingCue()
    changes = []
    for index in range(round(until_s * fps)):
        time_s = index / fps
        cue = [cue for since, cue in cues_at if since <= time_s][-1]
        change = standing.update(time_s, cue)
        if change is not None:
            changes.append(change)
    return changes


def _flickering(time_s: float, fps: float) -> str:
    return FEET_OUT if round(time_s * fps) % 2 else KNEES_AND_FEET_OUT


@pytest.mark.parametrize("fps", [30.0, 10.0])
def test_a_cue_flickering_between_two_is_said_once(fps: float) -> None:
    standing = StandingCue()
    changes = [
        change
        for index in range(round(5 * fps))
        if (change := standing.update(index / fps, _flickering(index / fps, fps))) is not None
    ]
    assert len(changes) == 1
    assert changes[0].cue in (FEET_OUT, KNEES_AND_FEET_OUT)


def test_the_same_cues_come_at_the_same_times_at_30_and_10_frames_a_second() -> None:
    script: list[tuple[float, str | None]] = [(0.0, STEP_IN), (3.0, FEET_OUT), (6.0, None)]
    fast = _changes(script, 30.0, 9.0)
    slow = _changes(script, 10.0, 9.0)
    assert [change.cue for change in fast] == [STEP_IN, FEET_OUT, None]
    assert [change.cue for change in slow] == [change.cue for change in fast]
    for quick, late in zip(fast, slow, strict=True):
        assert late.time_s == pytest.approx(quick.time_s, abs=0.15)


@pytest.mark.parametrize("fps", [30.0, 10.0])
def test_a_new_cue_takes_over_once_it_held_for_most_of_a_second(fps: float) -> None:
    changes = _changes([(0.0, STEP_IN), (3.0, FEET_OUT)], fps, 6.0)
    taken = next(change for change in changes if change.cue == FEET_OUT)
    assert 3.0 + 0.6 * CUE_WINDOW_S <= taken.time_s <= 3.0 + CUE_WINDOW_S


def test_a_cue_is_not_said_again_while_it_stands() -> None:
    assert [change.cue for change in _changes([(0.0, FEET_OUT)], 30.0, 60.0)] == [FEET_OUT]


def test_a_moment_without_the_cue_does_not_end_it() -> None:
    changes = _changes([(0.0, FEET_OUT), (4.0, None), (4.3, FEET_OUT)], 30.0, 8.0)
    assert [change.cue for change in changes] == [FEET_OUT]


def test_the_same_instruction_with_another_figure_is_the_same_cue() -> None:
    assert same_cue_key("Level the camera: it is tilted about 12 degrees.") == same_cue_key(
        "Level the camera: it is tilted about 13 degrees."
    )
    changes = _changes(
        [
            (0.0, "tilted about 12 degrees"),
            (2.0, "tilted about 13 degrees"),
            (4.0, "tilted about 12 degrees"),
        ],
        30.0,
        6.0,
    )
    assert len(changes) == 1
