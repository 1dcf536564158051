"""How a camera's frames reach the frame loop: the newest frame each time the rules are
ready for one (the camera drops the older ones), stamped on the session clock.

The session clock is the camera's wall clock less the time spent paused: a hold resumes
where it was after a pause. This and the choice of frames are all that differs from a
recorded video; everything after is ``analysis.frame_loop``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator

from posecheck.pipeline.camera import LiveCamera, LiveFrame
from posecheck.pipeline.source import Frame


class SessionClock:
    """Camera time less the time paused."""

    def __init__(self) -> None:
        self.paused = False
        self._paused_total_s = 0.0
        self._paused_at: float | None = None

    def toggle_pause(self, camera_time_s: float) -> bool:
        """Pauses or resumes at ``camera_time_s``; True when now paused."""
        if self.paused and self._paused_at is not None:
            self._paused_total_s += camera_time_s - self._paused_at
            self._paused_at = None
        else:
            self._paused_at = camera_time_s
        self.paused = not self.paused
        return self.paused

    def session_time(self, camera_time_s: float) -> float:
        return camera_time_s - self._paused_total_s

    def stamped(self, frame: Frame) -> Frame:
        """``frame`` on the session clock."""
        return dataclasses.replace(frame, timestamp_s=self.session_time(frame.timestamp_s))

    def wanted(self, frame: Frame) -> bool:
        """Frames are analysed unless paused (they are still shown)."""
        return not self.paused


class CameraFrames:
    """The camera's newest frames, on the session clock, until the camera ends (a file) or
    goes away (its ``CameraUnavailableError`` ends the loop). ``captured_at`` is when the
    frame last given was captured (monotonic clock), for the latency."""

    def __init__(self, camera: LiveCamera, clock: SessionClock) -> None:
        self.camera = camera
        self.clock = clock
        self.captured_at = math.nan

    def __iter__(self) -> Iterator[Frame]:
        while True:
            live: LiveFrame | None = self.camera.latest()
            if live is None:
                return
            self.captured_at = live.captured_at
            yield self.clock.stamped(live.frame)
