"""How an analysis reads its frames: which are analysed, and which of the model's extra
looks run (``VideoOptions``, for a recorded video and, with its own periods, live)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from posecheck.analysis.other_people import ANALYZE_CHECK_PERIOD_S
from posecheck.pipeline.track_check import TRACK_CHECK_PERIOD_S


@dataclass(frozen=True, slots=True)
class AdaptiveStride:
    """Analyse fewer frames while nothing changes, every frame once the body moves.

    The exercises are mostly holds. While the joints' mean speed over the last second stays
    under ``still_speed`` torso lengths per second, the next analysed frame is ``still_gap_s``
    on; and while nobody is in the picture (a title card, the person gone), ``absent_gap_s``
    on, so that someone coming back is found within that time. The first analysed frame that
    shows movement returns to every frame. Gaps are in seconds so that they mean the same at
    any frame rate. A gap stays at most half the settle window (1 s), so that the test for a
    settled body still sees three samples or more; holds are then timed to within a gap.
    """

    still_gap_s: float = 0.5
    absent_gap_s: float = 0.5
    still_speed: float = 0.1

    def next_gap(self, recent_speed: float, person_found: bool, fps: float) -> int:
        """How many frames on to analyse next."""
        if not person_found:
            return self._frames(self.absent_gap_s, fps)
        if math.isnan(recent_speed) or recent_speed >= self.still_speed:
            return 1
        return self._frames(self.still_gap_s, fps)

    @staticmethod
    def _frames(seconds: float, fps: float) -> int:
        return max(1, round(seconds * fps)) if fps > 0 else 1


@dataclass(frozen=True, slots=True)
class VideoOptions:
    """How a recorded video is read, whichever way it is analysed: every ``stride``-th frame;
    fewer while the body is still (``adaptive``, with a named exercise only); a second look,
    turned, at frames without a person (``turned_retry``); a fresh look at the followed
    person every ``track_check_period_s`` (None: never; see ``posecheck.pipeline.track_check``);
    a look for other people every ``people_check_period_s`` (None: never); a progress bar;
    the rules in a process of their own, beside the model, when a second core is free
    (``rules_beside``; see ``posecheck.analysis.beside``)."""

    stride: int = 1
    adaptive: AdaptiveStride | None = None
    turned_retry: bool = False
    track_check_period_s: float | None = TRACK_CHECK_PERIOD_S
    people_check_period_s: float | None = ANALYZE_CHECK_PERIOD_S
    progress: bool = False
    rules_beside: bool = True
