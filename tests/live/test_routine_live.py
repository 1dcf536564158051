"""The whole routine, live: a press-up, a knee-to-chest and a child's-pose clip from the
corpus, played one after the other as the camera, with the check-ins given ahead.

The routine must give each exercise as ``analyze`` finds it on its own clip, keep the
answers, be one record in the history, and make a report that a browser draws.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from posecheck.analysis.session import Session
from posecheck.analysis.video import analyze_video
from posecheck.rules.events import Hold
from posecheck.rules.registry import exercise_named

ANSWERS = "pain_before=3,pain_after=2,stretch=yes,stretch.childs_pose=not_sure"
ORDER = ["prone_press_up", "knee_to_chest", "childs_pose"]
CLIP_END_S = 1.5
"""A hold that ends this close to its clip's end ran to it (the knee clip's both-knee hold
is still held as the picture fades to black, 1.1 s before the end)."""
RECORDED_TOLERANCE_S = 0.5
"""Every frame analysed: a hold's start moves only with the letterboxing and re-encoding."""
HOLD_END_TOLERANCE_S = 1.5
"""Live analyses the camera's newest frame each time (about one in two or three here), so a
hold's ends may fall a few frames from where every frame puts them."""


@pytest.fixture(scope="module")
def clip_sessions(routine_video, model_path: Path) -> dict[str, tuple[Session, float]]:
    """``analyze`` on each original clip, with where the clip starts in the routine."""
    _, spans = routine_video
    found = {}
    for name, span in zip(ORDER, spans, strict=True):
        found[name] = (analyze_video(span.clip, exercise_named(name), model_path), span.start_s)
    return found


@pytest.fixture(scope="module")
def live_routine(routine_video, model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    video, _ = routine_video
    folder = tmp_path_factory.mktemp("routine")
    report, history = folder / "routine.json", folder / "history.sqlite"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "posecheck",
            "routine",
            "--camera",
            str(video),
            "--no-window",
            "--quiet",
            "--model",
            str(model_path),
            "--db",
            str(history),
            "--answers",
            ANSWERS,
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stderr
    return {"report": json.loads(report.read_text()), "history": history, "stdout": completed.stdout}


@pytest.fixture(scope="module")
def recorded_routine(routine_video, model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``posecheck analyze VIDEO --routine`` on the same video."""
    video, _ = routine_video
    report = tmp_path_factory.mktemp("recorded") / "routine.json"
    completed = subprocess.run(
        [sys.executable, "-m", "posecheck", "analyze", str(video), "--routine", "--answers", ANSWERS,
         "--json", str(report), "--model", str(model_path), "--no-history", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return json.loads(report.read_text())


def test_the_routine_has_the_three_exercises_in_the_plans_order(live_routine) -> None:
    assert [entry["exercise"] for entry in live_routine["report"]["exercises"]] == ORDER


def _expected_holds(session: Session) -> list[Hold]:
    """The holds ``analyze`` finds on the clip that make reps in the routine: its reps, and a
    hold still running when the clip ended (not a rep there: the recording ended), which in
    the routine ends where the next clip begins and so is one."""
    end_s = session.duration_s
    return [hold for hold in session.holds if hold.complete or end_s - hold.end_s <= CLIP_END_S]


def test_each_exercise_has_the_reps_and_holds_analyze_finds_on_its_clip(live_routine, clip_sessions) -> None:
    for entry in live_routine["report"]["exercises"]:
        session, offset = clip_sessions[entry["exercise"]]
        expected = _expected_holds(session)
        live_holds = [hold for hold in entry["holds"] if hold["complete"]]
        assert entry["reps"] == len(expected) >= session.reps, entry["exercise"]
        assert [hold["side"] for hold in live_holds] == [hold.side for hold in expected]
        for live, clip in zip(live_holds, expected, strict=True):
            assert live["start_s"] == pytest.approx(clip.start_s + offset, abs=HOLD_END_TOLERANCE_S)
            if clip.complete:
                assert live["end_s"] == pytest.approx(clip.end_s + offset, abs=HOLD_END_TOLERANCE_S)
            else:
                assert live["end_s"] <= clip.end_s + offset + HOLD_END_TOLERANCE_S
        assert entry["done"] is False  # a demonstration clip does not do ten reps


def test_a_recorded_routine_gives_what_the_live_one_gives(
    live_routine, recorded_routine, clip_sessions
) -> None:
    live = live_routine["report"]
    assert [entry["exercise"] for entry in recorded_routine["exercises"]] == ORDER
    for recorded, played in zip(recorded_routine["exercises"], live["exercises"], strict=True):
        session, offset = clip_sessions[recorded["exercise"]]
        assert recorded["reps"] == played["reps"] == len(_expected_holds(session))
        assert recorded["done"] == played["done"]
        for mine, clip in zip(
            [hold for hold in recorded["holds"] if hold["complete"]], _expected_holds(session), strict=True
        ):
            assert mine["side"] == clip.side
            assert mine["start_s"] == pytest.approx(clip.start_s + offset, abs=RECORDED_TOLERANCE_S)
    for key in ("pain_before", "pain_after", "stretch", "advice"):
        assert recorded_routine[key] == live[key], key


def test_the_answers_given_are_kept(live_routine) -> None:
    report = live_routine["report"]
    assert (report["pain_before"], report["pain_after"]) == (3, 2)
    assert report["stretch"] == {"prone_press_up": "yes", "knee_to_chest": "yes", "childs_pose": "not sure"}
    assert report["advice"] is None


def test_the_routine_is_one_record_in_the_history(live_routine) -> None:
    from posecheck.history.store import History

    with History(live_routine["history"]) as history:
        routines = history.routines()
    assert len(routines) == 1
    assert [entry.exercise for entry in routines[0].exercises] == ORDER


def test_the_routine_report_is_drawn_by_a_browser(live_routine, tmp_path: Path) -> None:
    from tests.reports.test_html_report import MATCH_SCORE, chromium, embedded_images

    page = tmp_path / "routine.html"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "posecheck",
            "report",
            "--routine",
            "--db",
            str(live_routine["history"]),
            "--out",
            str(page),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    html = page.read_text()
    for words in ("Prone press-up", "Single knee to chest", "Child&#x27;s pose", "not sure"):
        assert words in html or words.replace("&#x27;", "'") in html
    screenshot = tmp_path / "routine.png"
    chromium("--window-size=1200,2400", f"--screenshot={screenshot}", page.as_uri())
    picture = cv2.imread(str(screenshot), cv2.IMREAD_COLOR)
    assert picture is not None
    plots = embedded_images(html)
    assert plots, "the report has no plot"
    for kind, image in plots:
        _, best, _, _ = cv2.minMaxLoc(cv2.matchTemplate(picture, image, cv2.TM_CCOEFF_NORMED))
        assert best >= MATCH_SCORE, f"the {kind} image is not drawn on the page"
