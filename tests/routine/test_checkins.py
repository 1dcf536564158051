"""Check-ins: answers read from keys, typed lines and --answers; the advice to stop."""

from __future__ import annotations

import pytest

from posecheck.errors import UsageError
from posecheck.routine.checkins import (
    PAIN_AFTER,
    CheckIns,
    Stretch,
    pain_advice,
    pain_question,
    scripted_answers,
    stretch_question,
)

EXERCISES = ("prone_press_up", "knee_to_chest", "childs_pose")


@pytest.mark.parametrize(
    ("typed", "score"), [("0", 0), ("7", 7), (" 10 ", 10), ("11", None), ("-1", None), ("x", None)]
)
def test_pain_is_a_whole_number_from_nought_to_ten(typed: str, score: int | None):
    assert pain_question(PAIN_AFTER).read(typed) == score


@pytest.mark.parametrize(
    ("typed", "answer"), [("y", Stretch.YES), ("No", Stretch.NO), ("s", Stretch.NOT_SURE), ("maybe", None)]
)
def test_the_stretch_is_yes_no_or_not_sure(typed: str, answer: Stretch | None):
    assert stretch_question("childs_pose", "Child's pose").read(typed) == answer


def test_answers_given_ahead_answer_each_question():
    given = scripted_answers("pain_before=3,pain_after=2,stretch=yes,stretch.childs_pose=not_sure", EXERCISES)
    assert given.answer(pain_question("pain_before")) == 3
    assert given.answer(pain_question(PAIN_AFTER)) == 2
    assert given.answer(stretch_question("knee_to_chest", "Knee")) is Stretch.YES
    assert given.answer(stretch_question("childs_pose", "Child")) is Stretch.NOT_SURE


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("pain_before", "has no '='"),
        ("pain_before=12", "from 0 to 10"),
        ("mood=3", "unknown question 'mood'"),
        ("stretch=perhaps", "give yes, no or not_sure"),
        ("stretch.cobra=yes", "'cobra' is not in the routine"),
    ],
)
def test_answers_with_a_mistake_are_refused_in_one_line(text: str, named: str):
    with pytest.raises(UsageError, match=named):
        scripted_answers(text, EXERCISES)


@pytest.mark.parametrize(
    ("before", "now", "advised"),
    [(3, 5, True), (3, 4, False), (None, 7, False), (None, 8, True), (7, 8, True), (5, 2, False)],
)
def test_pain_rising_by_two_or_reaching_eight_advises_to_stop_and_call(before, now, advised):
    advice = pain_advice(before, now)
    assert (advice is not None) is advised
    if advice is not None:
        assert "contact your physiotherapist or doctor" in advice


def test_pain_rose_looks_at_the_end_and_at_what_was_said_during():
    assert CheckIns(3, 4).pain_rose
    assert not CheckIns(3, 3).pain_rose
    assert CheckIns(3, 2, pain_during=(5,)).pain_rose
    assert not CheckIns(None, 9).pain_rose
