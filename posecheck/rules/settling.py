"""The body coming to rest and setting off: the samples of the last settle window, from which
the rule engine tells whether a hold has begun, when the body arrived in it, and when the way
out of it began.

Reads: per frame, the key angle, whether the target position holds, and the joints' speed.
Adds: ``settled``, ``arrival_s``, ``movement_start_s``, the recent joint speed.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass

from posecheck.rules.body import Body
from posecheck.rules.vocabulary import Settle

MOVING_OUT_DEG_PER_S = 1.5
"""The key angle's slowest change that still counts as moving: a slow, controlled return of
30 degrees over 3 s is 10 deg/s; a held position drifts well under 1 deg/s."""

WINDOW_COVERED = 0.9
"""A settle window counts once its samples span this share of it (frames fall unevenly)."""

KEY_HISTORY_S = 3.0
"""How far back the key angle is kept to date the way out of a hold."""

JOINTS = slice(11, 29)
"""Shoulders to feet: the joints whose speed says whether the body is still."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One analysed frame as the settle window keeps it."""

    time_s: float
    key: float
    in_target: bool
    speed: float
    complete: bool = True


def joint_step(body: Body, previous: Body, torso_length: float) -> float:
    """Median distance the joints (shoulders to feet) moved in the picture since the previous
    frame, in units of ``torso_length`` (pixels)."""
    moved = body.pose.image_xy[JOINTS] - previous.pose.image_xy[JOINTS]
    steps = (moved**2).sum(axis=1) ** 0.5 / torso_length
    return float(statistics.median(steps.tolist()))


def picture_jumped(body: Body, previous: Body, largest_step: float) -> bool:
    """Whether the joints moved more than ``largest_step`` torso lengths since the previous
    frame, measured on the smaller of the two frames' torsos (a close-up enlarges the body,
    so its own torso would shrink the jump)."""
    return joint_step(body, previous, min(body.torso_length, previous.torso_length)) > largest_step


def joint_speed(body: Body, previous: Body | None) -> float:
    """Median speed of the joints (shoulders to feet) since the previous frame, in torso
    lengths per second (NaN for a first frame)."""
    if previous is None:
        return math.nan
    elapsed = body.pose.timestamp_s - previous.pose.timestamp_s
    if elapsed <= 0:
        return math.nan
    return joint_step(body, previous, body.torso_length) / elapsed


class SettleWindow:
    """The samples of the last ``settle.window_s`` (and the key angle of the last
    ``KEY_HISTORY_S``). ``deeper_is_higher`` says which way the key angle goes into the hold."""

    def __init__(self, settle: Settle, deeper_is_higher: bool) -> None:
        self.settle = settle
        self.inward = 1.0 if deeper_is_higher else -1.0
        self.samples: deque[Sample] = deque()
        self._keys: deque[tuple[float, float]] = deque()

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)
        self._keys.append((sample.time_s, sample.key))
        while self._keys and self._keys[0][0] < sample.time_s - KEY_HISTORY_S:
            self._keys.popleft()
        # Keep the last sample at or before the window's start, so a window sampled sparsely
        # (adaptive stride) still spans its full length.
        window_start_s = sample.time_s - self.settle.window_s
        while len(self.samples) > 1 and self.samples[1].time_s <= window_start_s:
            self.samples.popleft()

    def clear(self) -> None:
        """The person was lost: the window starts again (the key history stays)."""
        self.samples.clear()

    @property
    def keys(self) -> list[float]:
        return [sample.key for sample in self.samples]

    @property
    def mean_speed(self) -> float:
        """Mean joint speed over the window (NaN when no body was seen lately)."""
        speeds = [sample.speed for sample in self.samples if not math.isnan(sample.speed)]
        return sum(speeds) / len(speeds) if speeds else math.nan

    def settled(self, in_target_throughout: bool = True) -> bool:
        """The body has come to rest over the window: in the target position (or, with
        ``in_target_throughout`` False, wherever it is), the key angle steady where it was
        judged."""
        window = self.samples
        if not window or (in_target_throughout and not all(sample.in_target for sample in window)):
            return False
        if window[-1].time_s - window[0].time_s < self.settle.window_s * WINDOW_COVERED:
            return False
        keys = [sample.key for sample in window if not math.isnan(sample.key)]
        speeds = [sample.speed for sample in window if not math.isnan(sample.speed)]
        if not speeds:
            return False
        still = sum(speeds) / len(speeds) <= self.settle.still_speed
        # Where the view cannot judge the key angle, the body at rest in the target is settled.
        return still and (not keys or self._steady(keys) or self._deepening_slowly(window))

    def _steady(self, keys: list[float]) -> bool:
        return max(keys) - min(keys) <= self.settle.within

    def _deepening_slowly(self, window: deque[Sample]) -> bool:
        """The key angle going no way but deeper (never back out by more than ``within``
        from its deepest), at most ``settle.deepening_per_s``."""
        rate = self.settle.deepening_per_s
        samples = [
            (sample.time_s, sample.key * self.inward) for sample in window if not math.isnan(sample.key)
        ]
        if rate <= 0.0 or len(samples) < 2:
            return False
        deepest = -math.inf
        for _, depth in samples:
            if depth < deepest - self.settle.within:
                return False
            deepest = max(deepest, depth)
        (first_s, first), (last_s, last) = samples[0], samples[-1]
        return last - first <= rate * max(last_s - first_s, 1e-9)

    def arrival_s(self) -> float:
        """When the body arrived in the settled position: the first moment of the window
        from which the key angle went no deeper, on average, than ``MOVING_OUT_DEG_PER_S``
        (sinking slowly into the position is the way in, not the hold; the same rate dates
        the way out), or than ``settle.deepening_per_s`` where a hold may deepen. Averaged to
        the window's end, so a frame's jitter does not decide it."""
        first_s = self.samples[0].time_s
        samples = [(sample.time_s, sample.key) for sample in self.samples if not math.isnan(sample.key)]
        if not samples:
            return max(first_s, self._completed_s())
        still_going_in = max(MOVING_OUT_DEG_PER_S, self.settle.deepening_per_s)
        return max(self._key_arrival_s(samples, still_going_in, first_s), self._completed_s())

    def _key_arrival_s(
        self, samples: list[tuple[float, float]], still_going_in: float, first_s: float
    ) -> float:
        end_s, end_key = samples[-1]
        for t, key in samples[:-1]:
            if (end_key - key) * self.inward < still_going_in * (end_s - t):
                return t if t > samples[0][0] else first_s
        return end_s

    def _completed_s(self) -> float:
        """Since when the position's completing details have held to the window's end (the
        window's start if throughout; -inf if they do not hold now: the hold is then dated on
        the key angle alone)."""
        since = -math.inf
        for sample in reversed(self.samples):
            if not sample.complete:
                break
            since = sample.time_s
        return since

    def movement_start_s(self, released_s: float) -> float:
        """When the way out of a hold began: walking back from ``released_s`` while the key
        angle was still moving out of the hold (a smoothed signal rises or falls steadily
        during a movement) at ``MOVING_OUT_DEG_PER_S`` or more. A rate, not a step, so that
        sparse samples (adaptive stride) do not take a slow drift while holding for the way
        out."""
        outward = -self.inward
        samples = [(sample.time_s, sample.key) for sample in self.samples if sample.time_s <= released_s]
        samples += [(t, key) for t, key in self._keys if t <= released_s and not math.isnan(key)]
        samples = sorted(set(samples))
        start = released_s
        for (t_before, key_before), (t_after, key_after) in zip(
            reversed(samples[:-1]), reversed(samples[1:]), strict=True
        ):
            if t_after > start:
                continue
            if (key_after - key_before) * outward < MOVING_OUT_DEG_PER_S * (t_after - t_before):
                break
            start = t_before
        return start
