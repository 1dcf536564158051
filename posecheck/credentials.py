"""Camera addresses without their credentials.

A stream address can carry a user and password (``rtsp://user:secret@host/stream``) or a
token in its query (``?user=admin&pwd=secret``). posecheck opens the address as given, and
everywhere else (the terminal, the history, reports, exports) uses ``redacted``:
``rtsp://***@host/stream``, ``?user=***&pwd=***``.

So that the password stays out of the shell's history too, the address can come from
``$POSECHECK_CAMERA`` or from a file only its owner can read (``read_camera_file``).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from posecheck.errors import CameraUnavailableError

CAMERA_ENVIRONMENT = "POSECHECK_CAMERA"
HIDDEN = "***"

_ADDRESS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<rest>\S+)")
# Everything up to the last "@" of the address is the user and password; a password may
# itself hold "/" or "@" unescaped, so the last one is taken, not the first.
_USER_INFO = re.compile(r"^\S*@")
_SECRET_PARAMETER = re.compile(
    r"(?P<name>[?&;][^=&;#\s]*(?:user|login|pass|pwd|token|key|auth|secret|sig|session)[^=&;#\s]*)"
    r"=[^&;#\s]*",
    re.IGNORECASE,
)


def _redacted_address(match: re.Match[str]) -> str:
    rest = _USER_INFO.sub(f"{HIDDEN}@", match["rest"], count=1)
    rest = _SECRET_PARAMETER.sub(rf"\g<name>={HIDDEN}", rest)
    return match["scheme"] + rest


def redacted(text: str) -> str:
    """``text`` with the user, password and secret query values of every address in it
    replaced by ``***``; text without an address comes back unchanged. Secret query values
    are hidden anywhere in a text holding an address (a crafted address may hold spaces)."""
    if "://" not in text:
        return text
    return _SECRET_PARAMETER.sub(rf"\g<name>={HIDDEN}", _ADDRESS.sub(_redacted_address, text))


def redacted_address(address: str) -> str:
    """One camera address as it may be shown or stored: all before its last "@" hidden,
    whatever characters the user and password hold."""
    scheme, separator, rest = address.partition("://")
    if separator and "@" in rest:
        rest = f"{HIDDEN}@{rest.rpartition('@')[2]}"
    return redacted(scheme + separator + rest)


def read_camera_file(path: str | os.PathLike[str]) -> str:
    """The camera address on the first line of ``path``, a file only its owner may read
    (as ssh asks of a key): one readable by others is refused, since it holds a password."""
    file = Path(path)
    try:
        mode = file.stat().st_mode
        if stat.S_IMODE(mode) & 0o077:
            raise CameraUnavailableError(
                f"the camera file {file} can be read by other users (mode {stat.S_IMODE(mode):03o}): "
                f"`chmod 600 {file}`, then start again"
            )
        lines = file.read_text(encoding="utf-8").strip().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise CameraUnavailableError(
            f"cannot read the camera file {file} ({reason}): write the camera address on its first line"
        ) from None
    if not lines or not lines[0].strip():
        raise CameraUnavailableError(
            f"the camera file {file} is empty: write the camera address on its first line"
        )
    return lines[0].strip()
