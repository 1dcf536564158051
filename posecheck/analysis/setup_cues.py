"""Set-up cues that hold still: what the person is told about the camera's placement.

``setup_instructions`` reads one pose, and a joint at the picture's edge flickers in and out
of it from frame to frame ("your feet are out of the picture", then "your knees and feet").
Said as it comes, that is a new sentence every few frames. So a cue is judged on time, not
on frames: over the last ``CUE_WINDOW_S`` it must be the one seen for most of the time
(``CLEAR_SHARE``), or the cue standing must have gone from most of it (``GONE_SHARE``),
before the standing cue changes; and a cue is said once when it comes, not again while it
stands. Time shares, not frame counts, so 10 and 30 frames a second give the same cues.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

CUE_WINDOW_S = 1.0
"""A cue must have held for this long: longer than the flicker of a joint at the edge (a few
frames), short enough that a person who steps out of the picture hears it at once."""

CLEAR_SHARE = 2 / 3
"""A new cue takes over once it was seen for two thirds of the window..."""

GONE_SHARE = 1 / 3
"""...or once the standing one was seen for less than a third of it (then the cue seen most
takes over, even when two alternate)."""

_FIGURES = re.compile(r"\d+")


def same_cue_key(cue: str | None) -> str | None:
    """The same instruction with another figure in it ("tilted about 12 degrees", then 13)
    is the same cue."""
    return None if cue is None else _FIGURES.sub("#", cue)


@dataclass(frozen=True, slots=True)
class CueChange:
    """The standing cue changed at ``time_s``: to ``cue``, or to None when the set-up is
    right."""

    time_s: float
    cue: str | None


class StandingCue:
    """The set-up cue that stands, judged on the time each cue was seen."""

    def __init__(self, window_s: float = CUE_WINDOW_S) -> None:
        self.window_s = window_s
        self._seen: deque[tuple[float, str | None]] = deque()
        self.standing: str | None = None
        self.standing_since: float | None = None
        self._decided = False

    def update(self, time_s: float, cue: str | None) -> CueChange | None:
        """This frame's first instruction (None: nothing to fix); the change, if the standing
        cue changes now."""
        self._seen.append((time_s, cue))
        while len(self._seen) > 1 and self._seen[1][0] <= time_s - self.window_s:
            self._seen.popleft()
        if time_s - self._seen[0][0] < self.window_s:
            return None  # not yet a window's worth of evidence
        shares = self._shares(time_s)
        leader = max(shares, key=lambda key: shares[key])
        standing = same_cue_key(self.standing)
        if self._decided and (
            leader == standing or (shares[leader] < CLEAR_SHARE and shares.get(standing, 0.0) >= GONE_SHARE)
        ):
            if leader == standing:
                self.standing = self._latest_with_key(leader)  # the newest figures
            return None
        self._decided = True
        self.standing = self._latest_with_key(leader)
        self.standing_since = time_s
        return CueChange(time_s, self.standing)

    def clearly(self, cue: str | None, time_s: float) -> bool:
        """Whether ``cue`` (None: nothing to fix) was seen for ``CLEAR_SHARE`` of the last
        window: what the set-up must show, not only have shown, before it is called right."""
        if not self._seen or time_s - self._seen[0][0] < self.window_s:
            return False
        return self._shares(time_s).get(same_cue_key(cue), 0.0) >= CLEAR_SHARE

    def _shares(self, time_s: float) -> dict[str | None, float]:
        """Each cue's share of the window: a frame's cue stands until the next frame."""
        start = time_s - self.window_s
        spans: dict[str | None, float] = {}
        seen = list(self._seen)
        for (since, cue), (until, _) in zip(seen, [*seen[1:], (time_s, None)], strict=True):
            span = until - max(since, start)
            if span > 0:
                key = same_cue_key(cue)
                spans[key] = spans.get(key, 0.0) + span
        total = sum(spans.values())
        if total <= 0:  # one frame only in the window
            return {same_cue_key(seen[-1][1]): 1.0}
        return {key: span / total for key, span in spans.items()}

    def _latest_with_key(self, key: str | None) -> str | None:
        for _, cue in reversed(self._seen):
            if same_cue_key(cue) == key:
                return cue
        return None
