"""A session with a person in view and no hold says what came nearest: on generated press-ups,
and on real corpus clips of other activities read as the exercises (cached pose tracks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck.analysis.session import Session
from posecheck.analysis.video import ExerciseAnalysis, analyze_track
from posecheck.evaluation.corpus import corpus_track
from posecheck.reports.text import summary_text
from posecheck.rules.nearest import Stage
from posecheck.rules.registry import exercise_named
from tests.figures import Profile, prone, timeline

PRESS_UP = exercise_named("prone_press_up")


def _press_up_session(profile: Profile) -> Session:
    analysis = ExerciseAnalysis(PRESS_UP, "generated")
    for time_s, lift in timeline(profile, 5.0):
        analysis.feed(time_s, prone(time_s, lift))
    return analysis.finish(1 / 30)


def test_a_press_up_short_of_the_target_is_told_its_highest_lift_and_when() -> None:
    session = _press_up_session([(2.0, 15.0), (4.0, 15.0), (2.0, 5.0)])
    assert session.holds == ()
    miss = session.nearest
    assert miss is not None and miss.stage is Stage.TARGET
    assert miss.shortfall is not None and miss.shortfall.measurement == "trunk_lift"
    assert miss.time_s is not None and 1.5 < miss.time_s < 6.5
    assert "Nearest at 0:0" in summary_text(session)
    assert '"trunk_lift" reached 1' in summary_text(session)
    assert "against at least 22 deg for the target." in summary_text(session)


def test_a_target_reached_for_a_moment_is_told_how_long_it_lasted() -> None:
    session = _press_up_session([(2.0, 5.0), (0.5, 35.0), (1.0, 35.0), (0.5, 5.0), (2.0, 5.0)])
    assert session.holds == ()
    miss = session.nearest
    assert miss is not None and miss.stage is Stage.HOLD and 1.0 <= miss.stay_s < 2.0
    assert "you stayed in the target position for 1." in summary_text(session)
    assert "a hold needs 3 s there, at rest." in summary_text(session)


def test_a_session_with_a_hold_or_without_a_person_has_no_nearest_miss() -> None:
    held = _press_up_session([(2.0, 5.0), (1.0, 35.0), (8.0, 35.0), (1.0, 5.0), (2.0, 5.0)])
    assert held.holds and held.nearest is None
    nobody = ExerciseAnalysis(PRESS_UP, "empty")
    for index in range(30):
        nobody.feed(index / 30, None)
    assert nobody.finish(1 / 30).nearest is None


def _corpus_session(clip: str, exercise: str, corpus: Path, model_path: Path, track_cache: Path) -> Session:
    return analyze_track(corpus_track(corpus / "videos" / clip, model_path, track_cache), exercise)


def test_cat_cow_read_as_childs_pose_names_a_target_level_its_reading_and_the_time(
    corpus: Path, model_path: Path, track_cache: Path
) -> None:
    session = _corpus_session(
        "confuser__flowai_cat_cow_home.mp4", "childs_pose", corpus, model_path, track_cache
    )
    assert session.holds == () and session.frames_with_person > 0
    miss = session.nearest
    assert miss is not None and miss.stage is Stage.TARGET  # on hands and knees, never folded
    shortfall = miss.shortfall
    assert shortfall is not None and shortfall.reading is not None and shortfall.time_s is not None
    assert shortfall.measurement in {level.measurement.name for level in exercise_named("childs_pose").target}
    assert shortfall.reading > shortfall.threshold  # "at most" levels, never reached
    assert 0.0 <= shortfall.time_s <= session.duration_s
    summary = summary_text(session)
    assert (
        f'No hold was found. Nearest at 0:{shortfall.time_s:04.1f}: "{shortfall.measurement}" reached'
        in summary
    )
    assert "for the target" in summary


@pytest.mark.parametrize("exercise", ["childs_pose", "prone_press_up"])
def test_a_supine_twist_read_as_a_face_down_exercise_is_told_it_faced_up(
    exercise: str, corpus: Path, model_path: Path, track_cache: Path
) -> None:
    clip = "confuser__jennermaxim_supine_spinal_twist.mp4"
    session = _corpus_session(clip, exercise, corpus, model_path, track_cache)
    miss = session.nearest
    assert session.holds == () and miss is not None and miss.stage is Stage.POSITION
    assert miss.facing_away is not None and miss.facing_away.facing == "down"
    assert miss.facing_away.share >= 0.9
    assert "No hold was found. You were face up in" in summary_text(session)
    assert "this exercise is done face down." in summary_text(session)


def test_a_labelled_hold_leaves_no_nearest_miss(corpus: Path, model_path: Path, track_cache: Path) -> None:
    session = _corpus_session(
        "childs_pose__purecalm_balasana_rehabme.mp4", "childs_pose", corpus, model_path, track_cache
    )
    assert session.holds and session.nearest is None
    assert "No hold was found" not in summary_text(session)
