"""The routine without a window: answers and commands typed in the terminal (here a pipe)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from posecheck.pipeline.source import write_excerpt
from tests.live.test_live import PRESS_UP_CLIP
from tests.live.test_routine_window import PLAN


def test_typed_lines_answer_the_check_ins_skip_an_exercise_and_quit(
    corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    excerpt = write_excerpt(corpus / PRESS_UP_CLIP, 15.0, tmp_path / "excerpt.mp4")
    plan, report = tmp_path / "plan.toml", tmp_path / "routine.json"
    plan.write_text(PLAN)
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "routine", "--camera", str(excerpt), "--plan", str(plan),
         "--no-window", "--quiet", "--no-history", "--json", str(report), "--model", str(model_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    printed = []
    for line in process.stdout:  # once the question is asked
        printed.append(line)
        if "how much does your back hurt" in line:
            break
    process.stdin.write("seven?\n3\n")  # not an answer, then one
    process.stdin.flush()
    time.sleep(1.0)
    process.stdin.write("n\nq\ns\n2\n")  # skip; quit; a stretch question would take "s"; pain after
    process.stdin.close()
    out = "".join(printed) + process.stdout.read()
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    routine = json.loads(report.read_text())
    assert (routine["pain_before"], routine["pain_after"]) == (3, 2)
    assert routine["ended"] == "quit"
    assert routine["exercises"][0]["skipped"] and not routine["exercises"][0]["done"]
    assert "answer with a number from 0 to 10" in out
    assert "exercise 2 of 2: Child's pose" in out
