"""The code stays lint-clean, formatted and type-checked (ruff and mypy, configured in
pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["posecheck", "exercises", "tests", "bench"]


@pytest.fixture(scope="module")
def ruff() -> list[str]:
    if (
        shutil.which("ruff") is None
        and subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True).returncode
    ):
        pytest.skip("ruff is not installed (it comes with the dev extra)")
    return [sys.executable, "-m", "ruff"]


def test_code_passes_the_linter(ruff: list[str]) -> None:
    result = subprocess.run([*ruff, "check", *FOLDERS], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_code_is_formatted(ruff: list[str]) -> None:
    result = subprocess.run([*ruff, "format", "--check", *FOLDERS], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_code_passes_the_type_checker() -> None:
    if subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode:
        pytest.skip("mypy is not installed (it comes with the dev extra)")
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
