"""Files only their owner can read: what posecheck writes is health data.

The history, reports, exports, landmark tracks and annotated videos are created with mode
0600, and the folders posecheck creates for them with 0700, whatever the umask; a file
written under a temporary name and renamed into place has that mode before it is renamed.
Folders that already exist are left as they are: they are the user's.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700


def private_folder(path: str | os.PathLike[str]) -> Path:
    """``path`` as a folder; each missing folder on the way is created owner-only."""
    folder = Path(path)
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        try:
            candidate.mkdir(mode=PRIVATE_FOLDER_MODE)
        except FileExistsError:
            continue  # made meanwhile by another process: it is theirs to set
        candidate.chmod(PRIVATE_FOLDER_MODE)  # the umask may have taken bits away, never added
    return folder


def create_private_file(path: str | os.PathLike[str]) -> Path:
    """Creates ``path`` empty and owner-only when missing (an existing file is kept, mode
    and all), its folder owner-only when posecheck makes it."""
    target = Path(path)
    private_folder(target.parent)
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        return target
    target.chmod(PRIVATE_FILE_MODE)
    return target


def make_private(path: str | os.PathLike[str]) -> Path:
    """Truncates or creates ``path`` as an owner-only file, for writers (OpenCV's video
    writer) that open the file themselves and keep the mode they find."""
    target = Path(path)
    private_folder(target.parent)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
    finally:
        os.close(descriptor)
    return target


@contextmanager
def replacing_privately(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO]:
    """A file opened under a temporary owner-only name beside ``path`` that replaces it
    once written whole: a crash never leaves half a file, nor a file others can read."""
    target = Path(path)
    private_folder(target.parent)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, before the rename)
        mode,
        dir=target.parent,
        prefix=f".{target.name}.",
        suffix=".tmp",
        delete=False,
        encoding=None if "b" in mode else "utf-8",
    )
    try:
        with handle:
            os.fchmod(handle.fileno(), PRIVATE_FILE_MODE)
            yield handle
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def readable_by_others(path: str | os.PathLike[str]) -> int | None:
    """The mode of ``path`` when users other than its owner may read or write it, else None."""
    try:
        mode = stat.S_IMODE(Path(path).stat().st_mode)
    except OSError:
        return None
    return mode if mode & 0o077 else None
