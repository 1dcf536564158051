"""Live and recorded give the same answer: a corpus clip played as a camera at its own frame
rate (``posecheck live``) and the same file analysed (``posecheck analyze``) report the same
holds, reps and faults, on an idle machine and on one whose every core is kept busy (live
then analyses far fewer frames, and the guards must still hold on time).

The clips: a press-up that opens on a title card (a drawing of the cobra pose fading in and
out), a knee to chest alternating legs, and two child's poses.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.live.test_live import _posecheck

TITLE_CARD_CLIP = "prone_press_up__flowai_bhujangasana_man_side.mp4"
KNEE_CLIP = "knee_to_chest__adaptx_side_alternating_both.mp4"
CLIPS = {
    TITLE_CARD_CLIP: "prone_press_up",
    KNEE_CLIP: "knee_to_chest",
    "childs_pose__clinically_balasana.mp4": "childs_pose",
    "childs_pose__purecalm_balasana_rehabme.mp4": "childs_pose",
}
BUSY_CLIPS = [TITLE_CARD_CLIP, KNEE_CLIP]
TOLERANCE_S = 0.5


@contextmanager
def every_core_busy() -> Iterator[None]:
    """One process spinning on every core while inside."""
    spinners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def _report(arguments: list[str], json_path: Path) -> tuple[dict[str, Any], list[str]]:
    """The JSON report and the printed lines of one posecheck command."""
    result = _posecheck(*arguments, "--json", str(json_path), "--no-history", timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads(json_path.read_text()), result.stdout.splitlines()


@pytest.fixture(scope="module")
def recorded(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("recorded")
    return {
        clip: _report(
            ["analyze", str(corpus / "videos" / clip), "--exercise", exercise], folder / f"{clip}.json"
        )[0]
        for clip, exercise in CLIPS.items()
    }


def _live(corpus: Path, clip: str, json_path: Path) -> tuple[dict[str, Any], list[str]]:
    video = corpus / "videos" / clip
    return _report(
        ["live", "--camera", str(video), "--exercise", CLIPS[clip], "--no-window", "--quiet"], json_path
    )


def _assert_set_up_cues_hold_still(lines: list[str]) -> None:
    """A few set-up cues, each said once while it stands (no flicker between two)."""
    cues = [line.split(" set-up: ", 1)[1] for line in lines if " set-up: " in line]
    assert len(cues) <= 4, cues
    assert all(cue != following for cue, following in itertools.pairwise(cues)), cues


def _hold_figures(hold: dict[str, Any]) -> tuple[float, float, float]:
    return hold["start_s"], hold["end_s"], hold["duration_s"]


def _assert_same_answer(live: dict[str, Any], recorded: dict[str, Any]) -> None:
    assert live["reps"] == recorded["reps"]
    assert live.get("reps_by_side") == recorded.get("reps_by_side")
    assert len(live["holds"]) == len(recorded["holds"]), (live["holds"], recorded["holds"])
    for live_hold, recorded_hold in zip(live["holds"], recorded["holds"], strict=True):
        for live_s, recorded_s in zip(_hold_figures(live_hold), _hold_figures(recorded_hold), strict=True):
            assert live_s == pytest.approx(recorded_s, abs=TOLERANCE_S), (live_hold, recorded_hold)
        assert live_hold["complete"] == recorded_hold["complete"]
        assert live_hold.get("side") == recorded_hold.get("side")
        live_faults = sorted(fault["kind"] for fault in live_hold["faults"])
        assert live_faults == sorted(fault["kind"] for fault in recorded_hold["faults"])


@pytest.mark.parametrize("clip", list(CLIPS))
def test_a_clip_played_as_a_camera_gives_what_analyze_gives(
    clip: str, corpus: Path, recorded: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    live, lines = _live(corpus, clip, tmp_path / "live.json")
    _assert_same_answer(live, recorded[clip])
    _assert_set_up_cues_hold_still(lines)
    if clip == TITLE_CARD_CLIP:
        # The drawing shows from 0.5 to 5.9 s, the man from 6 s: no hold before him.
        starts = [float(line.split()[0]) for line in lines if line.strip().endswith("hold started")]
        assert starts and min(starts) > 6.0


@pytest.mark.parametrize("clip", BUSY_CLIPS)
def test_on_a_busy_machine_a_clip_played_as_a_camera_still_gives_what_analyze_gives(
    clip: str, corpus: Path, recorded: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    with every_core_busy():
        live, lines = _live(corpus, clip, tmp_path / "live.json")
    # The machine was busy: live analysed far fewer frames than the file has.
    assert live["frames"] < 0.8 * recorded[clip]["frames"]
    _assert_same_answer(live, recorded[clip])
    _assert_set_up_cues_hold_still(lines)
