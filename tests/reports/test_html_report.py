"""The HTML report of real sessions, opened in headless Chromium: every plot and still is
on the screenshot where the page puts it, and the page prints to a PDF with all of them."""

from __future__ import annotations

import base64
import dataclasses
import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.analysis.video import analyze_track
from posecheck.evaluation.corpus import corpus_track
from posecheck.history.progression import Target, suggest_next
from posecheck.history.store import History, StoredSession
from posecheck.reports.html import render_html, write_report
from posecheck.reports.text import no_hold_text
from posecheck.rules.registry import exercise_named
from tests.real_sessions import RealSessions, real_sessions

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WINDOW = (1200, 5000)
CHROMIUM_TIMEOUT_S = 120.0
# A rendered image matches its own pixels almost exactly; a different figure scores far lower.
MATCH_SCORE = 0.9
# A matplotlib figure with axes, lines and labels: well over this share of non-white pixels.
DRAWN_SHARE = 0.04
IMAGE_SOURCE = re.compile(r"src='data:image/(png|jpeg);base64,([A-Za-z0-9+/=]+)'")


@dataclass(frozen=True)
class Report:
    path: Path
    html: str
    stored: StoredSession


def _report(history_path: Path, out: Path, sessions: RealSessions, with_video: bool) -> Report:
    exercise = exercise_named("prone_press_up")
    days = ["2026-03-01", "2026-03-03", "2026-03-05"]
    runs = [sessions.press_up, sessions.short_press_up, sessions.press_up_with_hips_lifted]
    with History(history_path) as history:
        for day, session in zip(days, runs, strict=True):
            dated = dataclasses.replace(session, started_at=f"{day}T08:00:00+00:00")
            session_id = history.save(dated, sessions.press_up_video if with_video else None)
        stored = history.session(session_id)
        past = history.sessions("prone_press_up")
    target = Target("prone_press_up", 10.0, 1)
    suggestion = suggest_next(exercise, target, [entry.session for entry in past])
    write_report(out, stored, past, "trunk lift", target, suggestion)
    return Report(out, out.read_text(), stored)


@pytest.fixture(scope="module")
def sessions(corpus: Path, model_path: Path, track_cache: Path) -> RealSessions:
    return real_sessions(corpus, model_path, track_cache)


@pytest.fixture(scope="module")
def report(sessions: RealSessions, tmp_path_factory: pytest.TempPathFactory) -> Report:
    folder = tmp_path_factory.mktemp("report")
    return _report(folder / "history.sqlite", folder / "report.html", sessions, with_video=True)


def embedded_images(html: str) -> list[tuple[str, np.ndarray]]:
    images = []
    for kind, data in IMAGE_SOURCE.findall(html):
        image = cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_COLOR)
        assert image is not None, f"an embedded {kind} does not decode"
        images.append((kind, image))
    return images


def chromium(*arguments: str) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`; .ci/run installs it)")
    completed = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT_S,
    )
    assert completed.returncode == 0, completed.stderr


def test_the_report_is_one_file_that_needs_nothing_beside_it(report: Report) -> None:
    assert "http://" not in report.html and "https://" not in report.html
    assert "<link" not in report.html and "<script" not in report.html
    sources = re.findall(r"src='([^']{0,30})", report.html)
    assert sources and all(source.startswith("data:image/") for source in sources)


def test_the_report_has_three_plots_and_a_still_of_the_fault(report: Report) -> None:
    kinds = [kind for kind, _ in embedded_images(report.html)]
    assert kinds == ["png", "png", "png", "jpeg"]
    assert "Keep your hips and pelvis on the mat." in report.html
    assert "Next target" not in report.html  # the latest session had a fault


def test_every_plot_and_still_is_drawn_in_headless_chromium(report: Report, tmp_path: Path) -> None:
    screenshot_path = tmp_path / "report.png"
    chromium(
        f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={screenshot_path}", report.path.as_uri()
    )
    screenshot = cv2.imread(str(screenshot_path), cv2.IMREAD_COLOR)
    assert screenshot is not None and screenshot.shape[:2] == (WINDOW[1], WINDOW[0])
    found_at = []
    for kind, image in embedded_images(report.html):
        scores = cv2.matchTemplate(screenshot, image, cv2.TM_CCOEFF_NORMED)
        _, best, _, (x, y) = cv2.minMaxLoc(scores)
        assert best >= MATCH_SCORE, f"the {kind} image of size {image.shape[1]}x{image.shape[0]} is not drawn"
        region = screenshot[y : y + image.shape[0], x : x + image.shape[1]]
        drawn = float(np.mean(np.any(region < 235, axis=2)))
        assert drawn >= DRAWN_SHARE, f"the {kind} image at ({x}, {y}) is nearly blank ({drawn:.3f})"
        found_at.append(y)
    assert found_at == sorted(found_at), "the images are not in the page's order"


def test_the_report_prints_to_a_pdf_with_every_image(report: Report, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.path.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Subtype /Image") >= len(embedded_images(report.html))
    assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) >= 1


def test_without_the_source_video_the_report_says_why_there_is_no_still(
    sessions: RealSessions, tmp_path: Path
) -> None:
    report = _report(tmp_path / "history.sqlite", tmp_path / "report.html", sessions, with_video=False)
    assert [kind for kind, _ in embedded_images(report.html)] == ["png", "png", "png"]
    assert "keeps no picture" in report.html


def test_stills_are_left_out_on_request(report: Report) -> None:
    html = render_html(report.stored, [report.stored], "trunk lift", stills=False)
    assert [kind for kind, _ in embedded_images(html)] == ["png", "png", "png"]
    assert "left out on request" in html


def test_a_session_without_a_key_angle_still_renders_every_plot(sessions: RealSessions) -> None:
    from posecheck.analysis.session import KeyAngleTrace

    bare = dataclasses.replace(sessions.childs_pose, trace=KeyAngleTrace())
    stored = StoredSession(1, bare, "0.0.1", None)
    html = render_html(stored, [stored], "trunk-thigh angle")
    assert len(embedded_images(html)) == 3
    assert "session 1" in html


def test_a_stored_session_without_a_hold_says_what_came_nearest_in_its_report(
    corpus: Path, model_path: Path, track_cache: Path, tmp_path: Path
) -> None:
    track = corpus_track(corpus / "videos" / "confuser__flowai_cat_cow_home.mp4", model_path, track_cache)
    session = analyze_track(track, "childs_pose")
    assert session.nearest is not None and session.nearest.shortfall is not None
    with History(tmp_path / "history.sqlite") as history:
        stored = history.session(history.save(session))
    page = render_html(stored, [stored], "trunk-thigh angle", stills=False)
    sentence = no_hold_text(session)
    assert sentence.startswith("No hold was found. Nearest at ")
    assert f"<p>{html.escape(sentence)}</p>" in page
    assert html.escape(f'"{session.nearest.shortfall.measurement}" reached') in page
