"""The code stays lint-clean, formatted, type-checked (ruff and mypy, configured in
pyproject.toml) and in modules and functions small enough to read whole."""

from __future__ import annotations

import ast
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


LONGEST_MODULE_LINES = 450
LONGEST_FUNCTION_LINES = 60


def _size_offenders(package: Path) -> list[str]:
    """Modules over the line limit, and functions (from the ``def`` line to the last) over theirs."""
    offenders = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        lines = len(source.splitlines())
        if lines > LONGEST_MODULE_LINES:
            offenders.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(source, filename=name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                span = (node.end_lineno or node.lineno) - node.lineno + 1
                if span > LONGEST_FUNCTION_LINES:
                    offenders.append(f"{name}:{node.lineno} {node.name}: {span} lines")
    return offenders


def test_no_module_in_the_package_is_over_450_lines_nor_function_over_60() -> None:
    offenders = _size_offenders(ROOT / "posecheck")
    assert not offenders, "split these by concern:\n" + "\n".join(offenders)
