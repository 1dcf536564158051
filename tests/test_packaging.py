"""What the wheel installs: every posecheck package, and the repository's ``exercises/`` under
posecheck's own name (a top-level ``exercises`` may be any project's)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_posecheck_package_is_listed_for_the_wheel() -> None:
    on_disk = find_packages(where=str(ROOT), include=["posecheck", "posecheck.*"])
    assert sorted(SETUPTOOLS["packages"]) == sorted([*on_disk, "posecheck.exercises"])


def test_the_exercises_folder_is_installed_as_posecheck_exercises() -> None:
    assert SETUPTOOLS["package-dir"] == {"posecheck.exercises": "exercises"}
    assert "exercises" not in SETUPTOOLS["packages"]
