"""Landmark tracks: the pose stage's output saved to a file, so the rules can run again
without the model (and without the video: a track holds no picture)."""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posecheck.errors import OutputError, VideoNotFoundError, VideoUnreadableError
from posecheck.pipeline.landmarks import LANDMARK_COUNT
from posecheck.pipeline.pose import Pose
from posecheck.private_files import replacing_privately

TRACK_VERSION = 1


@dataclass(frozen=True, slots=True)
class TrackFrame:
    timestamp_s: float
    pose: Pose | None


@dataclass(frozen=True, slots=True)
class PoseTrack:
    """Every analysed frame's time and followed person (or None)."""

    source: str
    fps: float
    frames: tuple[TrackFrame, ...]

    def __iter__(self) -> Iterator[TrackFrame]:
        return iter(self.frames)

    def __len__(self) -> int:
        return len(self.frames)


def save_track(track: PoseTrack, path: str | os.PathLike[str]) -> Path:
    count = len(track.frames)
    present = np.zeros(count, dtype=bool)
    times = np.zeros(count)
    image_xy = np.zeros((count, LANDMARK_COUNT, 2), dtype=np.float64)
    image_z = np.zeros((count, LANDMARK_COUNT), dtype=np.float64)
    world = np.zeros((count, LANDMARK_COUNT, 3), dtype=np.float64)
    visibility = np.zeros((count, LANDMARK_COUNT), dtype=np.float64)
    presence = np.zeros((count, LANDMARK_COUNT), dtype=np.float64)
    size = (0, 0)
    for index, frame in enumerate(track.frames):
        times[index] = frame.timestamp_s
        pose = frame.pose
        if pose is None:
            continue
        present[index] = True
        image_xy[index], image_z[index], world[index] = pose.image_xy, pose.image_z, pose.world_xyz
        visibility[index], presence[index] = pose.visibility, pose.presence
        size = pose.image_size
    target = Path(path)
    try:
        with replacing_privately(target, "wb") as handle:
            np.savez_compressed(
                handle,
                version=TRACK_VERSION,
                source=track.source,
                fps=track.fps,
                image_size=np.array(size),
                times=times,
                present=present,
                image_xy=image_xy,
                image_z=image_z,
                world=world,
                visibility=visibility,
                presence=presence,
            )
    except OSError as error:
        raise OutputError(
            f"cannot write the landmark track {target} ({error.strerror}): choose a writable path"
        ) from None
    return target


def load_track(path: str | os.PathLike[str]) -> PoseTrack:
    try:
        with np.load(Path(path), allow_pickle=False) as archive:
            data = {name: archive[name] for name in archive.files}  # each read decompresses
        size = tuple(int(v) for v in data["image_size"])
        frames = []
        for index, time_s in enumerate(data["times"]):
            pose = None
            if data["present"][index]:
                pose = Pose.from_arrays(
                    float(time_s),
                    data["image_xy"][index],
                    data["image_z"][index],
                    data["world"][index],
                    data["visibility"][index],
                    data["presence"][index],
                    (size[0], size[1]),
                )
            frames.append(TrackFrame(float(time_s), pose))
        return PoseTrack(str(data["source"]), float(data["fps"]), tuple(frames))
    except FileNotFoundError:
        raise VideoNotFoundError(f"landmark track not found: {path} (check the path)") from None
    except (
        OSError, KeyError, ValueError, EOFError, IndexError, TypeError, zipfile.BadZipFile, zlib.error
    ) as error:  # fmt: skip
        raise VideoUnreadableError(
            f"cannot read the landmark track {path} ({type(error).__name__}): save it again with "
            "`posecheck analyze VIDEO --save-track FILE`"
        ) from None


def track_from_pairs(source: str, fps: float, pairs: Iterable[tuple[float, Pose | None]]) -> PoseTrack:
    return PoseTrack(source, fps, tuple(TrackFrame(time_s, pose) for time_s, pose in pairs))
