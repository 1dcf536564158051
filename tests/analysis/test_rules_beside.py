"""The rules in a process of their own, beside the model: the same session as the rules run
in the model's process, holds heard as they end, and a failure or a death of that process
reported here in one line."""

from __future__ import annotations

import dataclasses
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from posecheck.analysis.beside import AnalysisRecipe, RulesBeside, RulesHere, rules_for, second_core_free
from posecheck.analysis.session import Session
from posecheck.analysis.video import analyze_video
from posecheck.errors import AnalysisCrashedError
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.source import write_excerpt
from posecheck.rules.registry import exercise_named

HOLD_CLIP = "videos/childs_pose__purecalm_balasana_rehabme.mp4"
"""A child's pose held from about 9 s to 24 s: its first 30 s hold one hold, heard as it ends."""


@pytest.fixture(scope="module")
def held_clip(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_excerpt(corpus / HOLD_CLIP, 30.0, tmp_path_factory.mktemp("beside") / "held.mp4")


def _analysed(video: Path, model_path: Path, beside: bool) -> tuple[Session, list[Session]]:
    heard: list[Session] = []
    session = analyze_video(
        video, "childs_pose", model_path, rules_beside=beside, on_hold_finished=heard.append
    )
    return dataclasses.replace(session, started_at=""), [dataclasses.replace(s, started_at="") for s in heard]


@pytest.mark.skipif(not second_core_free(), reason="the rules go beside the model only with a second core")
def test_the_rules_beside_the_model_give_the_session_the_rules_here_give(
    held_clip: Path, model_path: Path
) -> None:
    beside, heard_beside = _analysed(held_clip, model_path, beside=True)
    here, heard_here = _analysed(held_clip, model_path, beside=False)
    assert beside.holds and heard_beside, "the clip's hold was not found, or not heard as it ended"
    assert repr(beside) == repr(here)  # as text: a frame without a body has a NaN angle
    assert repr(heard_beside) == repr(heard_here)


def _poses(count: int) -> list[Pose]:
    """Lying bodies of random joints: enough for the rules to read, nothing they hold."""
    generator = np.random.default_rng(7)
    return [
        Pose.from_arrays(
            timestamp_s=index / 25,
            image_xy=generator.uniform(100, 500, (33, 2)),
            image_z=generator.uniform(-0.5, 0.5, 33),
            world_xyz=generator.uniform(-0.5, 0.5, (33, 3)),
            visibility=np.full(33, 0.9),
            presence=np.full(33, 0.9),
            image_size=(640, 480),
        )
        for index in range(count)
    ]


def test_poses_fed_beside_and_here_end_in_the_same_session() -> None:
    recipe = AnalysisRecipe(exercise_named("prone_press_up"), "random.mp4")
    sessions = []
    for rules in (RulesBeside(recipe), RulesHere(recipe)):
        with rules:
            for pose in _poses(50):
                rules.feed(pose.timestamp_s, pose)
            rules.feed(2.0, None)
            sessions.append(dataclasses.replace(rules.finish(0.04), started_at=""))
    assert repr(sessions[0]) == repr(sessions[1])
    assert sessions[0].frames == 51 and sessions[0].frames_with_person == 50


def test_rules_that_fail_in_their_process_raise_their_error_here() -> None:
    """An exercise that is not one: the process cannot build its rules, and says why."""
    broken = AnalysisRecipe(None, "broken.mp4")  # type: ignore[arg-type]
    with RulesBeside(broken) as rules, pytest.raises(AttributeError):
        for pose in _poses(5):
            rules.feed(pose.timestamp_s, pose)
        rules.finish(0.04)


def test_a_rules_process_that_dies_is_one_line_saying_so() -> None:
    with RulesBeside(AnalysisRecipe(exercise_named("childs_pose"), "killed.mp4")) as rules:
        os.kill(rules.pid, signal.SIGKILL)
        with pytest.raises(
            AnalysisCrashedError, match=r"^the rules' process ended unexpectedly .*\n?$"
        ) as raised:
            for pose in _poses(5):
                rules.feed(pose.timestamp_s, pose)
            rules.finish(0.04)
    assert "\n" not in str(raised.value) and f"exit code {-signal.SIGKILL}" in str(raised.value)


def test_the_rules_process_is_gone_once_closed() -> None:
    with RulesBeside(AnalysisRecipe(exercise_named("childs_pose"), "closed.mp4")) as rules:
        pid = rules.pid
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_rules_stay_here_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    recipe = AnalysisRecipe(exercise_named("childs_pose"), "here.mp4")
    with rules_for(recipe, beside=False) as rules:
        assert isinstance(rules, RulesHere)
