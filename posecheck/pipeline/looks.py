"""The single-image looks (the track check, the search for other people) on a thread of
their own.

The pose model runs in native code and leaves the interpreter free while it works, so a look
on this thread runs on the second core while the followed person's model reads the frame on
the first: the track check's look at a frame overlaps that frame's tracking, and the search
for other people (several model runs, one per tile) overlaps the frames that follow it. One
thread, so the single-image model the looks share runs one picture at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from posecheck.closing import Closing

Args = ParamSpec("Args")
Result = TypeVar("Result")


class LooksThread(Closing):
    """Runs looks one after another, in the order given, beside the caller."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="posecheck-looks")

    def start(self, look: Callable[Args, Result], *args: Args.args, **kwargs: Args.kwargs) -> Future[Result]:
        """The look, started; its future gives the result (or raises its error)."""
        return self._executor.submit(look, *args, **kwargs)

    def close(self) -> None:
        """Waits for the look running, drops those not started."""
        self._executor.shutdown(wait=True, cancel_futures=True)
