"""The key angle over time as compressed blobs: one row a session, not one a frame."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from posecheck.rules.events import Phase


def pack_floats(values: Sequence[float]) -> bytes:
    return zlib.compress(np.asarray(values, dtype="<f8").tobytes())


def unpack_floats(blob: bytes) -> tuple[float, ...]:
    return tuple(np.frombuffer(zlib.decompress(blob), dtype="<f8").tolist())


def pack_phases(phases: Sequence[Phase]) -> bytes:
    return zlib.compress("\n".join(phase.value for phase in phases).encode())


def unpack_phases(blob: bytes) -> tuple[Phase, ...]:
    text = zlib.decompress(blob).decode()
    return tuple(Phase(value) for value in text.split("\n")) if text else ()
