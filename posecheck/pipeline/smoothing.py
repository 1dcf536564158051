"""Smoothing: a One Euro filter on every landmark coordinate.

The One Euro filter (Casiez, Roussel and Vogel, CHI 2012) is a low-pass filter whose cut-off
rises with speed: still landmarks are smoothed hard (jitter gone), moving ones lightly (little
lag). Its three parameters, in this project's units:

- ``minimum_cutoff_hz``: cut-off when still. Lower removes more jitter during a hold.
- ``speed_coefficient`` (beta): how fast the cut-off rises with speed, per (body length / s).
- ``derivative_cutoff_hz``: cut-off of the speed estimate itself.

Coordinates are filtered in units of the person's body length (shoulder-to-ankle scale in
the picture), so the same parameters suit a 380-pixel and a 4K picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecheck.pipeline.pose import Pose


@dataclass(frozen=True, slots=True)
class OneEuroParameters:
    minimum_cutoff_hz: float = 1.0
    speed_coefficient: float = 4.0
    derivative_cutoff_hz: float = 1.0
    reset_after_gap_s: float = 0.5


def _smoothing_factor(cutoff_hz: float | np.ndarray, elapsed_s: float) -> float | np.ndarray:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / elapsed_s)


class OneEuroFilter:
    """Filters an array of values (any shape) sampled at irregular times."""

    def __init__(self, parameters: OneEuroParameters) -> None:
        self.parameters = parameters
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None
        self._time_s = 0.0

    def reset(self) -> None:
        self._value = None
        self._speed = None

    def __call__(self, value: np.ndarray, time_s: float, scale: float = 1.0) -> np.ndarray:
        """Filtered value; ``scale`` converts the values' units to the filter's units."""
        p = self.parameters
        if self._value is None or self._speed is None or time_s <= self._time_s:
            self._value = np.array(value, dtype=np.float64)
            self._speed = np.zeros_like(self._value)
            self._time_s = time_s
            return self._value.copy()
        elapsed = time_s - self._time_s
        self._time_s = time_s
        raw_speed = (value - self._value) / elapsed
        speed_factor = _smoothing_factor(p.derivative_cutoff_hz, elapsed)
        self._speed = self._speed + speed_factor * (raw_speed - self._speed)
        cutoff = p.minimum_cutoff_hz + p.speed_coefficient * np.abs(self._speed) / scale
        value_factor = _smoothing_factor(cutoff, elapsed)
        self._value = self._value + value_factor * (value - self._value)
        return self._value.copy()


class PoseSmoother:
    """Smooths a stream of poses; a gap longer than ``reset_after_gap_s`` starts afresh."""

    def __init__(self, parameters: OneEuroParameters | None = None) -> None:
        self.parameters = parameters or OneEuroParameters()
        self._image = OneEuroFilter(self.parameters)
        self._world = OneEuroFilter(self.parameters)
        self._last_time_s: float | None = None

    def smooth(self, pose: Pose | None) -> Pose | None:
        if pose is None:
            return None
        if (
            self._last_time_s is not None
            and pose.timestamp_s - self._last_time_s > self.parameters.reset_after_gap_s
        ):
            self._image.reset()
            self._world.reset()
        self._last_time_s = pose.timestamp_s
        body_length_px = max(float(np.ptp(pose.image_xy[11:29], axis=0).max()), 1.0)
        image_xy = self._image(pose.image_xy, pose.timestamp_s, scale=body_length_px)
        world_xyz = self._world(pose.world_xyz, pose.timestamp_s, scale=1.7)
        return pose.with_landmarks(image_xy, world_xyz)
