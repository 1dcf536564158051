"""The routine report a physiotherapist reads: one self-contained HTML file, in the style of
the session report (``html``).

It gives what the routine was, the person's check-ins (and the advice to stop, when given),
each exercise against its target with its holds, and how pain before and after went along
with the time held, over the routines up to this one: exercise for back spasm should ease
the pain as the holds grow, and the plot shows at a glance when it does not.
"""

from __future__ import annotations

import html
import math
import os
import statistics
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from posecheck.credentials import redacted
from posecheck.history.export import write_text
from posecheck.history.routines import StoredRoutine, StoredRoutineExercise
from posecheck.reports.html import (
    FAULT_COLOUR,
    LINE_COLOUR,
    MET_COLOUR,
    SHORT_COLOUR,
    STYLE,
    Plot,
    data_uri,
    holds_table,
    local_day,
    local_when,
    new_figure,
    png_bytes,
)
from posecheck.routine.plan import Legs

HOLD_COLOURS = (LINE_COLOUR, MET_COLOUR, "#7b3294", "#008080", "#8c564b")
HOLD_MARKERS = ("^", "D", "v", "P", "X")  # lines that coincide stay told apart
ROUTINE_STYLE = """
.advice { background: #fdecea; border-left: 4px solid #d62728; padding: 6px 10px; }
.done { color: #2b7a48; } .not-done { color: #b36b00; } .skipped { color: #555; }
h3 { font-size: 1em; margin: 0.8em 0 0.2em; }
"""


def _median_hold_s(entry: StoredRoutineExercise | None) -> float:
    durations = [hold.duration_s for hold in entry.holds if hold.complete] if entry is not None else []
    return statistics.median(durations) if durations else math.nan


def _pain(value: int | None) -> float:
    return math.nan if value is None else float(value)


def routine_trend_plot(past: Sequence[StoredRoutine], current_id: int) -> Plot:
    """Pain before and after each routine (left axis) against the median time held in each
    exercise (right axis), this routine highlighted."""
    figure, axes = new_figure()
    positions = np.arange(1, len(past) + 1)
    before = [_pain(routine.checkins.pain_before) for routine in past]
    after = [_pain(routine.checkins.pain_after) for routine in past]
    axes.plot(positions, before, "o-", color=FAULT_COLOUR, markersize=8, label="pain before")
    axes.plot(positions, after, "s-", color=SHORT_COLOUR, markersize=7, label="pain after")
    axes.set_ylim(0, 10.5)
    axes.set_ylabel("pain (0-10)")
    holds_axes = axes.twinx()
    names = list(dict.fromkeys(entry.exercise for routine in past for entry in routine.exercises))
    highest = 1.0
    for number, name in enumerate(names):
        medians = [_median_hold_s(routine.exercise(name)) for routine in past]
        title = next(e.title for r in past for e in r.exercises if e.exercise == name)
        holds_axes.plot(
            positions,
            medians,
            linestyle="--",
            marker=HOLD_MARKERS[number % len(HOLD_MARKERS)],
            color=HOLD_COLOURS[number % len(HOLD_COLOURS)],
            markersize=7 - number,
            label=f"{title}: median hold",
        )
        highest = max([highest, *(value for value in medians if not math.isnan(value))])
    holds_axes.set_ylim(0, highest * 1.4)
    holds_axes.set_ylabel("median seconds held")
    axes.set_xticks(
        positions, [f"#{routine.id}\n{local_day(routine.started_at)}" for routine in past], fontsize=8
    )
    axes.set_xlim(0.5, len(past) + 0.5)
    for position, routine in zip(positions, past, strict=True):
        if routine.id == current_id:
            axes.axvline(float(position), color="#bbbbbb", linewidth=6, alpha=0.4, zorder=0)
    axes.set_zorder(holds_axes.get_zorder() + 1)
    axes.patch.set_visible(False)
    lines, labels = axes.get_legend_handles_labels()
    more_lines, more_labels = holds_axes.get_legend_handles_labels()
    figure.legend(lines + more_lines, labels + more_labels, loc="outside lower center", fontsize=8, ncols=5)
    axes.grid(alpha=0.3)
    return Plot(
        f"The last {len(past)} routines (this one highlighted): pain before (red) and after (orange) "
        "each routine, against the median time held in each exercise (dashed).",
        png_bytes(figure),
    )


def render_routine_html(stored: StoredRoutine, past: Sequence[StoredRoutine]) -> str:
    """The whole routine report as one HTML document; ``past``: the routines up to this one."""
    parts = [
        *_routine_facts(stored),
        *_checkins(stored),
        *(part for number, entry in enumerate(stored.exercises, 1) for part in _exercise(number, entry)),
        *_trend(stored, past),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _routine_facts(stored: StoredRoutine) -> list[str]:
    escape = html.escape
    title = f"Routine {stored.id}: {local_day(stored.started_at)}"
    rows = [
        ("When", local_when(stored.started_at)),
        ("Source", redacted(stored.source)),
        ("Length", f"{stored.duration_s:.0f} s"),
        ("Plan", stored.plan_source),
        ("Exercises done", f"{stored.done_count} of {len(stored.exercises)}"),
        ("Ended", str(stored.ended)),
        ("Recorded by", f"posecheck {stored.posecheck_version}"),
    ]
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}{ROUTINE_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        "<table>",
        *(f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in rows),
        "</table>",
    ]


def _checkins(stored: StoredRoutine) -> list[str]:
    """Pain before, during and after, each stretch answer, the advice and the notes."""
    escape = html.escape
    checkins = stored.checkins

    def score(value: int | None) -> str:
        return "not answered" if value is None else f"{value} of 10"

    rows = [("Pain before", score(checkins.pain_before))]
    if checkins.pain_during:
        rows.append(("Pain during", ", ".join(f"{value} of 10" for value in checkins.pain_during)))
    rows.append(("Pain after", score(checkins.pain_after)))
    for entry in stored.exercises:
        answer = "skipped" if entry.skipped else str(entry.stretch) if entry.stretch else "not answered"
        rows.append((f"Stretch felt in {entry.title}", answer))
    parts = ["<h2>Check-ins</h2>", "<table>"]
    parts += [f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in rows]
    parts.append("</table>")
    if checkins.pain_rose:
        parts.append("<p>The pain was higher after (or during) the routine than before it.</p>")
    if stored.advice:
        parts.append(f'<p class="advice">Advice given: {escape(stored.advice)}</p>')
    parts += [f"<p>Note: {escape(note)}</p>" for note in stored.notes]
    return parts


def _exercise(number: int, entry: StoredRoutineExercise) -> list[str]:
    """One exercise: its target, reps (per leg), the stretch answer and its holds."""
    escape = html.escape
    verdict = "skipped" if entry.skipped else "done" if entry.done else "not done"
    css = verdict.replace(" ", "-")
    legs = {Legs.ALTERNATE: " each leg", Legs.BOTH: ", both knees together", None: ""}[entry.legs]
    by_side = ", ".join(f"{side} {count}" for side, count in entry.reps_by_side.items())
    reps = f"{entry.reps}" + (f" ({by_side})" if entry.legs is not None and by_side else "")
    session = f"session {entry.stored.id}" if entry.stored is not None else "none kept"
    rows = [
        ("Target", f"hold {entry.hold_s:g} s, {entry.reps_target} reps{legs}"),
        ("Reps", reps),
        ("Stretch felt", "not asked: skipped" if entry.skipped else str(entry.stretch or "not answered")),
        ("Session", session),
    ]
    parts = [
        f'<h2>{number}. {escape(entry.title)}: <span class="{css}">{verdict}</span></h2>',
        "<table>",
        *(f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in rows),
        "</table>",
        "<h3>Holds</h3>",
    ]
    if entry.stored is not None:
        return parts + holds_table(entry.stored.session)
    why = (
        "it was skipped" if entry.skipped else "it was not seen, or its session was removed from the history"
    )
    return [*parts, f"<p>No holds: {escape(why)}.</p>"]


def _trend(stored: StoredRoutine, past: Sequence[StoredRoutine]) -> list[str]:
    escape = html.escape
    heading = "Pain and holds over routines"
    plot = routine_trend_plot(past, stored.id)
    image = f"<img class='plot' alt='{escape(heading)}' src='{data_uri('image/png', plot.png)}'>"
    return [
        f"<h2>{escape(heading)}</h2><figure>{image}<figcaption>{escape(plot.caption)}</figcaption></figure>"
    ]


def write_routine_report(
    path: str | os.PathLike[str], stored: StoredRoutine, past: Sequence[StoredRoutine]
) -> Path:
    """Writes the routine report (``past``: the routines up to this one, oldest first)."""
    return write_text(render_routine_html(stored, past), path)
