"""The command line: a few lines over each library call.

Every user mistake ends as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence

from posecheck.cli.analyze_usage import check_analyze_usage
from posecheck.cli.parser import build_parser
from posecheck.errors import PosecheckError
from posecheck.terminal_text import shown


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        arguments = parser.parse_args(argv)
        if getattr(arguments, "stride", 1) < 1:
            parser.error("--stride must be 1 or more")
        if arguments.command == "analyze":
            check_analyze_usage(parser, arguments)
        if arguments.verbose:
            _show_posecheck_log()
        with _native_logs_silenced(keep=arguments.verbose):
            try:
                return int(arguments.run(arguments))
            except PosecheckError as error:
                print(f"posecheck: error: {shown(error)}", file=sys.stderr)
                return error.exit_code
    except KeyboardInterrupt:
        print("posecheck: interrupted", file=sys.stderr)
        return 130


@contextlib.contextmanager
def _native_logs_silenced(keep: bool) -> Iterator[None]:
    """MediaPipe, LiteRT and FFmpeg write their own log lines straight to file descriptor 2;
    a user should see only posecheck's. posecheck's own stderr (errors, progress bar) moves
    to a copy of the real stderr while descriptor 2 points at /dev/null."""
    if keep:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    silent = os.open(os.devnull, os.O_WRONLY)
    os.dup2(silent, 2)
    os.close(silent)
    original = sys.stderr
    sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = original
        os.dup2(saved, 2)
        os.close(saved)


def _show_posecheck_log() -> None:
    """``--verbose``: posecheck's own log (detections dropped, holds found and left) on stderr,
    each line escaped like every other line posecheck prints."""

    class Escaped(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return shown(super().format(record))

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Escaped("posecheck: %(name)s: %(message)s"))
    log = logging.getLogger("posecheck")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)


if __name__ == "__main__":
    sys.exit(main())
