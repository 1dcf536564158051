"""Reports: the session summary printed for the person, and the JSON other tools read."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck.analysis.session import Session
from posecheck.credentials import redacted
from posecheck.errors import OutputError
from posecheck.private_files import replacing_privately
from posecheck.rules.events import Hold

if TYPE_CHECKING:
    from posecheck.analysis.recognised import RecognisedSession

REPORT_VERSION = 1


def _round(value: float, digits: int = 2) -> float | None:
    return None if math.isnan(value) else round(value, digits)


def hold_to_dict(hold: Hold) -> dict[str, Any]:
    return {
        "start_s": round(hold.start_s, 2),
        "end_s": round(hold.end_s, 2),
        "duration_s": round(hold.duration_s, 2),
        "complete": hold.complete,
        "side": hold.side,
        "variant": hold.variant,
        "target_s": hold.target_s,
        "met": hold.met,
        "key_angle_deg": _round(hold.key_angle_deg, 1),
        "faults": [
            {
                "kind": fault.kind,
                "cue": fault.cue,
                "start_s": round(fault.start_s, 2),
                "end_s": round(fault.end_s, 2),
            }
            for fault in hold.faults
        ],
    }


def session_to_dict(session: Session) -> dict[str, Any]:
    """The JSON report: the documented keys first, then details."""
    return {
        "exercise": session.exercise,
        "duration_s": round(session.duration_s, 2),
        "reps": session.reps,
        "holds": [hold_to_dict(hold) for hold in session.holds],
        "report_version": REPORT_VERSION,
        "title": session.title,
        "source": redacted(session.source),
        "started_at": session.started_at,
        "reps_target": session.reps_target,
        "reps_are_per_side": session.reps_are_per_side,
        "reps_by_side": session.reps_by_side,
        "frames": session.frames,
        "frames_with_person": session.frames_with_person,
        "notes": list(session.notes),
        "ended_early": session.ended_early,
        "interrupted": session.interrupted,
    }


def write_json(session: Session, path: str | os.PathLike[str]) -> Path:
    """Writes the report atomically: a crash never leaves half a file."""
    return _write_json_atomically(session_to_dict(session), path)


def _write_json_atomically(report: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    try:
        with replacing_privately(target) as handle:
            json.dump(report, handle, indent=2)
            handle.write("\n")
    except OSError as error:
        raise OutputError(f"cannot write {target} ({error.strerror}): choose a writable path") from None
    return target


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(seconds, 0.0), 60.0)
    return f"{int(minutes)}:{rest:04.1f}"


def summary_text(session: Session) -> str:
    """The session summary a person reads after an exercise."""
    lines = [f"{session.title}: {session.source} ({_clock(session.duration_s)})"]
    if session.reps_are_per_side:
        by_side = session.reps_by_side
        per_side = ", ".join(f"{side} {count}" for side, count in by_side.items()) or "none"
        lines.append(f"Reps: {session.reps} ({per_side}); target {session.reps_target} per leg")
    else:
        lines.append(f"Reps: {session.reps} / {session.reps_target}")
    if not session.holds:
        lines.append("No hold was found.")
    for number, hold in enumerate(session.holds, start=1):
        verdict = "target met" if hold.met else f"short of {hold.target_s:g} s"
        side = f" {hold.side}" if hold.side else ""
        side += f" ({hold.variant})" if hold.variant else ""
        status = "" if hold.complete else " (not a full rep: started before or ran past the recording)"
        angle = "" if math.isnan(hold.key_angle_deg) else f", angle {hold.key_angle_deg:.0f} deg"
        lines.append(
            f"  Hold {number}{side}: {_clock(hold.start_s)}-{_clock(hold.end_s)}, "
            f"held {hold.duration_s:.1f} s of {hold.target_s:g} s ({verdict}){angle}{status}"
        )
        for fault in hold.faults:
            lines.append(f"    ! {_clock(fault.start_s)}-{_clock(fault.end_s)} {fault.cue}")
    for note in session.notes:
        lines.append(f"Note: {note}")
    if session.ended_early:
        lines.append(
            "Note: the video ended early (damaged or truncated file); this covers what could be read."
        )
    if session.interrupted:
        lines.append("Note: the session was interrupted; this covers what was recorded until then.")
    return "\n".join(lines)


def recognised_to_dict(recognised: RecognisedSession) -> dict[str, Any]:
    """The JSON report of a recording analysed without being told the exercise: its
    segments (each with its holds), then one full report per exercise done."""
    return {
        "exercise": None,
        "duration_s": round(recognised.duration_s, 2),
        "segments": [
            {
                "exercise": segment.exercise,
                "start_s": segment.start_s,
                "end_s": segment.end_s,
                "reps": segment.reps,
                "holds": [hold_to_dict(hold) for hold in segment.holds],
            }
            for segment in recognised.segments
        ],
        "report_version": REPORT_VERSION,
        "source": redacted(recognised.source),
        "frames": recognised.frames,
        "frames_with_person": recognised.frames_with_person,
        "exercises": [session_to_dict(session) for session in recognised.sessions],
        "notes": list(recognised.notes),
        "ended_early": recognised.ended_early,
        "interrupted": recognised.interrupted,
    }


def write_recognised_json(recognised: RecognisedSession, path: str | os.PathLike[str]) -> Path:
    return _write_json_atomically(recognised_to_dict(recognised), path)


def recognised_summary_text(recognised: RecognisedSession) -> str:
    """What was done when, then one section per exercise done. The recording's notes are
    in each exercise's section, or under the list when no exercise was done."""
    lines = [f"Exercises recognised in {recognised.source} ({_clock(recognised.duration_s)}):"]
    if not recognised.segments:
        lines.append("  none of the three exercises was recognised (other activity only).")
    if not recognised.sessions:
        lines.extend(f"Note: {note}" for note in recognised.notes)
    for segment in recognised.segments:
        reps = f"{segment.reps} rep{'' if segment.reps == 1 else 's'}"
        lines.append(f"  {_clock(segment.start_s)}-{_clock(segment.end_s)} {segment.exercise} ({reps})")
    for session in recognised.sessions:
        lines.append("")
        lines.append(summary_text(session))
    return "\n".join(lines)
