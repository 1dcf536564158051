"""The live set-up check: what to tell the person about the camera until it is right.

Reads each analysed frame's pose (raw, for the camera's level; smoothed, for the body's
place in the picture) and the looks for other people; gives ``Announcement``s. Cues are
judged on time (``analysis.setup_cues``): one changes only when the new one has held for a
moment, and is said once while it stands. Once the set-up has been right for
``SETUP_SETTLED_S`` the check is over for the session, except for someone else walking into
the picture, which is told at any time.
"""

from __future__ import annotations

from posecheck.analysis.other_people import OtherPeople
from posecheck.analysis.setup_check import SOMEONE_ELSE_IN_PICTURE, CameraLevelWatch, setup_instructions
from posecheck.analysis.setup_cues import StandingCue
from posecheck.live.coaching import Announcement
from posecheck.pipeline.pose import Pose
from posecheck.rules.vocabulary import CameraView

SETUP_SETTLED_S = 1.0
"""The set-up must stay right this long before it is called done."""

SETUP_COOLDOWN_S = 10.0
"""The voice does not say the same set-up words again within this (a cue that went and
came back)."""

OTHERS_SEEN_FOR_S = 2.0
"""Someone else must be seen in the looks for this long before the instruction (a look
every ``LIVE_CHECK_PERIOD_S``): a person crossing the picture is gone by then."""

OTHERS_COOLDOWN_S = 15.0

SETUP_RIGHT = Announcement(0.0, "set-up right: begin the exercise", "Good. Begin.")


class SetupGuide:
    """The set-up cues of one live session."""

    def __init__(self, view: CameraView) -> None:
        self.view = view
        self.done = False
        self.camera_level = CameraLevelWatch()
        self.cue = StandingCue()
        self.showing: tuple[str, ...] = ()
        self.others_since: float | None = None
        self.others_looks = 0
        self._others_told_at: float | None = None

    def hear(self, time_s: float, raw: Pose | None, smoothed: Pose | None) -> list[Announcement]:
        """One analysed frame: the announcements it brings."""
        if self.done:
            self.showing = ()
            return []
        tilt = self.camera_level.update(raw)
        instructions = setup_instructions(smoothed, self.view, tilt)
        change = self.cue.update(time_s, instructions[0] if instructions else None)
        self.showing = (self.cue.standing,) if self.cue.standing is not None else ()
        if change is not None and change.cue is not None:
            return [Announcement(time_s, f"set-up: {change.cue}", change.cue, SETUP_COOLDOWN_S)]
        since = self.cue.standing_since
        if (
            self.cue.standing is None
            and since is not None
            and time_s - since >= SETUP_SETTLED_S
            and self.cue.clearly(None, time_s)
            and not self.camera_level.undecided(time_s)
        ):
            self.done = True
            self.showing = ()
            return [Announcement(time_s, SETUP_RIGHT.text, SETUP_RIGHT.spoken)]
        return []

    def hear_about_others(self, time_s: float, found: OtherPeople) -> list[Announcement]:
        """After a look for someone else: tells once they were seen for
        ``OTHERS_SEEN_FOR_S``, then again after ``OTHERS_COOLDOWN_S`` while they stay."""
        if not found.count:
            self.others_since, self.others_looks = None, 0
            return []
        self.others_looks += 1
        if self.others_since is None:
            self.others_since = time_s
        told = self._others_told_at
        if self.others_present(time_s) and (told is None or time_s - told >= OTHERS_COOLDOWN_S):
            self._others_told_at = time_s
            words = SOMEONE_ELSE_IN_PICTURE
            return [Announcement(time_s, f"set-up: {words}", words, OTHERS_COOLDOWN_S)]
        return []

    def others_present(self, time_s: float) -> bool:
        """Someone else was found in two looks in a row, ``OTHERS_SEEN_FOR_S`` or more apart."""
        since = self.others_since
        return since is not None and self.others_looks >= 2 and time_s - since >= OTHERS_SEEN_FOR_S

    def lines(self, time_s: float) -> tuple[str, ...]:
        """The set-up rows to draw now."""
        if self.others_present(time_s):
            return (*self.showing, SOMEONE_ELSE_IN_PICTURE)
        return self.showing
