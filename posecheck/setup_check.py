"""Set-up check: is the camera placed so the exercise can be judged?

A pure function from one pose to the instructions that would fix the set-up (none when it
is right), shared by live coaching (before the exercise starts) and recorded videos.
"""

from __future__ import annotations

import numpy as np

from posecheck.body import Body
from posecheck.landmarks import Landmark
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
