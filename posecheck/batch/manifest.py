"""What a batch analyses: every file of a folder, or the rows of a manifest.

A manifest is a CSV file with a header row naming its columns: ``video`` (required), then
optionally ``exercise`` and ``patient``, in any order. A relative video path is relative to
the manifest's folder; an empty exercise cell takes the command's ``--exercise``, or has the
exercises recognised. Videos are not opened here: a path this machine cannot see may be one
the workers can, and a video that cannot be read is that video's own error.

Example (``clinic.csv``)::

    video,exercise,patient
    /mnt/uploads/2024-05-02/p17-a.mp4,prone_press_up,p17
    /mnt/uploads/2024-05-02/p17-b.mp4,,p17
    /mnt/uploads/2024-05-02/p23-a.mp4,childs_pose,p23
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

from posecheck.batch.runner import folder_videos
from posecheck.errors import ManifestError, UnknownExerciseError
from posecheck.rules.registry import exercise_named
from posecheck.rules.vocabulary import Exercise

COLUMNS = ("video", "exercise", "patient")
# A patient's name becomes their history's file name: nothing that leaves the folder.
PATIENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One video of a batch: the exercise to judge it by (None: recognise the exercises)
    and whose history its sessions go to (None: the command's history)."""

    video: Path
    exercise: Exercise | None
    patient: str | None = None

    @property
    def label(self) -> str:
        """The video's name in the table: ``patient/file`` when it has a patient."""
        return f"{self.patient}/{self.video.name}" if self.patient else self.video.name


def is_manifest(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() == ".csv" and not Path(path).is_dir()


def batch_items(source: str | os.PathLike[str], exercise: Exercise | None) -> list[BatchItem]:
    """The items of a folder (every visible file, with ``exercise``) or of a manifest."""
    if is_manifest(source):
        return read_manifest(source, exercise)
    return [BatchItem(video, exercise) for video in folder_videos(source)]


def read_manifest(path: str | os.PathLike[str], exercise: Exercise | None = None) -> list[BatchItem]:
    """The manifest's rows in order; ``exercise`` fills an empty or missing exercise cell."""
    manifest = Path(path)
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            rows = [(reader.line_num, row) for row in reader if _is_content(row)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ManifestError(
            f"cannot read the manifest {manifest} ({error}): give a readable CSV file"
        ) from None
    if not rows:
        raise ManifestError(f"the manifest {manifest} is empty: add a `video` header and one row a video")
    header = [cell.strip().lower() for cell in rows[0][1]]
    unknown = [name for name in header if name not in COLUMNS]
    if "video" not in header or unknown or len(set(header)) != len(header):
        raise ManifestError(
            f"the manifest {manifest} starts with {','.join(rows[0][1])!r}: its first row must name "
            "its columns, `video` and optionally `exercise` and `patient` (e.g. `video,exercise,patient`)"
        )
    items = [
        _item(manifest, line, dict(zip(header, row, strict=False)), exercise, "patient" in header)
        for line, row in rows[1:]
    ]
    if not items:
        raise ManifestError(f"the manifest {manifest} lists no video: add one row a video under its header")
    return items


def _is_content(row: list[str]) -> bool:
    """Blank lines and ``#`` comment lines are not rows."""
    return any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#")


def _item(
    manifest: Path, line: int, cells: dict[str, str], default: Exercise | None, with_patient: bool
) -> BatchItem:
    video = cells.get("video", "").strip()
    if not video:
        raise ManifestError(f"row {line} of {manifest} has no video: give each row a video path")
    name = cells.get("exercise", "").strip()
    try:
        exercise = exercise_named(name) if name else default
    except UnknownExerciseError as error:
        raise UnknownExerciseError(f"row {line} of {manifest}: {error}") from None
    patient = cells.get("patient", "").strip() or None
    if with_patient and patient is None:
        raise ManifestError(
            f"row {line} of {manifest} has no patient: fill the patient column on every row, or drop it"
        )
    if patient is not None and not PATIENT_NAME.fullmatch(patient):
        raise ManifestError(
            f"row {line} of {manifest}: the patient {patient!r} cannot name a history file: use "
            "letters, digits, '.', '_' and '-' only, starting with a letter or digit"
        )
    return BatchItem(manifest.parent / Path(video).expanduser(), exercise, patient)
