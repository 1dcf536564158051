"""Set-up check: is the camera placed so the exercise can be judged?

A pure function from one pose to the instructions that would fix the set-up (none when it
is right), shared by live coaching (before the exercise starts) and recorded videos.
"""

from __future__ import annotations

import numpy as np

from posecheck.body import Body
from posecheck.landmarks import Landmark
from posecheck.other_people import OtherPeople
from posecheck.pose import Pose
from posecheck.rules import CameraView

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


def setup_instructions(pose: Pose | None, view: CameraView) -> tuple[str, ...]:
    """What to change so the camera sees the exercise as it needs (empty when all is right)."""
    if pose is None:
        return (STEP_INTO_PICTURE,)
    instructions = []
    missing = parts_out_of_picture(pose)
    if missing:
        verb = "is" if missing == ["head"] else "are"
        instructions.append(
            f"Move the camera further away: your {_joined(missing)} {verb} out of the picture."
        )
    if view is CameraView.SIDE and not Body.of(pose).seen_from_the_side:
        instructions.append(TURN_SIDE_ON)
    return tuple(instructions)


# ----------------------------------------------------------------- recorded sessions
# A body lying on a mat, filmed from the side at a sensible distance, spans half the
# picture or more; under a fifth, the joints are a few pixels apart and the angles noisy.
SMALLEST_BODY_SPAN_FRACTION = 0.2
# A set-up note needs the fault in this share of the frames with a person, not a moment.
NOTE_SHARE = 0.3
# Other people are looked for every few seconds, not on every frame (see
# ``posecheck.other_people``). Someone walking through the back of the picture is seen in
# one check; a note needs them in two checks or more and in a fifth of the checks, so a
# passer-by in a long video is not noted. A clip too short for two checks needs its one.
OTHERS_NOTE_SHARE = 0.2
OTHERS_NOTE_CHECKS = 2
SOMEONE_ELSE_NOTE = (
    "Someone else was in the picture: posecheck follows one person; "
    "film with only the person exercising in view."
)


def body_span_fraction(pose: Pose) -> float:
    """How much of the picture the body spans: its extent over the picture's, the larger of
    the two directions."""
    width, height = pose.image_size
    extent = np.ptp(pose.image_xy[: Landmark.RIGHT_FOOT_INDEX + 1], axis=0)
    return float(max(extent[0] / width, extent[1] / height))


class SetupTally:
    """Counts, over a recorded session, the frames whose set-up would need fixing, and turns
    the lasting ones into notes for the summary."""

    def __init__(self) -> None:
        self.frames_with_person = 0
        self.parts_out: dict[str, int] = {}
        self.too_small = 0
        self.people_checks = 0
        self.checks_with_others = 0

    def record(self, pose: Pose | None) -> None:
        if pose is None:
            return
        self.frames_with_person += 1
        for part in parts_out_of_picture(pose):
            self.parts_out[part] = self.parts_out.get(part, 0) + 1
        if body_span_fraction(pose) < SMALLEST_BODY_SPAN_FRACTION:
            self.too_small += 1

    def record_people_check(self, found: OtherPeople) -> None:
        self.people_checks += 1
        self.checks_with_others += found.count > 0

    def others_were_in_the_picture(self) -> bool:
        checks = self.people_checks
        needed = max(min(OTHERS_NOTE_CHECKS, checks), OTHERS_NOTE_SHARE * checks)
        return checks > 0 and self.checks_with_others >= needed

    def notes(self) -> tuple[str, ...]:
        seen = self.frames_with_person
        if seen == 0:
            return ()
        notes = []
        if self.others_were_in_the_picture():
            notes.append(SOMEONE_ELSE_NOTE)
        missing = [part for part, count in self.parts_out.items() if count >= NOTE_SHARE * seen]
        if missing:
            verb = "was" if len(missing) == 1 else "were"
            notes.append(
                f"Your {_joined(missing)} {verb} out of the picture in part of the video: "
                "move the camera further away so it sees the whole body."
            )
        if self.too_small >= NOTE_SHARE * seen:
            notes.append("You were far from the camera: move it closer so your body fills the picture.")
        return tuple(notes)
