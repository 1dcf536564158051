"""Text for the terminal: names, paths, cues and messages made safe to print.

A file name is chosen by whoever made the file, and a camera address can carry a password.
Everything posecheck prints that holds such text goes through ``shown``: it hides the
password of an address, writes control characters (escape sequences, carriage returns,
bidirectional overrides, bytes of a name that are not UTF-8) as visible escapes, and, for
text given to rich, escapes its markup, so a name is printed as it is and nothing else.

Example: ``shown("rtsp://me:pw@cam/a\\x1b[2J.mp4")`` is ``rtsp://***@cam/a\\x1b[2J.mp4`` with a
backslash where the escape character was; ``shown("[red]a.mp4", markup=True)`` is
``\\[red]a.mp4``, which rich prints as ``[red]a.mp4``.
"""

from __future__ import annotations

import unicodedata

from rich.markup import escape as _escape_markup

from posecheck.credentials import redacted

# Unicode categories that move the cursor, change colours or reorder text rather than show
# a character: control, format (bidirectional overrides, zero-width), line and paragraph
# separators, and lone surrogates (the undecodable bytes of a file name).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _visible(character: str) -> str:
    if unicodedata.category(character) not in _INVISIBLE_CATEGORIES:
        return character
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by the file system's decoding
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def shown(text: object, *, markup: bool = False) -> str:
    """``text`` as it may reach the terminal: no password of an address, every invisible
    character written as an escape, and with ``markup`` (for rich) its markup escaped.

    One line stays one line: a newline inside a name is shown as ``\\x0a``. Text that is
    already safe comes back unchanged, so showing twice does no harm.
    """
    safe = "".join(_visible(character) for character in redacted(str(text)))
    return _escape_markup(safe) if markup else safe


def shown_lines(text: str) -> str:
    """A text of several lines (a summary) shown line by line, its line breaks kept."""
    return "\n".join(shown(line) for line in text.split("\n"))
