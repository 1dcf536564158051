"""Routine plans: the default one is the instructions' routine; a physiotherapist's plan sets
exercises, order, holds, reps, legs and rests; a mistake is refused in one line naming the
key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck.cli.main import main
from posecheck.errors import InvalidPlanError
from posecheck.history.progression import Target
from posecheck.routine.plan import (
    DEFAULT_REST_S,
    Legs,
    default_plan,
    default_plan_text,
    load_plan,
    parse_plan,
)


def test_the_default_plan_is_the_instructions_three_exercises_in_their_order():
    steps = default_plan().steps_for({})
    assert [step.name for step in steps] == ["prone_press_up", "knee_to_chest", "childs_pose"]
    press_up, knee, child = steps
    assert (press_up.hold_s, press_up.reps) == (10.0, 10)
    assert (knee.hold_s, knee.legs) == (15.0, Legs.ALTERNATE)
    assert (child.hold_s, child.rest_s) == (10.0, 0.0)
    assert press_up.rest_s == DEFAULT_REST_S


def test_what_the_plan_leaves_out_comes_from_the_persons_target():
    targets = {"knee_to_chest": Target("knee_to_chest", 25.0, 3, legs="both")}
    knee = default_plan().steps_for(targets)[1]
    assert (knee.hold_s, knee.reps, knee.legs) == (25.0, 3, Legs.BOTH)
    assert knee.exercise.hold.target_s == 25.0 and knee.exercise.reps_target == 3


def test_a_physiotherapists_plan_sets_order_holds_reps_legs_and_rests(tmp_path: Path):
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(
        'rest_s = 45\n[[exercise]]\nname = "childs_pose"\nhold_s = 30\nreps = 2\n'
        '[[exercise]]\nname = "knee_to_chest"\nlegs = "both"\nhold_s = 20\nrest_s = 10\n'
    )
    child, knee = load_plan(plan_file).steps_for({"knee_to_chest": Target("knee_to_chest", 15.0, 4)})
    assert (child.name, child.hold_s, child.reps, child.rest_s) == ("childs_pose", 30.0, 2, 45.0)
    assert (knee.name, knee.hold_s, knee.reps, knee.legs, knee.rest_s) == (
        "knee_to_chest",
        20.0,
        4,
        Legs.BOTH,
        10.0,
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[[exercise]]\nname = "childs_pose"\nhold = 20', "unknown key 'hold'"),
        ('[[exercise]]\nname = "cobra"', "name: unknown exercise 'cobra'"),
        ('[[exercise]]\nname = "childs_pose"\nhold_s = 2', "hold_s = 2 is out of range"),
        ('[[exercise]]\nname = "childs_pose"\nhold_s = "long"', "hold_s = 'long'"),
        ('[[exercise]]\nname = "childs_pose"\nreps = 0', "reps = 0"),
        (
            '[[exercise]]\nname = "childs_pose"\nlegs = "both"',
            "legs: childs_pose is not done one leg at a time",
        ),
        ('[[exercise]]\nname = "knee_to_chest"\nlegs = "one"', 'give "alternate" or "both"'),
        ('[[exercise]]\nname = "childs_pose"\n[[exercise]]\nname = "childs_pose"', "listed 2 times"),
        ('rest_s = -1\n[[exercise]]\nname = "childs_pose"', "rest_s = -1 is out of range"),
        ("rest_s = 30", "no [[exercise]] table"),
        ("[[exercise]\nname=", "is not valid TOML"),
        ("[[exercise]]\nhold_s = 10", "name is missing"),
    ],
)
def test_a_plan_with_a_mistake_is_refused_naming_the_key_and_the_fix(text: str, named: str):
    with pytest.raises(InvalidPlanError) as refused:
        parse_plan(text, "plan.toml")
    message = str(refused.value)
    assert named in message and "\n" not in message and ": " in message


def test_a_plan_with_a_mistake_ends_the_command_with_one_line(tmp_path: Path, capfd):
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text('[[exercise]]\nname = "childs_pose"\nreps = 100\n')
    assert main(["routine", "--plan", str(plan_file), "--no-history", "--no-window"]) == 2
    error = capfd.readouterr().err.strip()
    assert error.count("\n") == 0 and "reps = 100" in error and "from 1 to 50" in error


def test_a_missing_plan_file_is_one_line_with_the_fix(tmp_path: Path, capfd):
    assert main(["routine", "--plan", str(tmp_path / "nowhere.toml"), "--no-history"]) == 2
    assert "no plan file" in capfd.readouterr().err


def test_show_plan_prints_the_shipped_default_plan_which_reads_back_as_the_default(capsys):
    assert main(["routine", "--show-plan"]) == 0
    printed = capsys.readouterr().out
    assert printed == default_plan_text()
    assert parse_plan(printed, "printed").entries == default_plan().entries
