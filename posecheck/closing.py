"""One way to close what posecheck opens (a video, a model, a camera, a window): used in a
``with`` block, it is closed however the block ends, an error or Ctrl-C included."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """Base of the things that hold a resource: ``with Thing(...) as thing:`` gives the thing
    and calls its ``close()`` at the end of the block."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
