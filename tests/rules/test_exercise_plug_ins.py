"""An exercise from another installed package: a plug-in with an entry point in the group
``posecheck.exercises`` is listed, analysed (in this process and in a batch worker) and
refused, in one line naming it and the fix, where it takes a name already taken, cannot be
imported, or gives no Exercise. posecheck itself is not touched.

Each plug-in is written here, built and installed by pip into a folder of its own, and
posecheck runs as a subprocess with that folder on PYTHONPATH.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import COBRA_CLIP, cli_environment, require_clip, require_model
from tests.installing import pip_install

EXERCISE_DEFINITION_EXIT = 13

COBRA_LIFT = '''
"""Cobra lift: lying face down, the chest lifted off the mat and held (a plug-in exercise).
It takes the prone press-up's position and reads its trunk lift in a function of its own."""

from posecheck.exercises import prone_press_up as press_up
from posecheck.rules.body import Body
from posecheck.rules.events import Phase
from posecheck.rules.vocabulary import (
    CameraView, Exercise, Facing, HoldTarget, Measurement, at_least, at_most,
)


def _chest_lift_deg(body: Body) -> float:
    return press_up.trunk_lift(body)


chest_lift = Measurement("chest_lift", "deg", _chest_lift_deg, press_up.trunk_lift.needs)

EXERCISE = Exercise(
    name="{name}",
    title="Cobra lift",
    instructions=("Lie on your stomach.", "Lift your chest off the mat and hold it for 10 seconds."),
    view=CameraView.SIDE,
    facing=Facing.DOWN,
    position=press_up.EXERCISE.position,
    start=(at_most(chest_lift, enter=15.0, exit=20.0),),
    target=(at_least(chest_lift, enter=22.0, exit=17.0),),
    checks=(),
    hold=HoldTarget(target_s=10.0, progression_s=30.0),
    reps_target=5,
    phase_labels={{Phase.START: "lying face down", Phase.HOLD: "hold"}},
)
'''

PYPROJECT = """
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{distribution}"
version = "1.0"

[project.entry-points."posecheck.exercises"]
{entry_point}

[tool.setuptools]
py-modules = ["{module}"]
"""


def _plug_in(folder: Path, distribution: str, entry_point: str, module: str, source: str) -> Path:
    """``folder/site``, holding the plug-in ``distribution``: one module and one entry point."""
    project = folder / distribution
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        PYPROJECT.format(distribution=distribution, entry_point=entry_point, module=module)
    )
    (project / f"{module}.py").write_text(source)
    return pip_install(project, folder / "site")


def _posecheck(site: Path, cwd: Path, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "posecheck", *map(str, arguments)],
        env=cli_environment(PYTHONPATH=str(site)),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def cobra_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cobra_plug_in")
    source = COBRA_LIFT.format(name="cobra_lift")
    return _plug_in(
        folder, "cobra-lift-exercise", 'cobra_lift = "cobra_lift_exercise"', "cobra_lift_exercise", source
    )


def test_a_plug_in_exercise_is_listed(cobra_site: Path, tmp_path: Path) -> None:
    run = _posecheck(cobra_site, tmp_path, "exercises")
    assert run.returncode == 0, run.stderr
    assert "cobra_lift: Cobra lift" in run.stdout
    assert "prone_press_up" in run.stdout


def test_a_plug_in_exercise_is_analysed(cobra_site: Path, tmp_path: Path) -> None:
    require_model()
    require_clip(COBRA_CLIP)
    report = tmp_path / "session.json"
    run = _posecheck(
        cobra_site,
        tmp_path,
        "analyze",
        COBRA_CLIP,
        "--exercise",
        "cobra_lift",
        "--json",
        report,
        "--no-history",
    )
    assert run.returncode == 0, run.stderr
    session = json.loads(report.read_text())
    assert session["exercise"] == "cobra_lift"
    assert session["holds"], "the clip's one hold is found by the plug-in's levels"


def test_a_plug_in_exercise_is_analysed_in_a_batch_worker(cobra_site: Path, tmp_path: Path) -> None:
    """The worker is a spawned process: it gets the exercise pickled, and imports the
    plug-in's measurements by their module's name."""
    require_model()
    require_clip(COBRA_CLIP)
    videos = tmp_path / "videos"
    videos.mkdir()
    (videos / COBRA_CLIP.name).symlink_to(COBRA_CLIP)
    reports = tmp_path / "reports"
    run = _posecheck(
        cobra_site, tmp_path, "analyze", videos, "-e", "cobra_lift", "--jobs", "2", "--stride", "3",
        "--json", reports, "--no-history", "--no-progress",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (report,) = reports.glob("*.json")
    assert json.loads(report.read_text())["exercise"] == "cobra_lift"


NOT_AN_EXERCISE = "EXERCISE = 'cobra_lift'\n"
BROKEN_IMPORT = "import posecheck_helpers_never_installed\n"

REFUSED = [
    pytest.param(
        "cobra_lift_exercise",
        COBRA_LIFT.format(name="prone_press_up"),
        ("exercises/prone_press_up.py", "'prone_press_up = cobra_lift_exercise'", "of cobra-lift-exercise",
         "both define the exercise 'prone_press_up'", "rename the plug-in's exercise",
         "pip uninstall cobra-lift-exercise"),
        id="a_built_in_name",
    ),
    pytest.param(
        "cobra_lift_exercise:EXERCISE.name",
        COBRA_LIFT.format(name="cobra_lift"),
        ("'prone_press_up = cobra_lift_exercise:EXERCISE.name'", "gives a str, not a posecheck Exercise",
         "point the entry point at a module that defines EXERCISE"),
        id="not_an_exercise_object",
    ),
    pytest.param(
        "cobra_lift_exercise",
        NOT_AN_EXERCISE,
        ("gives a str, not a posecheck Exercise",),
        id="not_an_exercise_in_the_module",
    ),
    pytest.param(
        "cobra_lift_exercise",
        BROKEN_IMPORT,
        ("'prone_press_up = cobra_lift_exercise' of cobra-lift-exercise cannot be loaded",
         "ModuleNotFoundError", "posecheck_helpers_never_installed", "fix the plug-in",
         "pip uninstall cobra-lift-exercise"),
        id="an_import_that_fails",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("value", "source", "mentions"), REFUSED)
def test_a_plug_in_that_cannot_be_used_is_refused_in_one_line(
    value: str, source: str, mentions: tuple[str, ...], tmp_path: Path
) -> None:
    site = _plug_in(
        tmp_path, "cobra-lift-exercise", f'prone_press_up = "{value}"', "cobra_lift_exercise", source
    )
    run = _posecheck(site, tmp_path, "exercises")
    assert run.returncode == EXERCISE_DEFINITION_EXIT, run.stderr
    (line,) = run.stderr.strip().splitlines()
    for mention in mentions:
        assert mention in line


def test_two_plug_ins_taking_one_name_are_refused_naming_both(tmp_path: Path) -> None:
    source = COBRA_LIFT.format(name="cobra_lift")
    _plug_in(
        tmp_path, "cobra-lift-exercise", 'cobra_lift = "cobra_lift_exercise"', "cobra_lift_exercise", source
    )
    site = _plug_in(tmp_path, "clinic-cobra", 'cobra = "clinic_cobra:EXERCISE"', "clinic_cobra", source)
    run = _posecheck(site, tmp_path, "exercises")
    assert run.returncode == EXERCISE_DEFINITION_EXIT, run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert "of clinic-cobra" in line and "of cobra-lift-exercise" in line
    assert "pip uninstall clinic-cobra or pip uninstall cobra-lift-exercise" in line
