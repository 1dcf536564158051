"""The routine as text: the JSON report and the summary printed at the end."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from posecheck.reports.text import hold_to_dict, write_json_atomically
from posecheck.routine.record import Routine


def routine_to_dict(routine: Routine) -> dict[str, Any]:
    """The routine as the JSON report writes it."""
    return {
        "kind": "routine",
        "source": routine.source,
        "started_at": routine.started_at,
        "duration_s": round(routine.duration_s, 2),
        "ended": str(routine.ended),
        "plan": routine.plan.to_dict(),
        "exercises": [
            {
                "exercise": entry.exercise,
                "title": entry.title,
                "target": {
                    "hold_s": entry.hold_s,
                    "reps": entry.reps_target,
                    **({"legs": str(entry.legs)} if entry.legs is not None else {}),
                },
                "reps": entry.reps,
                **({"reps_by_side": entry.reps_by_side} if entry.legs is not None else {}),
                "holds": [hold_to_dict(hold) for hold in entry.holds],
                "done": entry.done,
                "skipped": entry.skipped,
            }
            for entry in routine.exercises
        ],
        "pain_before": routine.checkins.pain_before,
        "pain_after": routine.checkins.pain_after,
        "pain_during": list(routine.checkins.pain_during),
        "stretch": {name: str(answer) for name, answer in routine.checkins.stretch.items()},
        "advice": routine.advice,
        "notes": list(routine.notes),
    }


def write_routine_json(routine: Routine, path: str | os.PathLike[str]) -> Path:
    return write_json_atomically(routine_to_dict(routine), path)


def routine_summary_text(routine: Routine) -> str:
    """The routine summary a person reads at the end: each exercise, then the check-ins."""
    checkins = routine.checkins
    lines = [f"Routine ({routine.ended}): {len(routine.exercises)} exercises, {routine.source}"]
    for number, entry in enumerate(routine.exercises, start=1):
        state = "done" if entry.done else "skipped, not done" if entry.skipped else "not done"
        per_leg = ""
        if entry.legs is not None:
            counts = ", ".join(f"{side} {count}" for side, count in entry.reps_by_side.items())
            per_leg = f" each leg ({counts or 'none'})"
            if str(entry.legs) == "both":
                per_leg = " with both knees"
        held = ", ".join(f"{hold.duration_s:.0f}" for hold in entry.holds if hold.complete)
        lines.append(
            f"  {number}. {entry.title}: {entry.reps} of {entry.reps_target} reps{per_leg}, "
            f"hold {entry.hold_s:g} s: {state}" + (f" (held {held} s)" if held else "")
        )
        answer = checkins.stretch.get(entry.exercise)
        if answer is not None:
            lines.append(f"     stretch felt along the lower back or buttocks: {answer}")
    lines.append(f"Pain before: {_pain(checkins.pain_before)}, after: {_pain(checkins.pain_after)}")
    if checkins.pain_during:
        lines.append(f"Pain during: {', '.join(str(score) for score in checkins.pain_during)}")
    if routine.advice:
        lines.append(f"! {routine.advice}")
    lines.extend(f"Note: {note}" for note in routine.notes)
    return "\n".join(lines)


def _pain(score: int | None) -> str:
    return "not answered" if score is None else f"{score}/10"
