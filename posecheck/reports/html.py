"""The session report a physiotherapist reads: one self-contained HTML file.

Plots are drawn with matplotlib (which MediaPipe brings) and embedded as base64 PNG, so
the file needs nothing beside it: the key angle over time with holds shaded and faults
marked, each hold's time against the target, and the trend over past sessions. A still of
each fault is added when the source video is still where it was analysed; posecheck keeps
no picture itself. Print CSS keeps every figure whole on paper or in a PDF.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from posecheck.analysis.session import Session
from posecheck.credentials import redacted
from posecheck.history.export import write_text
from posecheck.history.progression import Suggestion, Target, reps_done
from posecheck.history.store import StoredSession
from posecheck.reports.text import no_hold_text
from posecheck.rules.events import Fault, Phase

FIGURE_SIZE_IN = (10.0, 3.6)
FIGURE_DPI = 100
STILL_WIDTH_PX = 480
MOST_STILLS = 12
MET_COLOUR, SHORT_COLOUR, FAULT_COLOUR, LINE_COLOUR = "#3a9d5d", "#e69f00", "#d62728", "#1f4e9c"


@dataclass(frozen=True, slots=True)
class Plot:
    """One embedded figure: its caption and its PNG bytes."""

    caption: str
    png: bytes


@dataclass(frozen=True, slots=True)
class FaultStill:
    fault: Fault
    hold_number: int
    time_s: float
    jpeg: bytes


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


def new_figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=FIGURE_SIZE_IN, layout="constrained")
    return figure, figure.add_subplot()


def key_angle_plot(session: Session, angle_name: str) -> Plot:
    """The key angle over the session; holds shaded (green met, orange short), faults in red."""
    figure, axes = new_figure()
    trace = session.trace
    if len(trace):
        axes.plot(trace.times_s, trace.angles_deg, color=LINE_COLOUR, linewidth=1.4, label="key angle")
        held = np.array([phase is Phase.HOLD for phase in trace.phases])
        angles = np.array(trace.angles_deg, dtype=float)
        if held.any():
            axes.plot(
                np.array(trace.times_s)[held], angles[held], ".", color=MET_COLOUR, markersize=2, label="held"
            )
    else:
        axes.text(0.5, 0.5, "no key angle recorded for this session", ha="center", transform=axes.transAxes)
    for number, hold in enumerate(session.holds, start=1):
        colour = MET_COLOUR if hold.met else SHORT_COLOUR
        axes.axvspan(hold.start_s, hold.end_s, color=colour, alpha=0.18, linewidth=0)
        axes.annotate(
            f"{number}: {hold.duration_s:.1f} s",
            (hold.start_s, 1.0),
            xycoords=("data", "axes fraction"),
            va="top",
            fontsize=8,
        )
        for fault in hold.faults:
            axes.axvspan(fault.start_s, fault.end_s, color=FAULT_COLOUR, alpha=0.35, linewidth=0)
            axes.axvline(fault.start_s, color=FAULT_COLOUR, linewidth=1.2)
            axes.annotate(
                fault.kind.replace("_", " "),
                (fault.start_s, 0.02),
                xycoords=("data", "axes fraction"),
                color=FAULT_COLOUR,
                fontsize=8,
                rotation=90,
                va="bottom",
            )
    axes.set_xlim(0, max(session.duration_s, 1.0))
    low, high = axes.get_ylim()
    axes.set_ylim(low, high + 0.15 * (high - low))  # room for the hold labels
    axes.set_xlabel("time in the video (s)")
    axes.set_ylabel(f"{angle_name} (deg)")
    axes.grid(alpha=0.3)
    if len(trace):
        axes.legend(loc="upper right", fontsize=8)
    caption = (
        f"{angle_name} over time. Shaded: holds (green reached the target, orange fell short); "
        "red: a fault, with its name."
    )
    return Plot(caption, png_bytes(figure))


def hold_durations_plot(session: Session) -> Plot:
    """Each hold's time held against its target."""
    figure, axes = new_figure()
    holds = session.holds
    if holds:
        numbers = np.arange(1, len(holds) + 1)
        durations = [hold.duration_s for hold in holds]
        colours = [MET_COLOUR if hold.met else SHORT_COLOUR for hold in holds]
        edges = [FAULT_COLOUR if hold.faults else "none" for hold in holds]
        axes.bar(numbers, durations, width=0.5, color=colours, edgecolor=edges, linewidth=2)
        axes.hlines(
            [hold.target_s for hold in holds],
            numbers - 0.35,
            numbers + 0.35,
            color="black",
            linewidth=2,
            label="target",
        )
        labels = [
            f"{number}{' ' + hold.side if hold.side else ''}{'' if hold.complete else ' (partial)'}"
            for number, hold in zip(numbers, holds, strict=True)
        ]
        axes.set_xticks(numbers, labels)
        axes.set_xlim(0.4, len(holds) + 0.6)
        axes.set_ylim(0, max(durations + [hold.target_s for hold in holds]) * 1.25)
        axes.legend(loc="upper right", fontsize=8)
    else:
        axes.text(0.5, 0.5, "no hold in this session", ha="center", transform=axes.transAxes)
    axes.set_xlabel("hold")
    axes.set_ylabel("seconds held")
    axes.grid(axis="y", alpha=0.3)
    return Plot(
        "Seconds held per hold against the target (black line); red edge: a fault.", png_bytes(figure)
    )


def trend_plot(past: Sequence[StoredSession], current_id: int) -> Plot:
    """Best and median hold per session, the hold target, and reps against the rep target."""
    figure, axes = new_figure()
    sessions = [stored.session for stored in past]
    positions = np.arange(1, len(sessions) + 1)
    best = [max((h.duration_s for h in s.holds), default=0.0) for s in sessions]
    median = [float(np.median([h.duration_s for h in s.holds])) if s.holds else 0.0 for s in sessions]
    targets = [s.holds[0].target_s if s.holds else math.nan for s in sessions]
    axes.plot(positions, best, "o-", color=LINE_COLOUR, markersize=9, label="best hold")
    axes.plot(positions, median, "s--", color=MET_COLOUR, markersize=5, label="median hold")
    axes.step(positions, targets, where="mid", color="black", linewidth=1.5, label="hold target")
    axes.set_ylabel("seconds held")
    axes.set_ylim(0, max([*best, *(t for t in targets if not math.isnan(t)), 1.0]) * 1.35)
    reps_axes = axes.twinx()
    done = [reps_done(session) for session in sessions]
    wanted = [session.reps_target for session in sessions]
    reps_axes.bar(positions, done, width=0.3, color="#999999", alpha=0.5, label="reps")
    reps_axes.plot(positions, wanted, "_", color="#555555", markersize=18, label="reps target")
    reps_axes.set_ylabel("reps")
    reps_axes.set_ylim(0, max([*done, *wanted, 1]) * 1.35)
    labels = [f"#{stored.id}\n{local_day(stored.session.started_at)}" for stored in past]
    axes.set_xticks(positions, labels, fontsize=8)
    for position, stored in zip(positions, past, strict=True):
        if stored.id == current_id:
            axes.axvline(float(position), color="#bbbbbb", linewidth=6, alpha=0.4, zorder=0)
    axes.set_zorder(reps_axes.get_zorder() + 1)
    axes.patch.set_visible(False)
    lines, names = axes.get_legend_handles_labels()
    more_lines, more_names = reps_axes.get_legend_handles_labels()
    axes.legend(lines + more_lines, names + more_names, loc="upper left", fontsize=8, ncols=5)
    axes.grid(alpha=0.3)
    return Plot(
        f"The last {len(sessions)} sessions of this exercise (this one highlighted): best and median hold "
        "against the hold target, and reps (bars) against the reps target.",
        png_bytes(figure),
    )


def fault_stills(video: str | os.PathLike[str] | None, session: Session) -> list[FaultStill]:
    """A frame from the middle of each fault, when the video is still there."""
    faults = [(number, fault) for number, hold in enumerate(session.holds, 1) for fault in hold.faults]
    if video is None or not faults or not Path(video).is_file():
        return []
    stills = []
    capture = cv2.VideoCapture(str(video))
    try:
        for number, fault in faults[:MOST_STILLS]:
            middle_s = (fault.start_s + fault.end_s) / 2
            capture.set(cv2.CAP_PROP_POS_MSEC, middle_s * 1000.0)
            ok, image = capture.read()
            if not ok:
                continue
            height, width = image.shape[:2]
            scale = STILL_WIDTH_PX / width
            image = cv2.resize(image, (STILL_WIDTH_PX, round(height * scale)), interpolation=cv2.INTER_AREA)
            ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
            if ok:
                stills.append(FaultStill(fault, number, middle_s, encoded.tobytes()))
    finally:
        capture.release()
    return stills


def local_day(started_at: str) -> str:
    try:
        return datetime.fromisoformat(started_at).astimezone().strftime("%Y-%m-%d")
    except ValueError:
        return started_at[:10]


def local_when(started_at: str) -> str:
    try:
        return datetime.fromisoformat(started_at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return started_at


def data_uri(kind: str, data: bytes) -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


STYLE = """
body { font-family: system-ui, sans-serif; color: #222; margin: 0 auto; max-width: 1040px; padding: 16px; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.4em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; font-size: 0.92em; }
figure { margin: 1em 0; }
figure img.plot { width: 1000px; max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.88em; color: #555; }
.stills { display: flex; flex-wrap: wrap; gap: 12px; }
.stills figure { width: 480px; max-width: 100%; margin: 0; }
.stills img { width: 100%; height: auto; display: block; }
.met { color: #2b7a48; } .short { color: #b36b00; } .fault { color: #b22222; } .unchecked { color: #555; }
.suggestion { background: #eef6ee; border-left: 4px solid #3a9d5d; padding: 6px 10px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; }
  figure, table, .suggestion { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure img.plot { width: 100%; }
}
"""


def render_html(
    stored: StoredSession,
    past: Sequence[StoredSession],
    angle_name: str,
    target: Target | None = None,
    suggestion: Suggestion | None = None,
    stills: bool = True,
) -> str:
    """The whole report as one HTML document; ``stills=False`` leaves every picture out."""
    parts = [
        *_session_facts(stored, target),
        *_notes(stored.session, suggestion),
        *_holds_table(stored.session),
        *_plots(stored, past, angle_name),
        *_faults_section(stored, stills),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _session_facts(stored: StoredSession, target: Target | None) -> list[str]:
    """The document's head and the table of what the session was."""
    session = stored.session
    escape = html.escape
    reps = f"{reps_done(session)}{' per leg' if session.reps_are_per_side else ''} of {session.reps_target}"
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(session.title)}, session {stored.id}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(session.title)}: session {stored.id}</h1>",
        "<table>",
        f"<tr><th>When</th><td>{escape(local_when(session.started_at))}</td></tr>",
        f"<tr><th>Source</th><td>{escape(redacted(session.source))}</td></tr>",
        f"<tr><th>Length</th><td>{session.duration_s:.1f} s</td></tr>",
        f"<tr><th>Reps</th><td>{escape(reps)}</td></tr>",
        f"<tr><th>Target</th><td>{escape(target.describe() if target else 'as prescribed')}</td></tr>",
        f"<tr><th>Analysed by</th><td>posecheck {escape(stored.posecheck_version)}</td></tr>",
        "</table>",
    ]


def _notes(session: Session, suggestion: Suggestion | None) -> list[str]:
    parts = []
    if suggestion is not None:
        parts.append(f'<p class="suggestion">Next target: {html.escape(suggestion.reason)}.</p>')
    for note in session.notes:
        parts.append(f"<p>Note: {html.escape(note)}</p>")
    if session.interrupted:
        parts.append("<p>Note: the session was interrupted; this covers what was recorded.</p>")
    if session.ended_early:
        parts.append("<p>Note: the video ended early; this covers what could be read.</p>")
    return parts


def _holds_table(session: Session) -> list[str]:
    return ["<h2>Holds</h2>", *holds_table(session)]


def holds_table(session: Session) -> list[str]:
    """One row a hold, with its faults and the cues the view could not check; without a hold,
    what came nearest."""
    escape = html.escape
    if not session.holds:
        return [f"<p>{escape(no_hold_text(session))}</p>"]
    parts = [
        "<table><tr><th>#</th><th>side</th><th>from</th><th>to</th><th>held</th><th>target</th>"
        "<th>angle</th><th>faults</th></tr>",
    ]
    for number, hold in enumerate(session.holds, start=1):
        verdict = "met" if hold.met else "short"
        angle = "" if math.isnan(hold.key_angle_deg) else f"{hold.key_angle_deg:.0f} deg"
        fault_cells = "<br>".join(
            [
                f'<span class="fault">{fault.start_s:.1f}-{fault.end_s:.1f} s: {escape(fault.cue)}</span>'
                for fault in hold.faults
            ]
            + [f'<span class="unchecked">{escape(item.sentence)}</span>' for item in hold.unchecked]
        )
        partial = "" if hold.complete else " (not a full rep)"
        parts.append(
            f"<tr><td>{number}</td><td>{escape(hold.side or '')}</td><td>{hold.start_s:.1f} s</td>"
            f"<td>{hold.end_s:.1f} s</td><td class='{verdict}'>{hold.duration_s:.1f} s{partial}</td>"
            f"<td>{hold.target_s:g} s</td><td>{angle}</td><td>{fault_cells or 'none'}</td></tr>"
        )
    parts.append("</table>")
    return parts


def _plots(stored: StoredSession, past: Sequence[StoredSession], angle_name: str) -> list[str]:
    escape = html.escape
    plots = [
        ("Key angle over time", key_angle_plot(stored.session, angle_name)),
        ("Holds against the target", hold_durations_plot(stored.session)),
        ("Progress over past sessions", trend_plot(past, stored.id)),
    ]
    parts = []
    for heading, plot in plots:
        image = f"<img class='plot' alt='{escape(heading)}' src='{data_uri('image/png', plot.png)}'>"
        parts.append(
            f"<h2>{escape(heading)}</h2><figure>{image}"
            f"<figcaption>{escape(plot.caption)}</figcaption></figure>"
        )
    return parts


def _faults_section(stored: StoredSession, stills: bool) -> list[str]:
    """A still of each fault, or why there is none (nothing when the session had no fault)."""
    escape = html.escape
    session = stored.session
    if not any(hold.faults for hold in session.holds):
        return []
    parts = ["<h2>Faults</h2>"]
    pictures = fault_stills(stored.video_path, session) if stills else []
    if pictures:
        parts.append('<div class="stills">')
        for still in pictures:
            parts.append(
                f"<figure><img class='still' alt='{escape(still.fault.kind)}' "
                f"src='{data_uri('image/jpeg', still.jpeg)}'><figcaption>Hold {still.hold_number}, "
                f"{still.time_s:.1f} s: {escape(still.fault.cue)}</figcaption></figure>"
            )
        parts.append("</div>")
    elif not stills:
        parts.append("<p>No stills: left out on request.</p>")
    else:
        parts.append(
            "<p>No stills: the source video is not where it was analysed (posecheck keeps no picture).</p>"
        )
    return parts


def write_report(
    path: str | os.PathLike[str],
    stored: StoredSession,
    past: Sequence[StoredSession],
    angle_name: str,
    target: Target | None = None,
    suggestion: Suggestion | None = None,
    stills: bool = True,
) -> Path:
    return write_text(render_html(stored, past, angle_name, target, suggestion, stills), path)
