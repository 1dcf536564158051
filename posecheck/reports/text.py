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
from posecheck.rules.events import Hold, Unchecked
from posecheck.rules.nearest import FacingAway, NearestMiss, Shortfall, Stage, UnjudgedShare

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
        "unchecked": [unchecked_to_dict(unchecked) for unchecked in hold.unchecked],
    }


def unchecked_to_dict(unchecked: Unchecked) -> dict[str, Any]:
    return {
        "cue": unchecked.cue,
        "reason": unchecked.reason,
        "advice": unchecked.advice,
        "share": unchecked.share,
    }


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def nearest_to_dict(miss: NearestMiss) -> dict[str, Any]:
    """What came nearest to a hold, for the JSON report (times and readings rounded)."""
    shortfall, away = miss.shortfall, miss.facing_away
    return {
        "stage": miss.stage.value,
        "time_s": _rounded(miss.time_s, 2),
        "shortfall": None
        if shortfall is None
        else {
            "measurement": shortfall.measurement,
            "unit": shortfall.unit,
            "at_least": shortfall.at_least,
            "threshold": shortfall.threshold,
            "reading": _rounded(shortfall.reading),
            "time_s": _rounded(shortfall.time_s, 2),
            "against_share": shortfall.against_share,
            "cue": shortfall.cue,
        },
        "facing_away": None if away is None else {"facing": away.facing, "share": away.share},
        "stay_s": round(miss.stay_s, 2),
        "hold_needs_s": miss.hold_needs_s,
        "unjudged": [
            {
                "measurement": item.measurement,
                "reason": item.reason,
                "advice": item.advice,
                "share": item.share,
                "in_position": item.in_position,
            }
            for item in miss.unjudged
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
        "nearest": None if session.nearest is None else nearest_to_dict(session.nearest),
    }


def write_json(session: Session, path: str | os.PathLike[str]) -> Path:
    """Writes the report atomically: a crash never leaves half a file."""
    return write_json_atomically(session_to_dict(session), path)


def write_json_atomically(report: dict[str, Any], path: str | os.PathLike[str]) -> Path:
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


FACING_WORDS = {"down": "face down", "up": "face up"}
OPPOSITE = {"down": "up", "up": "down"}


def _amount(value: float, threshold: float, unit: str) -> str:
    """A reading in its unit, with enough decimals that it never looks equal to the
    threshold it missed (21.6 deg against 22 is not "22 deg")."""
    digits = 0 if unit == "deg" else 2
    while digits < 3 and round(value, digits) == round(threshold, 6):
        digits += 1
    return f"{value:.{digits}f} {unit}"


def _frames_share(item: UnjudgedShare) -> str:
    """'80% of the frames with you in view'."""
    where = "with you in the exercise's position" if item.in_position else "with you in view"
    return f"{100 * item.share:.0f}% of the frames {where}"


def _unseen_sentence(item: UnjudgedShare) -> str:
    return (
        f'The camera could not judge "{item.measurement}" in {_frames_share(item)}: '
        f"{item.reason}; {item.advice}."
    )


def _shortfall_sentence(shortfall: Shortfall, stage: Stage, unseen: UnjudgedShare | None) -> str:
    """'Nearest at 0:12.5: "hip_fold" reached 72 deg against at most 60 deg for the target'; or,
    where the view could not judge it at the nearest moment, that it never held, and why
    (``unseen``: its own share of frames unjudged, where that is known)."""
    measurement = f'"{shortfall.measurement}"'
    needed = f"{'at least' if shortfall.at_least else 'at most'} {shortfall.threshold:g} {shortfall.unit}"
    goal = "the target" if stage is Stage.TARGET else "the exercise's position"
    cue = f" ({shortfall.cue.rstrip('.')})" if shortfall.cue else ""
    if shortfall.reading is not None and shortfall.time_s is not None:
        nearest = f"Nearest at {_clock(shortfall.time_s)}"
        reached = _amount(shortfall.reading, shortfall.threshold, shortfall.unit)
        return f"{nearest}: {measurement} reached {reached} against {needed} for {goal}{cue}."
    never = f"{measurement} never held {needed} for {goal}{cue}"
    if unseen is None:
        return f"{never}, and the camera could not judge it."
    why = f"{unseen.reason}; {unseen.advice}"
    return f"{never}: the camera could not judge it in {_frames_share(unseen)}, as {why}."


def _stay_sentence(miss: NearestMiss, time_s: float) -> str:
    """The longest stay in the target, to a tenth of a second; one just short of the time a
    hold needs never reads as that time (2.96 s is "2.9 s", not "3.0 s")."""
    stayed = round(miss.stay_s, 1)
    if miss.stay_s < miss.hold_needs_s <= stayed:
        stayed = math.floor(miss.stay_s * 10.0) / 10.0
    nearest = f"Nearest at {_clock(time_s)}: you stayed in the target position for {stayed:.1f} s"
    if miss.stay_s < miss.hold_needs_s:
        return f"{nearest}; a hold needs {miss.hold_needs_s:g} s there, at rest."
    return f"{nearest}, but never at rest in it for the {miss.hold_needs_s:g} s a hold needs."


def _facing_sentence(away: FacingAway) -> str:
    return (
        f"You were {FACING_WORDS[OPPOSITE[away.facing]]} in {100 * away.share:.0f}% of the frames "
        f"with you in view, and this exercise is done {FACING_WORDS[away.facing]}."
    )


def nearest_text(miss: NearestMiss) -> str:
    """What came nearest to a hold, in one or two sentences a patient can read: how far it
    came, and what the camera could not judge most often (said once)."""
    unseen = miss.unjudged[0] if miss.unjudged else None
    sentences = []
    if miss.stage is Stage.HOLD and miss.time_s is not None:
        sentences.append(_stay_sentence(miss, miss.time_s))
    elif miss.facing_away is not None:
        sentences.append(_facing_sentence(miss.facing_away))
    elif miss.shortfall is not None:
        shortfall = miss.shortfall
        unseen_itself = (
            shortfall.reading is None and unseen is not None and unseen.measurement == shortfall.measurement
        )
        sentences.append(_shortfall_sentence(shortfall, miss.stage, unseen if unseen_itself else None))
        if unseen_itself:
            unseen = None
    if unseen is not None:
        sentences.append(_unseen_sentence(unseen))
    return " ".join(sentences)


def no_hold_text(session: Session) -> str:
    """'No hold was found.', followed by what came nearest where that is known."""
    nearest = nearest_text(session.nearest) if session.nearest is not None else ""
    return f"No hold was found. {nearest}" if nearest else "No hold was found."


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
        lines.append(no_hold_text(session))
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
        for unchecked in hold.unchecked:
            lines.append(f"    ? {unchecked.sentence}")
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
    return write_json_atomically(recognised_to_dict(recognised), path)


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
