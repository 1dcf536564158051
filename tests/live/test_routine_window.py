"""The routine in its window: the check-ins answered and the routine steered with keys typed
into the real window (X key events sent by xdotool) on a virtual display."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from posecheck.pipeline.source import write_excerpt
from posecheck.reports.overlay import PANEL_COLOUR
from tests.live.test_live import PRESS_UP_CLIP, _screenshot, virtual_display  # noqa: F401 (a fixture)

PLAN = '[[exercise]]\nname = "prone_press_up"\n\n[[exercise]]\nname = "childs_pose"\nrest_s = 0\n'


def test_keys_answer_the_check_ins_skip_an_exercise_and_quit_the_routine(
    virtual_display: str,  # noqa: F811
    corpus: Path,
    model_path: Path,
    tmp_path: Path,
) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt-get install xdotool)")
    excerpt = write_excerpt(corpus / PRESS_UP_CLIP, 15.0, tmp_path / "excerpt.mp4")
    plan, report = tmp_path / "plan.toml", tmp_path / "routine.json"
    plan.write_text(PLAN)
    env = {**os.environ, "DISPLAY": virtual_display, "QT_QPA_PLATFORM": "xcb"}
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "routine", "--camera", str(excerpt), "--plan", str(plan),
         "--quiet", "--no-history", "--json", str(report), "--model", str(model_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    found = subprocess.run(
        ["xdotool", "search", "--sync", "--name", "posecheck"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    window = found.stdout.split()[0]

    def press(*keys: str) -> None:
        for key in keys:
            subprocess.run(["xdotool", "key", "--window", window, key], env=env, check=True, timeout=10)
            time.sleep(0.3)

    time.sleep(1.5)
    press("3", "Return")  # pain before
    time.sleep(1.0)
    during = _screenshot(virtual_display, tmp_path / "during.png")
    press("n")  # skip the press-up
    time.sleep(1.0)
    press("q", "s", "2", "Return")  # quit; a stretch question would take "s"; pain after
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    routine = json.loads(report.read_text())
    assert (routine["pain_before"], routine["pain_after"]) == (3, 2)
    assert routine["ended"] == "quit"
    press_up, child = routine["exercises"]
    assert press_up["skipped"] and not press_up["done"] and not child["done"]
    assert "Routine (quit)" in out
    panel = float(np.mean(np.all(np.abs(during.astype(int) - PANEL_COLOUR) <= 2, axis=2)))
    assert panel > 0.02, "no panel drawn over the picture"
