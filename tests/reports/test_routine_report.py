"""The routine report: one self-contained HTML file with the check-ins, each exercise against
its target with its holds, and the pain against the holds over routines, drawn whole in
headless Chromium."""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.history.routines import StoredRoutine
from posecheck.history.store import History
from posecheck.reports.routine_html import render_routine_html, write_routine_report
from posecheck.routine.checkins import Stretch
from posecheck.routine.record import RoutineEnding
from tests.generated_routines import generated_routine
from tests.reports.test_html_report import DRAWN_SHARE, MATCH_SCORE, chromium, embedded_images

WINDOW = (1200, 4200)
ADVICE = (
    "Your pain went up from 3 to 6. Stop the exercises for today and contact your physiotherapist or doctor."
)


@dataclass(frozen=True)
class RoutineReport:
    path: Path
    html: str
    stored: StoredRoutine
    past: list[StoredRoutine]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> RoutineReport:
    """Three routines; the last one with pain that rose, a fault, a stretch not felt and
    child's pose skipped."""
    folder = tmp_path_factory.mktemp("routine-report")
    with History(folder / "history.sqlite") as history:
        history.save_routine(generated_routine("2026-03-01", pain=(5, 4)))
        history.save_routine(generated_routine("2026-03-03", pain=(4, 3)))
        last = generated_routine(
            "2026-03-05",
            pain=(3, 6),
            stretch={"prone_press_up": Stretch.YES, "knee_to_chest": Stretch.NO},
            skipped=frozenset({"childs_pose"}),
            faulted=frozenset({"prone_press_up"}),
            short_of_target=frozenset({"knee_to_chest"}),
            ended=RoutineEnding.STOPPED_FOR_PAIN,
            advice=ADVICE,
        )
        routine_id = history.save_routine(last)
        stored = history.routine(routine_id)
        past = history.routines()
    path = write_routine_report(folder / "routine.html", stored, past)
    return RoutineReport(path, path.read_text(), stored, past)


def test_the_routine_report_is_one_file_that_needs_nothing_beside_it(report: RoutineReport) -> None:
    assert "http://" not in report.html and "https://" not in report.html
    assert "<link" not in report.html and "<script" not in report.html
    assert [kind for kind, _ in embedded_images(report.html)] == ["png"]


def test_the_report_gives_the_check_ins_and_the_advice(report: RoutineReport) -> None:
    page = report.html
    assert "<h1>Routine 3: 2026-03-05</h1>" in page
    assert "<tr><th>Pain before</th><td>3 of 10</td></tr>" in page
    assert "<tr><th>Pain after</th><td>6 of 10</td></tr>" in page
    assert "<tr><th>Ended</th><td>stopped for pain</td></tr>" in page
    assert "<tr><th>Exercises done</th><td>1 of 3</td></tr>" in page
    assert f'<p class="advice">Advice given: {html.escape(ADVICE)}</p>' in page
    assert "The pain was higher after (or during) the routine than before it." in page
    assert "<tr><th>Stretch felt in Single knee to chest</th><td>no</td></tr>" in page


def test_each_exercise_shows_its_target_reps_per_leg_holds_and_verdict(report: RoutineReport) -> None:
    page = report.html
    assert re.search(r"<h2>1\. Prone press-up: <span class=\"done\">done</span></h2>", page)
    assert re.search(r"<h2>2\. Single knee to chest: <span class=\"not-done\">not done</span></h2>", page)
    assert 'Child&#x27;s pose (prayer stretch): <span class="skipped">skipped</span>' in page
    assert "<tr><th>Target</th><td>hold 15 s, 4 reps each leg</td></tr>" in page
    assert "<tr><th>Reps</th><td>8 (left 4, right 4)</td></tr>" in page
    assert "Keep your hips and pelvis on the mat." in page  # the press-up's fault in its holds table
    assert page.count("<td class='short'>12.0 s</td>") == 8  # knee to chest held 3 s short, 8 times
    assert "<p>No holds: it was skipped.</p>" in page


def test_the_trend_covers_every_routine_up_to_this_one(report: RoutineReport) -> None:
    assert "The last 3 routines (this one highlighted)" in report.html
    earlier = render_routine_html(report.past[0], report.past[:1])
    assert "The last 1 routines" in earlier and "<h1>Routine 1: 2026-03-01</h1>" in earlier


def test_the_routine_report_is_drawn_in_headless_chromium(report: RoutineReport, tmp_path: Path) -> None:
    screenshot_path = tmp_path / "routine.png"
    chromium(
        f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={screenshot_path}", report.path.as_uri()
    )
    screenshot = cv2.imread(str(screenshot_path), cv2.IMREAD_COLOR)
    assert screenshot is not None and screenshot.shape[:2] == (WINDOW[1], WINDOW[0])
    assert float(np.mean(np.any(screenshot < 235, axis=2))) > 0.02, "the page is blank"
    ((_, plot),) = embedded_images(report.html)
    scores = cv2.matchTemplate(screenshot, plot, cv2.TM_CCOEFF_NORMED)
    _, best, _, (x, y) = cv2.minMaxLoc(scores)
    assert best >= MATCH_SCORE, "the trend plot is not drawn"
    region = screenshot[y : y + plot.shape[0], x : x + plot.shape[1]]
    assert float(np.mean(np.any(region < 235, axis=2))) >= DRAWN_SHARE, "the trend plot is nearly blank"


def test_a_routine_whose_sessions_were_forgotten_still_renders(report: RoutineReport) -> None:
    bare = dataclasses.replace(
        report.stored,
        exercises=tuple(dataclasses.replace(entry, stored=None) for entry in report.stored.exercises),
    )
    page = render_routine_html(bare, [*report.past[:-1], bare])
    assert page.count("its session was removed from the history") == 2
    assert len(embedded_images(page)) == 1
