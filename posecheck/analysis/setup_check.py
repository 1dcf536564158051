"""Set-up check: is the camera placed so the exercise can be judged?

A pure function from one pose to the instructions that would fix the set-up (none when it
is right), shared by live coaching (before the exercise starts) and recorded videos. A
tilted camera shows only over time: ``camera_roll_deg`` reads it from one pose, and
``CameraLevelWatch`` (live) and ``SetupTally`` (recorded) take the median of the readings.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import deque

import numpy as np

from posecheck.analysis.other_people import OtherPeople
from posecheck.pipeline.landmarks import Landmark
from posecheck.pipeline.pose import Pose
from posecheck.rules.body import Body
from posecheck.rules.geometry import roll_deg
from posecheck.rules.settling import joint_speed
from posecheck.rules.vocabulary import CameraView

# The parts the rules measure, head to feet, as a person names them.
BODY_PARTS: tuple[tuple[str, tuple[Landmark, ...]], ...] = (
    ("head", (Landmark.NOSE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR)),
    ("shoulders", (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)),
    ("hands", (Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST)),
    ("hips", (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)),
    ("knees", (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE)),
    ("feet", (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE)),
)

STEP_INTO_PICTURE = "Step into the picture: the camera must see your whole body."
SOMEONE_ELSE_IN_PICTURE = "Someone else is in the picture: only the person exercising should be in view."
TURN_SIDE_ON = "Place the camera at your side, level with the mat: it should see you from the side."

# A landmark the model places outside the picture, or is unsure is in it (presence), is cut
# off. In the corpus, joints inside the picture have presence 0.9 or more.
MINIMUM_PRESENCE = 0.5
EDGE_MARGIN_FRACTION = 0.01


def parts_out_of_picture(pose: Pose) -> list[str]:
    """The body parts (head, hands, feet...) of which a landmark is outside the picture."""
    width, height = pose.image_size
    margin = EDGE_MARGIN_FRACTION * np.array([width, height])
    low, high = -margin, np.array([width, height]) + margin
    missing = []
    for name, landmarks in BODY_PARTS:
        points = pose.image_xy[list(landmarks)]
        outside = np.any((points < low) | (points > high), axis=1)
        unsure = pose.presence[list(landmarks)] < MINIMUM_PRESENCE
        if bool(np.any(outside | unsure)):
            missing.append(name)
    return missing


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# ----------------------------------------------------------------- a tilted camera
# The rules' limits on inclines measured against the camera's level (legs, shins, trunk)
# leave 8-10 degrees between entering a position and leaving it: a camera rolled as much
# moves a measured angle by the whole margin. The level corpus clips' medians read within
# 6 degrees (the exercise clips within 2), live's 2 s medians within 9 (5).
LEVEL_TOLERANCE_DEG = 10.0
LEVEL_AGAIN_DEG = 8.0  # live: once tilted, the camera counts as level again below this
SIDE_ON_DEPTH_SHARE = 0.64  # as Body.camera_at_its_side: a line within 50 degrees of the camera axis


def camera_at_side_by_shoulders_and_hips(pose: Pose) -> bool:
    """True when the camera looks at the body's side by its shoulders and by its hips.

    The model's depths, so the floor it rests on, are true only then: turned a third of the
    way to the camera, a lying body's legs already rise in them.
    """
    world = pose.world_xyz
    axis = world[Landmark.RIGHT_HIP] - world[Landmark.LEFT_HIP]
    length = float(np.linalg.norm(axis))
    hips_side_on = length > 0 and abs(float(axis[2])) / length >= SIDE_ON_DEPTH_SHARE
    return hips_side_on and Body.of(pose).camera_at_its_side


def camera_roll_deg(pose: Pose) -> float | None:
    """How far the camera is turned about its axis, read from the floor under a body seen
    side-on (None in other views, or when no floor shows): positive when the floor climbs
    to the left of the picture.

    The model's world points are in the camera's axes, so the floor's normal leans in them
    by the camera's roll, whatever the camera's pitch or the way the body lies (a floor
    line drawn in the picture slants in a three-quarter view of a level camera).
    """
    if not camera_at_side_by_shoulders_and_hips(pose):
        return None
    normal = Body.of(pose).resting_floor_normal
    return None if normal is None else roll_deg(normal)


def level_the_camera(roll: float) -> str:
    return (
        f"Level the camera: it is tilted about {abs(roll):.0f} degrees. "
        "Turn it until the floor runs straight across the picture."
    )


def _seconds_covered(times: list[float], longest_gap_s: float) -> float:
    """Time spanned by readings, leaving out gaps longer than ``longest_gap_s``."""
    return sum(min(later - earlier, longest_gap_s) for earlier, later in itertools.pairwise(times))


# Live: the median of the last 2 s of side-on readings of a body at rest, once they cover
# three quarters of it, so that a moment of moving (lying down, turning) or a second's odd
# reading cannot decide it (a level camera read 12 degrees for 0.85 s after a figure-four
# stretch was let go).
LIVE_LEVEL_WINDOW_S = 2.0
LIVE_LEVEL_EVIDENCE_S = 1.5
LIVE_LEVEL_MINIMUM_READINGS = 5
LIVE_READING_GAP_S = 0.25
# Readings of a body keeping still agree within a few degrees (interquartile range 1-4 on the
# corpus); while it moves (legs lifted or lowered) they scatter, and say nothing yet.
STEADY_SPREAD_DEG = 6.0
# Live waits this long (twice the evidence a verdict needs) for the level to be decided once
# readings come, before it lets the set-up be called right without it (a camera view that
# reads the floor only now and then).
LIVE_LEVEL_PATIENCE_S = 2.0
# A body whose joints move faster than this (torso lengths a second) is not at rest on the
# floor: the rules' settle speed for a held position (``Settle.still_speed``).
RESTING_SPEED = 0.25


class CameraLevelWatch:
    """Live: whether the camera is tilted, from the median roll over the last seconds, with
    hysteresis so that a stray frame neither raises nor clears it."""

    def __init__(self) -> None:
        self.readings: deque[tuple[float, float]] = deque()
        self.tilted = False
        self.roll: float | None = None
        self.decided = False
        self.first_reading_s: float | None = None
        self._previous: Pose | None = None

    def update(self, pose: Pose | None) -> float | None:
        """The roll to correct (degrees), or None while the camera is level or unknown. A
        body on the move (legs lowered to the mat, rolling over) does not rest on the floor
        its joints are fitted to, so only a body at rest is read."""
        roll = camera_roll_deg(pose) if pose is not None else None
        moving = (
            pose is not None
            and self._previous is not None
            and joint_speed(Body.of(pose), Body.of(self._previous)) > RESTING_SPEED
        )
        self._previous = pose
        if pose is not None and roll is not None and not moving:
            if self.first_reading_s is None:
                self.first_reading_s = pose.timestamp_s
            self.readings.append((pose.timestamp_s, roll))
            while pose.timestamp_s - self.readings[0][0] > LIVE_LEVEL_WINDOW_S:
                self.readings.popleft()
        times = [time_s for time_s, _ in self.readings]
        rolls = [roll for _, roll in self.readings]
        if (
            len(rolls) < LIVE_LEVEL_MINIMUM_READINGS
            or _seconds_covered(times, LIVE_READING_GAP_S) < LIVE_LEVEL_EVIDENCE_S
            or float(np.subtract(*np.percentile(rolls, [75, 25]))) > STEADY_SPREAD_DEG
        ):
            return self.roll if self.tilted else None  # no steady evidence: the last verdict stands
        self.decided = True
        self.roll = statistics.median(rolls)
        limit = LEVEL_AGAIN_DEG if self.tilted else LEVEL_TOLERANCE_DEG
        self.tilted = abs(self.roll) >= limit
        return self.roll if self.tilted else None

    def undecided(self, time_s: float) -> bool:
        """True while side-on readings have begun but do not yet decide the level."""
        if self.decided or self.first_reading_s is None:
            return False
        return time_s - self.first_reading_s < LIVE_LEVEL_PATIENCE_S


def setup_instructions(
    pose: Pose | None, view: CameraView, camera_tilt_deg: float | None = None
) -> tuple[str, ...]:
    """What to change so the camera sees the exercise as it needs (empty when all is right).
    ``camera_tilt_deg``: the roll a ``CameraLevelWatch`` found over the last seconds."""
    if pose is None:
        return (STEP_INTO_PICTURE,)
    instructions = []
    missing = parts_out_of_picture(pose)
    if missing:
        verb = "is" if missing == ["head"] else "are"
        instructions.append(
            f"Move the camera further away: your {_joined(missing)} {verb} out of the picture."
        )
    if view is CameraView.SIDE and not Body.of(pose).camera_at_its_side:
        instructions.append(TURN_SIDE_ON)
    if camera_tilt_deg is not None:
        instructions.append(level_the_camera(camera_tilt_deg))
    return tuple(instructions)


# ----------------------------------------------------------------- recorded sessions
# A body lying on a mat, filmed from the side at a sensible distance, spans half the
# picture or more; under a fifth, the joints are a few pixels apart and the angles noisy.
SMALLEST_BODY_SPAN_FRACTION = 0.2
# A set-up note needs the fault in this share of the time a person was seen, not a moment.
NOTE_SHARE = 0.3
# A frame stands for the time since the one before, at most this (the adaptive stride's
# gap): shares of time, not of frames, so a camera dropping frames weighs the same.
LONGEST_FRAME_S = 0.5
# Other people are looked for every few seconds, not on every frame (see
# ``posecheck.analysis.other_people``). Someone walking through the back of the picture is seen in
# one check; a note needs them in two checks or more and in a fifth of the checks, so a
# passer-by in a long video is not noted. A clip too short for two checks needs its one.
OTHERS_NOTE_SHARE = 0.2
OTHERS_NOTE_CHECKS = 2
SOMEONE_ELSE_NOTE = (
    "Someone else was in the picture: posecheck follows one person; "
    "film with only the person exercising in view."
)
# A tilt note needs this long of side-on readings: a few holds' worth of frames, so a
# passing posture cannot decide it.
TILT_EVIDENCE_S = 3.0
READING_GAP_S = 0.5  # the adaptive stride analyses a frame every half second while still
# The floor is read at most this often: five readings a second make a steady median, and
# fitting the floor on every frame would cost more than the rest of the rules together.
ROLL_LOOK_EVERY_S = 0.2


def body_span_fraction(pose: Pose) -> float:
    """How much of the picture the body spans: its extent over the picture's, the larger of
    the two directions."""
    width, height = pose.image_size
    extent = np.ptp(pose.image_xy[: Landmark.RIGHT_FOOT_INDEX + 1], axis=0)
    return float(max(extent[0] / width, extent[1] / height))


class SetupTally:
    """Adds up, over a session, the time the set-up would need fixing, and turns the lasting
    faults into notes for the summary."""

    def __init__(self) -> None:
        self.seen_s = 0.0
        self.parts_out_s: dict[str, float] = {}
        self.too_small_s = 0.0
        self._last_time_s: float | None = None
        self.people_checks = 0
        self.checks_with_others = 0
        self.roll_readings: list[tuple[float, float]] = []
        self._last_roll_look_s = -math.inf

    def record(self, time_s: float, pose: Pose | None) -> None:
        last, self._last_time_s = self._last_time_s, time_s
        if pose is None:
            return
        weight = 0.0 if last is None else min(max(time_s - last, 0.0), LONGEST_FRAME_S)
        self.seen_s += weight
        for part in parts_out_of_picture(pose):
            self.parts_out_s[part] = self.parts_out_s.get(part, 0.0) + weight
        if body_span_fraction(pose) < SMALLEST_BODY_SPAN_FRACTION:
            self.too_small_s += weight
        if pose.timestamp_s - self._last_roll_look_s >= ROLL_LOOK_EVERY_S:
            self._last_roll_look_s = pose.timestamp_s
            roll = camera_roll_deg(pose)
            if roll is not None:
                self.roll_readings.append((pose.timestamp_s, roll))

    def camera_roll(self) -> float | None:
        """The median roll over the session's side-on frames, when they last long enough."""
        times = [time_s for time_s, _ in self.roll_readings]
        if _seconds_covered(times, READING_GAP_S) < TILT_EVIDENCE_S:
            return None
        rolls = [roll for _, roll in self.roll_readings]
        if float(np.subtract(*np.percentile(rolls, [75, 25]))) > STEADY_SPREAD_DEG:
            return None  # readings that disagree (a moving body, poor depth) are no evidence
        return statistics.median(rolls)

    def record_people_check(self, found: OtherPeople) -> None:
        self.people_checks += 1
        self.checks_with_others += found.count > 0

    def others_were_in_the_picture(self) -> bool:
        checks = self.people_checks
        needed = max(min(OTHERS_NOTE_CHECKS, checks), OTHERS_NOTE_SHARE * checks)
        return checks > 0 and self.checks_with_others >= needed

    def notes(self) -> tuple[str, ...]:
        seen = self.seen_s
        if seen <= 0:
            return ()
        notes = []
        if self.others_were_in_the_picture():
            notes.append(SOMEONE_ELSE_NOTE)
        missing = [part for part, spent in self.parts_out_s.items() if spent >= NOTE_SHARE * seen]
        if missing:
            verb = "was" if len(missing) == 1 else "were"
            notes.append(
                f"Your {_joined(missing)} {verb} out of the picture in part of the video: "
                "move the camera further away so it sees the whole body."
            )
        if self.too_small_s >= NOTE_SHARE * seen:
            notes.append("You were far from the camera: move it closer so your body fills the picture.")
        roll = self.camera_roll()
        if roll is not None and abs(roll) >= LEVEL_TOLERANCE_DEG:
            notes.append(
                f"The camera was tilted about {abs(roll):.0f} degrees: set it level, with the "
                "floor straight across the picture, so the angles are measured true."
            )
        return tuple(notes)
