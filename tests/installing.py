"""Installs a Python project into a folder of its own, as pip does for a user, without the
network: the tests put that folder on PYTHONPATH, where importlib.metadata finds what was
installed (its entry points too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INSTALL_TIMEOUT_S = 300.0


def pip_install(project: Path, site: Path) -> Path:
    """``site``, with ``project`` (a folder with a pyproject.toml) installed into it, built with
    the setuptools of the test environment."""
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index",
        "--no-deps", "--no-build-isolation", "--target", str(site), str(project),
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
    assert run.returncode == 0, run.stderr
    return site
