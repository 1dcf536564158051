"""The routine's guide on made-up frames: what it says next, how it follows the person, the
check-ins and the advice to stop."""

from __future__ import annotations

import pytest

from posecheck.live.routine_guide import FIRST_QUESTION_WAIT_S, RoutineGuide, Stage
from posecheck.routine.checkins import ScriptedAnswers, Stretch, scripted_answers
from posecheck.routine.plan import Legs, default_plan, parse_plan
from posecheck.routine.record import RoutineEnding
from posecheck.rules.engine import EngineState
from posecheck.rules.events import Hold, HoldFinished, Phase

IDLE = EngineState(Phase.AWAY, "away", 0.0, 10.0, float("nan"), (), 0)
SHORT_PLAN = """
rest_s = 20
[[exercise]]
name = "prone_press_up"
hold_s = 10
reps = 2
[[exercise]]
name = "knee_to_chest"
hold_s = 15
reps = 1
[[exercise]]
name = "childs_pose"
hold_s = 10
reps = 1
"""


def _hold(start_s: float, duration_s: float, side: str | None = None) -> Hold:
    return Hold(start_s, start_s + duration_s, duration_s, True, side, 10.0, 10.0, 40.0, ())


def _guide(answers: str = "pain_before=3", plan: str = SHORT_PLAN) -> RoutineGuide:
    steps = parse_plan(plan, "test").steps_for({})
    scripted = scripted_answers(answers, tuple(step.name for step in steps)) if answers else None
    guide = RoutineGuide(steps, scripted)
    guide.start(0.0)
    return guide


def _finish(guide: RoutineGuide, time_s: float, hold: Hold, named: str) -> list[str]:
    return [said.text for said in guide.hear(time_s, named, [HoldFinished(time_s, hold)], IDLE)]


def test_pain_given_ahead_starts_the_first_exercise_at_once():
    guide = _guide()
    assert guide.stage is Stage.EXERCISE and guide.step.name == "prone_press_up"
    assert guide.checkins().pain_before == 3


def test_unanswered_pain_question_stands_but_does_not_hold_the_routine_back():
    guide = _guide(answers="")
    assert guide.stage is Stage.CHECK_IN and guide.question is not None
    guide.hear(FIRST_QUESTION_WAIT_S + 0.1, "other", [], IDLE)
    assert guide.stage is Stage.EXERCISE and guide.question is not None
    guide.answer(40.0, "4")
    assert guide.checkins().pain_before == 4 and guide.question is None


def test_reps_that_hold_the_target_finish_the_exercise_then_stretch_rest_and_next():
    guide = _guide()
    _finish(guide, 20.0, _hold(5.0, 11.0), "prone_press_up")
    assert guide.step.name == "prone_press_up"
    said = _finish(guide, 40.0, _hold(25.0, 10.5), "prone_press_up")
    assert any("done" in line for line in said)
    assert guide.question is not None and guide.question.exercise == "prone_press_up"
    assert guide.stage is Stage.REST and guide.step.name == "knee_to_chest"
    guide.answer(41.0, "y")
    assert guide.checkins().stretch == {"prone_press_up": Stretch.YES}
    said = [line.text for line in guide.hear(61.0, "other", [], IDLE)]
    assert guide.stage is Stage.EXERCISE and any("exercise 2 of 3" in line for line in said)


def test_a_short_hold_is_a_rep_but_does_not_finish_the_exercise():
    guide = _guide()
    _finish(guide, 20.0, _hold(5.0, 6.0), "prone_press_up")
    _finish(guide, 40.0, _hold(25.0, 6.0), "prone_press_up")
    assert guide.stage is Stage.EXERCISE and guide.step.name == "prone_press_up"


def test_alternating_legs_are_told_to_switch_and_counted_per_leg():
    guide = _guide()
    guide.hear(10.0, "knee_to_chest", [], IDLE)  # the person moved on: followed
    assert guide.step.name == "knee_to_chest" and guide.step.legs is Legs.ALTERNATE
    said = _finish(guide, 30.0, _hold(12.0, 16.0, "right"), "knee_to_chest")
    assert any("now the left knee" in line for line in said)
    assert guide.step.name == "knee_to_chest"
    _finish(guide, 50.0, _hold(32.0, 16.0, "left"), "knee_to_chest")
    assert guide.step.name == "childs_pose"


def test_starting_another_exercise_is_followed_and_what_was_left_is_not_done():
    guide = _guide()
    _finish(guide, 20.0, _hold(5.0, 11.0), "prone_press_up")
    said = [line.text for line in guide.hear(25.0, "childs_pose", [], IDLE)]
    assert guide.step.name == "childs_pose"
    assert any("left after 1 rep, 1 of 2 holding 10 s (not done)" in line for line in said)
    assert guide.question is not None and guide.question.exercise == "prone_press_up"


def test_skip_moves_to_the_next_exercise_and_records_it_as_skipped():
    guide = _guide()
    guide.skip(5.0)
    assert guide.step.name == "knee_to_chest" and guide.stage is Stage.EXERCISE
    assert guide.skipped == frozenset({"prone_press_up"})


def test_quit_asks_pain_once_more_and_ends_with_what_was_done():
    guide = _guide()
    guide.quit(30.0)
    assert guide.stage is Stage.CLOSING and guide.question is not None
    guide.answer(31.0, "2")
    assert guide.ended and guide.ending is RoutineEnding.QUIT
    assert guide.checkins().pain_after == 2


@pytest.mark.parametrize(
    ("before", "after", "stops"), [(3, 5, True), (3, 4, False), (6, 8, True), (0, 1, False)]
)
def test_pain_that_rises_by_two_or_reaches_eight_gets_the_advice_to_stop(before, after, stops):
    guide = _guide(answers=f"pain_before={before}")
    said = [line for line in guide.quit(30.0)]
    said += guide.answer(31.0, str(after))
    advice = [line for line in said if "contact your physiotherapist or doctor" in line.text]
    assert bool(advice) is stops and (guide.advice is not None) is stops
    assert all(line.spoken for line in advice)


def test_pain_of_eight_before_the_routine_ends_it_before_any_exercise():
    guide = _guide(answers="pain_before=8")
    assert guide.ended and guide.ending is RoutineEnding.STOPPED_FOR_PAIN
    assert "contact your physiotherapist" in (guide.advice or "")


def test_it_hurts_asks_the_pain_now_and_a_rise_ends_the_routine():
    guide = _guide()
    guide.it_hurts(12.0)
    assert guide.question is not None and guide.question.key == "pain_now"
    guide.answer(13.0, "6")
    assert guide.ended and guide.ending is RoutineEnding.STOPPED_FOR_PAIN
    assert guide.checkins().pain_during == (6,) and guide.checkins().pain_rose


def test_every_announcement_and_question_is_spoken():
    guide = RoutineGuide(default_plan().steps_for({}), ScriptedAnswers())
    said = guide.start(0.0)
    said += guide.answer(1.0, "nine?")  # not an answer: asked again how to answer
    said += guide.answer(2.0, "2")
    said += guide.hear(3.0, "knee_to_chest", [], IDLE)
    said += guide.hear(30.0, "knee_to_chest", [HoldFinished(30.0, _hold(10.0, 16.0, "right"))], IDLE)
    said += guide.skip(31.0) + guide.answer(32.0, "s") + guide.quit(33.0) + guide.answer(34.0, "3")
    assert said and all(line.spoken for line in said if not line.text.startswith(("phase:", "held ")))
    assert guide.ended
