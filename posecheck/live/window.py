"""The live window (OpenCV's highgui): shows each drawn picture and reads the keys.

q (or Esc, or closing the window) ends the session, space pauses, r resets the counter.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum

import cv2
import numpy as np

from posecheck.closing import Closing
from posecheck.errors import DisplayUnavailableError


class Key(StrEnum):
    QUIT = "quit"
    PAUSE = "pause"
    RESET = "reset"


ENTER, ESCAPE, CLOSED = "\n", "\x1b", "closed"
MINIMUM_WIDTH = 960
_KEYS = {ord("q"): Key.QUIT, ord("Q"): Key.QUIT, 27: Key.QUIT, ord(" "): Key.PAUSE, ord("r"): Key.RESET}


def display_available() -> bool:
    """Whether a window can open. OpenCV's Qt back end aborts the whole process when there
    is no display, so this is checked before it is asked for a window."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


class LiveWindow(Closing):
    def __init__(self, title: str = "posecheck live") -> None:
        if not display_available():
            raise DisplayUnavailableError(
                "no display to open the live window on: run `posecheck live` on a desktop, "
                "or add --no-window to follow the session as text"
            )
        self.title = title
        try:
            cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as error:
            raise DisplayUnavailableError(
                f"cannot open the live window ({str(error).strip().splitlines()[-1]}): "
                "add --no-window to follow the session as text"
            ) from None
        self._shown = False
        self._last_code = 255

    def show(self, picture: np.ndarray) -> Key | None:
        """Shows ``picture`` and returns the key pressed meanwhile, if any."""
        if not self._shown:
            # Large enough to read from the mat: small camera pictures are shown enlarged.
            height, width = picture.shape[:2]
            enlarge = max(1.0, MINIMUM_WIDTH / width)
            cv2.resizeWindow(self.title, round(width * enlarge), round(height * enlarge))
        cv2.imshow(self.title, picture)
        self._shown = True
        self._last_code = cv2.waitKey(1) & 0xFF
        key = _KEYS.get(self._last_code)
        if key is None and cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            return Key.QUIT  # closed with the mouse
        return key

    def show_typed(self, picture: np.ndarray) -> str | None:
        """Shows ``picture`` and returns the character typed meanwhile (``ENTER``, ``ESCAPE``,
        ``CLOSED`` when the window was closed with the mouse), for answers and commands."""
        key = self.show(picture)
        typed = self._last_code
        if key is Key.QUIT and typed not in (ord("q"), ord("Q"), 27):
            return CLOSED
        if typed in (10, 13):
            return ENTER
        if typed == 27:
            return ESCAPE
        return chr(typed) if 32 <= typed < 127 else None

    def close(self) -> None:
        cv2.destroyWindow(self.title)
        cv2.waitKey(1)
