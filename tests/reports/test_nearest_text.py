"""The sentence a session without a hold ends its summary with, and its place in the JSON
report: what came nearest, in words a patient can read."""

from __future__ import annotations

import json

import pytest

from posecheck.analysis.session import Session
from posecheck.reports.text import no_hold_text, session_to_dict, summary_text
from posecheck.rules.nearest import FacingAway, NearestMiss, Shortfall, Stage, UnjudgedShare

SIT_BACK = "Sit back until your buttocks rest on your heels."
HIP_FOLD = Shortfall("hip_fold", "deg", False, 60.0, 72.4, 12.5, 1.0, SIT_BACK)
THIGHS_HIDDEN = UnjudgedShare(
    "hip_fold", "your thighs were hidden from the camera", "film from the side", 1.0, True
)
KNEES_HIDDEN = UnjudgedShare(
    "knee_bend", "your knees and heels were hidden from the camera", "film from the side", 0.8, False
)


def _session(nearest: NearestMiss | None) -> Session:
    return Session(
        "childs_pose", "Child's pose", "clip.mp4", "2026-03-01T08:00:00+00:00", 30.0, 750, 700, (), 3, False,
        nearest=nearest,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("nearest", "sentence"),
    [
        (
            NearestMiss(Stage.TARGET, 12.5, HIP_FOLD, unjudged=(KNEES_HIDDEN,)),
            'No hold was found. Nearest at 0:12.5: "hip_fold" reached 72 deg against at most 60 deg for the '
            "target (Sit back until your buttocks rest on your heels). The camera could not judge "
            '"knee_bend" in 80% of the frames with you in view: your knees and heels were hidden from the '
            "camera; film from the side.",
        ),
        (
            NearestMiss(
                Stage.POSITION,
                64.25,
                Shortfall("hip_height", "torso lengths", False, 0.6, 0.7649, 64.25, 1.0),
            ),
            'No hold was found. Nearest at 1:04.2: "hip_height" reached 0.76 torso lengths against at most '
            "0.6 torso lengths for the exercise's position.",
        ),
        (
            NearestMiss(Stage.POSITION, None, facing_away=FacingAway("down", 0.97)),
            "No hold was found. You were face up in 97% of the frames with you in view, and this exercise is "
            "done face down.",
        ),
        (
            NearestMiss(Stage.HOLD, 8.9, stay_s=2.2, hold_needs_s=3.0),
            "No hold was found. Nearest at 0:08.9: you stayed in the target position for 2.2 s; a hold needs "
            "3 s there, at rest.",
        ),
        (
            NearestMiss(Stage.HOLD, 4.0, stay_s=4.5, hold_needs_s=3.0),
            "No hold was found. Nearest at 0:04.0: you stayed in the target position for 4.5 s, but never at "
            "rest in it for the 3 s a hold needs.",
        ),
        (
            NearestMiss(
                Stage.TARGET,
                None,
                Shortfall("hip_fold", "deg", False, 60.0, None, None, 1.0, SIT_BACK),
                unjudged=(
                    UnjudgedShare(
                        "hip_fold", "your thighs were hidden from the camera", "film from the side", 1.0, True
                    ),
                ),
            ),
            'No hold was found. "hip_fold" never held at most 60 deg for the target (Sit back until your '
            "buttocks rest on your heels): the camera could not judge it in 100% of the frames with you in "
            "the exercise's position, as your thighs were hidden from the camera; film from the side.",
        ),
        (None, "No hold was found."),
    ],
)
def test_a_session_without_a_hold_says_what_came_nearest(nearest: NearestMiss | None, sentence: str) -> None:
    session = _session(nearest)
    assert no_hold_text(session) == sentence
    assert sentence in summary_text(session).splitlines()


@pytest.mark.parametrize(
    ("reading", "shown"),
    [(17.4, "17 deg"), (21.6, "21.6 deg"), (21.96, "21.96 deg")],
)
def test_a_reading_never_reads_as_the_threshold_it_missed(reading: float, shown: str) -> None:
    trunk = Shortfall("trunk_lift", "deg", True, 22.0, reading, 3.0, 1.0)
    text = no_hold_text(_session(NearestMiss(Stage.TARGET, 3.0, trunk)))
    assert f'"trunk_lift" reached {shown} against at least 22 deg' in text


def test_a_stay_just_short_of_a_hold_never_reads_as_long_enough() -> None:
    text = no_hold_text(_session(NearestMiss(Stage.HOLD, 5.2, stay_s=2.96, hold_needs_s=3.0)))
    assert "for 2.9 s; a hold needs 3 s" in text


def test_the_json_report_carries_what_came_nearest_as_plain_json() -> None:
    miss = NearestMiss(Stage.TARGET, 12.5, HIP_FOLD, unjudged=(KNEES_HIDDEN,))
    report = json.loads(json.dumps(session_to_dict(_session(miss)), allow_nan=False))
    assert report["nearest"] == {
        "stage": "target",
        "time_s": 12.5,
        "shortfall": {
            "measurement": "hip_fold",
            "unit": "deg",
            "at_least": False,
            "threshold": 60.0,
            "reading": 72.4,
            "time_s": 12.5,
            "against_share": 1.0,
            "cue": SIT_BACK,
        },
        "facing_away": None,
        "stay_s": 0.0,
        "hold_needs_s": 0.0,
        "unjudged": [
            {
                "measurement": "knee_bend",
                "reason": "your knees and heels were hidden from the camera",
                "advice": "film from the side",
                "share": 0.8,
                "in_position": False,
            }
        ],
    }
    assert session_to_dict(_session(None))["nearest"] is None
