"""Rows read back into a session, each value checked for the type posecheck wrote: a file
changed outside posecheck raises (TypeError, ValueError, KeyError) instead of passing on a
session that is not one. The store turns those into one ``HistoryError``."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from posecheck.analysis.session import KeyAngleTrace, Session
from posecheck.history.packing import unpack_floats, unpack_phases
from posecheck.rules.events import Fault, Hold, Unchecked
from posecheck.rules.nearest import FacingAway, NearestMiss, Shortfall, Stage, UnjudgedShare

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session as the history keeps it: its number, the posecheck that analysed it, and
    the video it came from (a path, when the video was a file)."""

    id: int
    session: Session
    posecheck_version: str
    video_path: str | None


def stored_session(connection: sqlite3.Connection, row: sqlite3.Row, with_trace: bool) -> StoredSession:
    """The session of one ``sessions`` row (read with ``sqlite3.Row``), with its holds and,
    when asked for, its key angle."""
    session_id = row["id"]
    holds = _holds(connection, session_id)
    trace = _trace(connection, session_id) if with_trace else KeyAngleTrace()
    session = Session(
        exercise=text_value(row["exercise"]),
        title=text_value(row["title"]),
        source=text_value(row["source"]),
        started_at=text_value(row["started_at"]),
        duration_s=_real_value(row["duration_s"]),
        frames=whole_value(row["frames"]),
        frames_with_person=whole_value(row["frames_with_person"]),
        holds=holds,
        reps_target=whole_value(row["reps_target"]),
        reps_are_per_side=bool(row["reps_are_per_side"]),
        notes=tuple(text_value(note) for note in json.loads(text_value(row["notes"]))),
        ended_early=bool(row["ended_early"]),
        interrupted=bool(row["interrupted"]),
        trace=trace,
        nearest=_nearest(row["nearest"]),
    )
    return StoredSession(session_id, session, row["posecheck_version"], row["video_path"])


def _holds(connection: sqlite3.Connection, session_id: int) -> tuple[Hold, ...]:
    faults = _faults_by_hold(connection, session_id)
    return tuple(
        Hold(
            start_s=_real_value(hold["start_s"]),
            end_s=_real_value(hold["end_s"]),
            duration_s=_real_value(hold["duration_s"]),
            complete=bool(hold["complete"]),
            side=None if hold["side"] is None else text_value(hold["side"]),
            target_s=_real_value(hold["target_s"]),
            minimum_s=_real_value(hold["minimum_s"]),
            key_angle_deg=math.nan if hold["key_angle_deg"] is None else _real_value(hold["key_angle_deg"]),
            faults=tuple(faults.get(hold["number"], ())),
            variant=hold["variant"],
            unchecked=_unchecked(hold["unchecked"]),
        )
        for hold in connection.execute(
            "SELECT * FROM holds WHERE session_id = ? ORDER BY number", (session_id,)
        )
    )


def _faults_by_hold(connection: sqlite3.Connection, session_id: int) -> dict[int, list[Fault]]:
    faults: dict[int, list[Fault]] = {}
    for fault in connection.execute(
        "SELECT * FROM faults WHERE session_id = ? ORDER BY hold_number, number", (session_id,)
    ):
        faults.setdefault(fault["hold_number"], []).append(
            Fault(
                text_value(fault["kind"]),
                text_value(fault["cue"]),
                _real_value(fault["start_s"]),
                _real_value(fault["end_s"]),
            )
        )
    return faults


def _trace(connection: sqlite3.Connection, session_id: int) -> KeyAngleTrace:
    row = connection.execute("SELECT * FROM key_angle_traces WHERE session_id = ?", (session_id,)).fetchone()
    if row is None:
        return KeyAngleTrace()
    return KeyAngleTrace(
        unpack_floats(row["times"]), unpack_floats(row["angles"]), unpack_phases(row["phases"])
    )


def _real_value(value: object) -> float:
    """A number read back, refused (TypeError) when something else than posecheck put text there."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    return float(value)


def whole_value(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def text_value(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _unchecked(value: object) -> tuple[Unchecked, ...]:
    """A hold's unchecked cues read back (none for a hold stored before they were kept)."""
    if value is None:
        return ()
    return tuple(
        Unchecked(
            text_value(item["cue"]),
            text_value(item["reason"]),
            text_value(item["advice"]),
            _real_value(item["share"]),
        )
        for item in json.loads(text_value(value))
    )


def _maybe(value: object, read: Callable[[object], T]) -> T | None:
    return None if value is None else read(value)


def _yes_no(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not true or false")
    return value


def _nearest(value: object) -> NearestMiss | None:
    """What came nearest to a hold, read back (None for a session with a hold, or stored
    before it was kept)."""
    if value is None:
        return None
    data = json.loads(text_value(value))
    shortfall, away = data["shortfall"], data["facing_away"]
    return NearestMiss(
        stage=Stage(data["stage"]),
        time_s=_maybe(data["time_s"], _real_value),
        shortfall=None
        if shortfall is None
        else Shortfall(
            measurement=text_value(shortfall["measurement"]),
            unit=text_value(shortfall["unit"]),
            at_least=_yes_no(shortfall["at_least"]),
            threshold=_real_value(shortfall["threshold"]),
            reading=_maybe(shortfall["reading"], _real_value),
            time_s=_maybe(shortfall["time_s"], _real_value),
            against_share=_real_value(shortfall["against_share"]),
            cue=_maybe(shortfall["cue"], text_value),
        ),
        facing_away=None
        if away is None
        else FacingAway(text_value(away["facing"]), _real_value(away["share"])),
        stay_s=_real_value(data["stay_s"]),
        hold_needs_s=_real_value(data["hold_needs_s"]),
        unjudged=tuple(
            UnjudgedShare(
                text_value(item["measurement"]),
                text_value(item["reason"]),
                text_value(item["advice"]),
                _real_value(item["share"]),
                _yes_no(item["in_position"]),
            )
            for item in data["unjudged"]
        ),
    )
