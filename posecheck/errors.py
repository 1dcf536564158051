"""One exception type per kind of user mistake; each message names the fix.

The CLI prints ``str(error)`` as a single line and exits with ``error.exit_code``.
"""

from __future__ import annotations


class PosecheckError(Exception):
    """Base of every error a user can cause and fix."""

    exit_code = 2


class ModelNotFoundError(PosecheckError):
    exit_code = 3


class ModelInvalidError(PosecheckError):
    exit_code = 3


class ModelInstallError(PosecheckError):
    exit_code = 3


class VideoNotFoundError(PosecheckError):
    exit_code = 4


class VideoUnreadableError(PosecheckError):
    exit_code = 4


class CameraUnavailableError(PosecheckError):
    exit_code = 4


class CameraStoppedError(CameraUnavailableError):
    """A camera that gave pictures (or opened) and then stopped, raised by
    ``LiveCamera.latest`` once every picture before it was taken: what was recorded stands.

    ``at_s`` is when its last picture came, on the camera's clock; ``note`` is one sentence
    for the session's notes. The subclass says why it stopped.
    """

    def __init__(self, message: str, *, at_s: float, note: str) -> None:
        super().__init__(message)
        self.at_s = at_s
        self.note = note


class CameraLostError(CameraStoppedError):
    """Reading failed: the device went away (unplugged) or the stream closed."""


class CameraStalledError(CameraStoppedError):
    """No picture for ``camera.STALL_S``, the camera or stream still there but silent."""


class CameraFileEndedEarlyError(CameraStoppedError):
    """A video played as a camera whose frames stop before the duration its container
    announces (a damaged or truncated file)."""


class NoPersonError(PosecheckError):
    exit_code = 5


class UnknownExerciseError(PosecheckError):
    exit_code = 6


class OutputError(PosecheckError):
    exit_code = 7


class VideoTruncatedError(PosecheckError):
    """Raised after the readable part was analysed and saved."""

    exit_code = 4


class InterruptedSessionError(PosecheckError):
    """Raised after what was recorded before Ctrl-C was saved."""

    exit_code = 130


class AnalysisCrashedError(PosecheckError):
    """The analysis of one video died or failed unexpectedly; the file is the likely cause."""

    exit_code = 4


class FolderFailedError(PosecheckError):
    """Some videos of a folder failed; carries the exit code of the first failure."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class HistoryError(PosecheckError):
    """The history file cannot be opened, read or written."""

    exit_code = 8


class SessionNotFoundError(PosecheckError):
    exit_code = 9


class UsageError(PosecheckError):
    """Options that do not go together."""

    exit_code = 2


class InvalidTargetError(PosecheckError):
    exit_code = 2


class DisplayUnavailableError(PosecheckError):
    """No screen to open the live window on."""

    exit_code = 10


class ManifestError(PosecheckError):
    """A manifest (CSV of videos) that cannot be read or has a bad row."""

    exit_code = 11


class ClusterError(PosecheckError):
    """Ray is not installed, or the cluster cannot be reached."""

    exit_code = 12


class ExerciseDefinitionError(PosecheckError):
    """An exercise file that cannot be used: a name taken twice, or a definition that does
    not hold together. Fixed in the file named in the message."""

    exit_code = 13


class InvalidPlanError(PosecheckError):
    """A routine plan with a mistake: the message names the key and the fix."""

    exit_code = 2
