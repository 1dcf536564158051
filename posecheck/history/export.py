"""Export: the history as CSV (one row per hold, for a spreadsheet) or JSON (one object per
session, with its key angle over time, for other tools)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from posecheck.credentials import redacted
from posecheck.errors import OutputError
from posecheck.history.store import StoredSession
from posecheck.private_files import replacing_privately
from posecheck.reports.text import session_to_dict

FORMATS = ("csv", "json")
CSV_COLUMNS = (
    "session",
    "started_at",
    "exercise",
    "source",
    "posecheck_version",
    "session_duration_s",
    "reps",
    "reps_target",
    "hold",
    "side",
    "start_s",
    "end_s",
    "duration_s",
    "target_s",
    "met",
    "complete",
    "key_angle_deg",
    "faults",
)


def _number(value: float, digits: int) -> float | None:
    return None if math.isnan(value) else round(value, digits)


def session_record(stored: StoredSession) -> dict[str, Any]:
    """The JSON report of one session, with its history number, version and key angle."""
    trace = stored.session.trace
    return {
        "id": stored.id,
        "posecheck_version": stored.posecheck_version,
        **session_to_dict(stored.session),
        "key_angle": {
            "times_s": [round(value, 3) for value in trace.times_s],
            "angles_deg": [_number(value, 2) for value in trace.angles_deg],
            "phases": [phase.value for phase in trace.phases],
        },
    }


def to_json(sessions: Sequence[StoredSession]) -> str:
    return json.dumps({"sessions": [session_record(stored) for stored in sessions]}, indent=2) + "\n"


def to_csv(sessions: Sequence[StoredSession]) -> str:
    """One row per hold; a session without a hold still has one row, its hold fields empty."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for stored in sessions:
        session = stored.session
        common = {
            "session": stored.id,
            "started_at": session.started_at,
            "exercise": session.exercise,
            "source": redacted(session.source),
            "posecheck_version": stored.posecheck_version,
            "session_duration_s": round(session.duration_s, 2),
            "reps": session.reps,
            "reps_target": session.reps_target,
        }
        if not session.holds:
            writer.writerow(common)
        for number, hold in enumerate(session.holds, start=1):
            angle = _number(hold.key_angle_deg, 1)
            writer.writerow(
                {
                    **common,
                    "hold": number,
                    "side": hold.side or "",
                    "start_s": round(hold.start_s, 2),
                    "end_s": round(hold.end_s, 2),
                    "duration_s": round(hold.duration_s, 2),
                    "target_s": hold.target_s,
                    "met": hold.met,
                    "complete": hold.complete,
                    "key_angle_deg": "" if angle is None else angle,
                    "faults": "; ".join(
                        f"{fault.kind} {fault.start_s:.2f}-{fault.end_s:.2f}" for fault in hold.faults
                    ),
                }
            )
    return buffer.getvalue()


def export_text(sessions: Sequence[StoredSession], format: str) -> str:
    if format == "csv":
        return to_csv(sessions)
    if format == "json":
        return to_json(sessions)
    raise ValueError(f"unknown export format {format!r}: one of {', '.join(FORMATS)}")


def write_text(text: str, path: str | os.PathLike[str]) -> Path:
    """Writes atomically: a crash never leaves half a file."""
    target = Path(path)
    try:
        with replacing_privately(target) as handle:
            handle.write(text)
    except OSError as error:
        raise OutputError(f"cannot write {target} ({error.strerror}): choose a writable path") from None
    return target
