"""Saving a session (or a routine) to the history while it is recorded: after each hold (or
exercise), so that a crash keeps what was recorded, and once more when it ends, always under
the same number."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.errors import PosecheckError

if TYPE_CHECKING:
    from posecheck.analysis.session import Session
    from posecheck.history.progression import Suggestion
    from posecheck.history.store import History
    from posecheck.routine.record import Routine


@dataclass(frozen=True, slots=True)
class Saved:
    """Where an ended session went, and the next target when it is time for one."""

    session_id: int
    path: Path
    next_target: Suggestion | None


class HistorySaver:
    """Saves one session as it grows and when it ends. A failure goes to ``warn`` once (a
    history that cannot be written is no reason to stop an exercise), after which the
    session is no longer saved."""

    def __init__(
        self, history: History | None, video: str | os.PathLike[str] | None, warn: Callable[[str], None]
    ) -> None:
        self.history = history
        self.video = video
        self.warn = warn
        self.session_id: int | None = None

    def save_progress(self, session: Session) -> None:
        self._save(session)

    def save_ended(self, session: Session) -> Saved | None:
        """Saves the ended session (not one that never saw a person and was never saved)."""
        from posecheck.history.progression import starting_target, suggest_next
        from posecheck.rules.registry import exercise_named

        if session.frames_with_person == 0 and self.session_id is None:
            return None
        if not self._save(session) or self.history is None or self.session_id is None:
            return None
        exercise = exercise_named(session.exercise)
        try:
            target = self.history.target_for(session.exercise) or starting_target(exercise)
            past = [stored.session for stored in self.history.sessions(session.exercise, with_traces=False)]
        except PosecheckError as error:
            self.warn(f"the history could not be read back: {error}")
            return None
        return Saved(self.session_id, Path(self.history.path), suggest_next(exercise, target, past))

    def _save(self, session: Session) -> bool:
        if self.history is None:
            return False
        try:
            self.session_id = self.history.save(session, self.video, replacing=self.session_id)
        except PosecheckError as error:
            self.warn(f"the session was not saved to the history: {error}")
            self.history = None
            return False
        return True


class RoutineSaver:
    """Saves one routine as it grows (after each exercise, so an interrupted routine keeps what
    it recorded) and when it ends, always under the same number. A failure goes to ``warn``
    once, after which the routine is no longer saved: the exercises go on."""

    def __init__(
        self, history: History | None, video: str | os.PathLike[str] | None, warn: Callable[[str], None]
    ) -> None:
        self.history = history
        self.video = video
        self.warn = warn
        self.routine_id: int | None = None

    def save(self, routine: Routine) -> int | None:
        """Saves the routine as it now stands; its number, or None when it is not saved."""
        if self.history is None:
            return None
        try:
            self.routine_id = self.history.save_routine(routine, self.video, replacing=self.routine_id)
        except PosecheckError as error:
            self.warn(f"the routine was not saved to the history: {error}")
            self.history = None
            return None
        return self.routine_id
