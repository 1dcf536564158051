"""The summary a finished session prints, and its JSON report when asked for: the same for
`analyze`, `replay` and `live`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.terminal_text import shown, shown_lines

if TYPE_CHECKING:
    from posecheck.analysis.session import Session


def print_summary(session: Session, json_path: Path | None) -> None:
    from posecheck.reports.text import summary_text, write_json

    print(shown_lines(summary_text(session)))
    if json_path is not None:
        write_json(session, json_path)
        print(f"Report written to {shown(json_path)}")
